"""Dollars that are not math: ``\\$`` is a literal dollar, and a lone ``$`` that opens no
formula is marked so the writer hears about it."""

from __future__ import annotations

import re

from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline


def dollar_escape_rule(state: StateInline, silent: bool) -> bool:
    r"""``\$`` is a literal dollar, never a math delimiter."""
    if not state.src.startswith("\\$", state.pos):
        return False
    if not silent:
        token = state.push("text_special", "", 0)  # joined into the text later, like any escape
        token.content, token.markup, token.info = "$", "\\$", "escape"
    state.pos += 2
    return True


# A ``$`` left as text that could open a formula: not before a space, a digit or another ``$``
# (so ``costs $5 and $10`` is quiet), and not escaped (``\$`` is its own token until text_join).
# A ``$$`` left as text is always a formula lost: display math never starts with a price.
_STRAY_DOLLAR = re.compile(r"\$\$|(?<!\$)\$(?=[^\s\d$])")


def stray_dollars(state: StateCore) -> None:
    """Mark text holding a ``$`` that opens no formula (before escapes join the text).

    An escape (``\\{``) is its own token until text_join merges it with the text around it,
    keeping the first token's meta: the mark goes on the first token of each such run, at the
    dollar's offset in the joined text.
    """
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        in_url = False  # a bare URL made a link (``https://x.org/$id``) is not math
        run_start, offset = None, 0  # the run of text tokens text_join will merge
        children = block.children
        for index, child in enumerate(children):
            if child.type == "wikilink" and "$$" in child.meta.get("label", ""):  # its text, as written
                child.meta["stray_dollar"] = child.content.find("$$")
            if child.type not in ("text", "text_special") or in_url:
                run_start = None
                if child.type in ("link_open", "link_close") and child.markup == "linkify":
                    in_url = child.type == "link_open"
                continue
            if run_start is None:
                run_start, offset = child, 0
            if child.type == "text" and "$" in child.content and "stray_dollar" not in (run_start.meta or {}):
                after = children[index + 1] if index + 1 < len(children) else None
                following = after.content[:1] if after and after.type in ("text", "text_special") else ""
                match = _STRAY_DOLLAR.search(child.content + following)
                if match and match.start() < len(child.content):
                    run_start.meta = {**(run_start.meta or {}), "stray_dollar": offset + match.start()}
            offset += len(child.content)
