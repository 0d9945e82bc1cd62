"""Obsidian callouts: a blockquote that starts with ``[!type]`` (folded with ``+``/``-``)."""

from __future__ import annotations

import re

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

CALLOUT_ALIASES = {
    "summary": "abstract",
    "tldr": "abstract",
    "hint": "tip",
    "important": "tip",
    "check": "success",
    "done": "success",
    "help": "question",
    "faq": "question",
    "caution": "warning",
    "attention": "warning",
    "fail": "failure",
    "missing": "failure",
    "error": "danger",
    "cite": "quote",
}


_CALLOUT = re.compile(r"^\[!([\w-]+)\]([+-]?)[ \t]*(.*)$")


def callouts(state: StateCore) -> None:
    """Turn blockquotes that start with ``[!type]`` into callout tokens (before inline parse)."""
    tokens = state.tokens
    out: list[Token] = []
    open_levels: list[tuple[int, bool]] = []  # (level, is_callout) of each open blockquote
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "blockquote_open":
            match = None
            if i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open":
                first, _, _ = tokens[i + 2].content.partition("\n")
                match = _CALLOUT.match(first)
            open_levels.append((token.level, match is not None))
            if match is None:
                out.append(token)
                i += 1
                continue
            kind_raw = match.group(1).lower()
            kind = CALLOUT_ALIASES.get(kind_raw, kind_raw)
            fold = match.group(2)
            title = match.group(3).strip() or kind_raw.replace("-", " ").capitalize()
            token.type = "callout_open"
            token.meta = {"kind": kind, "fold": fold}
            out.append(token)
            title_open = Token("callout_title_open", "", 1, map=token.map, meta=token.meta)
            title_inline = Token("inline", "", 0, map=token.map, content=title, children=[])
            title_close = Token("callout_title_close", "", -1, meta=token.meta)
            out += [title_open, title_inline, title_close]
            inline = tokens[i + 2]
            _, _, rest = inline.content.partition("\n")
            if rest.strip():
                inline.content = rest
                if inline.map:
                    inline.map = [inline.map[0] + 1, inline.map[1]]
                out += tokens[i + 1 : i + 4]
            i += 4
            continue
        if token.type == "blockquote_close" and open_levels:
            _, is_callout = open_levels.pop()
            if is_callout:
                token.type = "callout_close"
        out.append(token)
        i += 1
    state.tokens = out
