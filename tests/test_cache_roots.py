"""The cache is keyed by where a note is, not only by what it says: building another notes root,
a moved folder or a renamed note with the same cache never crashes and gives the output a build
without a cache gives."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import Garden, snapshot


def _notes(root: Path) -> Path:
    notes = root / "X"
    (notes / "sub" / "deeper").mkdir(parents=True)
    (notes / "a.md").write_text("# A\n\nSee [[b]] and [[c]].\n")
    (notes / "sub" / "b.md").write_text("# B\n\nBack to [[a]]; math $x^2$.\n")
    (notes / "sub" / "deeper" / "c.md").write_text("# C\n\nIn [[b]].\n")
    return notes


def _build(cli, here: Garden, notes: Path, out: Path, *cache: str):
    result = cli(here, "build", "--notes", str(notes), "--out", str(out), *cache)
    assert result.code == 0, result.output
    assert "Traceback" not in result.output
    return snapshot(out, marker=False)


def _same_as_clean(cli, here: Garden, notes: Path, cached: dict[str, str], tmp_path: Path) -> None:
    clean = _build(cli, here, notes, tmp_path / "clean", "--no-cache")
    assert cached == clean
    shutil.rmtree(tmp_path / "clean")


def test_a_notes_root_inside_another_shares_the_cache(cli, tmp_path):
    """`build --notes X --cache-dir C` then `build --notes X/sub --cache-dir C` raised
    KeyError: 'sub/b.md' and left the cache so."""
    here = Garden(tmp_path / "work")
    here.root.mkdir()
    notes = _notes(tmp_path)
    cache = ("--cache-dir", str(tmp_path / "C"))
    _build(cli, here, notes, tmp_path / "o1", *cache)
    inner = _build(cli, here, notes / "sub", tmp_path / "o2", *cache)
    assert "b/index.html" in inner and "deeper/c/index.html" in inner
    _same_as_clean(cli, here, notes / "sub", inner, tmp_path)
    outer = _build(cli, here, notes, tmp_path / "o3", *cache)  # and back again
    assert "sub/b/index.html" in outer
    _same_as_clean(cli, here, notes, outer, tmp_path)


def test_the_default_cache_when_the_notes_root_changes(cli, tmp_path):
    here = Garden(tmp_path / "work")
    notes = _notes(here.root)
    _build(cli, here, notes, tmp_path / "o1")
    assert (here.root / ".garden-cache").is_dir()
    inner = _build(cli, here, notes / "sub", tmp_path / "o2")
    _same_as_clean(cli, here, notes / "sub", inner, tmp_path)


def test_a_moved_folder_with_the_same_cache(cli, tmp_path):
    here = Garden(tmp_path / "work")
    here.root.mkdir()
    notes = _notes(tmp_path)
    cache = ("--cache-dir", str(tmp_path / "C"))
    _build(cli, here, notes, tmp_path / "o1", *cache)
    shutil.move(notes / "sub" / "deeper", notes / "elsewhere")  # a folder moved inside the notes
    moved = _build(cli, here, notes, tmp_path / "o2", *cache)
    assert "elsewhere/c/index.html" in moved and "sub/deeper/c/index.html" not in moved
    _same_as_clean(cli, here, notes, moved, tmp_path)
    shutil.move(notes, tmp_path / "Y")  # the whole notes folder moved
    whole = _build(cli, here, tmp_path / "Y", tmp_path / "o3", *cache)
    _same_as_clean(cli, here, tmp_path / "Y", whole, tmp_path)


def test_a_renamed_note_with_the_same_cache(cli, tmp_path):
    here = Garden(tmp_path / "work")
    here.root.mkdir()
    notes = _notes(tmp_path)
    cache = ("--cache-dir", str(tmp_path / "C"))
    _build(cli, here, notes, tmp_path / "o1", *cache)
    (notes / "sub" / "b.md").rename(notes / "sub" / "bee.md")
    renamed = _build(cli, here, notes, tmp_path / "o2", *cache)
    assert "sub/bee/index.html" in renamed and "sub/b/index.html" not in renamed
    _same_as_clean(cli, here, notes, renamed, tmp_path)
