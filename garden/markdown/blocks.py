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

from garden.core.plaindata import plain

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore

    from garden.sources.notes import Note

# Obsidian's block ids: Latin letters, digits and dashes, after white space at a block's end.
_BLOCK_ID = re.compile(r"\^([A-Za-z0-9-]+)$")
_ONLY_ID = re.compile(r"^\^([A-Za-z0-9-]+)$")
BLOCK_META = "block"  # token.meta[BLOCK_META] = (id, kind): the token opens the named block
DUPLICATE_META = "block_again"  # (id, 0-based line) of a block whose id an earlier one has
ANCHORS_META = "block_anchors"  # on an inline token: some children are anchors of blocks

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
}


@plain
@dataclass(frozen=True)
class Block:
    """A part of a note that a link can name by id: ``[[Note#^id]]``.

    ``id``: as written (``327283``), matched without regard to case, as Obsidian does.
    ``anchor``: the ``id`` attribute of the element in the page (``^327283``); links point at
    ``#anchor``, embeds cut that element out of the note's HTML.
    ``kind``: what the block is (``paragraph``, ``list-item``, ``list``, ``quote``,
    ``callout``, ``table``, ``code``, ``math``; ``anchor`` and ``heading``: a second id
    inside one paragraph, or an id at the end of a heading, an empty ``<span>`` where it stood;
    theorems and equations add their own).
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

    ``text ^id`` names its paragraph, or its list item, or the quote or callout it ends; so does
    ``^id`` at the end of a line followed by a ``$$`` formula (Obsidian ends a block there). A
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
        elif token.type == "inline" and token.children and "^" in token.content:
            before = tokens[index - 1].type
            if before == "paragraph_open":
                index = _paragraph_id(tokens, index, seen)
            elif before == "heading_open":
                _heading_id(tokens[index - 1], token, seen)
        index += 1


def _paragraph_id(tokens: list[Token], index: int, seen: set[str]) -> int:
    """Handle ``^id`` in the paragraph whose inline token is at ``index``: at its end, or at the
    end of a line that a display formula follows (Obsidian ends a block there)."""
    inline = tokens[index]
    children = inline.children or []
    found = _ids_in(children)
    if not found:
        return index
    opener = tokens[index - 1]
    if len(children) == 1 and children[0].content.strip() == found[0][1].group(0):
        # a paragraph that is only ``^id``: it names the block before it, or the quote, callout
        # or list item it ends (``> [!note] Title`` with ``^id`` on the next line)
        target = _previous_block(tokens, index - 1)
        if target is None:
            target = _ended_container(tokens, index - 1)
        if target is None:
            return index
        del tokens[index - 1 : index + 2]
        return _mark(tokens, target, found[0][1].group(1), opener.map, seen) - 1
    hits = dict(found)
    kept: list[Token] = []
    for position, child in enumerate(children):
        match = hits.get(position)
        if match is None:
            kept.append(child)
            continue
        rest = child.content[: match.start()].rstrip()
        if rest:
            child.content = rest
            kept.append(child)
        if position != found[0][0]:  # a second id in one paragraph: an anchor where it stood
            line = (child.meta or {}).get("line", (opener.map or [0])[0])
            kept.append(_anchor(match.group(1), line, seen))
            inline.meta = {**(inline.meta or {}), ANCHORS_META: True}
    while kept and (kept[-1].type in ("softbreak", "hardbreak") or _blank_text(kept[-1])):
        kept.pop()
    inline.children = kept
    for _, match in found:
        inline.content = re.sub(rf"[ \t]*\^{match.group(1)}(?=[ \t]*(?:\n|$))", "", inline.content, count=1)
    _mark(tokens, _container(tokens, index - 1), found[0][1].group(1), opener.map, seen)
    return index


def _heading_id(opener: Token, inline: Token, seen: set[str]) -> None:
    """``## Heading ^id``: the id becomes an anchor at the end of the heading (whose own id
    stays the one made from its text)."""
    children = inline.children or []
    found = [(position, match) for position, match in _ids_in(children) if position == len(children) - 1]
    if not found:
        return
    position, match = found[0]
    rest = children[position].content[: match.start()].rstrip()
    kept = children[:position] + ([Token("text", "", 0, content=rest)] if rest else [])
    while kept and (kept[-1].type in ("softbreak", "hardbreak") or _blank_text(kept[-1])):
        kept.pop()
    line = (opener.map or [0])[0]
    inline.children = [*kept, _anchor(match.group(1), line, seen, "heading")]
    inline.meta = {**(inline.meta or {}), ANCHORS_META: True}
    inline.content = inline.content[: inline.content.rfind("^")].rstrip()


def _ids_in(children: list[Token]) -> list[tuple[int, re.Match[str]]]:
    """Text children that end in a block id after white space, where a block ends."""
    found = []
    for position, child in enumerate(children):
        if child.type != "text":
            continue
        match = _BLOCK_ID.search(child.content)
        if match is None or not _after_space(children, position, match.start()):
            continue
        if position == len(children) - 1 or _display_math_follows(children, position):
            found.append((position, match))
    return found


def _after_space(children: list[Token], position: int, start: int) -> bool:
    before = children[position].content[:start]
    if before:
        return before[-1].isspace()
    if position == 0:
        return True
    previous = children[position - 1]
    return previous.type in ("softbreak", "hardbreak") or (
        previous.type == "text" and previous.content[-1:].isspace()
    )


def _display_math_follows(children: list[Token], position: int) -> bool:
    """The next line of the paragraph opens a ``$$`` formula."""
    following = position + 1
    if following >= len(children) or children[following].type not in ("softbreak", "hardbreak"):
        return False
    while following < len(children) and children[following].type in ("softbreak", "hardbreak"):
        following += 1
    return following < len(children) and children[following].type in ("math_inline_double", "math_block")


def _anchor(block_id: str, line: int, seen: set[str], kind: str = "anchor") -> Token:
    """An empty element that carries ``^block_id`` inside a paragraph another id names, or a
    heading."""
    token = Token("html_inline", "", 0)
    if block_id.lower() in seen:
        token.meta = {DUPLICATE_META: (block_id, line)}
        return token
    seen.add(block_id.lower())
    token.content = f'<span class="block-anchor" id="{block_anchor(block_id)}"></span>'
    token.meta = {BLOCK_META: (block_id, kind), "block_line": line}
    return token


def _blank_text(token: Token) -> bool:
    return token.type == "text" and not token.content.strip()


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


def _ended_container(tokens: list[Token], opener: int) -> int | None:
    """The quote, callout or list item whose last block is the paragraph at ``opener``."""
    parent = _parent(tokens, opener)
    close = opener + 3
    if parent is None or close >= len(tokens) or tokens[close].nesting != -1:
        return None
    if tokens[parent].type in ("blockquote_open", "callout_open", "list_item_open"):
        return parent
    return None


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
        if opener.nesting == 1 and opener.level == level and opener.type != "callout_title_open":
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


def _named(tokens: list[Token]) -> list[Token]:
    """Tokens that carry a block's name or a repeated one, inline anchors included, in order."""
    found = []
    for token in tokens:
        if not token.meta:
            continue
        if BLOCK_META in token.meta or DUPLICATE_META in token.meta:
            found.append(token)
        if token.meta.get(ANCHORS_META):
            children = token.children or []
            found.extend(child for child in children if child.type == "html_inline" and child.meta)
    return found


def blocks_of(tokens: list[Token], note: Note) -> list[Block]:
    """The note's named blocks, in order."""
    found: list[Block] = []
    for token in _named(tokens):
        named = token.meta.get(BLOCK_META)
        if named:
            block_id, kind = named
            line = note.file_line(token.meta.get("block_line", 0))
            found.append(Block(block_id, block_anchor(block_id), kind, line))
    return found


def duplicate_ids(tokens: list[Token]) -> list[tuple[str, int]]:
    """``(id, 0-based body line)`` of each ``^id`` that an earlier block of the note has."""
    repeated: dict[str, tuple[str, int]] = {}  # one warning for each id, at its second use
    for token in _named(tokens):
        if DUPLICATE_META in token.meta:
            block_id, line = token.meta[DUPLICATE_META]
            repeated.setdefault(block_id.lower(), (block_id, line))
    return list(repeated.values())
