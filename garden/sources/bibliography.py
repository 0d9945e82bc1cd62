"""The garden's library of citable works: BibTeX files and notes about papers.

BibTeX is read with pybtex, which knows BibTeX's grammar (``@string`` macros, ``#``
concatenation, braces, names). A file that does not parse loses only the entries its errors
fall in: each error is a ``path:line`` problem and the other entries still load. A key defined
twice warns, and the first definition wins; a note's ``paper:`` makes that note the work's
home (its citations link to the note), matched by key, DOI or arXiv id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from garden.core.problems import Problems
from garden.sources.citations import Citation

if TYPE_CHECKING:
    from pybtex.database import Entry

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s]*)", re.M)
_NOT_ENTRIES = {"string", "preamble", "comment"}
_ARXIV = re.compile(r"(?:arxiv[: ]\s*)?(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.I)


@dataclass
class Work:
    """One citable work: its BibTeX entry and where it was defined."""

    key: str
    entry: Entry
    source: Path | None  # the .bib file; None for a note's paper
    line: int
    home: str = ""  # slug of the note about it, if any
    text: str = ""  # the entry as written in its file

    def field(self, name: str) -> str:
        return str(self.entry.fields.get(name, "") or "")


@dataclass
class Library:
    """Every work the garden can cite, by key (the first definition of a key wins)."""

    works: dict[str, Work] = field(default_factory=dict)
    strings: list[str] = field(default_factory=list)  # the files' @string definitions, as written

    def add(self, work: Work, problems: Problems) -> None:
        first = self.works.get(work.key)
        if first is None:
            self.works[work.key] = work
            return
        if work.source is None:  # a note's paper with a key a .bib file has: the note is its home
            first.home = first.home or work.home
            return
        where = f"{first.source.name}:{first.line}" if first.source else f"the note {first.home}"
        problems.warning(
            work.source,
            work.line,
            f"duplicate BibTeX key '{work.key}': already defined at {where}; this entry is ignored",
            "rename one of the keys",
        )


def _chunks(text: str) -> list[tuple[int, str, str, str]]:
    """(1-based line, type, key, text) of every ``@`` item of a BibTeX text, in order."""
    matches = list(_ENTRY_START.finditer(text))
    chunks = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        line = text.count("\n", 0, match.start()) + 1
        chunks.append((line, match.group(1).lower(), match.group(2), text[match.start() : end]))
    return chunks


def load_bibtex(path: Path, problems: Problems, library: Library) -> None:
    """Add a BibTeX file's entries to ``library``; its errors become ``path:line`` problems.

    Each entry is parsed on its own (``@string`` macros carry over, in order), so an error is
    pinned to the entry it is in and costs only that entry.
    """
    import pybtex.errors
    from pybtex.database.input.bibtex import Parser
    from pybtex.scanner import PybtexError

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        problems.error(path, 0, f"cannot read the bibliography: {exc.strerror or exc}", "check the file")
        return
    except UnicodeDecodeError as exc:
        problems.error(path, 0, f"the bibliography is not UTF-8 text ({exc.reason})", "save it as UTF-8")
        return
    parser = Parser()
    first_line: dict[str, int] = {}
    for line, kind, key, chunk in _chunks(text):
        if kind not in _NOT_ENTRIES and key.lower() in first_line:
            problems.warning(
                path,
                line,
                f"duplicate BibTeX key '{key}': already defined at line {first_line[key.lower()]}; "
                "this entry is ignored",
                "rename one of the keys",
            )
            continue
        with pybtex.errors.capture() as captured:
            try:
                parser.parse_string(chunk)
            except PybtexError as exc:
                captured.append(exc)
        errors = [e for e in captured if getattr(e, "lineno", None) is not None]
        if kind == "string" and not errors:
            library.strings.append(chunk.strip())
        if kind in _NOT_ENTRIES:
            for error in errors:
                problems.error(
                    path, line + error.lineno - 1, f"BibTeX syntax error: {_message(error)}", "fix it"
                )
            continue
        first_line[key.lower()] = line
        entry = _find(parser.data.entries, key)
        if errors or entry is None:
            error = errors[0] if errors else None
            message = _message(error) if error is not None else "no entry could be read here"
            if error is not None and error.lineno > 1:
                message += f" (near line {line + error.lineno - 1})"
            problems.error(
                path,
                line,
                f"BibTeX entry '{key}' does not parse: {message}",
                "fix the entry: the others load without it",
            )
            if entry is not None:
                del parser.data.entries[key]
            continue
        library.add(Work(entry.key, entry, path, line, text=_entry_text(chunk)), problems)


def _entry_text(chunk: str) -> str:
    """An entry's own text: up to the bracket that closes it (what follows is a comment)."""
    depth = 0
    for index, char in enumerate(chunk):
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
            if depth == 0:
                return chunk[: index + 1].strip()
    return chunk.strip()


def _find(entries: object, key: str) -> Entry | None:
    try:
        return entries[key]  # type: ignore[index]  # pybtex's keys are case-insensitive
    except KeyError:
        return None


def _message(error: Exception) -> str:
    text = str(error)
    return re.sub(r"^syntax error in line \d+: ", "", text)


def load_library(files: tuple[Path, ...], papers: dict[str, Citation], problems: Problems) -> Library:
    """The BibTeX files (in order) and the notes' papers (slug -> citation) as one library."""
    from pybtex.database.input.bibtex import Parser

    library = Library()
    for path in files:
        load_bibtex(path, problems, library)
    by_id: dict[str, Work] = {}
    for work in library.works.values():
        for ident in _identifiers(work):
            by_id.setdefault(ident, work)
    for slug, citation in sorted(papers.items()):
        entry = Parser().parse_string(citation.bibtex).entries[citation.key]  # not parse_string(…,
        # "bibtex"): its plugin lookup scans every installed package's entry points each call
        work = Work(citation.key, entry, None, 0, slug)
        same = next((by_id[i] for i in _identifiers(work) if i in by_id), None)
        if same is not None and same.key != citation.key:
            same.home = same.home or slug  # the .bib names this paper by another key
            by_id.update(dict.fromkeys(_identifiers(work), same))
        library.add(work, problems)
    return library


def _identifiers(work: Work) -> list[str]:
    ids = []
    doi = work.field("doi").strip().lower()
    if doi:
        ids.append("doi:" + doi.removeprefix("https://doi.org/"))
    arxiv = arxiv_id(work)
    if arxiv:
        ids.append("arxiv:" + arxiv)
    return ids


def arxiv_id(work: Work) -> str:
    """The arXiv id of a work: its ``eprint`` (with ``archiveprefix = arXiv``), ``arxiv`` or an
    arXiv ``journal``/``url``."""
    prefix = work.field("archiveprefix").lower() or work.field("eprinttype").lower()
    candidates = [work.field("arxiv")]
    if prefix == "arxiv" or not prefix:
        candidates.append(work.field("eprint"))
    candidates += [work.field("journal"), work.field("url")]
    for text in candidates:
        if text and ("arxiv" in text.lower() or text is candidates[0] or prefix == "arxiv"):
            match = _ARXIV.search(text)
            if match:
                return match.group(1)
    return ""


def bibtex_of(work: Work) -> str:
    """The work's entry as BibTeX text, for ``references.bib`` and cache keys: as written in its
    file (pybtex's writer would escape its LaTeX again), else as pybtex writes it."""
    if work.text:
        return work.text + "\n"
    from pybtex.database import BibliographyData
    from pybtex.database.output.bibtex import Writer  # directly: no plugin lookup per call

    return Writer().to_string(BibliographyData({work.key: work.entry}))
