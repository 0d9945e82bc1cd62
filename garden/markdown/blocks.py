"""Block references: ``^id`` at the end of a block names it, so ``[[Note#^id]]`` can link to it
and ``![[Note#^id]]`` can embed it (Obsidian's syntax).

The registry is a note's list of :class:`Block`, collected at parse time (``blocks_of``) and
kept in its compiled artifact beside its headings; ``linking/anchors.py`` resolves the part of
a link after ``#`` against both. Other syntax that names a part of a note (a theorem's
``^name``, an equation's ``\\label``) adds a ``Block`` of its own ``kind`` through the same
meta key (:data:`BLOCK_META`) on the token that opens its HTML element, and gets links, embeds,
warnings and previews for free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markdown_it.token import Token

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore

    from garden.sources.notes import Note

# Obsidian's block ids: Latin letters, digits and dashes, after white space at a block's end.
_BLOCK_ID = re.compile(r"\^([A-Za-z0-9-]+)$")
_ONLY_ID = re.compile(r"^\^([A-Za-z0-9-]+)$")
BLOCK_META = "block"  # token.meta[BLOCK_META] = (id, kind): the token opens the named block
DUPLICATE_META = "block_again"  # (id, 0-based line) of a block whose id an earlier one has

# Block tokens that open an element an id can sit on, and what kind of block each is.
_KINDS = {
    "paragraph_open": "paragraph",
    "list_item_open": "list-item",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "blockquote_open": "quote",
    "callout_open": "callout",
    "table_open": "table",
}
# Block tokens with no element of their own to carry an id: they are wrapped in a <div>.
_LEAVES = {
    "fence": "code",
    "code_block": "code",
    "math_block": "math",
    "math_block_label": "math",
    "amsmath": "math",
    "html_block": "html",
    "footnote_block_open": "",
}


@dataclass(frozen=True)
class Block:
    """A part of a note that a link can name by id: ``[[Note#^id]]``.

    ``id``: as written (``327283``), matched without regard to case, as Obsidian does.
    ``anchor``: the ``id`` attribute of the element in the page (``^327283``); links point at
    ``#anchor``, embeds cut that element out of the note's HTML.
    ``kind``: what the block is (``paragraph``, ``list-item``, ``list``, ``quote``,
    ``callout``, ``table``, ``code``, ``math``; theorems and equations add their own).
    ``line``: 1-based line in the file, for messages.
    ``label``: how a link with no text of its own could name it (``Theorem 2``); may be empty.
    """

    id: str
    anchor: str
    kind: str
    line: int
    label: str = ""

    @property
    def key(self) -> str:
        return self.id.lower()


def block_anchor(block_id: str) -> str:
    """The element id of ``^block_id``: the same text as Obsidian's ``#^block_id``."""
    return "^" + block_id


def block_ids(state: StateCore) -> None:
    """Core rule (after inline): take ``^id`` off the end of paragraphs and tables and mark the
    block it names with :data:`BLOCK_META` and an ``id`` attribute.

    ``text ^id`` names its paragraph, or its list item, or the quote or callout it ends; a
    paragraph that is only ``^id`` names the block before it (a table, a list, a quote, code,
    math), as does a last table row that is only ``^id``.
    """
    tokens = state.tokens
    seen: set[str] = set()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "table_close":
            index = _table_row_id(tokens, index, seen)
        elif (
            token.type == "inline" and token.children and index and tokens[index - 1].type == "paragraph_open"
        ):
            index = _paragraph_id(tokens, index, seen)
        index += 1


def _paragraph_id(tokens: list[Token], index: int, seen: set[str]) -> int:
    """Handle ``^id`` at the end of the paragraph whose inline token is at ``index``."""
    inline = tokens[index]
    children = inline.children or []
    last = children[-1]
    if last.type != "text":
        return index
    match = _BLOCK_ID.search(last.content)
    if match is None:
        return index
    before = last.content[: match.start()]
    previous = children[-2] if len(children) > 1 else None
    if before:
        if not before[-1].isspace():
            return index
    elif previous is not None and not (
        previous.type in ("softbreak", "hardbreak")
        or (previous.type == "text" and previous.content[-1:].isspace())
    ):
        return index
    block_id = match.group(1)
    rest = before.rstrip()
    kept = children[:-1] + ([Token("text", "", 0, content=rest)] if rest else [])
    while kept and (kept[-1].type in ("softbreak", "hardbreak") or _blank_text(kept[-1])):
        kept.pop()
    opener = tokens[index - 1]
    if not kept:  # a paragraph that is only ``^id``: it names the block before it
        target = _previous_block(tokens, index - 1)
        if target is None:
            return index
        del tokens[index - 1 : index + 2]
        return _mark(tokens, target, block_id, opener.map, seen) - 1
    if kept[-1].type == "text":
        kept[-1].content = kept[-1].content.rstrip()
    inline.children = kept
    inline.content = _strip_id(inline.content)
    _mark(tokens, _container(tokens, index - 1), block_id, opener.map, seen)
    return index


def _blank_text(token: Token) -> bool:
    return token.type == "text" and not token.content.strip()


def _strip_id(content: str) -> str:
    match = re.search(r"\s*\^[A-Za-z0-9-]+\s*$", content)
    return content[: match.start()] if match else content


def _container(tokens: list[Token], opener: int) -> int:
    """The block ``text ^id`` names: the list item whose first paragraph it ends, the quote or
    callout whose last paragraph it ends, else the paragraph (at index ``opener``)."""
    parent = _parent(tokens, opener)
    if parent is None:
        return opener
    kind = tokens[parent].type
    if kind == "list_item_open" and parent == opener - 1:
        return parent
    close = opener + 2
    ends = close + 1 < len(tokens) and tokens[close + 1].type in ("blockquote_close", "callout_close")
    if kind in ("blockquote_open", "callout_open") and ends:
        return parent
    return opener


def _parent(tokens: list[Token], index: int) -> int | None:
    level = tokens[index].level
    for back in range(index - 1, -1, -1):
        token = tokens[back]
        if token.nesting == 1 and token.level == level - 1 and token.type != "callout_title_open":
            return back
    return None


def _previous_block(tokens: list[Token], index: int) -> int | None:
    """Index of the token that opens the block just before ``index`` at the same level."""
    if index == 0:
        return None
    token = tokens[index - 1]
    level = tokens[index].level
    if token.level != level:
        return None
    if token.nesting == 0:
        return index - 1 if _LEAVES.get(token.type) else None
    if token.nesting != -1:
        return None
    for back in range(index - 2, -1, -1):
        opener = tokens[back]
        if opener.nesting == 1 and opener.level == level:
            return back if opener.type in _KINDS and opener.type != "paragraph_open" else None
    return None


def _mark(tokens: list[Token], index: int, block_id: str, where: list[int] | None, seen: set[str]) -> int:
    """Mark the block at ``index`` as ``^block_id``; returns the index just past its opener."""
    token = tokens[index]
    line = (token.map or where or [0])[0]
    if token.meta.get(BLOCK_META) if token.meta else False:
        return index + 1  # named already: the first name wins
    if block_id.lower() in seen:  # another block has this id: the first keeps it
        token.meta = {**(token.meta or {}), DUPLICATE_META: (block_id, line)}
        return index + 1
    seen.add(block_id.lower())
    kind = _KINDS.get(token.type)
    if kind is not None:
        token.attrSet("id", block_anchor(block_id))
        token.meta = {**(token.meta or {}), BLOCK_META: (block_id, kind), "block_line": line}
        return index + 1
    wrap_open = Token("html_block", "", 0, content=f'<div class="block" id="{block_anchor(block_id)}">\n')
    wrap_open.meta = {BLOCK_META: (block_id, _LEAVES[token.type]), "block_line": line}
    wrap_open.level = token.level
    wrap_close = Token("html_block", "", 0, content="</div>\n", level=token.level)
    tokens[index : index + 1] = [wrap_open, token, wrap_close]
    return index + 3


def _table_row_id(tokens: list[Token], close: int, seen: set[str]) -> int:
    """A table whose last row is only ``^id`` (the line right after a table): that row goes,
    the table is named."""
    if close < 2 or tokens[close - 1].type != "tbody_close" or tokens[close - 2].type != "tr_close":
        return close
    row_start = close - 2
    while row_start > 0 and tokens[row_start].type != "tr_open":
        row_start -= 1
    cells = [t for t in tokens[row_start:close] if t.type == "inline"]
    if not cells or cells[0].content.strip() == "" or any(c.content.strip() for c in cells[1:]):
        return close
    match = _ONLY_ID.match(cells[0].content.strip())
    if match is None:
        return close
    level, opener = tokens[close].level, close
    while opener > 0 and not (tokens[opener].type == "table_open" and tokens[opener].level == level):
        opener -= 1
    rows = sum(1 for t in tokens[opener:close] if t.type == "tr_open")
    if rows <= 2:  # the header and this row: no body would be left
        return close
    del tokens[row_start : close - 1]
    close = row_start + 1
    _mark(tokens, opener, match.group(1), tokens[opener].map, seen)
    return close


def blocks_of(tokens: list[Token], note: Note) -> list[Block]:
    """The note's named blocks, in order."""
    found: list[Block] = []
    for token in tokens:
        named = token.meta.get(BLOCK_META) if token.meta else None
        if named:
            block_id, kind = named
            line = note.file_line(token.meta.get("block_line", 0))
            found.append(Block(block_id, block_anchor(block_id), kind, line))
    return found


def duplicate_ids(tokens: list[Token]) -> list[tuple[str, int]]:
    """``(id, 0-based body line)`` of every ``^id`` that an earlier block of the note has."""
    return [token.meta[DUPLICATE_META] for token in tokens if token.meta and DUPLICATE_META in token.meta]
