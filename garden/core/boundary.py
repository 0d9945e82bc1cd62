"""The one rule for what a build may read and publish: files whose real path lies inside the
garden's own folders (the notes, ``static/``, ``templates/``, the files garden.yaml names).

A garden is built in CI from pull requests: a symlink committed as ``notes/secret.txt ->
/etc/passwd`` (or ``/proc/self/environ``) must not reach the site. Every place that finds a
file to publish asks :func:`outside` and reports a link that leaves the garden as an error
naming the link and where it points.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

LEAVES_HINT = "copy the file into the garden instead of linking to it, or remove the link"


def outside(path: Path | str, roots: Iterable[Path]) -> str | None:
    """Where ``path`` really is, when that lies outside every folder of ``roots``; else None."""
    real = os.path.realpath(path)
    for root in roots:
        base = os.path.realpath(root)
        if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
            return None
    return real


def leaves_message(real: str, link: str = "") -> str:
    """The error for a symlink that leaves the garden (``link``: its name, when the message is
    about another file, such as the note that links to it)."""
    what = f"{link} is a symlink" if link else "a symlink"
    return f"{what} to {real}, outside the garden: it is not published"


class LeavesTheGarden(Exception):
    """A file was about to be read through a symlink that leaves the garden (``link``: the
    symlink, ``real``: where it points)."""

    def __init__(self, link: str, real: str) -> None:
        super().__init__(leaves_message(real, link))
        self.link = link
        self.real = real


def links_leaving(folder: Path) -> list[tuple[Path, str]]:
    """Every symlink inside ``folder`` (at any depth, without following a linked folder) whose
    real path is outside ``folder``, with where it points; sorted by path."""
    found: list[tuple[Path, str]] = []
    pending = [str(folder)]
    while pending:  # no recursion: a folder may nest deeper than Python's recursion limit
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        real = outside(entry.path, (folder,))
                        if real is not None:
                            found.append((Path(entry.path), real))
                    elif entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
        except OSError:
            continue
    return sorted(found)
