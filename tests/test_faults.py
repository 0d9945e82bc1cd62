"""Faults: a build killed at any moment, a full or read-only disk, and output folders that must be
refused. In every case the previous site stays complete, byte for byte."""

from __future__ import annotations

import contextlib
import errno
import os
import random
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PYTHON, ROOT, snapshot, unavailable, wait_until

from garden.build import output

LEFTOVER = (".building-", ".previous-")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if any(mark in p.name for mark in LEFTOVER))


def make_notes(notes: Path, count: int, seed: int, edition: str = "") -> None:
    """``count`` linked notes with math and code: a garden that takes a moment to build."""
    rng = random.Random(seed)
    words = "kernel width depth feature lazy regime scaling limit tangent gradient noise".split()  # noqa: SIM905
    for index in range(count):
        links = " ".join(f"[[note-{rng.randrange(count)}]]" for _ in range(4))
        prose = " ".join(rng.choice(words) for _ in range(120))
        body = "\n\n".join(
            [
                f"# Note {index} {edition}",
                f"{prose} {links}",
                f"$$\\sum_{{i=1}}^{{{index + 2}}} x_i^{{{rng.randrange(9)}}} = {index}$$",
                f"Inline $\\theta_{{{index}}}$ and `code` and **bold**.",
                f"```python\nprint({index})\n```",
                f"## Part two\n\n{prose}",
            ]
        )
        folder = notes / f"area-{index % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note-{index}.md").write_text(f"---\ntags: [t{index % 7}]\n---\n{body}\n", "utf-8")


def build_process(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, str(ROOT / "build.py"), "build", "-q", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for_staging(proc: subprocess.Popen, root: Path, out: str = "_site") -> None:
    """Return once the build has started writing its new site beside the old one (or has ended)."""
    staging = root / f".{out}.building-{proc.pid}"
    deadline = time.perf_counter() + 300
    while proc.poll() is None and not staging.exists() and time.perf_counter() < deadline:
        time.sleep(0.0005)


def run_build(root: Path, *args: str) -> None:
    proc = build_process(root, *args)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err


def timings(root: Path) -> tuple[float, float]:
    """How long a whole build takes here, and how long its writing (staging to exit) takes."""
    started = time.perf_counter()
    probe = build_process(root, "--out", str(root / "_probe"))
    wait_for_staging(probe, root, "_probe")
    writing_from = time.perf_counter()
    probe.communicate(timeout=300)
    shutil.rmtree(root / "_probe")
    return time.perf_counter() - started, time.perf_counter() - writing_from


def sigkill_builds(root: Path, notes: int, kills: int, seed: int) -> Counter[str]:
    """Edit every note, start a build, SIGKILL it; the site must be the previous one, complete, or
    (killed after the swap) the new one, complete: never a mix, never nothing.

    Even attempts kill while the new site is being written: as soon as the build's staging folder
    appears (the first one at once, the others a random moment into the writing); odd attempts
    at a random moment of the whole build. Returns how each attempt ended, as
    "killed <when>: <outcome>" (or "finished before the kill: ..." when the kill came too late)."""
    rng = random.Random(seed)
    make_notes(root / "notes", notes, seed)
    run_build(root)
    duration, writing = timings(root)
    run_build(root)  # last, so the next build reuses this site (hard links) as a real rebuild does
    site = snapshot(root / "_site")
    outcomes: Counter[str] = Counter()
    for attempt in range(kills):
        make_notes(root / "notes", notes, seed, edition=f"(edition {attempt})")  # every page changes
        proc = build_process(root)
        staging = root / f"._site.building-{proc.pid}"
        if attempt % 2:
            time.sleep(rng.uniform(0, duration))  # the scenario: a kill at an arbitrary moment
        else:
            wait_for_staging(proc, root)
            if attempt:
                time.sleep(rng.uniform(0, writing / 2))  # the scenario: some way into the writing
        writing_now = staging.exists() and proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        if proc.returncode == -signal.SIGKILL:
            when = "killed while writing" if writing_now else "killed before writing"
        else:
            assert proc.returncode == 0, f"attempt {attempt}: the build failed on its own"
            when = "finished before the kill"
        now = snapshot(root / "_site")
        if now == site:
            outcomes[f"{when}: previous site kept"] += 1
            continue
        # what this edition's site is, complete (no cache: the next attempt still reuses _site)
        run_build(root, "--no-cache", "--out", str(root / "_complete"))
        assert now == snapshot(root / "_complete"), f"attempt {attempt}, {when}: a broken site"
        shutil.rmtree(root / "_complete")
        outcomes[f"{when}: new site complete"] += 1
        site = now
    run_build(root)
    # staging folders of the killed builds are cleaned; the site this build replaced may still
    # be on its way out (a large one is deleted by a detached `rm`)
    wait_until(lambda: leftovers(root) == [], timeout=60, what=f"the leftovers {leftovers(root)} to go")
    return outcomes


def test_sigkill_mid_build_leaves_previous_site_complete(tmp_path):
    outcomes = sigkill_builds(tmp_path / "g", notes=30, kills=3, seed=5)
    assert outcomes["killed while writing: previous site kept"] >= 1, outcomes


def children_of(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


@pytest.mark.parametrize("stage", ["compiling", "drawing cards"])
def test_workers_die_with_a_killed_build(tmp_path, stage):
    """A build killed outright leaves no worker behind (they would wait forever for work and
    hold the terminal's pipes open), whether it dies while compiling or drawing cards."""
    if not Path("/proc/self/task").is_dir():
        unavailable("needs Linux's /proc")
    root = tmp_path / "g"
    make_notes(root / "notes", 150, seed=3)  # enough for worker processes (compile and cards)
    proc = build_process(root, "--no-cache")
    deadline = time.perf_counter() + 120
    seen: set[int] = set()
    while proc.poll() is None and time.perf_counter() < deadline:
        workers = children_of(proc.pid)
        if workers and (stage == "compiling" or (seen and workers - seen)):
            break  # the compile pool is up; or, later, a second pool: the cards'
        seen |= workers
        time.sleep(0.001)
    assert proc.poll() is None and workers, "the build ended before its workers were seen"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)  # returns once no process holds the build's output pipes
    deadline = time.perf_counter() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.perf_counter() < deadline:
        time.sleep(0.01)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]
    assert alive == []


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


