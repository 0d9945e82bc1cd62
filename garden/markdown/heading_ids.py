"""Heading ids: a GitHub-style slug of the heading as it reads, math and link text included.

markdown-it's anchors plugin slugs only the plain text runs of a heading, so ``## The $\\SatTree$s``
got the id of ``The s`` and ``## See [[Kernels]]`` that of ``See``. Here the slug is made from
the heading's plain text with each formula's TeX and each link's text kept; repeated headings
get ``-1``, ``-2``… as before.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it.common.utils import escapeHtml

from garden.core.paths import heading_anchor
from garden.markdown.links import Heading
from garden.markdown.placeholders import LINK
from garden.markdown.plaintext import plain_text

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore


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


_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.S)
_LINK_TAG = re.compile(r"</?a\b[^>]*>|<span class=\"block-anchor\"[^>]*></span>")
_ID = re.compile(r'\sid="[^"]*"')


def rendered_headings(headings: list[Heading], body: str) -> list[Heading]:
    """``headings`` with the HTML each shows in ``body`` (math typeset), made fit to sit inside
    a link of the table of contents: without links, footnote marks or ids."""
    out = []
    for heading in headings:
        start = body.find(f'<h{heading.level} id="{escapeHtml(heading.anchor)}">') if heading.anchor else -1
        end = body.find(f"</h{heading.level}>", start)
        if start < 0 or end < 0:
            out.append(heading)
            continue
        inner = body[body.index(">", start) + 1 : end]
        mark = inner.rfind(' <a class="heading-link"')
        if mark >= 0:
            inner = inner[:mark]
        if "\x02" in inner:  # link placeholders: their text stays; a citation is filled as text
            inner = LINK.sub(lambda m: m.group(0) if m.group(1) == "k" else "", inner)
        if "<" in inner:
            inner = _ID.sub("", _LINK_TAG.sub("", _FOOTNOTE_REF.sub("", inner)))
        inner = inner.strip()
        h = heading
        out.append(Heading(h.level, h.text, h.anchor, h.line, h.source, inner) if inner else h)
    return out
