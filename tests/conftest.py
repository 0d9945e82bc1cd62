"""Fixtures: small gardens on disk and a way to run the real CLI on them."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from garden.cli import main

ROOT = Path(__file__).resolve().parent.parent
GARDENS = Path(__file__).resolve().parent / "gardens"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


@dataclass
class Garden:
    """A garden folder on disk: garden.yaml, notes/, and an output folder."""

    root: Path

    @property
    def notes(self) -> Path:
        return self.root / "notes"

    @property
    def site(self) -> Path:
        return self.root / "_site"

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def note(self, relative: str, text: str) -> Path:
        return self.write(f"notes/{relative}", text)

    def page(self, slug: str) -> str:
        path = self.site / (f"{slug}/index.html" if slug else "index.html")
        return path.read_text(encoding="utf-8")

    def run(self, *args: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
        monkeypatch.chdir(self.root)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)


def snapshot(folder: Path, marker: bool = True) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes. ``marker=False`` leaves out the
    build marker (``.garden-site``), which differs between builds of the same notes made in
    different ways (cached, incremental, clean)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (marker or p.name != ".garden-site")
    }


FIXTURE_CONFIG = """\
title: Fixture
taxonomy:
  - title: Core
    children:
      - slug: models
        title: Models
        children:
          - {slug: nngp-ntk, title: NNGP / NTK}
          - {slug: linear-networks, title: Linear networks}
      - {slug: optimization, title: Optimization}
"""


@pytest.fixture
def garden(tmp_path: Path) -> Garden:
    """An empty garden with a small taxonomy."""
    g = Garden(tmp_path / "g")
    g.notes.mkdir(parents=True)
    g.write("garden.yaml", FIXTURE_CONFIG)
    return g


@pytest.fixture
def basic(tmp_path: Path) -> Garden:
    """A copy of tests/gardens/basic, safe to build into."""
    target = tmp_path / "basic"
    shutil.copytree(GARDENS / "basic", target)
    return Garden(target)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run garden's CLI in-process inside a garden folder."""

    def run(g: Garden, *args: str) -> Run:
        return g.run(*args, capsys=capsys, monkeypatch=monkeypatch)

    return run


def run_process(args: list[str], cwd: Path, timeout: float = 120) -> Run:
    """Run a real process (for the entry points)."""
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return Run(done.returncode, done.stdout, done.stderr)


PYTHON = sys.executable


def unavailable(reason: str, why: str = "every test must run") -> NoReturn:
    """Skip a test whose tool or platform is missing here, except on CI (CI=true), where a
    missing tool fails the run: CI must run everything."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: {why})")
    pytest.skip(reason)


def wait_until(predicate: Callable[[], object], timeout: float = 30, what: str = "") -> object:
    """Poll ``predicate`` until it returns something true (returned), failing after ``timeout``
    seconds: waiting for an event instead of sleeping for a guessed time."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


# ------------------------------------------------------------------ the browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def browser_unavailable(reason: str) -> None:
    """Skip a browser test, except on CI (CI=true), where a missing browser fails the run."""
    unavailable(reason, "the browser tests must run")


@pytest.fixture(scope="session")
def browser():
    """One Debian Chromium, driven by Playwright, for the whole session (one sync API per process)."""
    if not CHROMIUM.is_file():
        browser_unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