@pytest.mark.slow
def test_sigkill_many_times_on_a_bigger_garden(tmp_path):
    outcomes = sigkill_builds(tmp_path / "g", notes=300, kills=30, seed=11)
    print(dict(outcomes))  # for the record: python -m pytest -m slow -s
    killed_writing = sum(n for key, n in outcomes.items() if key.startswith("killed while writing"))
    assert killed_writing >= 5, outcomes  # the 15 kills aimed at the writing mostly land there
    assert outcomes["killed while writing: previous site kept"] >= 1, outcomes


HOLDS_ITS_STAGING = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from garden.build.output import SiteWriter
writer = SiteWriter(Path(sys.argv[2]))
(writer.staging / "page.html").write_text("being written")
print(writer.staging, flush=True)
time.sleep(60)
"""


def test_leftovers_of_a_running_build_are_not_touched(garden, cli):
    """Only staging folders of dead builds are cleaned: a build running beside us (a real
    SiteWriter in another process, holding its staging folder) keeps its own; once it is
    killed, the next build removes what it left."""
    garden.note("a.md", "a\n")
    running = subprocess.Popen(
        [PYTHON, "-c", HOLDS_ITS_STAGING, str(ROOT), str(garden.site)], stdout=subprocess.PIPE, text=True
    )
    try:
        alive = Path(running.stdout.readline().strip())  # once it is made and locked
        assert alive == garden.root / f"._site.building-{running.pid}"
        dead = garden.root / "._site.building-999999999"
        dead.mkdir()
        assert cli(garden).code == 0
        assert (alive / "page.html").is_file() and not dead.exists()
    finally:
        running.kill()
        running.wait()
    garden.note("a.md", "b\n")
    assert cli(garden).code == 0
    assert leftovers(garden.root) == []


def test_site_stranded_between_two_renames_is_restored(garden, cli, monkeypatch):
    """Where the atomic exchange is missing, a kill between the two renames loses nothing."""
    garden.note("a.md", "a\n")
    assert cli(garden).code == 0
    before = snapshot(garden.site)
    garden.site.rename(garden.root / "._site.previous-999999999")  # what the killed build left
    garden.note("a.md", "changed\n")
    output.clean_leftovers(garden.site.resolve())
    assert snapshot(garden.site) == before
    monkeypatch.setattr(output, "_exchange", lambda one, two: False)  # the fallback swap
    assert cli(garden).code == 0
    assert "changed" in garden.page("a")
    assert leftovers(garden.root) == []


def without_exchange(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel without renameat2's RENAME_EXCHANGE: the site is swapped in with two renames."""
    monkeypatch.setattr(output, "_exchange", lambda one, two: False)


def test_fallback_swap_leaves_exactly_the_new_site(garden, cli, monkeypatch, tmp_path):
    without_exchange(monkeypatch)
    make_notes(garden.notes, 4, seed=2)
    assert cli(garden).code == 0
    make_notes(garden.notes, 4, seed=2, edition="(second)")
    garden.note("only-new.md", "A note the first site did not have.\n")
    assert cli(garden).code == 0
    assert cli(garden, "--no-cache", "--out", str(tmp_path / "fresh")).code == 0
    assert snapshot(garden.site, marker=False) == snapshot(tmp_path / "fresh", marker=False)
    assert "(second)" in garden.page("area-0/note-0")
    assert leftovers(garden.root) == []


