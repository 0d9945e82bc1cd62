"""Content nested deeper than markdown-it allows is kept, as plain text, not dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markdown_it.rules_block import StateBlock

MAX_NESTING = 64  # deeper lists and quotes are kept as plain text, with a warning


def keep_too_deep(tokenize: Callable[..., None]) -> Callable[..., None]:
    """Keep what is nested deeper than maxNesting, as one plain paragraph marked ``too_deep``.

    markdown-it would skip it, and inside a list it skips the rest of the note with it.
    """

    def block_tokenize(state: StateBlock, start: int, end: int, *args: Any) -> None:
        if state.level < state.md.options["maxNesting"]:
            tokenize(state, start, end, *args)
            return
        first = line = state.skipEmptyLines(start)
        while line < end and (state.isEmpty(line) or state.sCount[line] >= state.blkIndent):
            line += 1  # the lines of this container (where markdown-it would stop anyway)
        last = line
        while last > first and state.isEmpty(last - 1):
            last -= 1
        if last > first:
            opening = state.push("paragraph_open", "p", 1)
            opening.map, opening.meta = [first, last], {"too_deep": True}
            inline = state.push("inline", "", 0)
            inline.content = state.getLines(first, last, state.blkIndent, False).strip()
            inline.map, inline.children = [first, last], []
            state.push("paragraph_close", "p", -1)
        state.line = max(line, start)

    return block_tokenize
