"""A note's links and headings as written, collected at parse time (nothing resolved yet).

``collect_links`` numbers every link token of a note (``token.meta["ref"]``) so the body HTML
can carry placeholders; ``linking/`` resolves the references once the whole garden is known.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from garden.core.paths import heading_anchor
from garden.core.plaindata import plain
from garden.markdown.mathdelims import code_span_end, find_closing, inline_single_end
from garden.markdown.plaintext import plain_text
from garden.sources.notes import Note

if TYPE_CHECKING:
    from markdown_it.token import Token


@plain
@dataclass(frozen=True)
class LinkRef:
    """A link as written: wikilink, embed, Markdown link or image."""

    kind: str  # "wikilink" | "embed" | "link" | "image"
    target: str  # wikilink target, or the href/src as written
    heading: str = ""
    label: str = ""  # wikilink/embed label (after |), or an image's alt text
    title: str = ""  # a Markdown link or image title
    line: int = 0  # 1-based line in the file
    context: str = ""  # the sentence that links, for backlinks
    raw: str = ""  # the source text, for messages
    in_list: bool = False  # written inside a list item (a reading list's entries are)


@plain
@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # plain text, math as ``$TeX$``
    anchor: str  # its element id
    line: int
    source: str = ""  # as written (what Obsidian matches ``[[Note#Heading]]`` against)
    html: str = ""  # as rendered, math typeset, without links (for the table of contents)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\[\$\*_(])|\n\s*\n")
_MARKUP = [
    (re.compile(r"!?\[\[([^\]|#]*)(?:#[^\]|]*)?\|([^\]]+)\]\]"), r"\2"),
    (re.compile(r"!?\[\[([^\]|#]*)(?:#([^\]|]*))?\]\]"), lambda m: m.group(1) or m.group(2) or ""),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"[*_`~=]{1,3}"), ""),
    (re.compile(r"\s+"), " "),
]


def sentence_at(content: str, pos: int) -> str:
    """The sentence of a paragraph around position ``pos``, markup stripped.

    Linear in the paragraph, however many links it holds: its sentence boundaries are found
    once (then bisected for each link), and each sentence is stripped once, not once per link
    (8,000 links in one paragraph once took minutes)."""
    starts, ends = _boundaries(content)
    index = bisect.bisect_right(ends, pos)  # the first boundary that ends after pos
    start = ends[index - 1] if index > 0 else 0
    while index < len(ends) and starts[index] < pos:  # a boundary around pos does not split it
        index += 1
    end = starts[index] if index < len(starts) else len(content)
    return _sentence(content, start, end)


@lru_cache(maxsize=64)
def _boundaries(content: str) -> tuple[list[int], list[int]]:
    """Where each sentence boundary of a paragraph starts and ends (both ascending). A ``. ``
    inside a formula or a code span (``$a. B_1$``) is not a boundary: the formula stays whole."""
    matches = list(_SENTENCE_END.finditer(content))
    if matches and ("$" in content or "`" in content):
        spans, at = [], 0
        for part, kept in _math_and_code(content, raw=True):
            if kept:
                spans.append((at, at + len(part)))
            at += len(part)
        starts = [start for start, _ in spans]
        matches = [
            m
            for m in matches
            if not ((i := bisect.bisect_right(starts, m.start()) - 1) >= 0 and m.start() < spans[i][1])
        ]
    return [m.start() for m in matches], [m.end() for m in matches]


@lru_cache(maxsize=256)
def _sentence(content: str, start: int, end: int) -> str:
    text = "".join(part if kept else _strip_markup(part) for part, kept in _math_and_code(content[start:end]))
    text = " ".join(text.split())
    return text if len(text) <= 280 else text[:277].rstrip() + "…"


def _strip_markup(text: str) -> str:
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return text.replace("\\$", "$")  # an escaped dollar reads as one, as in plain_text


def _math_and_code(text: str, raw: bool = False) -> list[tuple[str, bool]]:
    """``text`` cut into (part, kept): formulas are kept as their TeX (their ``_`` and ``=``
    are TeX, not markup) between single dollars, as ``plain_text`` writes them; code spans keep
    their inside; the rest is markup to strip. ``raw``: every part exactly as written."""
    parts: list[tuple[str, bool]] = []
    pos = done = 0
    while pos < len(text):
        char = text[pos]
        end = -1
        if char == "\\":
            pos += 2
            continue
        if char == "`":
            end, code = code_span_end(text, pos, len(text))
            if code:
                inside = text[pos:end] if raw else text[pos:end].strip("`").strip()
                parts += [(text[done:pos], False), (inside, True)]
                pos = done = end
                continue
            pos = end
            continue
        width = 1
        if char == "$":
            if text.startswith("$$", pos):
                close = find_closing(text, pos + 2, len(text), double=True)
                end, width = (close + 2 if close >= 0 else -1), 2
            else:
                end = inline_single_end(text, pos, len(text))
        if end > 0:
            formula = text[pos:end] if raw else f"${text[pos + width : end - width]}$"
            parts += [(text[done:pos], False), (formula, True)]
            pos = done = end
        else:
            pos += 1
    parts.append((text[done:], False))
    return parts


def headings_of(tokens: list[Token], note: Note) -> list[Heading]:
    out: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = plain_text(inline.children)
            anchor = token.attrGet("id") or heading_anchor(text)
            line = note.file_line(token.map[0]) if token.map else 0
            out.append(Heading(int(token.tag[1]), text, str(anchor), line, inline.content.strip()))
    return out


def _walk(children: list[Token]) -> list[Token]:
    out: list[Token] = []
    for child in children:
        out.append(child)
        if child.children:
            out.extend(_walk(child.children))
    return out


def collect_links(note: Note, tokens: list[Token]) -> list[LinkRef]:
    """Every link of the note, in order; each link token gets its index in ``meta["ref"]``."""
    refs: list[LinkRef] = []
    items = 0  # list items open around the current block
    for block in tokens:
        items += {"list_item_open": 1, "list_item_close": -1}.get(block.type, 0)
        if block.type != "inline" or not block.children:
            continue
        for child in _walk(block.children):
            ref = _ref(note, block, child)
            if ref is not None:
                ref = replace(ref, in_list=items > 0)
                child.meta["ref"] = len(refs)
                refs.append(ref)
    return refs


def _ref(note: Note, block: Token, token: Token) -> LinkRef | None:
    line = note.file_line(token.meta.get("line", block.map[0] if block.map else 0)) if token.meta else 0
    if token.type in ("wikilink", "wikiembed"):
        meta = token.meta
        return LinkRef(
            "wikilink" if token.type == "wikilink" else "embed",
            meta["target"],
            meta["heading"],
            meta["label"],
            "",
            line,
            sentence_at(block.content, meta.get("pos", 0)),
            meta["raw"],
        )
    if token.type == "link_open":
        href = str(token.attrGet("href") or "")
        pos = max(block.content.find(href), 0)
        title = str(token.attrGet("title") or "")
        return LinkRef("link", href, "", "", title, line, sentence_at(block.content, pos), href)
    if token.type == "image":
        src = str(token.attrGet("src") or "")
        alt = plain_text(token.children)
        title = str(token.attrGet("title") or "")
        return LinkRef("image", src, "", alt, title, line, "", src)
    return None