@pytest.mark.parametrize(
    ("fault", "code", "message"),
    [
        (OSError(errno.EIO, "Input/output error"), 1, "could not write the site: Input/output error"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
    ids=["io-error", "ctrl-c"],
)
def test_fallback_swap_failing_between_the_renames_keeps_previous_site(
    garden, cli, monkeypatch, fault, code, message
):
    """The second rename (new site into place) fails, or Ctrl-C lands just before it: the
    previous site, already renamed aside, is put back, complete; nothing is left beside it."""
    make_notes(garden.notes, 4, seed=2)
    assert cli(garden).code == 0
    before = snapshot(garden.site)
    make_notes(garden.notes, 4, seed=2, edition="(second)")
    without_exchange(monkeypatch)
    real_rename = output.Path.rename
    attempts = []

    def rename(self, target):
        if ".building-" in self.name and Path(target) == garden.site.resolve():
            attempts.append(self.name)
            raise fault
        return real_rename(self, target)

    monkeypatch.setattr(output.Path, "rename", rename)
    result = cli(garden)
    assert attempts, "the fallback swap never ran"
    assert result.code == code
    assert message in result.err
    assert snapshot(garden.site) == before
    assert leftovers(garden.root) == []
    monkeypatch.setattr(output.Path, "rename", real_rename)
    assert cli(garden).code == 0  # and the next build goes through
    assert "(second)" in garden.page("area-0/note-0")


KILLED_BETWEEN_THE_RENAMES = """
import importlib, os, pathlib, signal, sys
sys.path.insert(0, sys.argv[1])
from garden import cli
output = importlib.import_module(sys.argv[2])  # the module this test file imports as ``output``
output._exchange = lambda one, two: False  # a kernel without RENAME_EXCHANGE
real_rename = pathlib.Path.rename
def rename(self, target):
    if ".building-" in self.name:
        os.kill(os.getpid(), signal.SIGKILL)  # killed outright after the first rename
    return real_rename(self, target)
pathlib.Path.rename = rename
sys.exit(cli.main(["build", "-q"]))
"""


def test_fallback_swap_killed_between_the_renames_loses_nothing(garden, cli, tmp_path):
    """A build SIGKILLed between the two renames of the fallback swap: the previous site lies
    aside, complete, and the next build puts it back before swapping in its own."""
    make_notes(garden.notes, 4, seed=2)
    assert cli(garden).code == 0
    before = snapshot(garden.site)
    make_notes(garden.notes, 4, seed=2, edition="(second)")
    script = [PYTHON, "-c", KILLED_BETWEEN_THE_RENAMES, str(ROOT), output.__name__]
    killed = subprocess.run(script, cwd=garden.root, capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    aside = [p for p in garden.root.iterdir() if ".previous-" in p.name]
    assert len(aside) == 1 and not garden.site.exists()
    assert snapshot(aside[0]) == before
    output.clean_leftovers(garden.site.resolve())  # what the next build does first
    assert snapshot(garden.site) == before
    assert cli(garden).code == 0
    assert cli(garden, "--no-cache", "--out", str(tmp_path / "fresh")).code == 0
    assert snapshot(garden.site, marker=False) == snapshot(tmp_path / "fresh", marker=False)
    assert leftovers(garden.root) == []


def test_exchange_swaps_two_folders_atomically(tmp_path):
    """The kernel call the normal swap uses (where it is missing, the fallback above runs)."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "f").write_text("one")
    (two / "f").write_text("two")
    if not output._exchange(one, two):
        unavailable("this kernel or filesystem has no renameat2 RENAME_EXCHANGE")
    assert (one / "f").read_text() == "two" and (two / "f").read_text() == "one"
    with pytest.raises(FileNotFoundError):
        output._exchange(one, tmp_path / "missing")


# --------------------------------------------------------------------------- a full disk


def _full_disk_after(count: int):
    """A write that fails with ENOSPC once ``count`` files have been written."""
    state = {"left": count}

    def check(path: object) -> None:
        if ".building-" in str(path):
            if state["left"] <= 0:
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            state["left"] -= 1

    return check


@pytest.mark.parametrize(
    ("call", "after"),
    [
        ("mkdir", 0),
        ("write_bytes", 0),
        ("write_bytes", 1),
        ("write_bytes", 5),
        ("copyfile", 10),
        ("write_text", 0),
    ],
)
def test_full_disk_fails_clearly_and_keeps_previous_site(garden, cli, monkeypatch, call, after):
    garden.note("a.md", "a $x$\n")
    garden.note("b.md", "b [[a]]\n")
    assert cli(garden).code == 0
    before = snapshot(garden.site)
    garden.note("a.md", "changed\n")
    check = _full_disk_after(after)
    if call == "copyfile":
        real_copy = shutil.copyfile

        def copyfile(src, dst, *args, **kwargs):
            check(dst)
            return real_copy(src, dst, *args, **kwargs)

        monkeypatch.setattr(output.shutil, "copyfile", copyfile)
    else:
        real = getattr(Path, call)

        def write(self, *args, **kwargs):
            check(self)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(output.Path, call, write)
    # an incremental build writes only what changed; a cold one (--no-cache) writes everything
    result = cli(garden, *(["--no-cache"] if after >= 5 else []))
    assert result.code == 1
    assert "_site: error: could not write the site: No space left on device" in result.err
    assert "hint: free some disk space or check permissions; the previous site is untouched" in result.err
    assert snapshot(garden.site) == before
    assert leftovers(garden.root) == []


def test_output_under_a_file_is_refused(garden, cli):
    garden.note("a.md", "a\n")
    (garden.root / "plain-file").write_text("not a folder")
    result = cli(garden, "--out", "plain-file/site")
    assert result.code == 1
    assert "plain-file, a file; choose another --out" in result.err
    assert (garden.root / "plain-file").read_text() == "not a folder"


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` really read-only: chmod for a user, the immutable flag for root (whom
    permissions do not stop). Skips when neither works here (fails under CI=true)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    elif shutil.which("chattr") is None:
        unavailable(
            "chattr is not installed (apt-get install e2fsprogs): root needs it for a read-only folder"
        )
    else:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
        if done.returncode != 0:
            unavailable(f"chattr +i does not work on this filesystem: {done.stderr.strip()}")
        undo = ["chattr", "-i", str(folder)]
    try:
        try:
            (folder / "probe").mkdir()
        except OSError:
            pass
        else:
            unavailable("the read-only folder is still writable here")
        yield
    finally:
        subprocess.run(undo, check=True)


def test_read_only_output_folder_keeps_previous_site(garden, cli):
    """A real read-only folder around the site: the new one cannot be staged beside it."""
    make_notes(garden.notes, 3, seed=1)
    (garden.root / "locked").mkdir()
    assert cli(garden, "--out", "locked/site").code == 0
    before = snapshot(garden.root / "locked" / "site")
    make_notes(garden.notes, 3, seed=1, edition="(changed)")
    with read_only(garden.root / "locked"):
        result = cli(garden, "--out", "locked/site")
    assert result.code == 1
    assert re.search(
        r"locked/site: error: could not write the site: (Permission denied|Operation not permitted)",
        result.err,
    ), result.err
    assert "Traceback" not in result.output
    assert snapshot(garden.root / "locked" / "site") == before
    assert os.listdir(garden.root / "locked") == ["site"]


# --------------------------------------------------------------------------- dangerous --out


def _tree(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` (folders as '/'), to show nothing was touched."""
    return {
        p.relative_to(folder).as_posix() + ("/" if p.is_dir() else ""): "" if p.is_dir() else p.read_text()
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("notes", "overlaps the notes folder"),
        ("notes/inside", "overlaps the notes folder"),
        ("notes/area/deeper", "overlaps the notes folder"),
        (".", "overlaps the notes folder"),  # the garden folder contains the notes
        ("..", "overlaps the notes folder"),
        ("link-to-notes", "overlaps the notes folder"),  # a symlink is followed
        ("static", "contains"),
        ("templates", "contains"),
        ("HOME", "refusing to use"),
        ("/", "refusing to use"),
    ],
)
def test_dangerous_out_is_refused_before_anything_is_touched(
    garden, cli, monkeypatch, tmp_path, out, message
):
    home = tmp_path / "home"
    home.mkdir()
    (home / "diary.txt").write_text("mine")
    (home / output.MARKER).write_text("even a garden marker does not make a home replaceable")
    monkeypatch.setenv("HOME", str(home))
    garden.note("area/a.md", "a\n")
    garden.note("broken.md", "---\ntitle: [\n---\n")  # an error garden reports only if it reads notes
    for folder, marker in (("static", True), ("templates", True)):
        (garden.root / folder).mkdir()
        (garden.root / folder / "kept.txt").write_text(folder)
        if marker:
            (garden.root / folder / output.MARKER).write_text("")
    (garden.root / "link-to-notes").symlink_to("notes")
    target = str(home) if out == "HOME" else out
    before = (_tree(garden.root), _tree(home))

    result = cli(garden, "--out", target)

    assert result.code == 1
    assert message in result.err, result.err
    assert "hint: pass --out with a new folder, or one garden built" in result.err
    assert "broken.md" not in result.err  # refused before a single note was read
    assert (_tree(garden.root), _tree(home)) == before
