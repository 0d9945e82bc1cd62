"""Heading ids: a GitHub-style slug of the heading as it reads, math and link text included.

markdown-it's anchors plugin slugs only the plain text runs of a heading, so ``## The $\\SatTree$s``
got the id of ``The s`` and ``## See [[Kernels]]`` that of ``See``. Here the slug is made from
the heading's plain text with each formula's TeX and each link's text kept; repeated headings
get ``-1``, ``-2``… as before.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from garden.core.paths import heading_anchor
from garden.markdown.placeholders import LINK
from garden.markdown.plaintext import plain_text

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore

    from garden.markdown.links import Heading


def heading_ids(state: StateCore) -> None:
    """Core rule (last): give every heading an ``id`` unique in the note."""
    taken: set[str] = set()
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        slug = heading_anchor(plain_text(tokens[index + 1].children, summary=True))
        unique, number = slug, 1
        while unique in taken:
            unique = f"{slug}-{number}"
            number += 1
        taken.add(unique)
        token.attrSet("id", unique)


_HEADING = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)(?: <a class="heading-link"[^>]*>#</a>)?</h\1>', re.S)
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.S)
_LINK_TAG = re.compile(r"</?a\b[^>]*>|<span class=\"block-anchor\"[^>]*></span>")
_ID = re.compile(r'\sid="[^"]*"')


def rendered_headings(headings: list[Heading], body: str) -> list[Heading]:
    """``headings`` with the HTML each shows in ``body`` (math typeset), made fit to sit inside
    a link of the table of contents: without links, footnote marks or ids."""
    shown: dict[str, str] = {}
    for match in _HEADING.finditer(body):
        inner = _FOOTNOTE_REF.sub("", match.group(3))
        shown[match.group(2)] = _ID.sub("", _LINK_TAG.sub("", LINK.sub("", inner))).strip()
    return [replace(h, html=shown[h.anchor]) if shown.get(h.anchor) else h for h in headings]
