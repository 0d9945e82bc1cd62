r"""TeX that MathJax (Obsidian) accepts and KaTeX refuses, rewritten so it renders the same.

One rewrite, tried only on a formula KaTeX has refused: a command that takes arguments used as
a bare sub- or superscript (``J_\overline{V}``, ``x^\vec{a}``, ``e^\frac{1}{2}``) is wrapped in
braces with its arguments (``J_{\overline{V}}``), as MathJax reads it; when the command comes
from a macro (``\bar`` defined as ``\overline``), every command with a ``{`` argument after
``_`` or ``^`` is wrapped. A formula still refused gets a hint that says how to write it.
"""

from __future__ import annotations

import re

_BARE = re.compile(r"Got function '(\\[A-Za-z@]+)' with no arguments as (subscript|superscript)")
# Arguments of the commands that take more than one; any other takes one.
_ARITY = {
    "\\frac": 2,
    "\\dfrac": 2,
    "\\tfrac": 2,
    "\\cfrac": 2,
    "\\binom": 2,
    "\\dbinom": 2,
    "\\tbinom": 2,
    "\\overset": 2,
    "\\underset": 2,
    "\\stackrel": 2,
    "\\textcolor": 2,
    "\\colorbox": 2,
}


def rewrite_for_katex(tex: str, message: str) -> str:
    """``tex`` with the bare sub/superscript command KaTeX complained about wrapped in braces
    (every such use of it); ``tex`` itself when the message is about something else."""
    match = _BARE.search(message)
    if not match:
        return tex
    command = match.group(1)
    pattern = re.compile(r"([_^])\s*(" + re.escape(command) + r")(?![A-Za-z@])")
    if not pattern.search(tex):  # a macro that expands to it (\bar defined as \overline)
        pattern = re.compile(r"([_^])\s*(\\[A-Za-z@]+)(?=\s*\{)")
    out: list[str] = []
    pos = 0
    for found in pattern.finditer(tex):
        if found.start() < pos:
            continue
        end = _after_arguments(tex, found.end(), _ARITY.get(found.group(2), 1))
        out.append(tex[pos : found.start()])
        out.append(f"{found.group(1)}{{{found.group(2)}{tex[found.end() : end]}}}")
        pos = end
    out.append(tex[pos:])
    return "".join(out)


def _after_arguments(tex: str, pos: int, count: int) -> int:
    """The index after ``count`` arguments (``{…}`` groups, ``[…]`` options, single tokens)."""
    for _ in range(count):
        while pos < len(tex) and tex[pos].isspace():
            pos += 1
        while pos < len(tex) and tex[pos] == "[":  # \sqrt[3]{x}: options come first
            close = tex.find("]", pos)
            if close < 0:
                return pos
            pos = close + 1
        if pos >= len(tex):
            return pos
        if tex[pos] == "{":
            depth = 0
            while pos < len(tex):
                if tex[pos] == "\\":
                    pos += 2
                    continue
                depth += {"{": 1, "}": -1}.get(tex[pos], 0)
                pos += 1
                if depth == 0:
                    break
        elif tex[pos] == "\\":
            command = re.match(r"\\([A-Za-z@]+|.)", tex[pos:])
            pos += len(command.group(0)) if command else 1
        else:
            pos += 1
    return min(pos, len(tex))


def hint_for(tex: str, message: str) -> str:
    """How to fix a formula KaTeX refuses, in the writer's terms."""
    match = _BARE.search(message)
    if match:
        return (
            f"put braces around {match.group(1)} and its arguments after _ or ^, "
            f"as in J_{{{match.group(1)}{{V}}}}"
        )
    if message.startswith("Undefined control sequence"):
        return (
            "define the macro in math.macros or a math.preamble file in garden.yaml, "
            f"or check its spelling in ${tex[:60]}$"
        )
    return f"check the TeX of ${tex[:60]}$; it is shown as source"
