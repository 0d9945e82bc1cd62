r"""A math preamble (``math.preamble`` in garden.yaml): the macro definitions of a ``.sty`` or
``.tex`` file, as Obsidian's MathJax preamble plugins read them, for every note.

Read: ``\newcommand``, ``\renewcommand``, ``\providecommand`` (starred too, with an optional
argument's default), ``\def``/``\gdef``/``\edef``/``\xdef`` (delimited parameters too),
``\DeclareMathOperator`` and ``\DeclareMathOperator*``, ``\let``; ``%`` comments and package
housekeeping (``\usepackage``, ``\ProvidesPackage``, ``\makeatletter``, …) are skipped. Each
definition becomes one global KaTeX definition (``\gdef``), run once before any note's
formulas; anything else is a ``path:line`` warning and is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"\\([A-Za-z@]+|.)")
_SKIPPED = {
    "usepackage",
    "RequirePackage",
    "NeedsTeXFormat",
    "ProvidesPackage",
    "ProvidesFile",
    "makeatletter",
    "makeatother",
    "endinput",
    "relax",
    "ExplSyntaxOn",
    "ExplSyntaxOff",
}
_DEFINERS = {"newcommand", "renewcommand", "providecommand"}
_DEFS = {"def", "gdef", "edef", "xdef"}
SUPPORTED = r"\newcommand, \renewcommand, \providecommand, \def, \DeclareMathOperator and \let"


@dataclass(frozen=True)
class PreambleProblem:
    line: int  # 1-based line in the preamble file
    message: str
    hint: str


@dataclass
class Preamble:
    """The definitions read from one or more preamble files, in order."""

    definitions: list[str]
    problems: list[PreambleProblem]
    lines: list[int]  # the 1-based line each definition was read from (for KaTeX's refusals)


class _Unreadable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Reader:
    """A cursor over the preamble's text that knows TeX's braces, comments and names."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def line(self, pos: int | None = None) -> int:
        return self.text.count("\n", 0, self.pos if pos is None else pos) + 1

    def skip_space(self) -> None:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "%":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end + 1
            elif char.isspace():
                self.pos += 1
            else:
                return

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos : self.pos + 1]

    def name(self) -> str:
        """``\\foo`` or ``{\\foo}``: the macro's name with its backslash."""
        self.skip_space()
        if self.peek() == "{":
            inner = self.group()
            match = _NAME.fullmatch(inner.strip())
            if not match:
                raise _Unreadable(f"expected a macro name like {{\\foo}}, found {{{inner}}}")
            return "\\" + match.group(1)
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise _Unreadable("expected a macro name like \\foo")
        self.pos = match.end()
        return match.group(0)

    def group(self) -> str:
        """A balanced ``{…}`` group's inside (comments dropped)."""
        self.skip_space()
        if self.text[self.pos : self.pos + 1] != "{":
            raise _Unreadable("expected { here")
        start, depth, out = self.pos, 0, []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos : self.pos + 2])
                self.pos += 2
                continue
            if char == "%":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end + 1
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    self.pos += 1
                    return "".join(out[1:])
            out.append(char)
            self.pos += 1
        self.pos = start
        raise _Unreadable("this { is never closed")

    def optional(self) -> str | None:
        """A ``[…]`` argument's inside, if one comes next."""
        if self.peek() != "[":
            return None
        end = self.text.find("]", self.pos)
        if end < 0:
            raise _Unreadable("this [ is never closed")
        inside = self.text[self.pos + 1 : end]
        self.pos = end + 1
        return inside

    def until_brace(self) -> str:
        """A ``\\def``'s parameter text: everything up to its body's ``{``."""
        end = self.text.find("{", self.pos)
        if end < 0:
            raise _Unreadable("this definition has no body in { }")
        params = self.text[self.pos : end]
        self.pos = end
        return params


def read_preamble(text: str) -> Preamble:
    """The definitions of one preamble file, and what in it cannot be read."""
    reader = _Reader(text)
    definitions: list[str] = []
    problems: list[PreambleProblem] = []
    lines: list[int] = []
    while True:
        reader.skip_space()
        if reader.pos >= len(text):
            break
        start = reader.pos
        try:
            read = _statement(reader, problems)
            definitions.extend(read)
            lines.extend([reader.line(start)] * len(read))
        except _Unreadable as exc:
            problems.append(
                PreambleProblem(reader.line(start), f"cannot read the preamble here: {exc.message}", _HINT)
            )
            end = text.find("\n", max(reader.pos, start + 1))
            reader.pos = len(text) if end < 0 else end + 1
    return Preamble(definitions, problems, lines)


_HINT = f"a preamble may hold {SUPPORTED}; put anything else in a note's formula"


def _statement(reader: _Reader, problems: list[PreambleProblem]) -> list[str]:
    start = reader.pos
    match = _NAME.match(reader.text, reader.pos)
    if not match:
        end = reader.text.find("\n", reader.pos)
        found = reader.text[reader.pos : end if end >= 0 else None].strip()
        raise _Unreadable(f"text outside any definition: {found[:40]!r}")
    command = match.group(1)
    reader.pos = match.end()
    starred = reader.text.startswith("*", reader.pos)
    if starred:
        reader.pos += 1
    if command in _SKIPPED:
        while reader.peek() in ("[", "{"):
            reader.optional() if reader.peek() == "[" else reader.group()
        return []
    if command in _DEFINERS:
        name = reader.name()
        count = reader.optional()
        default = reader.optional() if count is not None else None
        body = reader.group()
        try:
            number = int(count) if count is not None else 0
        except ValueError:
            raise _Unreadable(f"{name}: [{count}] is not a number of arguments") from None
        params = "".join(f"#{i}" for i in range(1, number + 1))
        if default is None:
            return [f"\\gdef{name}{params}{{{body}}}"]
        helper = f"{name}@garden@opt"  # takes the optional argument between brackets
        rest = "".join(f"#{i}" for i in range(2, number + 1))
        return [
            f"\\gdef{helper}[#1]{rest}{{{body}}}",
            f"\\gdef{name}{{\\@ifnextchar[{{{helper}}}{{{helper}[{default}]}}}}",
        ]
    if command in _DEFS:
        name = reader.name()
        params = reader.until_brace().strip()
        body = reader.group()
        return [f"\\gdef{name}{params}{{{body}}}"]
    if command == "DeclareMathOperator":
        name = reader.name()
        body = reader.group()
        operator = "\\operatorname*" if starred else "\\operatorname"
        return [f"\\gdef{name}{{{operator}{{{body}}}}}"]
    if command == "let":
        name = reader.name()
        reader.skip_space()
        if reader.text.startswith("=", reader.pos):
            reader.pos += 1
        reader.skip_space()
        target = _NAME.match(reader.text, reader.pos)
        if target:
            reader.pos = target.end()
            return [f"\\global\\let{name}{target.group(0)}"]
        if reader.pos < len(reader.text):
            reader.pos += 1
            return [f"\\global\\let{name}{reader.text[reader.pos - 1]}"]
        raise _Unreadable(f"\\let{name} has nothing to copy")
    line = reader.line(start)
    while reader.peek() in ("[", "{"):  # its arguments go with it: one warning per command
        reader.optional() if reader.peek() == "[" else reader.group()
    problems.append(
        PreambleProblem(line, f"cannot read the preamble here: \\{command} is not a definition", _HINT)
    )
    return []
