"""Points 10-11: problems as path:line messages, exit codes, safe output, determinism."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

BAD_INPUTS = [
    # (file name, content (str or bytes), expected message fragment, severity)
    (
        "yaml.md",
        "---\ntitle: [unclosed\n---\nx\n",
        "notes/yaml.md:2: error: front-matter: invalid YAML",
        "error",
    ),
    (
        "tabs.md",
        "---\ntitle: x\n\ttags: [a]\n---\nx\n",
        "notes/tabs.md:3: error: front-matter: invalid YAML",
        "error",
    ),
    (
        "list.md",
        "---\n- a\n- b\n---\nx\n",
        "notes/list.md:2: error: front-matter must be a mapping of keys to values, not a list",
        "error",
    ),
    (
        "scalar.md",
        "---\njust text\n---\nx\n",
        "notes/scalar.md:2: error: front-matter must be a mapping of keys to values, not a single value",
        "error",
    ),
    (
        "open.md",
        "---\ntitle: x\nbody\n",
        "notes/open.md:1: error: front-matter starts with '---' but is never closed",
        "error",
    ),
    (
        "latin1.md",
        "caf\xe9\n".encode("latin-1"),
        "notes/latin1.md:1: error: not valid UTF-8 (byte 0xe9)",
        "error",
    ),
    ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00", "notes/binary.md:1: error: not a text file", "error"),
    (
        "section.md",
        "---\nsection: nowhere\n---\nx\n",
        "notes/section.md:2: error: unknown section 'nowhere'",
        "error",
    ),
    (
        "image.md",
        "text\n\n![a](missing.png)\n",
        "notes/image.md:3: error: image not found: missing.png",
        "error",
    ),
    (
        "date.md",
        "---\ndate: 2024-13-45\n---\nx\n",
        "notes/date.md:2: error: 'date' is not a date: '2024-13-45'",
        "error",
    ),
    (
        "tags.md",
        "---\ntags: [[a, b]]\n---\nx\n",
        "notes/tags.md:2: error: 'tags' must be a list of words",
        "error",
    ),
    ("title.md", "---\ntitle: {a: 1}\n---\nx\n", "notes/title.md:2: error: 'title' must be text", "error"),
    ("formula.md", "ok\n\n$\\frac{$\n", "notes/formula.md:3: warning: formula failed", "warning"),
    ("empty-title.md", "---\ntitle: ''\n---\nx\n", "notes/empty-title.md:2: warning: empty title", "warning"),
]


@pytest.mark.parametrize(
    ("name", "content", "expected", "severity"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_gives_clear_problem(garden, cli, name, content, expected, severity):
    garden.note("good.md", "A good note about $x$.\n")
    assert cli(garden).code == 0
    before = _snapshot(garden.site)
    path = garden.notes / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = cli(garden)
    assert expected in result.err, result.err
    assert "Traceback" not in result.output
    if severity == "error":
        assert result.code == 1
        assert "hint:" in result.err
        assert _snapshot(garden.site) == before  # the previous site is untouched
        assert "the previous site is untouched" in result.err
    else:
        assert result.code == 0


def test_all_problems_reported_in_one_run(garden, cli):
    for name, content, _, _ in BAD_INPUTS:
        path = garden.notes / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    result = cli(garden, "check")
    assert result.code == 1
    for _, _, expected, _ in BAD_INPUTS:
        assert expected in result.err, expected


def test_empty_file_and_deep_nesting_do_not_crash(garden, cli):
    garden.note("empty.md", "")
    garden.note("deep.md", "".join("  " * i + "- item\n" for i in range(200)) + ">" * 200 + " deep\n")
    result = cli(garden)
    assert "Traceback" not in result.output
    assert result.code in (0, 1)
    assert (garden.site / "empty" / "index.html").is_file() or "deep.md" in result.err


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
    before = _snapshot(garden.site)
    garden.note("a.md", "changed\n")
    import errno

    from garden import output

    real = Path.write_bytes

    def full_disk(self, data):
        if ".building-" in str(self):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(output.Path, "write_bytes", full_disk)
    result = cli(garden)
    assert result.code == 1
    assert "could not write the site: No space left on device" in result.err
    assert _snapshot(garden.site) == before
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
    assert _snapshot(tmp_path / "one") == _snapshot(tmp_path / "two")


def _snapshot(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_snapshot_helper_sees_changes(tmp_path):
    (tmp_path / "a").write_text("1")
    one = _snapshot(tmp_path)
    (tmp_path / "a").write_text("2")
    assert _snapshot(tmp_path) != one
    shutil.rmtree(tmp_path / "a", ignore_errors=True)
