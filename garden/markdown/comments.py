"""Obsidian ``%%comments%%``, inline or over many lines: dropped."""

from __future__ import annotations

from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline


def comment_inline_rule(state: StateInline, silent: bool) -> bool:
    """Obsidian ``%%comment%%`` inside a paragraph: dropped."""
    src, pos = state.src, state.pos
    if not src.startswith("%%", pos):
        return False
    end = src.find("%%", pos + 2)
    if end < 0:
        return False
    state.pos = end + 2
    return True


def comment_block_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A ``%%`` ... ``%%`` block, possibly over many lines: dropped."""
    begin = state.bMarks[start] + state.tShift[start]
    line_text = state.src[begin : state.eMarks[start]]
    if not line_text.startswith("%%"):
        return False
    rest = line_text[2:]
    line = start
    if "%%" not in rest:
        line += 1
        while line < end:
            text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
            if "%%" in text:
                break
            line += 1
        else:
            return False
    elif not rest.rstrip().endswith("%%"):
        return False  # an inline comment followed by text: the inline rule handles it
    if silent:
        return True
    state.line = line + 1
    return True
