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


_STOPS = re.compile(r"[\\`$]")  # what find_closing looks at: escapes, code spans, dollars
_STOPS_IN_MATH = re.compile(r"[\\$]")


def find_closing(src: str, pos: int, limit: int, double: bool, skip_code: bool = True) -> int:
    """Index of the ``$`` (or ``$$``) that closes a formula whose content starts at ``pos``;
    -1 when none does. Escaped dollars are skipped, and so are code spans (``skip_code``)."""
    stops = _STOPS if skip_code else _STOPS_IN_MATH
    while (found := stops.search(src, pos, limit)) is not None:
        pos = found.start()
        char = src[pos]
        if char == "\\":
            pos += 2
        elif char == "`":
            pos, code = code_span_end(src, pos, limit)
            if code:
                return -1  # a code span binds tighter: no formula spans it
        elif double:
            if pos + 1 < limit and src[pos + 1] == "$":
                return pos
            pos += 1
        else:
            return pos
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
    if not state.src.startswith("$$", first) or start_line in state.env.get(IN_CODE, ()):
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
IN_CODE = "garden_inside_code_span"  # env key: lines that begin inside a code span of lines before
_LIST_ITEM = re.compile(r"([-+*]|[0-9]{1,9}[.)])([ \t]+|$)")
_QUOTE = re.compile(r"(?:[ ]{0,3}>[ ]?)+")
_MARKER_STARTS = frozenset("-+*0123456789")


def display_math_lines(state: StateCore) -> None:
    """Before block parsing: the lines that begin inside an open ``$$`` formula.

    No block (list, heading, quote, table) may start on them, so the paragraph or quote the
    formula opened in goes on to its closing ``$$``. A blank line or a code fence ends a
    formula that is still open (then its ``$$`` is shown as text, and reported).

    Code binds tighter than math: a ``$$`` inside a code span, also one over several lines, or
    in an indented code block opens nothing, and a line that begins inside a code span does
    not start a display formula. Each run of lines between blank lines and fences is read as
    one text (only when it holds a ``$$``), so a code span may cross its lines.
    """
    inside: set[int] = set()
    in_code: set[int] = set()
    lines = state.src.split("\n")
    first = -1  # the first line of the current run of text lines (they follow one another)
    dollars = False  # the run holds a $$
    markers: list[int] = []  # its lines that may open a list item
    pending: list[int] = []  # lines that may open a list item, not yet read into ``items``
    items: list[int] = []  # content columns of the list items still open, innermost last
    fence = ""

    def end_run(stop: int) -> None:
        if dollars:
            math, spans = _lines_inside(lines[first:stop])
            inside.update(first + i for i in math)
            in_code.update(first + i for i in spans)
        pending.extend(number for number in markers if number not in inside)
        markers.clear()

    for number, line in enumerate(lines):
        bare = line.lstrip(" \t>")
        if fence:
            if bare.startswith(fence) and not bare.strip(fence[0]).strip():
                fence = ""
            continue
        fenced = _FENCE.match(bare)
        if fenced or not bare.strip():
            if first >= 0:
                end_run(number)
                first, dollars = -1, False
            fence = fenced.group(1) if fenced else ""
            continue
        if first < 0:  # after a blank line, a fence or code: this line may be (more) indented code
            column = _indent(line)
            if column == 0:  # ends every list item
                items.clear()
                pending.clear()
            else:  # list items open the columns an indented line is read in
                for marker in pending:
                    _list_item(lines[marker], items)
                pending.clear()
                while items and items[-1] > column:
                    items.pop()
                if column - (items[-1] if items else 0) >= 4:
                    continue
            first = number
        if "$$" in line:
            dollars = True
        if bare[:1] in _MARKER_STARTS:
            markers.append(number)
    if first >= 0:
        end_run(len(lines))
    state.env[INSIDE] = inside
    state.env[IN_CODE] = in_code


def _indent(line: str) -> int:
    """The column a line's text starts at, after any quote markers (tabs stop every 4)."""
    if line[:1] not in (" ", "\t", ">"):
        return 0
    quoted = _QUOTE.match(line)
    rest = line[quoted.end() :] if quoted else line
    return len(rest.expandtabs(4)) - len(rest.lstrip(" \t").expandtabs(4))


def _list_item(line: str, items: list[int]) -> bool:
    """Whether ``line`` opens a list item; if so its content column goes on ``items``."""
    quoted = _QUOTE.match(line)
    rest = (line[quoted.end() :] if quoted else line).expandtabs(4)
    text = rest.lstrip(" ")
    marker = _LIST_ITEM.match(text)
    if not marker:
        return False
    column = len(rest) - len(text)
    while items and items[-1] > column:
        items.pop()
    items.append(column + len(marker.group(1)) + min(max(len(marker.group(2)), 1), 4))
    return True


def _lines_inside(lines: list[str]) -> tuple[list[int], list[int]]:
    """Of a run of lines read as one text: those that begin inside an open ``$$``, and those
    that begin inside a code span (not counting the first line)."""
    text = "\n".join(lines)
    starts, at = [], 0
    for line in lines[:-1]:
        at += len(line) + 1
        starts.append(at)
    math: list[tuple[int, int]] = []
    code: list[tuple[int, int]] = []
    pos, limit = 0, len(text)
    while (found := _STOPS.search(text, pos)) is not None:
        pos = found.start()
        char = text[pos]
        if char == "\\":
            pos += 2
        elif char == "`":
            end, closed = code_span_end(text, pos, limit)
            if closed and "\n" in text[pos:end]:
                code.append((pos, end))
            pos = end
        elif text.startswith("$$", pos):
            close = find_closing(text, pos + 2, limit, double=True, skip_code=False)
            math.append((pos, limit if close < 0 else close))
            if close < 0:
                break
            pos = close + 2
        else:
            after = inline_single_end(text, pos, limit)
            pos = after if after > 0 else pos + 1

    return _starting_within(starts, math, closed=True), _starting_within(starts, code, closed=False)


def _starting_within(starts: list[int], spans: list[tuple[int, int]], closed: bool) -> list[int]:
    """The numbers (from 1) of the lines whose start offset falls inside one of ``spans``
    (both ascending): after its start, and before its end (or at it, when ``closed``)."""
    found: list[int] = []
    span = 0
    for index, start in enumerate(starts):
        while span < len(spans) and (spans[span][1] < start or (not closed and spans[span][1] == start)):
            span += 1
        if span < len(spans) and spans[span][0] < start:
            found.append(index + 1)
    return found


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
