"""Trust boundaries of a build: a garden is built in CI from pull requests, so its notes, its
config and its cache folder are all someone else's input. Nothing outside the garden may be
published, nothing read from the cache may run code, and no note may wedge later builds."""

from __future__ import annotations

import json
import pickle
import sqlite3
from pathlib import Path

from conftest import snapshot


class _Payload:
    """A pickle that creates a file when it is loaded: what a crafted cache row would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _cache_database(garden) -> Path:
    (database,) = (garden.root / ".garden-cache").glob("cache-v*.sqlite")
    return database


def test_a_crafted_cache_row_runs_nothing(garden, cli, tmp_path):
    """Every row of every table replaced by a pickle that would create a file: neither
    ``check`` nor ``build`` creates it; the build warns, ignores the cache and its site is the
    one a clean build makes."""
    garden.note("a.md", "---\ntitle: A\n---\nLinks [[B]]. $x^2$\n")
    garden.note("b.md", "# B\n\nText.\n")
    assert cli(garden).code == 0
    marker = tmp_path / "ran"
    payload = pickle.dumps(_Payload(marker))
    with sqlite3.connect(_cache_database(garden)) as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            db.execute(f"UPDATE {table} SET value = ?", (payload,))
    db.close()
    (garden.notes / "b.md").write_text("# B\n\nText, edited.\n", encoding="utf-8")
    for command in (["check"], []):
        result = cli(garden, *command)
        assert not marker.exists(), "a cache row ran code"
        assert result.code == 0, result.output
        assert "ignoring the build cache" in result.err
    clean = cli(garden, "--no-cache", "--out", str(tmp_path / "clean"))
    assert clean.code == 0
    assert snapshot(garden.site, marker=False) == snapshot(tmp_path / "clean", marker=False)


def test_a_crafted_template_bytecode_cache_runs_nothing(garden, cli, tmp_path):
    """Jinja's bytecode cache is marshalled code: a build must not load one from the cache
    folder (here, one for every template that would create a file)."""
    import jinja2

    from garden.core.config import load_config
    from garden.core.problems import Problems
    from garden.pages.templates import make_environment

    garden.note("a.md", "# A\n\nText.\n")
    assert cli(garden).code == 0
    marker = tmp_path / "ran"
    config = load_config(garden.root / "garden.yaml", Problems())
    env = make_environment(config.templates_dir)
    bytecode = jinja2.FileSystemBytecodeCache(str(garden.root / ".garden-cache" / "jinja"))
    (garden.root / ".garden-cache" / "jinja").mkdir(exist_ok=True)
    for name in env.list_templates():
        source, filename, _ = env.loader.get_source(env, name)
        bucket = bytecode.get_bucket(env, name, filename, source)
        bucket.code = compile(f"open({str(marker)!r}, 'w').close()\n", filename or name, "exec")
        bytecode.set_bucket(bucket)
    (garden.notes / "a.md").write_text("# A\n\nOther text.\n", encoding="utf-8")
    result = cli(garden)
    assert not marker.exists(), "a template bytecode file ran code"
    assert result.code == 0, result.output


def test_plain_data_decodes_only_marked_garden_classes():
    from garden.core import plaindata
    from garden.core.cache import IndexEntry

    entry = IndexEntry(1, 2, "k", "m")
    value = {"index": {"/a.md": entry}, (1, "x"): [Path("/p"), b"\x00\xff", {3, 4}]}
    assert plaindata.loads(plaindata.dumps(value)) == value
    for crafted in (
        b'{"$c": "os:system", "command": "true"}',
        b'{"$c": "garden.cli:main", "argv": []}',  # in the package, but not marked as data
        b'{"$c": "garden.core.cache:IndexEntry", "size": 1}',  # fields missing
        b'{"$c": "garden.core.cache:IndexEntry", "size": 1, "mtime_ns": 2, "key": "", "macros": "", "x": 3}',
        b'{"$c": "garden.core.cache:IndexEntry", "size": "1", "mtime_ns": 2, "key": "", "macros": ""}',
        b'{"$c": "garden.core.problems:Problem", "path": "a", "line": 1, "severity": "fatal", '
        b'"message": "", "hint": ""}',  # not one of its Literal's values
        b'{"$c": "garden.markdown.citations:Cluster", "items": {"$t": [1]}, "narrative": true, '
        b'"line": 1, "raw": ""}',  # an item of a tuple
        b'{"$c": "garden.markdown.links:Heading", "level": true, "text": "", "anchor": "", "line": 1, '
        b'"source": "", "html": ""}',  # a bool is not an int
        b'{"$x": 1}',
        b'{"$m": [[[1], 2]]}',  # an unhashable key
        b"\x80\x04K\x01.",  # a pickle
    ):
        try:
            plaindata.loads(crafted)
        except plaindata.NotPlainData:
            continue
        raise AssertionError(f"decoded {crafted!r}")


REFERENCES = """@article{smith2020,
  title = {Wide Networks},
  author = {Smith, Ann},
  journal = {Journal of Examples},
  year = {2020}
}
"""


def _typed_garden(garden) -> None:
    """Notes whose cache rows hold every kind of value: headings, block ids, links, citations
    (tuples of items), front-matter, problems; and a formatted reference."""
    garden.write("references.bib", REFERENCES)
    garden.note("a.md", "---\ntags: [x, y]\n---\n# A\n\nA paragraph. ^blk1\n\n## Part\n\nText [[B]].\n")
    garden.note("b.md", "# B\n\nSee [[A#^blk1]] and [[A#Part]]. [[Nowhere]]\n")
    garden.note("c.md", "# C\n\nAs shown [@smith2020, p. 3] and @smith2020.\n")
    garden.note("d.md", "# D\n\nPlain text, $x^2$.\n")


def _rows(garden) -> dict[str, list[tuple[str, bytes]]]:
    with sqlite3.connect(_cache_database(garden)) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {table: db.execute(f"SELECT key, value FROM {table}").fetchall() for table in tables}
    db.close()
    return rows


def test_every_row_a_build_writes_decodes_with_its_types(garden, cli):
    """Each compiled note is cached, with its blocks and citations (their classes were once not
    marked as data, so such notes were compiled again on every build), and every row decodes,
    its fields checked against their annotations."""
    from garden.core import plaindata

    _typed_garden(garden)
    assert cli(garden).code == 0
    rows = _rows(garden)
    assert len(rows["notes"]) == 4 and len(rows["html"]) == 4
    assert len(rows["bibrefs"]) == 1
    for found in rows.values():
        for _, value in found:
            plaindata.loads(value)  # raises NotPlainData for a row that does not fit
    notes = [plaindata.loads(value)[0] for _, value in rows["notes"]]
    assert sorted(len(artifact.citations) for artifact in notes) == [0, 0, 0, 2]
    assert sorted(len(artifact.blocks) for artifact in notes) == [0, 0, 0, 1]


def _edit_row(garden, table: str, key: str, change) -> None:
    import json

    with sqlite3.connect(_cache_database(garden)) as db:
        (value,) = db.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
        value = json.loads(value)
        change(value)
        db.execute(f"UPDATE {table} SET value = ? WHERE key = ?", (json.dumps(value).encode(), key))
    db.close()


def test_cache_rows_of_the_wrong_types_are_dropped_and_rebuilt(garden, cli, tmp_path):
    """Rows of the right shape with values of the wrong types (a number for a note's hash or
    its body HTML, a string for a heading's level deep inside, a number in a citation's tuple of items, a list
    for the manifest's pages, text for an index entry's size): the build warns once, builds
    those again and makes the site a clean build makes, without a traceback; the next build
    finds the rows replaced."""
    _typed_garden(garden)
    assert cli(garden).code == 0
    rows = _rows(garden)
    by_note = {}
    for key, value in rows["notes"]:
        artifact = json.loads(value)["$t"][0]
        by_note[artifact["note"]["slug"]] = key

    def top(row):  # a field of the row's dataclass itself
        row["$t"][0]["html_hash"] = 5

    def nested(row):  # a field of a dataclass inside a list inside the row's dataclass
        row["$t"][0]["headings"][0]["level"] = "1"

    def in_a_tuple(row):  # an item of a tuple field
        row["$t"][0]["citations"][0]["items"] = {"$t": [5]}

    def front_matter(row):  # a list of text holding a number
        row["$t"][0]["note"]["tags"] = ["x", 1]

    for slug, change in (("a", top), ("b", nested), ("c", in_a_tuple)):
        _edit_row(garden, "notes", by_note[slug], change)
    with sqlite3.connect(_cache_database(garden)) as db:
        db.execute("UPDATE html SET value = ? WHERE key = ?", (b"5", by_note["d"]))  # HTML that is a number
    db.close()
    _edit_row(garden, "named", "manifest", lambda row: row.update(pages=[]))
    _edit_row(garden, "named", "index", lambda row: next(iter(row.values())).update(size="1"))
    result = cli(garden)
    assert result.code == 0, result.output
    assert "Traceback" not in result.output
    assert result.err.count("ignoring the build cache") == 1, result.err
    clean = cli(garden, "--no-cache", "--out", str(tmp_path / "clean"))
    assert clean.code == 0
    assert snapshot(garden.site, marker=False) == snapshot(tmp_path / "clean", marker=False)
    _edit_row(garden, "notes", by_note["a"], front_matter)  # and one more, alone
    garden.note("b.md", "# B\n\nEdited. [[A]]\n")
    result = cli(garden)
    assert result.code == 0 and result.err.count("ignoring the build cache") == 1, result.output
    assert "Edited." in garden.page("b")
    assert "ignoring the build cache" not in cli(garden, "--no-cache").err
    garden.note("b.md", "# B\n\nEdited again.\n")
    result = cli(garden)
    assert result.code == 0 and "ignoring the build cache" not in result.err, result.output


def test_a_note_saved_while_it_compiles_is_compiled_again(garden, cli, monkeypatch):
    """The editor saves while the build compiles that very note: the build shows what it read,
    and the next build sees the new text (the index must not pair the new file's size and time
    with the old text's hash)."""
    from garden.markdown import workers

    note = garden.note("a.md", "# A\n\nFirst text.\n")
    compile_batch = workers._compile_batch

    def save_meanwhile(compiler, paths, notes_dir, macros_key):
        compiled = compile_batch(compiler, paths, notes_dir, macros_key)
        if note in paths:
            note.write_text("# A\n\nSecond, longer text saved during the build.\n", encoding="utf-8")
        return compiled

    monkeypatch.setattr(workers, "_compile_batch", save_meanwhile)
    assert cli(garden, "-j", "1").code == 0
    assert "First text." in garden.page("a")
    monkeypatch.setattr(workers, "_compile_batch", compile_batch)
    assert cli(garden, "-j", "1").code == 0
    assert "Second, longer text" in garden.page("a")


def _nest(folder: Path, depth: int, leaf: str | None = None) -> None:
    """``folder/d/d/…`` ``depth`` levels deep (by file descriptors: the path outgrows PATH_MAX)."""
    import os

    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        if leaf is not None:
            with open(os.open("n.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as out:
                out.write(leaf)
    finally:
        os.close(fd)


def test_a_deep_leftover_of_a_killed_build_is_removed(garden, cli):
    """A killed build left a staging folder nested 3,000 levels deep (a deep tag once made
    one): the next build removes it instead of crashing on it, and so does every later one."""
    import subprocess
    import sys

    garden.note("a.md", "# A\n")
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    leftover = garden.root / f"._site.building-{int(done.stdout)}"  # a process that has ended
    leftover.mkdir()
    _nest(leftover, 3000)
    try:
        result = cli(garden)
        assert result.code == 0, result.output
        assert not leftover.exists()
        assert "A" in garden.page("a")
    finally:
        _remove_deep(leftover)


def test_a_leftover_whose_pid_now_belongs_to_a_live_process_is_removed(garden, cli):
    """A killed build's folders carry its PID, and PIDs are reused: a leftover whose PID now
    belongs to a live, unrelated process (here a ``sleep``) was once skipped on every build.
    Its lock is free, so it is removed (a stranded previous site is put back first); names
    beside it that are not a build's are never touched."""
    import subprocess

    garden.note("a.md", "# A\n\nFirst.\n")
    assert cli(garden).code == 0
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        building = garden.root / f"._site.building-{sleeper.pid}"
        (building / "a").mkdir(parents=True)
        (building / "a" / "index.html").write_text("half written\n", encoding="utf-8")
        previous = garden.root / f"._site.previous-{sleeper.pid}"
        garden.site.rename(previous)  # killed between the two renames of the fallback swap
        bystanders = [garden.root / "._site.building-12x", garden.root / f"._other.building-{sleeper.pid}"]
        for folder in bystanders:
            folder.mkdir()
        garden.note("a.md", "# A\n\nSecond.\n")
        result = cli(garden)
        assert result.code == 0, result.output
        assert not building.exists() and not previous.exists()
        assert all(folder.is_dir() for folder in bystanders)
        assert "Second." in garden.page("a")
        assert sleeper.poll() is None  # the PID was live all along
    finally:
        sleeper.kill()
        sleeper.wait()


def test_notes_nested_too_deep_are_errors_on_the_note(garden, cli):
    """Folders 1,000 deep: no traceback, an error on the note that would need them."""
    _nest(garden.notes, 1000, "# Deep\n")
    try:
        result = cli(garden)
        assert result.code == 1
        assert "Traceback" not in result.output
        assert "n.md:1: error: this note cannot be a page: its address is 1001 folders deep" in result.err
    finally:
        _remove_deep(garden.notes / "d")


def _remove_deep(folder: Path) -> None:
    """pytest's own clean-up of old temporary folders recurses, and would fail on these."""
    import subprocess

    subprocess.run(["rm", "-rf", "--", str(folder)], check=True)


def test_names_too_long_for_a_file_system_are_errors_on_the_note(garden, cli):
    """A 300-character tag or alias, or a tag nested 2,000 levels, would be a folder of the
    site no file system holds: each is a ``path:line`` error on its note, and nothing is
    written (on main: "File name too long", hint "free some disk space", naming no note)."""
    long = "x" * 300
    garden.note("t.md", f"---\ntitle: T\ntags: [{long}]\n---\nText.\n")
    garden.note("u.md", f"---\ntitle: U\naliases: [{long}]\n---\nText.\n")
    garden.note("v.md", "---\ntitle: V\ntags: [ok, " + "/".join(["a"] * 2000) + "]\n---\nText.\n")
    result = cli(garden)
    assert result.code == 1, result.output
    assert "notes/t.md:3: error: tag 'xxx" in result.err
    assert "notes/u.md:3: error: alias 'xxx" in result.err
    assert "notes/v.md:3: error: tag 'a/a/a" in result.err and "2000 folders deep" in result.err
    assert "disk space" not in result.err and "Traceback" not in result.output
    assert not garden.site.exists()


def _outside(tmp_path: Path) -> Path:
    """Files beside the garden that a pull request could link to (like /etc/passwd)."""
    from bad_inputs import _png

    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text("SECRET-TEXT\n", encoding="utf-8")
    (outside / "secret.png").write_bytes(_png())
    (outside / "passwd").write_text("# SECRET-NOTE\n\nroot:x:0:0\n", encoding="utf-8")
    (outside / "folder" / "n.md").write_text("# SECRET-FOLDER\n", encoding="utf-8")
    return outside


def _nothing_secret_published(garden) -> None:
    for path in garden.site.rglob("*") if garden.site.exists() else []:
        if path.is_file():
            assert b"SECRET" not in path.read_bytes(), path


def test_symlinks_that_leave_the_garden_are_errors_naming_link_and_target(garden, cli, tmp_path):
    outside = _outside(tmp_path)
    (garden.notes / "secret.txt").symlink_to(outside / "secret.txt")
    (garden.notes / "img.png").symlink_to(outside / "secret.png")
    (garden.notes / "images").mkdir()
    (garden.notes / "images" / "pic.png").symlink_to(outside / "secret.png")
    (garden.notes / "passwd.md").symlink_to(outside / "passwd")
    (garden.notes / "linked").symlink_to(outside / "folder")
    garden.note("sub/b.md", "# B\n\n![[pic.png]]\n")  # found by its bare name
    garden.note("a.md", "# A\n\n[[secret.txt]]\n\n![[img.png]]\n\n![a](img.png)\n")
    result = cli(garden)
    assert result.code == 1, result.output
    real = str((outside / "secret.txt").resolve())
    png = str((outside / "secret.png").resolve())
    err = result.err
    assert f"notes/a.md:3: error: secret.txt is a symlink to {real}, outside the garden" in err
    assert f"notes/a.md:5: error: img.png is a symlink to {png}, outside the garden" in err
    assert f"notes/a.md:7: error: img.png is a symlink to {png}" in err
    assert f"notes/sub/b.md:3: error: images/pic.png is a symlink to {png}" in err
    assert f"notes/passwd.md:1: error: a symlink to {(outside / 'passwd').resolve()}, outside" in err
    assert f"notes/linked: error: a symlink to {(outside / 'folder').resolve()}, outside" in err
    _nothing_secret_published(garden)
    # the same build without the links is fine, and publishes nothing of them
    for name in ("secret.txt", "img.png", "images/pic.png", "passwd.md", "linked"):
        (garden.notes / name).unlink()
    garden.note("a.md", "# A\n\nText.\n")
    garden.note("sub/b.md", "# B\n")
    assert cli(garden).code == 0
    _nothing_secret_published(garden)


def test_a_symlink_inside_the_garden_is_published(garden, cli):
    from bad_inputs import _png

    (garden.notes / "images").mkdir()
    (garden.notes / "images" / "real.png").write_bytes(_png())
    (garden.notes / "alias.png").symlink_to(garden.notes / "images" / "real.png")
    garden.note("a.md", "# A\n\n![[alias.png]]\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert (garden.site / "alias.png").read_bytes() == _png()


def test_static_may_not_leave_the_repository(garden, cli, tmp_path):
    outside = _outside(tmp_path)
    config = garden.root / "garden.yaml"
    config.write_text(config.read_text() + f"static: {outside}\n", encoding="utf-8")
    garden.note("a.md", "# A\n")
    result = cli(garden)
    assert result.code == 1, result.output
    line = config.read_text().split("\n").index(f"static: {outside}") + 1
    assert f"garden.yaml:{line}: error: 'static' names {outside}, outside the repository" in result.err
    _nothing_secret_published(garden)
    config.write_text(FIXTURE_STATIC, encoding="utf-8")
    (garden.root / "static").mkdir()
    (garden.root / "static" / "secret.txt").symlink_to(outside / "secret.txt")
    (garden.root / "static" / "linked").symlink_to(outside / "folder")  # was skipped without a word
    result = cli(garden)
    assert result.code == 1, result.output
    assert "static/secret.txt: error: a symlink to" in result.err
    assert f"static/linked: error: a symlink to {(outside / 'folder').resolve()}, outside" in result.err
    _nothing_secret_published(garden)


def test_nothing_garden_yaml_names_may_leave_the_repository(garden, cli, tmp_path):
    """``templates:``, ``notes:``, a math preamble, a BibTeX file and a plot's table, named
    outside the repository or reached through a symlink that leaves it: each is a
    ``garden.yaml:N`` error naming it (and where the link points); nothing is published."""
    outside = _outside(tmp_path)
    (outside / "macros.sty").write_text("\\newcommand{\\SECRET}{x}\n", encoding="utf-8")
    (outside / "refs.bib").write_text(REFERENCES, encoding="utf-8")
    (outside / "table.csv").write_text("x,SECRET\n1,2\n2,3\n", encoding="utf-8")
    (garden.root / "figures").mkdir()
    (garden.root / "figures" / "table.csv").symlink_to(outside / "table.csv")
    (garden.root / "linked-notes").symlink_to(outside / "folder")
    config = garden.root / "garden.yaml"
    config.write_text(
        "title: Fixture\n"
        f"templates: {outside}\n"
        "notes: linked-notes\n"
        f"math:\n  preamble: {outside / 'macros.sty'}\n"
        f"bibliography: {outside / 'refs.bib'}\n"
        "figures:\n  plots:\n    - data: figures/table.csv\n      output: images/plot\n",
        encoding="utf-8",
    )
    result = cli(garden)
    assert result.code == 1, result.output
    err, real = result.err, outside.resolve()
    assert f"garden.yaml:2: error: 'templates' names {outside}, outside the repository" in err
    linked = f"'notes' names {garden.root / 'linked-notes'}, a symlink to {real / 'folder'}, outside"
    assert f"garden.yaml:3: error: {linked}" in err
    assert f"garden.yaml:4: error: 'math.preamble' names {outside / 'macros.sty'}, outside" in err
    assert f"garden.yaml:6: error: 'bibliography' names {real / 'refs.bib'}, outside" in err
    table = f"figures/table.csv is a symlink to {real / 'table.csv'}, outside the garden"
    assert f"garden.yaml:9: error: figures.plots[0]: {table}" in err
    assert "Traceback" not in result.output
    _nothing_secret_published(garden)


def test_templates_that_leave_their_folder_are_errors_and_never_read(garden, cli, tmp_path):
    """A template symlinked to a file outside (overriding a built-in one, or to be included),
    or a linked folder of them: each is an error naming link and target, and the build
    stops before rendering. An ``{% include %}`` that climbs out with ``../`` is an error
    at the template's line, not a traceback."""
    outside = _outside(tmp_path)
    templates = garden.root / "templates"
    templates.mkdir()
    (templates / "note.html").symlink_to(outside / "secret.txt")
    (templates / "partials").symlink_to(outside / "folder")
    garden.note("a.md", "# A\n\nText.\n")
    result = cli(garden)
    assert result.code == 1, result.output
    real = outside.resolve()
    assert f"templates/note.html: error: a symlink to {real / 'secret.txt'}, outside the garden" in result.err
    assert f"templates/partials: error: a symlink to {real / 'folder'}, outside the garden" in result.err
    _nothing_secret_published(garden)
    for link in ("note.html", "partials"):
        (templates / link).unlink()
    (templates / "404.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{% include "../../outside/secret.txt" %}\n'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    result = cli(garden)
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    assert "templates/404.html:3: error: template '../../outside/secret.txt' not found" in result.err
    assert not garden.site.exists()


def test_the_template_loader_never_follows_a_symlink_out(tmp_path):
    """Even when a link appears after the build checked the folder, Jinja does not read it:
    neither as a page's template nor through ``{% include %}``."""
    import pytest

    from garden.core.boundary import LeavesTheGarden
    from garden.pages.templates import Page, TemplateFailed, make_environment, render_page

    outside = _outside(tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "secret.html").symlink_to(outside / "secret.txt")
    (templates / "page.html").write_text('<p>\n{% include "secret.html" %}\n</p>\n', encoding="utf-8")
    (templates / "inside.html").symlink_to(templates / "page.html")  # a link inside is fine
    env = make_environment(templates)
    with pytest.raises(LeavesTheGarden) as raised:
        env.get_template("secret.html")
    assert raised.value.real == str((outside / "secret.txt").resolve())
    with pytest.raises(TemplateFailed) as failed:
        render_page(env, Page("p/index.html", "page.html"), {})
    assert (failed.value.path, failed.value.line) == (str(templates / "page.html"), 2)
    assert f"secret.html is a symlink to {(outside / 'secret.txt').resolve()}" in failed.value.message
    (templates / "secret.html").unlink()
    (templates / "secret.html").write_text("public\n", encoding="utf-8")
    assert "public" in render_page(make_environment(templates), Page("p", "inside.html"), {}).decode()


FIXTURE_STATIC = "title: Fixture\nstatic: static\n"


def test_a_root_path_never_publishes_a_note_source_or_a_dot_file(garden, cli):
    """``[b](/x/../secret.md)`` once copied a draft's raw Markdown into the site, and
    ``![[.hidden.png]]`` published a dot-file that a link by name could not reach."""
    from bad_inputs import _png

    garden.note("secret.md", "---\ndraft: true\n---\nSECRET-DRAFT\n")
    (garden.notes / ".hidden.png").write_bytes(_png())
    garden.note("a.md", "# A\n\n[b](/x/../secret.md) [c](/secret.md) [d](../notes/secret.md)\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert not list(garden.site.rglob("*.md"))
    _nothing_secret_published(garden)
    garden.note("b.md", "# B\n\n![[.hidden.png]]\n")
    result = cli(garden)
    assert result.code == 0  # a missing image is a warning: the page shows a placeholder
    assert "notes/b.md:3: warning: image not found" in result.err
    assert not list(garden.site.rglob(".hidden*"))


def test_published_files_get_ordinary_modes(garden, cli):
    """A source readable by its owner only, under a strict umask, is published 0644 in
    0755 folders: a web server reads the site as another user."""
    import os
    import stat

    from bad_inputs import _png

    image = garden.notes / "images" / "x.png"
    image.parent.mkdir()
    image.write_bytes(_png())
    image.chmod(0o600)
    garden.note("a.md", "# A\n\n![[x.png]]\n")
    old = os.umask(0o077)
    try:
        result = cli(garden)
    finally:
        os.umask(old)
    assert result.code == 0, result.output
    assert stat.S_IMODE((garden.site / "images" / "x.png").stat().st_mode) == 0o644
    assert stat.S_IMODE((garden.site / "images").stat().st_mode) == 0o755
    assert stat.S_IMODE((garden.site / "a" / "index.html").stat().st_mode) == 0o644
    assert stat.S_IMODE(garden.site.stat().st_mode) == 0o755


ESCAPES = "\x1b]0;owned\x07\x1b[2J"


def test_control_characters_in_a_file_name_are_never_printed_or_published(garden, cli):
    """A file name that would retitle and clear the terminal is printed as escapes in
    ``path:line`` messages, and kept out of ``<h1>`` and ``<title>``."""
    garden.note(f"evil{ESCAPES}.md", "No heading: the file name is the title. [[#Nowhere]]\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "notes/evil\\x1b]0;owned\\x07\\x1b[2J.md:1: warning: heading '#Nowhere'" in result.err
    for page in garden.site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "\x1b" not in text and "\x07" not in text, page
    (page,) = [  # the page itself, not the redirect at the other spelling of its address
        p for p in garden.site.glob("evil*/index.html") if 'http-equiv="refresh"' not in p.read_text()
    ]
    text = page.read_text(encoding="utf-8")
    assert "<title>evil\ufffd]0;owned\ufffd\ufffd[2J" in text
    assert ">evil\ufffd]0;owned\ufffd\ufffd[2J</h1>" in text


def test_yaml_escaped_control_characters_stay_out_of_pages(garden, cli):
    garden.note(
        "a.md",
        '---\ntitle: "Title \\e]0;owned\\a\\e[2J"\n'
        'paper:\n  title: "Paper \\x1b[31m"\n  year: 2020\n---\nText.\n',
    )
    result = cli(garden)
    assert result.code == 0, result.output
    assert "notes/a.md:2: warning: front-matter holds control characters" in result.err
    for page in garden.site.rglob("*"):
        if page.is_file() and page.suffix in (".html", ".xml", ".json", ".bib"):
            text = page.read_text(encoding="utf-8")
            assert "\x1b" not in text and "\x07" not in text, page
    assert "Title \ufffd]0;owned\ufffd\ufffd[2J" in garden.page("a")


def test_a_file_added_to_the_site_by_hand_goes_with_every_build(garden, cli, tmp_path):
    """The output folder is the build's: a cached build removes what a clean build would not
    write (it once kept files added by hand, while --no-cache dropped them)."""
    garden.note("a.md", "# A\n\nText.\n")
    assert cli(garden).code == 0
    (garden.site / "hand.txt").write_text("added by hand\n", encoding="utf-8")
    (garden.site / "by-hand").mkdir()
    (garden.site / "by-hand" / "page.html").write_text("<p>mine</p>\n", encoding="utf-8")
    garden.note("a.md", "# A\n\nText, edited.\n")
    assert cli(garden).code == 0
    assert not (garden.site / "hand.txt").exists() and not (garden.site / "by-hand").exists()
    assert (garden.site / "pagefind" / "pagefind.js").is_file() or not (garden.site / "pagefind").exists()
    clean = cli(garden, "--no-cache", "--out", str(tmp_path / "clean"))
    assert clean.code == 0
    assert snapshot(garden.site, marker=False) == snapshot(tmp_path / "clean", marker=False)
