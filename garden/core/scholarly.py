"""Settings for writing like a paper: BibTeX files, the citation style, theorem numbering.

Read from ``garden.yaml``::

    bibliography: [references.bib, more.bib]   # default: references.bib beside garden.yaml
    citations:
      style: author-year        # or numeric
      format: plain             # a pybtex formatting style for reference lists (plain, unsrt, alpha…)
    theorems:
      numbering: shared         # one counter for every kind, or per-kind
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from garden.core.problems import Problems

DEFAULT_BIBLIOGRAPHY = "references.bib"
CITATION_STYLES = ("author-year", "numeric")
THEOREM_NUMBERING = ("shared", "per-kind")
KEYS = ("bibliography", "citations", "theorems")  # the garden.yaml keys read here


@dataclass(frozen=True)
class Scholarly:
    """Where the BibTeX files are and how citations and theorems are numbered and shown."""

    bibliography: tuple[Path, ...] = ()
    style: str = "author-year"
    format: str = "plain"
    theorem_numbering: str = "shared"
    missing: tuple[Path, ...] = field(default=())  # named in garden.yaml but not there


def scholarly_settings(data: dict[str, Any], where: Path, root: Path, problems: Problems) -> Scholarly:
    """The settings from the config mapping ``data`` (errors go to ``problems``, at ``where``)."""
    named = data.get("bibliography")
    paths: list[Path] = []
    missing: list[Path] = []
    if named is None:
        default = root / DEFAULT_BIBLIOGRAPHY
        if default.is_file():
            paths.append(default)
    else:
        names = [named] if isinstance(named, str) else named
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.error(
                where, 0, "'bibliography' must be a path or a list of paths", "bibliography: [a.bib]"
            )
            names = []
        for name in names:
            path = (root / name).resolve()
            if path.is_file():
                paths.append(path)
            else:
                missing.append(path)
                problems.warning(
                    where,
                    0,
                    f"bibliography file {name} not found",
                    "check the path (relative to garden.yaml)",
                )
    citations = _mapping(data, "citations", where, problems)
    style = str(citations.get("style") or "author-year")
    if style not in CITATION_STYLES:
        problems.error(
            where,
            0,
            f"unknown citation style {style!r}",
            f"write citations.style: one of {', '.join(CITATION_STYLES)}",
        )
        style = "author-year"
    form = str(citations.get("format") or "plain")
    theorems = _mapping(data, "theorems", where, problems)
    numbering = str(theorems.get("numbering") or "shared")
    if numbering not in THEOREM_NUMBERING:
        problems.error(
            where,
            0,
            f"unknown theorem numbering {numbering!r}",
            f"write theorems.numbering: one of {', '.join(THEOREM_NUMBERING)}",
        )
        numbering = "shared"
    return Scholarly(tuple(dict.fromkeys(paths)), style, form, numbering, tuple(missing))


def _mapping(data: dict[str, Any], key: str, where: Path, problems: Problems) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        problems.error(where, 0, f"'{key}' must be a mapping", f"{key}:\\n  style: ...")
        return {}
    return value
