"""The pipeline end to end: load → parse → link → render → write."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from . import pages
from .assets import AssetMissing
from .body import RenderEnv, heading_slice, install_render_rules, render_tokens
from .config import Config, find_config, load_config
from .figure_data import figure_outputs, make_figures
from .figures import Figure
from .graph import LinkGraph, build_graph, one_typo_apart
from .linking import Edge, Heading, headings_of, link_note
from .links import Resolver, Target
from .markdown import create_parser, parse, parse_notes
from .mathrender import Katex, MathCollector, fill_math, find_katex
from .notes import Note, check_slugs, discover, load_note
from .output import OutputError, check_output_dir, write_site
from .paths import Urls, normalize
from .problems import Problems
from .taxonomy import Section, Taxonomy, build_taxonomy

RESERVED = ("tags", "planned", "katex", "css", "js")
MAX_TRANSCLUSION_DEPTH = 8
Progress = Callable[[int, int], None]


@dataclass
class BuildOptions:
    config_path: Path | None = None
    notes_dir: Path | None = None
    out_dir: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False
    write: bool = True
    root: Path | None = None


@dataclass
class BuildResult:
    problems: Problems
    notes: int = 0
    pages: int = 0
    seconds: float = 0.0
    out_dir: Path | None = None
    written: bool = False
    planned: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.problems.errors)


@dataclass
class Garden:
    """Everything the page emitters need: the one object templates' data comes from."""

    config: Config
    urls: Urls
    taxonomy: Taxonomy
    notes: dict[str, Note]  # slug -> note, every published note incl. section texts and home
    section_of: dict[str, Section | None]  # note slug -> its section (None: unfiled)
    section_text: dict[str, Note]  # section path -> the note that is its text
    html: dict[str, str]  # note slug -> rendered body
    headings: dict[str, list[Heading]]
    links: LinkGraph
    edges: dict[str, list[Edge]] = field(default_factory=dict)

    def title_of(self, slug: str) -> str:
        if slug in self.notes and slug not in self.section_text:
            return self.notes[slug].title
        section = self.taxonomy.by_path.get(slug)
        if section is not None:
            return section.title
        return self.notes[slug].title if slug in self.notes else slug

    def url_of(self, slug: str) -> str:
        return self.urls.page(slug)


def _config_for(options: BuildOptions, problems: Problems) -> Config:
    root = (options.root or Path.cwd()).resolve()
    config_path = options.config_path or find_config(root)
    config = load_config(config_path, problems, root=root)
    if options.notes_dir is not None:
        config.notes_dir = options.notes_dir.resolve()
    if options.out_dir is not None:
        config.out_dir = options.out_dir.resolve()
    if options.base_url is not None:
        config.base_url = options.base_url
    config.drafts = options.drafts
    config.strict = options.strict
    return config


def load_notes(config: Config, problems: Problems) -> list[Note]:
    paths = discover(config.notes_dir, config.ignore, problems)
    notes = [note for path in paths if (note := load_note(path, config.notes_dir, problems))]
    published = [note for note in notes if config.drafts or not note.draft]
    published = check_slugs(published, problems)
    kept: list[Note] = []
    for note in published:
        head = note.slug.split("/", 1)[0]
        if head in RESERVED:
            problems.error(
                note.source,
                1,
                f"the URL '/{note.slug}/' is reserved for the site's own pages",
                f"move the note out of a folder named '{head}' or rename it",
            )
            continue
        kept.append(note)
    return kept


def place_notes(
    notes: list[Note], taxonomy: Taxonomy, problems: Problems
) -> tuple[dict[str, Section | None], dict[str, Note]]:
    """Each note's section (front-matter, else folder); notes that are a section's own text."""
    section_of: dict[str, Section | None] = {}
    section_text: dict[str, Note] = {}
    for note in notes:
        if note.slug in taxonomy.by_path:
            section_text[note.slug] = note
            section_of[note.slug] = taxonomy.by_path[note.slug]
            continue
        if note.section:
            section = taxonomy.lookup(note.section)
            if section is None:
                close = taxonomy.suggest(note.section)
                hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                valid = ", ".join(sorted(taxonomy.by_path)[:12])
                problems.error(
                    note.source,
                    note.section_line,
                    f"unknown section {note.section!r}",
                    hint or f"use a taxonomy path from garden.yaml, e.g. {valid}",
                )
            section_of[note.slug] = section
            continue
        folder = note.relative.parent.as_posix()
        section_of[note.slug] = taxonomy.for_folder(folder) if folder != "." else None
    return section_of, section_text


