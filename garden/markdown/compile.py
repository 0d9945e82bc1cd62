"""Compile one note file into an artifact that depends on nothing but its bytes.

The artifact holds the note's metadata, its headings, its links (unresolved) and its body HTML
with math already rendered and every link left as a placeholder. Because it depends only on the
file (and the site's math macros), it can be cached by content hash and computed in parallel;
linking the garden together happens later, by filling the placeholders (``linking/fill.py``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from markdown_it.token import Token

from garden.core.paths import slugify
from garden.core.plaindata import plain
from garden.core.problems import Problem, Problems
from garden.markdown import placeholders
from garden.markdown.blocks import Block, blocks_of, duplicate_ids
from garden.markdown.citations import Cluster
from garden.markdown.equation_rows import anchor_rows
from garden.markdown.heading_ids import rendered_headings
from garden.markdown.html import RenderEnv, install_render_rules, render_tokens
from garden.markdown.links import Heading, LinkRef, collect_links, headings_of
from garden.markdown.mathcompat import hint_for
from garden.markdown.mathrender import Katex, MathCollector, defines_macros, fill_math, find_katex
from garden.markdown.parser import create_parser, parse_notes
from garden.markdown.plaintext import first_paragraph, plain_text, shorten
from garden.markdown.rawlinks import raw_html_links
from garden.markdown.scholarly import SITE_REFS, TAGGING_MACROS, Writing, numbered_blocks
from garden.sources.notes import Note, load_note


@plain
@dataclass
class NoteArtifact:
    """Everything the build needs from one note file."""

    note: Note  # with its body dropped
    headings: list[Heading]
    links: list[LinkRef]
    html: str  # body HTML, math rendered, links as placeholders
    html_hash: str
    problems: list[Problem] = field(default_factory=list)
    summary: str = ""  # the first paragraph as plain text: a description when none is written
    blocks: list[Block] = field(default_factory=list)  # what ``[[Note#^id]]`` can name
    citations: list[Cluster] = field(default_factory=list)  # [@key] as written, filled in later


class Compiler:
    """A markdown-it parser and (lazily) a KaTeX context: one per process."""

    def __init__(
        self,
        project_root: Path,
        macros: dict[str, str],
        preamble: tuple[str, ...] = (),
        options: dict[str, str] | None = None,
    ) -> None:
        self.md = create_parser()
        install_render_rules(self.md)
        self.project_root = project_root
        self.options = dict(options or {})  # settings that change how a note compiles (in its key)
        self.macros = macros
        self.preamble = preamble  # definitions read from math.preamble (preamble.py)
        self.tagging = tagging_macros(self.macros, preamble)
        self.site_refs = site_ref_commands(self.macros, preamble)
        self._katex: Katex | None = None

    @property
    def katex(self) -> Katex:
        if self._katex is None:
            self._katex = Katex(find_katex(self.project_root), self.macros, self.preamble)
        return self._katex

    @property
    def preamble_failures(self) -> list[tuple[int, str]] | None:
        """KaTeX's refusals of the preamble's definitions (index, message), once it has run
        them; None while KaTeX is not started."""
        if self._katex is None:
            return None
        return [(int(index), str(message)) for index, message in self._katex.preamble_failures]

    def close(self) -> None:
        if self._katex is not None:
            self._katex.close()
            self._katex = None

    def compile(self, path: Path, notes_dir: Path) -> tuple[NoteArtifact | None, list[Problem]]:
        """Load, parse and render one note; no artifact when it cannot be read at all."""
        return self.compile_many([path], notes_dir)[0]

    def compile_many(
        self, paths: list[Path], notes_dir: Path, contents: list[bytes | None] | None = None
    ) -> list[tuple[NoteArtifact | None, list[Problem]]]:
        """Compile several notes, rendering all their formulas in one KaTeX call.

        Each call into V8 costs about a millisecond of thread hand-offs whatever it renders,
        so a worker's chunk of notes shares one call instead of paying one per note.
        ``contents``: the files' bytes, where the caller has read them already.
        """
        contents = contents or [None] * len(paths)
        drafts = [self._draft(path, notes_dir, data) for path, data in zip(paths, contents, strict=True)]
        formulas = [
            (f.tex, f.display)
            for draft in drafts
            if not defines_macros(draft.collector.formulas)  # those render on their own, in order
            for f in draft.collector.formulas
        ]
        if formulas:
            self.katex.render(formulas)  # memoised: each draft's fill below finds its formulas
        return [self._finish(draft) for draft in drafts]

    def _draft(self, path: Path, notes_dir: Path, data: bytes | None = None) -> _Draft:
        """Parse a note and render its body with math left as placeholders."""
        problems = Problems()
        collector = MathCollector()
        note = load_note(path, notes_dir, problems, data)
        if note is None:
            return _Draft(path, problems, collector)
        env: dict = dict(self.options)
        if self.tagging is not None:
            env[TAGGING_MACROS] = self.tagging
        if self.site_refs:
            env[SITE_REFS] = self.site_refs
        try:
            tokens = self.md.parse(note.body, env)
        except RecursionError:
            problems.error(path, 1, "the note is nested too deeply to parse", "flatten deeply nested lists")
            tokens = []
        for said in parse_notes(tokens):
            problems.warning(path, note.file_line(said.line), said.message, said.hint)
        if not note.titled:
            opening = opening_title(tokens, note.title)
            if opening is not None:
                note.title, note.title_from_h1 = opening, True
        writing: Writing = env.get("scholarly") or Writing()
        for said in writing.problems:
            also = f" (first at line {note.file_line(said.also)})" if said.also is not None else ""
            problems.warning(path, note.file_line(said.line), said.message + also, said.hint)
        headings = headings_of(tokens, note)
        blocks = blocks_of(tokens, note)
        for block_id, line in duplicate_ids(tokens):
            problems.warning(
                path,
                note.file_line(line),
                f"block id ^{block_id} is used twice in this note: links go to the first",
                "give each block its own id",
            )
        links = collect_links(note, tokens)
        raw_html_links(note, tokens, links)
        summary = shorten(first_paragraph(tokens))
        if note.title_from_h1:
            tokens = _without_title_heading(tokens)
            headings = _title_at_the_top(headings)
        if any(token.type == "heading_open" and token.tag == "h1" for token in tokens):
            headings = _demote_headings(tokens, headings, note.title_from_h1)
        try:
            html = render_tokens(self.md, tokens, RenderEnv(collector))
        except RecursionError:
            problems.error(path, 1, "the note is nested too deeply to render", "flatten deeply nested lists")
            html = ""
        for line, excerpt in collector.lost:  # in raw HTML blocks, found while rendering them
            problems.warning(
                path,
                note.file_line(line),
                f"$$ shown as text in {excerpt!r}: no $$ closes it in this HTML block",
                "close the formula with $$ before the HTML element ends (a blank line ends the block), "
                "or write &#36;&#36; for dollar signs",
            )
        if writing.clusters:
            html += placeholders.references() + "\n"
        draft = _Draft(path, problems, collector, note, headings, links, summary, html)
        draft.blocks = numbered_blocks(blocks, writing, note)
        draft.citations = [replace(c, line=note.file_line(c.line)) for c in writing.clusters]
        return draft

    def _finish(self, draft: _Draft) -> tuple[NoteArtifact | None, list[Problem]]:
        """Fill in the rendered formulas and seal the artifact."""
        note, problems = draft.note, draft.problems
        if note is None:
            return None, problems.items
        html, failures = (
            fill_math(draft.html, draft.collector, self.katex)
            if draft.collector.formulas
            else (draft.html, [])
        )
        for failure in failures:
            problems.warning(
                draft.path,
                note.file_line(failure.line),
                f"formula failed: {failure.message}",
                hint_for(failure.tex, failure.message),
            )
        if "katex-tag" in html:  # a label on a row of an align: its id on that row's number
            html = anchor_rows(html, {b.anchor: b.label for b in draft.blocks if b.kind == "equation"})
        note.body = ""
        html_hash = hashlib.blake2b(html.encode(), digest_size=12).hexdigest()
        headings = rendered_headings(draft.headings, html)
        artifact = NoteArtifact(
            note,
            headings,
            draft.links,
            html,
            html_hash,
            problems.items,
            draft.summary,
            draft.blocks,
            draft.citations,
        )
        return artifact, problems.items


@dataclass
class _Draft:
    """A note parsed and rendered, its formulas still placeholders."""

    path: Path
    problems: Problems
    collector: MathCollector
    note: Note | None = None
    headings: list[Heading] = field(default_factory=list)
    links: list[LinkRef] = field(default_factory=list)
    summary: str = ""
    html: str = ""
    blocks: list[Block] = field(default_factory=list)
    citations: list[Cluster] = field(default_factory=list)


_DEFINED = re.compile(r"^\\gdef(\\[A-Za-z@]+)")


def tagging_macros(macros: dict[str, str], preamble: tuple[str, ...]) -> re.Pattern[str] | None:
    """The site's macros (math.macros, math.preamble) that write a ``\\tag`` of their own
    (``\\qedin`` as ``\\tag*{$\\blacksquare$}``): a row that uses one gets no number."""
    names = {name for name, body in macros.items() if "\\tag" in body}
    for definition in preamble:
        found = _DEFINED.match(definition)
        if found and "\\tag" in definition:
            names.add(found.group(1))
    if not names:
        return None
    return re.compile("|".join(re.escape(name) for name in sorted(names)) + r"(?![A-Za-z])")


_REF_COMMANDS = ("eqref", "ref", "autoref", "cref", "Cref")


def site_ref_commands(macros: dict[str, str], preamble: tuple[str, ...]) -> frozenset[str]:
    """The cross-reference commands (``\\ref``, ``\\cref``…) the site defines itself in
    math.macros or math.preamble: inside formulas they are the writer's macros, rendered by KaTeX
    as defined (as Obsidian's MathJax does), not garden's references to labels."""
    names = {name.lstrip("\\") for name in macros}
    for definition in preamble:
        found = _DEFINED.match(definition)
        if found:
            names.add(found.group(1).lstrip("\\"))
    return frozenset(name for name in _REF_COMMANDS if name in names)


def _title_at_the_top(headings: list[Heading]) -> list[Heading]:
    """The heading that became the page's title is at the top of the page: links to it go there
    (an empty anchor), since the body no longer holds it."""
    for index, heading in enumerate(headings):
        if heading.level == 1:
            return [*headings[:index], replace(heading, anchor=""), *headings[index + 1 :]]
    return headings


def _demote_headings(tokens: list[Token], headings: list[Heading], titled_by_h1: bool) -> list[Heading]:
    """The page's title is its one ``<h1>``: a body that still has top-level headings (a note
    that uses ``#`` for its sections) has each heading shown one level down, ``<h6>`` at most.
    Ids stay as they are, so links to the headings still land. The title's own entry (the
    first level-1 heading, when the title came from it) is left as it is."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    title = next((i for i, h in enumerate(headings) if h.level == 1), None) if titled_by_h1 else None
    return [h if i == title else replace(h, level=min(h.level + 1, 6)) for i, h in enumerate(headings)]


def opening_title(tokens: list[Token], name: str) -> str | None:
    """The title a note gives itself: a top-level heading (``# Title`` or a ``===`` underline)
    that opens the note, when it is the note's only one or when it names the file (``Limit``
    in ``limit.md``). A note with several top-level headings otherwise uses them as sections."""
    top = [i for i, token in enumerate(tokens) if token.type == "heading_open" and token.tag == "h1"]
    if not top or top[0] != 0:
        return None
    text = plain_text(tokens[1].children or []).strip()
    if not text or (len(top) > 1 and slugify(text) != slugify(name)):
        return None
    return text


def _without_title_heading(tokens: list[Token]) -> list[Token]:
    """Drop the first ``# Title`` heading: the page shows the title itself."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return tokens[:index] + tokens[index + 3 :]
    return tokens
