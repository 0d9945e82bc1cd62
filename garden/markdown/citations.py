"""Citations in Pandoc's syntax, as inline tokens: ``[@key]``, ``[see @a, p. 3; @b]``,
``[-@key]`` and ``@key`` in running text (narrative: "Lee et al. (2018)").

A citation depends on the bibliography, which only the whole build knows, so it is compiled
into a placeholder (``placeholders.citation``) and the cluster is kept with the note
(``Cluster``); ``linking/cite.py`` fills it in. Nothing inside code, math or a link's text is a
citation, and an ``@`` after a letter or digit (an e-mail address) is not one either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.rules_inline import StateInline

from garden.core.plaindata import plain

# Pandoc: a key starts with a letter, digit or _, and may hold internal punctuation; @{any key}
KEY = r"(?:\w+(?:[:.#$%&\-+?<>~/]+\w+)*|\{[^{}\s]+\})"
_ITEM = re.compile(rf"^(?P<prefix>(?:.*?\s)?)(?P<minus>-?)@(?P<key>{KEY})(?P<suffix>.*)$", re.S)
_NARRATIVE = re.compile(rf"@(?P<key>{KEY})")
_LOCATOR_AFTER = re.compile(r" ?\[(?P<locator>[^\]\[@]*)\](?![(\[:])")


@plain
@dataclass(frozen=True)
class CiteItem:
    """One work cited: its key, the text before and after it, and whether to leave out the author."""

    key: str
    prefix: str = ""
    locator: str = ""  # "p. 3", as written
    suppress_author: bool = False


@plain
@dataclass(frozen=True)
class Cluster:
    """One citation as written (``[@a; @b]`` or ``@a``): what the page shows in one place."""

    items: tuple[CiteItem, ...]
    narrative: bool
    line: int  # 1-based line in the file
    raw: str


def _key(text: str) -> str:
    return text[1:-1] if text.startswith("{") else text


def parse_bracket(inner: str) -> tuple[CiteItem, ...] | None:
    """``see @a, p. 3; @b`` as items, or None when some part cites nothing."""
    items: list[CiteItem] = []
    for part in inner.split(";"):
        match = _ITEM.match(part.strip())
        if match is None:
            return None
        suffix = match.group("suffix").strip()
        if suffix.startswith(","):
            suffix = suffix[1:].strip()
        items.append(
            CiteItem(
                _key(match.group("key")),
                " ".join(match.group("prefix").split()),
                " ".join(suffix.split()),
                bool(match.group("minus")),
            )
        )
    return tuple(items) if items else None


def citation_rule(state: StateInline, silent: bool) -> bool:
    """``[@key, p. 3; @other]`` and ``[-@key]``: a parenthetical citation."""
    src, pos = state.src, state.pos
    if src[pos] != "[" or src.startswith(("[[", "[^"), pos) or state.linkLevel > 0:
        return False
    end = pos + 1
    limit = min(len(src), pos + 1000)
    while end < limit and src[end] not in "[]":
        end += 1
    if end >= limit or src[end] != "]" or "@" not in src[pos:end]:
        return False
    if end + 1 < len(src) and src[end + 1] in "([:":
        return False  # a link or a reference definition: [text](url), [text][ref]
    items = parse_bracket(src[pos + 1 : end])
    if items is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"items": items, "narrative": False, "pos": pos, "raw": src[pos : end + 1]}
        token.content = src[pos : end + 1]
    state.pos = end + 1
    return True


def narrative_rule(state: StateInline, silent: bool) -> bool:
    """``@key`` in running text, optionally with a locator after it: ``@key [p. 3]``."""
    src, pos = state.src, state.pos
    if src[pos] != "@" or state.linkLevel > 0:
        return False
    if pos > 0 and (src[pos - 1].isalnum() or src[pos - 1] in "_@.+-/\\"):
        return False  # an e-mail address, a handle written inside a word
    match = _NARRATIVE.match(src, pos)
    if match is None:
        return False
    end = match.end()
    locator = ""
    after = _LOCATOR_AFTER.match(src, end)
    if after is not None:
        locator = " ".join(after.group("locator").split())
        end = after.end()
    if not silent:
        token = state.push("citation", "", 0)
        item = CiteItem(_key(match.group("key")), "", locator)
        token.meta = {"items": (item,), "narrative": True, "pos": pos, "raw": src[pos:end]}
        token.content = src[pos:end]
    state.pos = end
    return True