def _did_you_mean(
    notes: list[Note], edges: dict[str, list[Edge]], by_slug: dict[str, Note], problems: Problems
) -> None:
    names: dict[str, str] = {}
    for note in notes:
        for name in (note.title, *note.aliases):
            names.setdefault(normalize(name), name)
    for slug in sorted(edges):
        for edge in edges[slug]:
            if edge.target.kind != "planned":
                continue
            wanted = normalize(edge.target.slug)
            close = sorted(name for key, name in names.items() if one_typo_apart(wanted, key))
            if close:
                problems.warning(
                    by_slug[slug].source,
                    edge.line,
                    f"[[{edge.target.slug}]] is a planned note (no such note yet)",
                    f"did you mean [[{close[0]}]]?",
                )


def build_site(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Run the whole pipeline; write the site only if there are no errors."""
    started = time.perf_counter()
    problems = Problems()
    config = _config_for(options, problems)
    result = BuildResult(problems, out_dir=config.out_dir)
    if options.write and not _output_is_safe(config, problems):
        return result  # refused before reading a single note
    urls = Urls(config.base_url)
    taxonomy = build_taxonomy(config.taxonomy, config.path, problems)
    notes = load_notes(config, problems)
    section_of, section_text = place_notes(notes, taxonomy, problems)
    by_slug = {note.slug: note for note in notes}

    md = create_parser()
    install_render_rules(md)
    tokens: dict[str, list[Token]] = {}
    headings: dict[str, list[Heading]] = {}
    for note in notes:
        try:
            tokens[note.slug] = parse(md, note.body)
        except RecursionError:
            problems.error(
                note.source,
                1,
                "the note is nested too deeply to parse",
                "flatten deeply nested lists or quotes",
            )
            tokens[note.slug] = []
        for said in parse_notes(tokens[note.slug]):
            problems.warning(note.source, note.file_line(said.line), said.message, said.hint)
        headings[note.slug] = headings_of(tokens[note.slug], note)

    resolver = Resolver(
        notes,
        config.notes_dir,
        config.static_dir,
        section_paths=set(taxonomy.by_path) | {""},
        generated_files=figure_outputs(config.figures),
        find_section=lambda name: section.path if (section := taxonomy.lookup(name)) else None,
    )
    edges = {note.slug: link_note(note, tokens[note.slug], resolver, headings, problems) for note in notes}
    _did_you_mean(notes, edges, by_slug, problems)
    link_graph = build_graph(list(by_slug), edges)
    figures = make_figures(
        config.figures,
        config.path or config.root,
        urls,
        resolver,
        taxonomy,
        by_slug,
        section_of,
        link_graph,
        problems,
    )
    figure_by_path = {path: figure for figure in figures for path in figure.files}

    try:
        katex = Katex(find_katex(config.root), config.math_macros)
    except AssetMissing as exc:
        problems.error(config.path or config.root, 0, str(exc), "then run the build again")
        result.seconds = time.perf_counter() - started
        return result
    try:
        html = _render_bodies(md, notes, tokens, urls, katex, figure_by_path, problems, progress)
    finally:
        katex.close()

    garden = Garden(
        config, urls, taxonomy, by_slug, section_of, section_text, html, headings, link_graph, edges
    )
    files = pages.render_all(garden)
    for figure in figures:
        files.update(figure.files)
    copies = pages.asset_copies(garden, resolver, katex.dist)
    result.notes = len(notes)
    result.pages = sum(1 for path in files if path.endswith(".html"))
    result.planned = len(link_graph.planned)
    blocked = bool(problems.errors) or (options.strict and bool(problems.warnings))
    if options.write and not blocked and _output_is_safe(config, problems):
        try:
            write_site(config.out_dir, files, copies)
            result.written = True
        except OSError as exc:
            problems.error(
                config.out_dir,
                0,
                f"could not write the site: {exc.strerror or exc}",
                "free some disk space or check permissions; the previous site is untouched",
            )
    result.seconds = time.perf_counter() - started
    return result


def _output_is_safe(config: Config, problems: Problems) -> bool:
    """Refuse an output folder whose replacement would destroy something (checked again at write)."""
    try:
        check_output_dir(config.out_dir, config.notes_dir, [config.root / "templates", config.static_dir])
    except OutputError as exc:
        problems.error(config.out_dir, 0, str(exc), "pass --out with a new folder, or one garden built")
        return False
    except OSError as exc:
        problems.error(config.out_dir, 0, f"cannot check the output folder: {exc.strerror}", "check --out")
        return False
    return True


def _render_bodies(
    md,
    notes: list[Note],
    tokens: dict[str, list[Token]],
    urls: Urls,
    katex: Katex,
    figures: dict[str, Figure],
    problems: Problems,
    progress: Progress | None,
) -> dict[str, str]:
    by_slug = {note.slug: note for note in notes}
    html: dict[str, str] = {}

    def transclude(target: Target, stack: list[str], line: int) -> str:
        host = by_slug[stack[-1]]
        if target.slug not in tokens:
            return ""
        title = by_slug[target.slug].title
        link = f'<a class="internal" href="{urls.page(target.slug, target.anchor)}">{_esc(title)}</a>'
        if target.slug in stack or len(stack) > MAX_TRANSCLUSION_DEPTH:
            problems.warning(
                host.source,
                host.file_line(line),
                f"transclusion cycle: {' → '.join([*stack[stack.index(target.slug) :], target.slug])}"
                if target.slug in stack
                else f"transclusions nested deeper than {MAX_TRANSCLUSION_DEPTH}",
                "embed a heading instead, or link with [[...]] rather than ![[...]]",
            )
            message = f"Embedding {link} here would repeat forever."
            return f'<div class="transclusion transclusion-cycle">{message}</div>'
        part = tokens[target.slug]
        if target.anchor:
            sliced = heading_slice(part, target.anchor)
            if sliced is None:
                return f'<div class="transclusion">{link}: heading not found.</div>'
            part = sliced
        env = RenderEnv(
            urls, current_math[0], transclude, [*stack, target.slug], embedded=True, figures=figures
        )
        inner = render_tokens(md, part, env)
        return (
            f'<blockquote class="transclusion" cite="{urls.page(target.slug, target.anchor)}">\n'
            f'<div class="transclusion-source">{link}</div>\n{inner}</blockquote>\n'
        )

    current_math: list[MathCollector] = [MathCollector()]
    for index, note in enumerate(notes):
        collector = MathCollector()
        current_math[0] = collector
        env = RenderEnv(urls, collector, transclude, [note.slug], figures=figures)
        page_tokens = _without_title_heading(tokens[note.slug]) if note.title_from_h1 else tokens[note.slug]
        try:
            body = render_tokens(md, page_tokens, env)
        except RecursionError:
            problems.error(
                note.source,
                1,
                "the note is nested too deeply to render",
                "flatten deeply nested lists or quotes",
            )
            body = ""
        body, failures = fill_math(body, collector, katex)
        for failure in failures:
            problems.warning(
                note.source,
                note.file_line(failure.line),
                f"formula failed: {failure.message}",
                f"check the TeX of ${failure.tex[:60]}$; it is shown as source",
            )
        html[note.slug] = body
        if progress:
            progress(index + 1, len(notes))
    return html


def _esc(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def _without_title_heading(tokens: list[Token]) -> list[Token]:
    """Drop the first ``# Title`` heading: the page shows the title itself."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return tokens[:index] + tokens[index + 3 :]
    return tokens
