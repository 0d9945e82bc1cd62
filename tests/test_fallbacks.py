"""The site writer's fallbacks, each made to happen for real: ``cp -al`` failing (unchanged
files are then hard-linked one by one), a kernel that refuses renameat2's exchange (the
two-rename swap), and the background removal of a large replaced site (and its fallback
when ``rm`` cannot be started)."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest
from conftest import PYTHON, ROOT, snapshot, wait_until

from garden.build import output

LEFTOVER = (".building-", ".previous-")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if any(mark in p.name for mark in LEFTOVER))


def _same_as_a_clean_build(garden, cli, tmp_path) -> None:
    assert cli(garden, "--no-cache", "--out", str(tmp_path / "clean")).code == 0
    assert snapshot(garden.site, marker=False) == snapshot(tmp_path / "clean", marker=False)


def test_unchanged_files_are_linked_one_by_one_when_cp_cannot(garden, cli, tmp_path, monkeypatch):
    """``cp -al`` fails (here a ``cp`` first on PATH that exits 1, as on a file system
    without hard links for whole trees or where one file cannot be linked): the new site
    starts empty and each unchanged page is hard-linked from the current site by itself."""
    shim = tmp_path / "bin"
    shim.mkdir()
    called = tmp_path / "cp-was-called"
    (shim / "cp").write_text(f"#!/bin/sh\ntouch '{called}'\nexit 1\n", encoding="utf-8")
    (shim / "cp").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    garden.note("a.md", "# A\n\nFirst.\n")
    garden.note("b.md", "# B\n\nUnchanged.\n")
    assert cli(garden).code == 0
    kept = (garden.site / "b" / "index.html").stat().st_ino
    garden.note("a.md", "# A\n\nSecond.\n")
    assert cli(garden).code == 0
    assert called.exists(), "the build never tried cp -al"
    assert (garden.site / "b" / "index.html").stat().st_ino == kept  # linked, not written again
    assert "Second." in garden.page("a")
    assert _leftovers(garden.root) == []
    _same_as_a_clean_build(garden, cli, tmp_path)


REFUSED_EXCHANGE = """
import ctypes, struct, sys
# A seccomp filter: the kernel answers renameat2 (x86-64 syscall 316) with this errno, as a
# kernel or file system without RENAME_EXCHANGE does; every other call goes through.
code = int(sys.argv[2])
rules = [(0x20, 0, 0, 4), (0x15, 0, 3, 0xC000003E), (0x20, 0, 0, 0), (0x15, 0, 1, 316),
         (0x06, 0, 0, 0x00050000 | code), (0x06, 0, 0, 0x7FFF0000)]
buffer = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *rule) for rule in rules))
class Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
program = Program(len(rules), ctypes.addressof(buffer))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, ctypes.byref(program), 0, 0):
    sys.exit(77)  # no seccomp here
sys.path.insert(0, sys.argv[1])
from garden import cli
sys.exit(cli.main(["build", "-q"]))
"""


@pytest.mark.parametrize("code", [errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP], ids=errno.errorcode.get)
def test_a_kernel_that_refuses_the_exchange_gets_the_two_rename_swap(garden, cli, tmp_path, code):
    """The build runs in a process whose kernel answers renameat2 with ENOSYS (which glibc
    hands on as EINVAL), EINVAL or EOPNOTSUPP: the site is swapped in with two renames,
    complete, and nothing is left beside it."""
    import platform

    from conftest import unavailable

    if platform.machine() != "x86_64":
        unavailable("the seccomp filter names renameat2 by its x86-64 number")
    garden.note("a.md", "# A\n\nFirst.\n")
    assert cli(garden).code == 0
    garden.note("a.md", "# A\n\nSecond.\n")
    script = [PYTHON, "-c", REFUSED_EXCHANGE, str(ROOT), str(code)]
    done = subprocess.run(script, cwd=garden.root, capture_output=True, text=True)
    if done.returncode == 77:
        unavailable("seccomp filters cannot be installed here")
    assert done.returncode == 0, done.stderr
    assert "Second." in garden.page("a")
    assert _leftovers(garden.root) == []
    _same_as_a_clean_build(garden, cli, tmp_path)


def test_a_large_replaced_site_is_removed_in_the_background(garden, cli, tmp_path, monkeypatch):
    """Past ``BACKGROUND_REMOVAL`` files (lowered here so that three pages count as many) the
    replaced site is handed to a detached ``rm``: it goes, and the new site stays whole."""
    monkeypatch.setattr(output, "BACKGROUND_REMOVAL", 0)
    garden.note("a.md", "# A\n\nFirst.\n")
    assert cli(garden).code == 0
    garden.note("a.md", "# A\n\nSecond.\n")
    assert cli(garden).code == 0
    wait_until(lambda: _leftovers(garden.root) == [], timeout=30, what="the replaced site to go")
    assert "Second." in garden.page("a")
    _same_as_a_clean_build(garden, cli, tmp_path)


def test_background_removal_falls_back_to_removing_at_once(tmp_path, monkeypatch):
    """Where ``rm`` cannot be started (not on PATH), the folder is removed before returning."""
    folder = tmp_path / "._site.building-1"
    (folder / "a" / "b").mkdir(parents=True)
    (folder / "a" / "b" / "index.html").write_text("old\n", encoding="utf-8")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    output.remove_later(folder)
    assert not folder.exists()
