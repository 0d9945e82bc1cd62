"""Numbered equations: ``\\label{name}`` in a display formula numbers it, per note and in order.

LaTeX's rules: every row of an unstarred ``equation``/``align``/``gather``… environment is
numbered (``\\nonumber``/``\\notag`` opt out, ``\\tag{…}`` names its own), and a ``$$ … $$``
formula is numbered when it holds a ``\\label``. Each number is written into the TeX as an
explicit ``\\tag{n}``, so KaTeX prints it (its own counters would restart in every formula),
and the formula's box carries an ``id`` per label, so ``\\eqref{name}`` and ``[[Note#name]]``
can link to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from garden.core.paths import heading_anchor

LABEL = re.compile(r"\\label\s*\{([^{}]*)\}")
_TAG = re.compile(r"\\tag\*?\s*\{([^{}]*)\}")
_NO_NUMBER = re.compile(r"\\(?:nonumber|notag)(?![A-Za-z])")
_ENV = re.compile(r"^\s*\\begin\{([A-Za-z]+)(\*?)\}(.*)\\end\{\1\2\}\s*$", re.S)
_ROWS_ENVS = {"align", "gather", "flalign", "alignat", "eqnarray"}
_ONE_NUMBER_ENVS = {"equation", "multline"}
_ROW_START = re.compile(r"^\s*\\\\(?:\[[^\]]*\])?")
_SPLITTER = re.compile(r"\\begin\{[^}]*\}|\\end\{[^}]*\}|\\\\|\\[{}]|[{}]")


@dataclass
class EquationLabel:
    name: str
    number: str
    anchor: str


@dataclass
class Numbered:
    """A display formula after numbering: its new TeX and the labels it defines."""

    tex: str
    labels: list[EquationLabel] = field(default_factory=list)
    unnumbered_labels: list[str] = field(default_factory=list)  # \label on a \nonumber row


def equation_anchor(name: str) -> str:
    return "eq-" + (heading_anchor(name) or "label")


def _rows(body: str) -> list[str]:
    """The rows of an environment's body, split at ``\\\\`` outside braces and inner environments."""
    rows: list[str] = []
    depth = 0
    start = 0
    for match in _SPLITTER.finditer(body):
        token = match.group(0)
        if token == "{" or token.startswith("\\begin"):
            depth += 1
        elif token == "}" or token.startswith("\\end"):
            depth = max(depth - 1, 0)
        elif token == "\\\\" and depth == 0:
            rows.append(body[start : match.start()])
            start = match.start()  # the separator stays at the start of the next row
    rows.append(body[start:])
    return rows


def _number_row(
    row: str, counter: list[int], out: Numbered, force: bool, tagging: re.Pattern[str] | None = None
) -> str:
    """One row: its labels removed, a ``\\tag`` added when it is numbered. ``tagging``: the
    writer's macros that put a ``\\tag`` of their own (a preamble's ``\\qedin``)."""
    names = LABEL.findall(row)
    row = LABEL.sub("", row)
    if not names and not _ROW_START.sub("", row).strip():
        return row  # an empty row (after a trailing \\\\) has no number, as in LaTeX
    if not names and tagging is not None and tagging.search(row):
        return row  # tagged by the writer's macro: a second \\tag would break the formula
    if _NO_NUMBER.search(row):
        out.unnumbered_labels += names
        return row
    if not names and not force:
        return row
    own = _TAG.search(row)
    if own is not None:
        number = own.group(1)
    else:
        counter[0] += 1
        number = str(counter[0])
        stripped = row.rstrip()
        row = stripped + rf" \tag{{{number}}}" + row[len(stripped) :]
    out.labels += [EquationLabel(name.strip(), number, equation_anchor(name.strip())) for name in names]
    return row


def number_formula(tex: str, counter: list[int], tagging: re.Pattern[str] | None = None) -> Numbered:
    """Number a display formula, continuing the note's ``counter`` (a one-item list)."""
    env = _ENV.match(tex)
    if env is not None and not env.group(2):
        name, body = env.group(1), env.group(3)
        out = Numbered(tex)
        if name in _ROWS_ENVS:
            rows = [_number_row(row, counter, out, force=True, tagging=tagging) for row in _rows(body)]
            out.tex = f"\\begin{{{name}}}{''.join(rows)}\\end{{{name}}}"
            return out
        if name in _ONE_NUMBER_ENVS:
            inner = _number_row(body, counter, out, force=True, tagging=tagging)
            out.tex = f"\\begin{{{name}}}{inner}\\end{{{name}}}"
            return out
    out = Numbered(tex)
    if LABEL.search(tex):
        out.tex = _number_row(tex, counter, out, force=False)
    return out
