"""The placeholders a compiled body carries until the rest of the garden is known.

``html.py`` writes them where a link, an embed or a formula goes; ``linking/fill.py`` and
``mathrender.fill_math`` find them with the patterns below. They are made of the control
characters STX and ETX, which never reach a body: ``sources/files.read_text`` replaces them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

START, END = "\x02", "\x03"

# Links: o/c open and close link N, e embeds N, p/q open and close a paragraph that holds only
# the embeds N,M… (it is dropped if they turn out to be blocks: a transclusion, a figure);
# k is citation N, r the note's list of references, t the text of link N (a numbered block's name),
# u the address alone of link N (an href or src in raw HTML: markdown/rawlinks.py).
LINK = re.compile(f"{START}([ocepqkrtu])([0-9,]*){END}")
# Formulas: the Nth formula of the body.
FORMULA = re.compile(f"{START}(\\d+){END}")


def link_open(index: int) -> str:
    return f"{START}o{index}{END}"


def link_close(index: int) -> str:
    return f"{START}c{index}{END}"


def embed(index: int) -> str:
    return f"{START}e{index}{END}"


def embeds_paragraph_open(indices: Iterable[int]) -> str:
    return f"{START}p{','.join(map(str, indices))}{END}"


def embeds_paragraph_close(indices: Iterable[int]) -> str:
    return f"{START}q{','.join(map(str, indices))}{END}"


def citation(index: int) -> str:
    return f"{START}k{index}{END}"


def references() -> str:
    return f"{START}r{END}"


def url_of(index: int) -> str:
    return f"{START}u{index}{END}"


def link_text(index: int) -> str:
    return f"{START}t{index}{END}"


def formula(index: int) -> str:
    return f"{START}{index}{END}"
