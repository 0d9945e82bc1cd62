"""Where the part of a link after ``#`` points inside a note: a heading, a path of headings, or a
block, matched the way Obsidian matches them.

Obsidian compares a link's heading with a note's headings after stripping both of the
characters a link cannot hold (``stripHeading`` in its API: ``!"#$%&()*+,.:;<=>?@^`{|}~/[]\\``
and line breaks become spaces, runs of spaces one), ignoring case; so ``[[Matrix#Upper lower
bidiagonal]]`` reaches ``## Upper/lower bidiagonal``. ``[[Note#A#B]]`` is the first heading ``B``
after the first heading ``A``. ``[[Note#^id]]`` is the block named ``^id`` (``markdown/blocks.py``).
A fragment that is already a heading's id (``[x](note.md#kernel-regime)``) points there.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from garden.core.paths import heading_anchor
from garden.markdown.blocks import Block
from garden.markdown.links import Heading

_STRIPPED = re.compile(r"[!\"#$%&()*+,.:;<=>?@^`{|}~/\[\]\\\r\n\s]+")


@lru_cache(maxsize=65536)
def heading_key(text: str) -> str:
    """What two spellings of a heading must share to be the same heading (Obsidian's rule)."""
    return _STRIPPED.sub(" ", text).strip().casefold()


@dataclass(frozen=True)
class Located:
    """The element a fragment names (``anchor``), or why there is none (``message``, ``hint``)."""

    anchor: str | None
    message: str = ""
    hint: str = ""


def locate(fragment: str, headings: list[Heading], blocks: list[Block]) -> Located:
    """The id of the heading or block that ``fragment`` (a link's text after ``#``) names."""
    if fragment.startswith("^"):
        return _block(fragment[1:], blocks)
    for heading in headings:
        if heading.anchor == fragment:
            return Located(heading.anchor)
    for block in blocks:
        if block.anchor == fragment:
            return Located(block.anchor)
    found = _heading_path([part for part in fragment.split("#") if heading_key(part)], headings)
    if found is None:
        slug = heading_anchor(fragment)  # a GitHub-style id written by hand
        found = next((h for h in headings if h.anchor == slug), None)
    if found is not None:
        return Located(found.anchor)
    for block in blocks:  # a numbered equation or theorem by its \label: [[Note#name]]
        if block.label and block.key == fragment.lower():
            return Located(block.anchor)
    last = fragment.rsplit("#", 1)[-1] or fragment
    return Located(
        None, f"heading '#{fragment}' not found", _suggest([h.source or h.text for h in headings], last)
    )


def _heading_path(parts: list[str], headings: list[Heading]) -> Heading | None:
    """The heading that the last part names, each part looked for after the one before."""
    if not parts:
        return None
    start, found = 0, None
    for part in parts:
        key = heading_key(part)
        for index in range(start, len(headings)):
            heading = headings[index]
            if heading_key(heading.source) == key or heading_key(heading.text) == key:
                found, start = heading, index + 1
                break
        else:
            return None
    return found


def _block(block_id: str, blocks: list[Block]) -> Located:
    key = block_id.lower()
    for block in blocks:
        if block.key == key:
            return Located(block.anchor)
    if not blocks:
        return Located(
            None,
            f"block ^{block_id} not found",
            f"the note names no blocks: end the one you mean with ' ^{block_id}'",
        )
    names = [f"^{block.id}" for block in blocks]
    close = difflib.get_close_matches(f"^{block_id}", names, n=1, cutoff=0.5)
    listed = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    hint = (f"did you mean {close[0]}? " if close else "") + f"its blocks: {listed}"
    return Located(None, f"block ^{block_id} not found", hint)


def _suggest(texts: list[str], fragment: str) -> str:
    if not texts:
        return "the note has no headings"
    keys = {heading_key(text): text for text in texts}
    close = difflib.get_close_matches(heading_key(fragment), list(keys), n=1, cutoff=0.6)
    if close:
        return f"did you mean '#{keys[close[0]]}'?"
    listed = ", ".join(f"'{text}'" for text in texts[:8]) + (", …" if len(texts) > 8 else "")
    return f"its headings: {listed}"
