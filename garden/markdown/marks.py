"""``==highlight==`` as ``<mark>``."""

from __future__ import annotations

from markdown_it.rules_inline import StateInline


def mark_rule(state: StateInline, silent: bool) -> bool:
    """``==highlight==`` as ``<mark>``; the inside is parsed as Markdown."""
    src, pos, limit = state.src, state.pos, state.posMax
    if not src.startswith("==", pos) or src.startswith("===", pos):
        return False
    end = src.find("==", pos + 2, limit)  # not past the end of an enclosing mark: no nesting
    while end > 0 and src.startswith("===", end):
        end = src.find("==", end + 3, limit)
    if end < 0 or end == pos + 2 or src[pos + 2].isspace() or src[end - 1].isspace():
        return False
    if not silent:
        state.push("mark_open", "mark", 1)
        old_max = state.posMax
        state.pos, state.posMax = pos + 2, end
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push("mark_close", "mark", -1)
    state.pos = end + 2
    return True
