"""Write the site atomically and never delete anything garden did not make.

The new site is written beside the output folder, then swapped in with two renames: a build
that fails (or is killed) leaves the previous site exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MARKER = ".garden-site"
MARKER_TEXT = "This folder is written by garden (python build.py). It is replaced on every build.\n"


class OutputError(Exception):
    """The output folder is unsafe to write; nothing was touched."""


def check_output_dir(out: Path, notes_dir: Path, protected: list[Path]) -> None:
    """Refuse output folders whose replacement would destroy something."""
    out = out.resolve()
    notes = notes_dir.resolve()
    home = Path.home().resolve()
    if out == Path(out.anchor) or out == home:
        raise OutputError(f"refusing to use {out} as the output folder: it would be replaced by the site")
    if out == notes or _within(out, notes) or _within(notes, out):
        raise OutputError(f"the output folder {out} overlaps the notes folder {notes}; choose another --out")
    for path in protected:
        path = path.resolve()
        if out == path or _within(path, out):
            raise OutputError(f"the output folder {out} contains {path}; choose another --out")
    if out.exists() and not out.is_dir():
        raise OutputError(f"the output path {out} is a file, not a folder; choose another --out")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise OutputError(
            f"the output folder {out} exists and was not made by garden; "
            "move it away or choose another --out (garden never deletes folders it did not make)"
        )


def _within(path: Path, parent: Path) -> bool:
    try:
        path.relative_to(parent)
    except ValueError:
        return False
    return path != parent


def write_site(out: Path, files: dict[str, bytes], copies: dict[str, Path]) -> None:
    """Write ``files`` (bytes) and ``copies`` (source files) as the new site, atomically."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    old = out.parent / f".{out.name}.previous-{os.getpid()}"
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        staging.mkdir()
        made: set[Path] = set()
        for relative in sorted(set(files) | set(copies)):
            target = staging / relative
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if relative in files:
                target.write_bytes(files[relative])
            else:
                shutil.copyfile(copies[relative], target)
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        if out.exists():
            out.rename(old)
        staging.rename(out)
    except BaseException:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
