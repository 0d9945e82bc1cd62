"""Labels of rows anchor their row: ``\\label{b}`` on the second row of an ``align`` gives that
row's number the id ``eq-b``, so a link scrolls to the row, not to the top of the formula.

The formula's box (``scholarly._wrap_equation``) holds every label's id before the formula is
typeset; once KaTeX has drawn it, an id whose number is found in the formula's tag column moves
onto that row's tag. A formula of one row keeps its id on the box.
"""

from __future__ import annotations

import re

from markdown_it.common.utils import escapeHtml

_BOX = re.compile(r'<div class="equation" id="([^"]*)">((?:<span id="[^"]*"></span>)*)')
_ROW = '<span class="pstrut"'
_TAGS = '<span class="katex-tag">'
_TEXT = re.compile(r"<[^>]+>")


def anchor_rows(html: str, numbers: dict[str, str]) -> str:
    """``html`` with each row label's id on its row's tag. ``numbers``: anchor -> "(2)"."""
    out: list[str] = []
    done = 0
    for box in _BOX.finditer(html):
        end = html.find("</div></div>", box.end())
        tags = html.find(_TAGS, box.end(), end)
        anchors = [box.group(1), *re.findall(r'<span id="([^"]*)"></span>', box.group(2))]
        if end < 0 or tags < 0:
            continue
        rows = _rows(html, tags, end)
        if len(rows) < 2:
            continue
        placed: dict[int, str] = {}  # where a row's tag span opens -> the anchor it gets
        for anchor in anchors:
            number = numbers.get(anchor)
            where = next((start for start, text in rows if text == number), -1)
            if number and where >= 0 and where not in placed:
                placed[where] = anchor
        if not placed:
            continue
        kept = [a for a in anchors if a not in placed.values()]
        head = '<div class="equation"' + (f' id="{escapeHtml(kept[0])}">' if kept else ">")
        head += "".join(f'<span id="{escapeHtml(a)}"></span>' for a in kept[1:])
        out += [html[done : box.start()], head]
        position = box.end()
        for where in sorted(placed):
            out += [html[position:where], f'<span id="{escapeHtml(placed[where])}"']
            position = where + len("<span")
        done = position
    out.append(html[done:])
    return "".join(out)


def _rows(html: str, start: int, end: int) -> list[tuple[int, str]]:
    """(where the row's span opens, its text) of each row of a formula's tag column."""
    marks = []
    position = html.find(_ROW, start, end)
    while position >= 0:
        marks.append(position)
        position = html.find(_ROW, position + 1, end)
    rows = []
    for index, mark in enumerate(marks):
        opening = html.rfind("<span", start, mark)  # the row's own span, just before its strut
        stop = marks[index + 1] if index + 1 < len(marks) else end
        rows.append((opening, _TEXT.sub("", html[mark:stop]).strip()))
    return rows
