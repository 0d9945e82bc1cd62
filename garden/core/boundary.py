"""The one rule for what a build may read and publish: files whose real path lies inside the
garden's own folders (the notes, ``static/``).

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
