"""Finding the note files of a garden and reading them as text."""

from __future__ import annotations

import fnmatch
import os
import re
from functools import lru_cache
from pathlib import Path

from garden.core.boundary import LEAVES_HINT, leaves_message, outside
from garden.core.problems import Problems

_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")  # C0 controls but tab, newline, form feed


def _ignored(relative: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if fnmatch.fnmatchcase(relative, pattern):
            return True
        if pattern.startswith("**/") and fnmatch.fnmatchcase(relative, pattern[3:]):
            return True
    return False


@lru_cache(maxsize=1_000_000)
def _path(name: str) -> Path:
    """The same ``Path`` for the same file on every rebuild: a pathlib object parses its string
    once and then keeps its parts, string and hash, and the preview lists every note each time."""
    return Path(name)


def discover(notes_dir: Path, ignore: list[str], problems: Problems) -> list[Path]:
    """Every ``.md`` file under the notes folder, sorted; dot-folders and ignored globs skipped.

    Symlinked folders are followed once; a symlink loop is reported, not followed forever.
    """
    found: list[Path] = []
    seen_dirs: set[str] = set()

    def walk(folder: Path, prefix: str, pending: list[tuple[Path, str]]) -> None:
        """One folder: its notes into ``found``, its subfolders onto ``pending`` (a stack, not
        recursion: a garden may nest folders deeper than Python's recursion limit)."""
        real = os.path.realpath(folder)
        if real in seen_dirs:
            problems.warning(folder, 0, "folder skipped: a symlink loop leads back here", "remove the link")
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.error(folder, 0, f"cannot read folder: {exc.strerror}", "check its permissions")
            return
        subfolders: list[tuple[Path, str]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = prefix + entry.name  # strings, not Paths: this runs for every file, every rebuild
            if ignore and _ignored(relative, ignore):
                continue
            try:
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError:
                is_dir = is_file = False
            if (is_dir or (is_file and entry.name.lower().endswith(".md"))) and entry.is_symlink():
                real = outside(entry.path, (notes_dir,))
                if real is not None:
                    problems.error(Path(entry.path), 1 if is_file else 0, leaves_message(real), LEAVES_HINT)
                    continue
            if is_dir:
                subfolders.append((Path(entry.path), relative + "/"))
            elif is_file and entry.name.lower().endswith(".md"):
                found.append(_path(entry.path))
            elif entry.is_symlink() and entry.name.lower().endswith(".md") and not os.path.exists(entry.path):
                problems.warning(Path(entry.path), 1, "broken symlink skipped", "fix or remove the link")
        pending.extend(reversed(subfolders))

    if not notes_dir.is_dir():
        problems.error(
            notes_dir,
            0,
            "notes folder not found",
            "pass --notes DIR, or run `garden init` to start a garden here",
        )
        return []
    pending: list[tuple[Path, str]] = [(notes_dir, "")]
    while pending:
        walk(*pending.pop(), pending)
    return sorted(found, key=lambda path: path.parts)  # as a walk in name order finds them


def read_text(path: Path, problems: Problems, data: bytes | None = None) -> str | None:
    """A note's text: UTF-8 (BOM allowed), newlines normalised. None if unreadable.
    ``data``: the file's bytes, when the caller has read them already."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.error(path, 1, f"cannot read file: {exc.strerror}", "check its permissions")
            return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.error(path, 1, "saved as UTF-16, not UTF-8", "re-save the file as UTF-8")
        return None
    if b"\x00" in data[:8192]:
        problems.error(path, 1, "not a text file (it contains NUL bytes)", "rename it if it is not a note")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(
            path,
            line,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
        )
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = _CONTROL.search(text)
    if control:  # not allowed in HTML, and \x02 \x03 would pass for placeholders
        problems.warning(
            path,
            text.count("\n", 0, control.start()) + 1,
            f"control character U+{ord(control.group()):04X} replaced by \ufffd",
            "delete it (it often comes from text copied out of a PDF)",
        )
        text = _CONTROL.sub("\ufffd", text)
    return text
