"""The code stays as ruff wants it: lint-clean and formatted (CI runs this like any test)."""

from __future__ import annotations

import subprocess

from conftest import PYTHON, ROOT, unavailable


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([PYTHON, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)
    except OSError as exc:  # pragma: no cover
        unavailable(f"ruff cannot run: {exc}")
        raise


def test_ruff_check_is_clean() -> None:
    done = _ruff("check", "garden", "tests", "bench", "build.py")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean() -> None:
    done = _ruff("format", "--check", "garden", "tests", "bench", "build.py")
    assert done.returncode == 0, done.stdout + done.stderr
