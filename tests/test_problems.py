"""Points 10-11: safe output folders, write failures, determinism.

The bad-input cases that were here now live in the corpus: tests/bad_inputs.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import snapshot


def test_refuses_to_replace_a_folder_garden_did_not_make(garden, cli):
    garden.note("a.md", "a\n")
    (garden.site).mkdir()
    (garden.site / "precious.txt").write_text("keep me")
    result = cli(garden)
    assert result.code == 1
    assert "was not made by garden" in result.err
    assert (garden.site / "precious.txt").read_text() == "keep me"


@pytest.mark.parametrize("out", ["notes", "notes/sub", ".", "/", "~"])
def test_refuses_dangerous_output_folders(garden, cli, out):
    garden.note("a.md", "a\n")
    target = str(Path(out).expanduser()) if out == "~" else out
    result = cli(garden, "--out", target)
    assert result.code == 1
    assert "error" in result.err
    assert (garden.notes / "a.md").is_file()


def test_empty_existing_output_folder_is_fine(garden, cli):
    garden.note("a.md", "a\n")
    garden.site.mkdir()
    assert cli(garden).code == 0


def test_rebuild_replaces_old_pages(garden, cli):
    garden.note("a.md", "a\n")
    garden.note("b.md", "b\n")
    assert cli(garden).code == 0
    (garden.notes / "b.md").unlink()
    assert cli(garden).code == 0
    assert not (garden.site / "b").exists()
    assert not list(garden.root.glob(".*building*"))
    _eventually_gone(garden.root, ".*previous*")  # the replaced site is removed in the background


def _eventually_gone(folder: Path, pattern: str) -> None:
    import time

    for _ in range(200):
        if not list(folder.glob(pattern)):
            return
        time.sleep(0.05)
    raise AssertionError(f"{pattern} still in {folder}")


def test_write_failure_keeps_previous_site(garden, cli, monkeypatch):
    garden.note("a.md", "a\n")
    assert cli(garden).code == 0
    before = snapshot(garden.site)
    garden.note("a.md", "changed\n")
    import errno

    from garden.build import output

    real = Path.write_bytes

    def full_disk(self, data):
        if ".building-" in str(self):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(output.Path, "write_bytes", full_disk)
    result = cli(garden)
    assert result.code == 1
    assert "could not write the site: No space left on device" in result.err
    assert snapshot(garden.site) == before
    assert not list(garden.root.glob(".*building*"))


def test_deterministic_output(basic, cli, tmp_path):
    """Same notes → byte-identical site, wherever it is built and whenever (cards redrawn too).

    Notes without dates in front-matter or git take their file's time (issue 4), so the copy
    keeps the files' times; nothing else (the clock, the folder, the card cache) may matter.
    """
    for path in basic.notes.rglob("*.md"):
        os.utime(path, (1714521600, 1714521600))  # 2024-05-01
    assert cli(basic, "--out", str(tmp_path / "one")).code == 0
    copy = type(basic)(tmp_path / "copy")
    shutil.copytree(basic.root, copy.root, ignore=shutil.ignore_patterns(".garden-cache", "_site"))
    assert not (copy.root / ".garden-cache").exists()
    assert cli(copy, "--out", str(tmp_path / "two")).code == 0
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_snapshot_helper_sees_changes(tmp_path):
    (tmp_path / "a").write_text("1")
    one = snapshot(tmp_path)
    (tmp_path / "a").write_text("2")
    assert snapshot(tmp_path) != one
    shutil.rmtree(tmp_path / "a", ignore_errors=True)
