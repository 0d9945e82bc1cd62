"""Where formulas begin and end, as Obsidian reads ``$`` and ``$$`` (rules in README.md).

- ``$$ … $$`` is a display formula wherever it opens or closes on a line, whatever its lines
  start with (``+ ``, ``- ``, ``# ``): nothing inside it is Markdown. Inside quotes, callouts and
  list items the container's prefix (``> ``) is not part of the formula. Text may follow the
  closing ``$$``. A fence line (```` ``` ````) still ends it: code blocks bind tighter.
- ``$…$`` is an inline formula when the opening ``$`` is followed by a non-space, the closing
  one is preceded by a non-space and not followed by a digit (Pandoc's ``tex_math_dollars``).
- ``\\$`` is a dollar; a ``$`` inside a code span never opens or closes a formula.

An inline rule for both kinds, a block rule for a ``$$`` formula that starts a line and ends
one, and a guard that keeps any block from starting on a line inside an open ``$$``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

_FENCE = re.compile(r"(`{3,}|~{3,})")
_LABEL = re.compile(r"\(([^)$\r\n]+)\)$")


def code_span_end(src: str, pos: int, limit: int) -> tuple[int, bool]:
    """``src[pos]`` starts a backtick run: the index after its code span and True, or after
    the run itself and False when no run of the same length closes it (plain backticks)."""
    end = pos
    while end < limit and src[end] == "`":
        end += 1
    width = end - pos
    search = end
    while True:
        found = src.find("`" * width, search, limit)
        if found < 0:
            return end, False
        stop = found + width
        while stop < limit and src[stop] == "`":
            stop += 1
        if stop - found == width:
            return stop, True
        search = stop


def find_closing(src: str, pos: int, limit: int, double: bool, skip_code: bool = True) -> int:
    """Index of the ``$`` (or ``$$``) that closes a formula whose content starts at ``pos``;
    -1 when none does. Escaped dollars are skipped, and so are code spans (``skip_code``)."""
    while pos < limit:
        char = src[pos]
        if char == "\\":
            pos += 2
        elif char == "`" and skip_code:
            pos, code = code_span_end(src, pos, limit)
            if code:
                return -1  # a code span binds tighter: no formula spans it
        elif char == "$":
            if double:
                if pos + 1 < limit and src[pos + 1] == "$":
                    return pos
                pos += 1
            else:
                return pos
        else:
            pos += 1
    return -1


def inline_single_end(src: str, pos: int, limit: int) -> int:
    """``src[pos]`` is a lone ``$``: the index after its inline formula, or -1 if it opens none."""
    if pos + 1 >= limit or src[pos + 1].isspace():
        return -1
    end = find_closing(src, pos + 1, limit, double=False)
    if end < 0 or end == pos + 1 or src[end - 1].isspace():
        return -1
    if end + 1 < limit and src[end + 1].isdigit():
        return -1
    return end + 1


def math_inline_rule(state: StateInline, silent: bool) -> bool:
    """``$…$`` (inline) and ``$$…$$`` (display) inside a paragraph, heading or table cell."""
    src, pos, limit = state.src, state.pos, state.posMax
    if src[pos] != "$":
        return False
    if src.startswith("$$", pos):
        end = find_closing(src, pos + 2, limit, double=True)
        if end < 0 or not src[pos + 2 : end].strip():
            return False
        content, after, kind, markup = src[pos + 2 : end], end + 2, "math_inline_double", "$$"
    else:
        after = inline_single_end(src, pos, limit)
        if after < 0:
            return False
        content, kind, markup = src[pos + 1 : after - 1], "math_inline", "$"
    if not silent:
        token = state.push(kind, "math", 0)
        token.content, token.markup = content, markup
        token.meta = {"pos": pos}
    state.pos = after
    return True


def display_open_after(line: str, open_: bool) -> bool:
    """Whether a ``$$`` formula is still open at the end of ``line`` (it was at its start
    when ``open_``), pairing dollars the way the inline rule does."""
    pos, limit = 0, len(line)
    while pos < limit:
        if open_:
            end = find_closing(line, pos, limit, double=True, skip_code=False)
            if end < 0:
                return True
            open_, pos = False, end + 2
            continue
        char = line[pos]
        if char == "\\":
            pos += 2
        elif char == "`":
            pos = code_span_end(line, pos, limit)[0]
        elif char == "$":
            if line.startswith("$$", pos):
                open_, pos = True, pos + 2
            else:
                after = inline_single_end(line, pos, limit)
                pos = after if after > 0 else pos + 1
        else:
            pos += 1
    return open_


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _is_fence(text: str) -> bool:
    return bool(_FENCE.match(text))


def math_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A display formula that starts a line with ``$$`` and whose closing ``$$`` ends a line
    (an equation label ``(eq)`` may follow). Any other ``$$`` is left to the paragraph."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    first = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("$$", first):
        return False
    line, pos, limit = start_line, first + 2, state.eMarks[start_line]
    while True:
        end = find_closing(state.src, pos, limit, double=True, skip_code=False)
        if end >= 0:
            break
        line += 1
        if line >= end_line or (state.sCount[line] >= 0 and _is_fence(_line(state, line))):
            return False
        pos, limit = state.bMarks[line], state.eMarks[line]
    rest = state.src[end + 2 : limit].strip()
    label = _LABEL.match(rest)
    if rest and not label:
        return False  # text after the formula: the paragraph rule takes the whole of it
    if silent:
        return True
    parts = [state.src[first + 2 : state.eMarks[start_line]]] if line > start_line else []
    parts += [state.src[state.bMarks[at] : state.eMarks[at]] for at in range(start_line + 1, line)]
    parts.append(state.src[(state.bMarks[line] if line > start_line else first + 2) : end])
    token = state.push("math_block_label" if label else "math_block", "math", 0)
    token.block = True
    token.content = "\n".join(parts)
    token.info = label.group(1) if label else ""
    token.markup = "$$"
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


INSIDE = "garden_inside_display_math"  # env key: lines that begin inside an open $$


def display_math_lines(state: StateCore) -> None:
    """Before block parsing: the lines that begin inside an open ``$$`` formula.

    No block (list, heading, quote, table) may start on them, so the paragraph or quote the
    formula opened in goes on to its closing ``$$``. A blank line or a code fence ends a
    formula that is still open (then its ``$$`` is shown as text, and reported).
    """
    inside: set[int] = set()
    open_ = False
    fence = ""
    for number, line in enumerate(state.src.split("\n")):
        bare = line.lstrip(" \t>")
        if fence:
            if bare.startswith(fence) and not bare.strip(fence[0]).strip():
                fence = ""
            continue
        fenced = _FENCE.match(bare)
        if fenced or not bare.strip():
            open_ = False
            fence = fenced.group(1) if fenced else ""
            continue
        if open_:
            inside.add(number)
            open_ = display_open_after(line, True)
        elif "$$" in line:
            open_ = display_open_after(line, False)
    state.env[INSIDE] = inside


def guard_terminators(md: MarkdownIt) -> None:
    """Make the block rules decline to interrupt a paragraph, quote or list on a line that
    begins inside an open ``$$``. Only the terminator chains are guarded (markdown-it asks them
    whether a line ends a block); the main chain, which starts blocks, runs as it was."""
    ruler = md.block.ruler
    ruler.__compile__()
    for chain, rules in ruler.__cache__.items():  # type: ignore[union-attr]
        if chain:
            ruler.__cache__[chain] = [_guarded(rule) for rule in rules]  # type: ignore[index]


def _guarded(
    fn: Callable[[StateBlock, int, int, bool], bool],
) -> Callable[[StateBlock, int, int, bool], bool]:
    def guarded(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        inside = state.env.get(INSIDE)
        if inside and line in inside:
            return False
        return fn(state, line, end, silent)

    return guarded
