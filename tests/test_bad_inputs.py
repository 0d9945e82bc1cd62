"""Every case of the bad-input corpus (tests/bad_inputs.py): the exact problems, the right exit
code, no traceback, every other note still checked and, when the build fails, the previous site
byte for byte as it was."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bad_inputs import CASES, GOOD, SENTINEL, SENTINEL_PROBLEMS, Case, Link
from conftest import PYTHON, ROOT, Run, snapshot, unavailable

PROBLEM = re.compile(r"^\S.*?: (error|warning): ")


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if PROBLEM.match(line)]


def write_files(root: Path, files: dict[str, str | bytes | Link]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            path.symlink_to(content.target)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def built_garden(garden, cli) -> dict[str, str]:
    """The garden with its good notes, built once: the previous site every case must not harm."""
    garden.note("good.md", GOOD)
    garden.note("zz-sentinel.md", SENTINEL)
    first = cli(garden)
    assert first.code == 0, first.err
    assert problem_lines(first.err) == list(SENTINEL_PROBLEMS)
    return snapshot(garden.site)


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> dict[str, Path]:
    return {}


@pytest.fixture
def previous(garden, cli, template, tmp_path_factory) -> dict[str, str]:
    """``built_garden``, built once per session and copied for each case (a build is the slow part)."""
    if "root" not in template:
        built_garden(garden, cli)
        template["root"] = tmp_path_factory.mktemp("bad-inputs-template")
        shutil.copytree(garden.root, template["root"], dirs_exist_ok=True)
    else:
        shutil.copytree(template["root"], garden.root, dirs_exist_ok=True)
    return snapshot(garden.site)


def _params() -> list:
    return [pytest.param(case, id=case.name, marks=[pytest.mark.slow] if case.slow else []) for case in CASES]


def test_the_corpus_is_big_and_covers_both_outcomes():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)) and len(CASES) >= 30
    assert {case.code for case in CASES} == {0, 1}


@pytest.mark.parametrize("case", _params())
def test_bad_input(garden, cli, previous, case: Case):
    before = previous
    write_files(garden.root, case.files)
    result = cli(garden)

    assert "Traceback" not in result.output
    assert result.code == case.code, result.err
    assert sorted(problem_lines(result.err)) == sorted([*case.expected, *SENTINEL_PROBLEMS])
    lines = result.err.splitlines()
    for index, line in enumerate(lines):
        if PROBLEM.match(line):  # every problem says how to fix it
            assert index + 1 < len(lines) and lines[index + 1].startswith("    hint: "), line
    for hint in case.hints:
        assert hint in result.err, hint
    for path in case.absent:
        assert not (garden.root / path).exists(), path
    if case.code:
        assert snapshot(garden.site) == before, "a failed build changed the previous site"
        assert "the previous site is untouched" in result.err
    else:
        assert (garden.site / "zz-sentinel" / "index.html").is_file()
        for page, text in case.shows.items():
            assert text in (garden.site / page).read_text(encoding="utf-8"), page
    assert not [p for p in garden.root.iterdir() if ".building-" in p.name or ".previous-" in p.name]


def test_every_case_at_once(garden, cli, previous):
    """All the defects in one garden: each is still reported, in one run, and nothing is written."""
    before = previous
    cases = [case for case in CASES if case.combine and not case.slow]
    for case in cases:
        write_files(garden.root, case.files)
    result = cli(garden)
    assert result.code == 1
    assert "Traceback" not in result.output
    found = set(problem_lines(result.err))
    missing = [line for case in cases for line in (*case.expected, *SENTINEL_PROBLEMS) if line not in found]
    assert missing == []
    assert snapshot(garden.site) == before
    check = cli(garden, "check")  # the same problems without writing
    assert set(problem_lines(check.err)) == found
    assert check.code == 1


def test_warnings_fail_with_strict(garden, cli, previous):
    """Cases that only warn: --strict fails the build and keeps the previous site."""
    cases = [case for case in CASES if case.combine and not case.slow and case.code == 0 and case.expected]
    assert len(cases) >= 10
    for case in cases:
        write_files(garden.root, case.files)
    strict = cli(garden, "--strict")
    assert strict.code == 1
    assert "(--strict: warnings fail the build)" in strict.err
    assert snapshot(garden.site) == previous
    assert cli(garden).code == 0


PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _without_root_powers() -> None:
    """In a child process, before it runs the build: give up root's power to read any file
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, dropped from the bounding set, so the build runs
    without them), so a file's permissions stop it as they stop any user."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def build_without_root_powers(root: Path, unreadable: Path) -> Run:
    """The build as a separate process (build.py) that root's permissions do not reach."""
    try:
        probe = subprocess.run(
            [PYTHON, "-c", "import sys; open(sys.argv[1], 'rb').read()", str(unreadable)],
            preexec_fn=_without_root_powers,
            capture_output=True,
            text=True,
        )
    except subprocess.SubprocessError as exc:
        unavailable(f"root cannot give up CAP_DAC_OVERRIDE here: {exc}")
    if "PermissionError" not in probe.stderr:
        unavailable(f"{unreadable} is readable even without CAP_DAC_OVERRIDE here")
    done = subprocess.run(
        [PYTHON, str(ROOT / "build.py"), "build"],
        cwd=root,
        preexec_fn=_without_root_powers,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def test_unreadable_note(garden, cli, previous):
    """A note nobody may read (mode 000). Root reads any file; so, as root, the build runs in a
    process without that power, where the file is unreadable for real."""
    before = previous
    path = garden.note("secret.md", "Hidden.\n")
    path.chmod(0)
    try:
        result = cli(garden) if os.geteuid() != 0 else build_without_root_powers(garden.root, path)
    finally:
        path.chmod(0o644)
    assert result.code == 1
    assert "notes/secret.md:1: error: cannot read file: Permission denied" in result.err
    assert snapshot(garden.site) == before
