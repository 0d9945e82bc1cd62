"""Issue 7: the cache never changes the result; incremental builds equal clean ones."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import snapshot


def clean_build(g, cli, tmp_path: Path, name: str) -> dict[str, str]:
    out = tmp_path / name
    result = cli(g, "--no-cache", "--out", str(out))
    assert result.code == 0, result.output
    return snapshot(out, marker=False)


EDITS = [
    ("add", "models/a.md", "---\ntitle: Alpha\ntags: [x]\n---\nAlpha links [[Beta]] and [[Gamma]]. $a^2$\n"),
    ("add", "models/b.md", "---\ntitle: Beta\n---\nBeta embeds ![[Alpha]] and links [[Alpha#Nothing]].\n"),
    ("edit", "models/a.md", "---\ntitle: Alpha\ntags: [x, y]\n---\nAlpha now links [[Beta]] only. $a^3$\n"),
    ("edit", "models/b.md", "---\ntitle: Beta Renamed\naliases: [Beta]\n---\nBeta, renamed.\n"),
    ("add", "optimization/c.md", "---\ntitle: Gamma\nsection: models/nngp-ntk\n---\nGamma is written now.\n"),
    ("rename", "models/a.md", "models/alpha-2.md"),
    ("edit", "optimization/c.md", "---\ntitle: Gamma\nsection: optimization\n---\nGamma moved [[Alpha]].\n"),
    ("delete", "models/b.md", ""),
    ("edit", "index.md", "# Home\n\nWelcome to [[Alpha]] and [[Missing One]].\n"),
]


def apply(g, edit: tuple[str, str, str]) -> None:
    kind, path, arg = edit
    if kind in ("add", "edit"):
        g.note(path, arg)
    elif kind == "rename":
        (g.notes / path).rename(g.notes / arg)
    elif kind == "delete":
        (g.notes / path).unlink()


def test_incremental_builds_equal_clean_builds(garden, cli, tmp_path):
    garden.note("index.md", "# Home\n\nWelcome.\n")
    assert cli(garden).code == 0
    for step, edit in enumerate(EDITS):
        apply(garden, edit)
        result = cli(garden)
        assert result.code == 0, (edit, result.output)
        assert snapshot(garden.site, marker=False) == clean_build(garden, cli, tmp_path, f"clean-{step}"), (
            edit
        )


def test_cache_from_older_notes_gives_same_output(garden, cli, tmp_path):
    for edit in EDITS[:4]:
        apply(garden, edit)
    assert cli(garden).code == 0  # leaves a cache of this version
    for edit in EDITS[4:]:
        apply(garden, edit)
    assert cli(garden, "--out", str(tmp_path / "cached")).code == 0
    assert snapshot(tmp_path / "cached", marker=False) == clean_build(garden, cli, tmp_path, "clean")


def test_no_change_rebuild_reports_the_same_problems(garden, cli):
    garden.note("a.md", "Bad $\\frac{$ formula and [[Nope]].\n")
    first = cli(garden)
    second = cli(garden)
    assert first.code == second.code == 0
    assert "formula failed" in second.err
    assert first.err == second.err
    assert (garden.site / "a" / "index.html").is_file()


@pytest.mark.parametrize("damage", ["garbage", "empty", "folder"])
def test_corrupt_cache_is_ignored_with_a_warning(garden, cli, tmp_path, damage):
    for edit in EDITS[:3]:
        apply(garden, edit)
    assert cli(garden).code == 0
    cache = garden.root / ".garden-cache"
    database = next(cache.glob("cache-*.sqlite"))
    for extra in cache.glob("cache-*.sqlite-*"):
        extra.unlink()
    if damage == "garbage":
        database.write_bytes(b"this is not a database" * 100)
    elif damage == "empty":
        database.write_bytes(b"")
    else:
        database.unlink()
        database.mkdir()
    apply(garden, EDITS[3])
    result = cli(garden)
    assert result.code == 0, result.output
    if damage != "empty":  # an empty file is a valid, empty SQLite database
        assert "ignoring the build cache" in result.err
    assert snapshot(garden.site, marker=False) == clean_build(garden, cli, tmp_path, "clean")
    assert cli(garden).code == 0  # and the next build works again


def test_cache_dir_option_moves_the_cache(garden, cli, tmp_path):
    garden.note("a.md", "A\n")
    assert cli(garden, "--cache-dir", str(tmp_path / "elsewhere")).code == 0
    assert (tmp_path / "elsewhere").is_dir()
    assert not (garden.root / ".garden-cache").exists()


def test_no_cache_writes_no_cache(garden, cli):
    garden.note("a.md", "A\n")
    assert cli(garden, "--no-cache").code == 0
    assert not (garden.root / ".garden-cache").exists()


def test_parallel_and_serial_builds_agree(garden, cli, tmp_path):
    for i in range(80):  # enough to use worker processes
        garden.note(
            f"models/n{i}.md",
            f"---\ntitle: Note {i}\n---\nNote {i} links [[Note {(i * 7) % 80}]]. $x_{{{i}}}$\n",
        )
    assert cli(garden, "--no-cache", "-j", "2", "--out", str(tmp_path / "par")).code == 0
    assert cli(garden, "--no-cache", "-j", "1", "--out", str(tmp_path / "ser")).code == 0
    assert snapshot(tmp_path / "par", marker=False) == snapshot(tmp_path / "ser", marker=False)
    shutil.rmtree(tmp_path / "par")


MACRO = "math:\n  macros:\n    \\R: {}\n"


def _macro_garden(g) -> tuple[Path, str]:
    config = g.root / "garden.yaml"
    base = config.read_text()
    config.write_text(base + MACRO.format("\\mathbb{R}"))
    g.note("m.md", "Vectors $x \\in \\R^n$.\n")
    g.note("other.md", "No macro here: $y$.\n")
    return config, base


def test_changed_math_macro_is_not_served_from_the_cache(garden, cli, tmp_path):
    """The cache key of a note includes the site's math macros: with a changed macro, a note
    (saved again, same text) shows the new expansion, exactly as a build from scratch does."""
    config, base = _macro_garden(garden)
    assert cli(garden).code == 0
    assert 'mathvariant="double-struck">R' in garden.page("m")
    config.write_text(base + MACRO.format("\\mathcal{R}"))
    note = garden.notes / "m.md"
    stat = note.stat()
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # saved again, unchanged
    result = cli(garden)  # with the cache of the first build
    assert result.code == 0, result.output
    page = garden.page("m")
    assert 'mathvariant="double-struck">R' not in page
    assert 'mathvariant="script">R' in page
    assert snapshot(garden.site, marker=False) == clean_build(garden, cli, tmp_path, "clean")


def test_changed_math_macro_rerenders_untouched_notes(garden, cli, tmp_path):
    """Only garden.yaml changes: every formula using the macro must still be rendered again."""
    config, base = _macro_garden(garden)
    assert cli(garden).code == 0
    config.write_text(base + MACRO.format("\\mathcal{R}"))
    assert cli(garden).code == 0
    assert 'mathvariant="script">R' in garden.page("m")
    assert snapshot(garden.site, marker=False) == clean_build(garden, cli, tmp_path, "clean")


def test_changed_math_preamble_rerenders_untouched_notes(garden, cli, tmp_path):
    """The preamble's bytes are in every note's cache key: a changed definition (notes and
    garden.yaml untouched) is rendered again, as a build from scratch renders it."""
    config = garden.root / "garden.yaml"
    config.write_text(config.read_text() + "math:\n  preamble: [macros.sty]\n")
    preamble = garden.write("macros.sty", "\\newcommand{\\R}{\\mathbb{R}}\n")
    garden.note("m.md", "Vectors $x \\in \\R^n$.\n")
    assert cli(garden).code == 0
    assert 'mathvariant="double-struck">R' in garden.page("m")
    preamble.write_text("\\newcommand{\\R}{\\mathcal{R}}\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert 'mathvariant="script">R' in garden.page("m")
    assert snapshot(garden.site, marker=False) == clean_build(garden, cli, tmp_path, "clean")


def test_another_katex_version_rerenders_every_note(garden, monkeypatch):
    """KaTeX's version is in every note's cache key: after ``npm ci`` installs another one,
    no formula rendered by the old one is served from the cache."""
    from garden.build.builder import build_site
    from garden.build.inputs import BuildOptions

    monkeypatch.chdir(garden.root)
    garden.note("m.md", "A formula $x^2$.\n")
    assert build_site(BuildOptions()).compiled == 1
    garden.note("n.md", "Another $y$.\n")
    assert build_site(BuildOptions()).compiled == 1  # m.md from the cache
    garden.write("node_modules/katex/package.json", '{"name": "katex", "version": "99.0.0"}\n')
    assert build_site(BuildOptions()).compiled == 2


def test_another_compiler_version_rerenders_untouched_notes(garden, monkeypatch):
    """A note's key is reused from the index while its file is unchanged: only while every other
    part of the key is too. After an upgrade of garden (a new COMPILER_VERSION) it is compiled again."""
    from garden.build import inputs
    from garden.build.builder import build_site
    from garden.build.inputs import BuildOptions
    from garden.core import cache

    monkeypatch.chdir(garden.root)
    garden.note("m.md", "A formula $x^2$.\n")
    assert build_site(BuildOptions()).compiled == 1
    garden.note("n.md", "Another $y$.\n")
    assert build_site(BuildOptions()).compiled == 1
    for module in (cache, inputs):
        monkeypatch.setattr(module, "COMPILER_VERSION", cache.COMPILER_VERSION + "-next")
    assert build_site(BuildOptions()).compiled == 2


def _cache(folder: Path):
    from garden.core.cache import Cache
    from garden.core.problems import Problems

    problems = Problems()
    return Cache(folder, problems), problems


def test_an_unreadable_value_is_ignored_but_the_database_is_kept(tmp_path):
    """A row that does not decode (say, from another version) is not a broken database:
    one warning, that row is built again (the others still serve), and the file stays."""
    import sqlite3

    from garden.core.cache import CACHE_FORMAT

    folder = tmp_path / "cache"
    cache, _ = _cache(folder)
    cache.store("notes", "good", {"x": 1})
    cache.store("notes", "bad", {"y": 2})
    cache.close()
    database = folder / f"cache-v{CACHE_FORMAT}.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("UPDATE notes SET value = ? WHERE key = 'bad'", (b"\x80\x04K\x01.",))
    db.close()
    cache, problems = _cache(folder)
    assert cache.load("notes", "good") == {"x": 1}
    assert cache.load("notes", "bad") is None
    assert len(problems.warnings) == 1 and "ignoring the build cache" in problems.warnings[0].message
    assert problems.warnings[0].line == 0  # about the cache as a whole, not a line of it
    # only that row is dropped: the others still serve, and one warning says it all
    assert cache.load_many("notes", ["good", "bad"]) == {"good": {"x": 1}}
    assert len(problems.warnings) == 1
    cache.store("notes", "bad", {"y": 3})  # built again, it replaces the row
    assert cache.load("notes", "bad") == {"y": 3}
    cache.close()
    assert database.is_file()
    assert not list(folder.glob("*corrupt*"))
    cache, problems = _cache(folder)  # the next build reads it again
    assert cache.load("notes", "good") == {"x": 1} and problems.warnings == []
    assert cache.load("notes", "bad") == {"y": 3}
    cache.close()


def test_a_database_that_is_not_sqlite_is_moved_aside(garden, cli):
    from garden.core.cache import CACHE_FORMAT

    garden.note("a.md", "A.\n")
    assert cli(garden).code == 0
    cache = garden.root / ".garden-cache"

    database = cache / f"cache-v{CACHE_FORMAT}.sqlite"
    assert database.is_file()
    for extra in cache.glob("cache-*.sqlite-*"):
        extra.unlink()
    garbage = b"this is not a database" * 100
    database.write_bytes(garbage)
    result = cli(garden)
    assert result.code == 0, result.output
    assert "ignoring the build cache" in result.err
    assert (cache / f"cache-v{CACHE_FORMAT}.sqlite.corrupt").read_bytes() == garbage
    assert not database.exists()
    result = cli(garden)  # the next build starts a fresh cache, without a warning
    assert result.code == 0 and "ignoring the build cache" not in result.err
    assert database.is_file() and database.read_bytes() != garbage


def _keys(cache, kind: str) -> set[str]:
    db = cache._connect()
    return {key for (key,) in db.execute(f"SELECT key FROM {kind}")}


@pytest.mark.parametrize(
    ("live", "stale", "pruned"),
    [(3, 1001, True), (3, 1000, False), (1200, 1100, False), (1200, 1201, True)],
)
def test_prune_forgets_stale_entries_only_when_there_are_many(tmp_path, live, stale, pruned):
    cache, problems = _cache(tmp_path / "cache")
    keep = {f"live-{i}" for i in range(live)}
    old = {f"stale-{i}" for i in range(stale)}
    cache.store_many("html", {key: key for key in keep | old})
    cache.store("figures", "stale-0", "another kind")
    cache.prune("html", keep)
    assert _keys(cache, "html") == (keep if pruned else keep | old)
    assert cache.load("html", "live-0") == "live-0"
    assert _keys(cache, "figures") == {"stale-0"}
    assert problems.items == []
    cache.close()


def test_a_failing_prune_warns_about_the_cache_folder(tmp_path):
    folder = tmp_path / "cache"
    cache, problems = _cache(folder)
    cache.store("notes", "a", 1)
    cache.prune("no_such_table", set())
    assert len(problems.warnings) == 1 and "ignoring the build cache" in problems.warnings[0].message
    assert problems.warnings[0].path.endswith("cache")
