"""The site writer (garden/build/output.py): the atomic swap, hard-linked reuse, stale files."""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

import pytest
from conftest import snapshot, unavailable

from garden.build import output


def _kernel_exchanges(one: Path, two: Path) -> bool:
    """Swap two folders with renameat2 directly (not through the code under test): whether
    this kernel and filesystem can."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    return renameat2(-100, os.fsencode(one), -100, os.fsencode(two), 2) == 0


def test_atomic_exchange_needs_no_rename(garden, cli, monkeypatch):
    """Where renameat2 swaps the folders, commit is done: the two-rename fallback never runs,
    so a Path.rename that would fail changes nothing."""
    one, two = garden.root / "one", garden.root / "two"
    one.mkdir()
    two.mkdir()
    if not _kernel_exchanges(one, two):
        unavailable("this kernel or filesystem has no renameat2 RENAME_EXCHANGE")
    garden.note("a.md", "First edition.\n")
    assert cli(garden).code == 0
    garden.note("a.md", "Second edition.\n")
    renames = []
    real_rename = output.Path.rename
    site = garden.site.resolve()

    def rename(self, target):  # only the two renames of the fallback swap fail
        if self == site or Path(target) == site:
            renames.append((self.name, str(target)))
            raise OSError(5, "Path.rename must not be needed when the exchange works")
        return real_rename(self, target)

    monkeypatch.setattr(output.Path, "rename", rename)
    result = cli(garden)
    assert result.code == 0, result.output
    assert renames == []
    assert "Second edition." in garden.page("a")
    assert [p.name for p in garden.root.iterdir() if ".building-" in p.name or ".previous-" in p.name] == []


def test_reuse_starts_from_hard_links_to_the_current_site(garden, cli):
    garden.note("a.md", "A.\n")
    garden.note("b.md", "B.\n")
    assert cli(garden).code == 0
    before = snapshot(garden.site)
    writer = output.SiteWriter(garden.site, reuse=True)
    try:
        assert writer.linked
        staged = writer.staging / "b" / "index.html"
        assert staged.stat().st_nlink > 1
        assert staged.stat().st_ino == (garden.site / "b" / "index.html").stat().st_ino
        writer.write("a/index.html", b"rewritten")  # replaced, never modified: the site is intact
        assert snapshot(garden.site) == before
    finally:
        writer.abort()
    assert not writer.staging.exists()


def _site(root: Path, files: list[str]) -> Path:
    root.mkdir()
    (root / output.MARKER).write_text(output.MARKER_TEXT)
    for relative in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(relative)
    return root


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_remove_stale_walks_the_site_when_the_previous_files_are_unknown(tmp_path):
    out = _site(tmp_path / "site", ["kept.html", "stale.html", "old/deep/stale.html", "late/page.html"])
    writer = output.SiteWriter(out, in_place=True)
    assert writer.in_place
    writer.write("kept.html", b"kept")
    writer.remove_stale(None, coming=frozenset({"late/page.html"}))
    assert _files(out) == {output.MARKER, "kept.html", "late", "late/page.html"}
    assert (out / "late" / "page.html").read_text() == "late/page.html"


@pytest.mark.parametrize("in_place", [True, False], ids=["in-place", "linked"])
def test_remove_stale_from_the_previous_list_spares_coming_files(tmp_path, in_place):
    out = _site(tmp_path / "site", ["kept.html", "stale.html", "old/deep/stale.html", "late.html"])
    writer = output.SiteWriter(out, in_place=in_place, reuse=True)
    assert writer.in_place or writer.linked
    writer.write("kept.html", b"kept")
    previous = {"kept.html", "stale.html", "old/deep/stale.html", "late.html", "gone.html", "gone/x.html"}
    writer.remove_stale(previous, coming=frozenset({"late.html"}))
    assert _files(writer.root) == {output.MARKER, "kept.html", "late.html"}
    writer.abort()
