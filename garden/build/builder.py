"""The build loop: inputs → compile → place → link → graph → figures → model → emit → write.

``Builder`` runs one build or, kept alive by the preview server, many. A full build runs every
stage over every note; a quick rebuild (a few notes' bodies changed, nothing another page can
see) runs the same stages (``stages.py``) over the notes that changed and rewrites only the
pages they touch. Either way the site is the same, byte for byte.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from garden.build import stages
from garden.build.compiling import NoteStore, Progress
from garden.build.failures import WRITE_FAILURES, report_write_failure
from garden.build.indexing import SearchIndexing
from garden.build.inputs import BuildOptions, BuildResult, Inputs, gather_inputs, unchanged_result
from garden.build.quick import State, quick_rebuild
from garden.build.stages import Linked, phase
from garden.build.write import Generated, output_is_safe, write_site
from garden.core.boundary import LEAVES_HINT, leaves_message, links_leaving
from garden.core.cache import Cache, Manifest, fingerprint
from garden.core.config import Config
from garden.core.discovery import describe_config
from garden.core.locations import AssetMissing
from garden.core.paths import Urls
from garden.core.problems import Problem, Problems
from garden.figures.data import StartedFigures, figure_outputs, make_figures, start_figures
from garden.figures.draw import Figure
from garden.linking.cite import Citer
from garden.linking.graph import LinkGraph, build_graph
from garden.linking.resolve import Resolver
from garden.linking.suggest import DidYouMean
from garden.markdown.blocks import Block
from garden.markdown.links import Heading
from garden.markdown.mathrender import find_katex
from garden.markdown.references import format_references
from garden.model import Garden
from garden.pages import assets, emit
from garden.pages.reader import graph_files
from garden.pages.templates import Page, TemplateFailed, make_environment, render_page
from garden.publish.cards import CardRun, CardSource
from garden.publish.files import Published, begin_cards, publish
from garden.sources.bibliography import Library, bibtex_of, load_library
from garden.sources.citations import Citation, bibliography
from garden.sources.dates import fill_dates
from garden.sources.folders import folder_taxonomy
from garden.sources.notes import Note, check_slugs, drop_reserved
from garden.sources.taxonomy import Section, Taxonomy, build_taxonomy, place_notes, spell_as_folders

if TYPE_CHECKING:
    from garden.markdown.compile import NoteArtifact


class Builder:
    """Runs builds; kept alive by the preview server so rebuilds reuse what it knows."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.store = NoteStore(options.jobs)
        self.manifest: Manifest | None = None
        self.in_place = False  # the preview server rewrites only changed files, in place
        self.state: State | None = None  # the last good build, for the preview's quick rebuilds
        self.inputs: Inputs | None = None  # inputs already gathered (by the CLI's quick check)
        self.search = SearchIndexing()
        self._cards: CardRun | None = None  # social cards being drawn during a build
        self._temporary: Any = None

    def close(self) -> None:
        from garden.markdown.workers import close_local

        self.settle()
        close_local()
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def settle(self, timeout: float | None = 120) -> None:
        """Wait until the search index has caught up with the site."""
        self.search.settle(timeout)

    def _cards_dir(self, cache: Cache) -> Path:
        """Where social cards are kept between builds; a temporary folder with --no-cache."""
        if cache.folder is not None:
            return cache.folder / "cards"
        if self._temporary is None:
            import tempfile

            self._temporary = tempfile.TemporaryDirectory(prefix="garden-cards-")
        return Path(self._temporary.name)

    def build(self, progress: Progress | None = None, full: bool = False) -> BuildResult:
        """Run the whole pipeline; write the site only if there are no errors.

        ``full`` skips the "nothing changed" shortcut: the preview's first build runs in full
        so that it knows the whole garden for the quick rebuilds that follow.
        """
        started = time.perf_counter()
        inputs = self.inputs if self.inputs is not None else gather_inputs(self.options, self.manifest)
        self.inputs = None
        try:
            unchanged = None if full else unchanged_result(inputs, self.options, started)
            if unchanged is not None:
                return unchanged
            if self.state is not None:
                quick = quick_rebuild(self, inputs, started)
                if quick is not None:
                    return quick
                self.state = None
            return self._full(inputs, started, progress)
        finally:
            if self._cards is not None:  # drawn and stored unless the build broke off
                self._cards.cancel()
                self._cards = None
            inputs.cache.close()

    # ------------------------------------------------------------------ the full build

    def _full(self, inputs: Inputs, started: float, progress: Progress | None) -> BuildResult:
        """Every stage in turn over every note; a stage that finds the build cannot go on stops it."""
        config = inputs.config
        result = BuildResult(inputs.problems, out_dir=config.out_dir, config_used=describe_config(config))
        run = Run(inputs, result, progress)
        phase("start")
        try:
            for name, stage in STAGES:
                if stage(self, run) is STOP:
                    break
                phase(name)
                # what a stage made and kept lives until the build ends: the collector need not
                # scan it again at each full collection (about 5 % of a cold build's CPU)
                gc.freeze()
        finally:
            gc.unfreeze()  # a preview builds again and again: this build's objects may go
        if run.published is not None:
            run.published.card_copies(run.problems, run.config.root)  # cached even when not written
        run.result.seconds = time.perf_counter() - started
        return run.result

    def _start(self, run: Run) -> object:
        config, problems = run.config, run.problems
        if self.options.write and not output_is_safe(config, problems):
            return STOP  # refused before reading a single note
        run.urls = Urls(config.base_url)
        run.result.no_host = not run.urls.origin
        for link, real in links_leaving(config.templates_dir):  # Jinja would read them
            problems.error(link, 0, leaves_message(real), LEAVES_HINT)
        declared = config.taxonomy or folder_taxonomy(config.notes_dir, run.inputs.paths)
        run.taxonomy = build_taxonomy(declared, config.path, problems)
        if config.keep_case:
            spell_as_folders(run.taxonomy, config.notes_dir, run.inputs.paths)
        try:
            run.katex = find_katex(config.root)
        except AssetMissing as exc:
            problems.error(config.path or config.root, 0, str(exc), "then run the build again")
            return STOP
        # plots need no notes: drawn (and numpy imported) while the notes compile
        run.started_figures = start_figures(config.figures, config.path or config.root, run.cache)
        return None

    def _compile(self, run: Run) -> object:
        compiled = self.store.compile_all(run.config, run.inputs.paths, run.cache, run.problems, run.progress)
        run.artifacts, run.keys, run.result.compiled = compiled
        return None

    def _place(self, run: Run) -> object:
        config, problems = run.config, run.problems
        notes = [a.note for a in run.artifacts.values() if config.drafts or not a.note.draft]
        run.notes = drop_reserved(check_slugs(notes, problems), problems)
        fill_dates(run.notes, config.notes_dir, problems)
        run.section_of, run.section_text = place_notes(run.notes, run.taxonomy, problems)
        run.by_slug = {note.slug: note for note in run.notes}
        run.artifact_of = {note.slug: run.artifacts[note.relative.as_posix()] for note in run.notes}
        if self.options.write:  # drawn in worker processes while the build goes on
            source = CardSource(config, run.taxonomy, run.by_slug, run.section_of, run.section_text)
            run.cards = self._cards = begin_cards(source, self._cards_dir(run.cache), problems)
        run.headings = {slug: artifact.headings for slug, artifact in run.artifact_of.items()}
        run.blocks = {slug: artifact.blocks for slug, artifact in run.artifact_of.items()}
        run.result.notes = len(run.notes)
        return None

    def _cite(self, run: Run) -> object:
        """The bibliography: BibTeX files and papers' notes; the cited works formatted."""
        from garden.markdown.workers import local_math

        config = run.config
        run.papers = bibliography(run.by_slug)
        run.library = load_library(config.scholarly.bibliography, run.papers, run.problems)
        clusters = {slug: a.citations for slug, a in run.artifact_of.items() if a.citations}
        keys = {item.key for found in clusters.values() for cluster in found for item in cluster.items}
        references = format_references(
            run.library,
            keys,
            config.scholarly.format,
            local_math(config.root, config.math_macros),
            run.problems,
            config.path or config.root,
            run.cache,
        )
        bibtex = {key: bibtex_of(run.library.works[key]) for key in sorted(references)}
        bibtex = {key: text for key, text in bibtex.items() if run.library.works[key].source is not None}
        run.citer = Citer(run.urls, references, clusters, config.scholarly.style, bibtex, run.library.strings)
        return None

    def _link(self, run: Run) -> object:
        config, taxonomy = run.config, run.taxonomy
        run.resolver = Resolver(
            run.notes,
            config.notes_dir,
            config.static_dir,
            section_paths={**{key: section.path for key, section in taxonomy.by_key.items()}, "": ""},
            generated_files=figure_outputs(config.figures),
            find_section=lambda name: section.path if (section := taxonomy.lookup(name)) else None,
        )
        run.did_you_mean = DidYouMean(run.notes)
        run.linked = stages.link_notes(
            run.artifact_of,
            run.resolver,
            run.headings,
            run.did_you_mean,
            run.blocks,
            set(run.library.works),
        )
        run.cycles = stages.cycle_problems(run.linked.edges, run.by_slug, run.section_text)
        for items in [*run.linked.problems.values(), run.cycles]:
            run.problems.items.extend(items)
        return None

    def _graph(self, run: Run) -> object:
        run.link_graph = build_graph(list(run.by_slug), run.linked.edges)
        run.result.planned = len(run.link_graph.planned)
        run.result.planned_notes = stages.planned_lines(run.link_graph, run.by_slug)
        return None

    def _figures(self, run: Run) -> object:
        config = run.config
        run.figures = make_figures(
            config.figures,
            config.path or config.root,
            run.urls,
            run.resolver,
            run.taxonomy,
            run.by_slug,
            run.section_of,
            run.link_graph,
            run.problems,
            run.cache,
            run.started_figures,
        )
        return None

    def _model(self, run: Run) -> object:
        load_html = self.store.html_loader(run.cache, run.keys)
        key_of = {slug: run.keys[note.relative.as_posix()] for slug, note in run.by_slug.items()}
        artifact_of = run.artifact_of
        run.garden = stages.assemble_garden(
            run.config,
            run.urls,
            run.taxonomy,
            run.by_slug,
            run.section_of,
            run.section_text,
            run.headings,
            run.link_graph,
            {slug: artifact.links for slug, artifact in artifact_of.items()},
            run.linked.targets,
            lambda slug: load_html(key_of[slug]),
            {slug: artifact.html_hash for slug, artifact in artifact_of.items()},
            {path: figure for figure in run.figures for path in figure.files},
            run.linked.edges,
            {slug: artifact.summary for slug, artifact in artifact_of.items()},
            run.papers,
            run.blocks,
            run.resolver.image_size,
            run.citer,
        )
        return None

    def _emit(self, run: Run) -> object:
        garden, result = run.garden, run.result
        run.page_list = emit.all_pages(garden)
        run.copies = assets.asset_copies(garden, run.resolver, run.katex, run.problems)
        run.generated = assets.generated_files()
        for produced in [*(figure.files for figure in run.figures), graph_files(garden, run.cache)]:
            run.generated.update(_as_generated(produced))
        taken = {p.path for p in run.page_list} | set(run.copies) | set(run.generated)
        published = publish(garden, {p.path for p in run.page_list}, taken, run.problems, run.cards)
        published.cards_failed = self.options.write and run.cards is None  # the cache was unusable
        run.page_list += published.redirects
        run.generated.update(_as_generated(published.files))
        run.published = published
        result.cards_drawn = published.cards_drawn
        result.pages = sum(1 for page in run.page_list if page.template != "redirect.html")
        return None

    def _write(self, run: Run) -> object:
        options, config, problems = self.options, run.config, run.problems
        blocked = bool(problems.errors) or (options.strict and bool(problems.warnings))
        if not options.write and not blocked:  # check: what the build would find, nothing written
            _render_without_writing(run.garden, run.page_list, config.out_dir, problems)
        if not options.write or blocked or not output_is_safe(config, problems):
            return STOP
        assert run.published is not None
        try:
            renderer, self.manifest = write_site(
                run.garden,
                run.page_list,
                run.generated,
                run.copies,
                run.published,
                run.inputs,
                run.result,
                self.in_place,
                self.search,
            )
        except WRITE_FAILURES as exc:
            report_write_failure(exc, config.out_dir, problems)
            return STOP
        run.cache.store_named("manifest", self.manifest)
        self.state = self._state_of(run, renderer.site_key)
        return None

    def _state_of(self, run: Run, site_key: str) -> State:
        """What a quick rebuild needs to know of this build."""
        memory = self.store.memory
        compile_problems = {
            relative: list(memory[key][1]) for relative, key in run.keys.items() if key in memory
        }
        known = {p for items in compile_problems.values() for p in items}
        known |= {p for items in run.linked.problems.values() for p in items} | set(run.cycles)
        assert run.published is not None
        return State(
            run.inputs.environment,
            dict(run.inputs.stats),
            run.artifacts,
            run.keys,
            run.garden,
            run.resolver,
            run.did_you_mean,
            compile_problems,
            run.linked.problems,
            run.cycles,
            [p for p in run.problems.items if p not in known],
            site_key,
            {p.path for p in run.page_list if p.template != "redirect.html"},
            run.published.feed_entries,
            frozenset(run.library.works),
        )


STOP = object()  # a stage's answer when the build cannot go on

# The full build, stage by stage (a quick rebuild runs the same stage functions over the notes
# that changed: see quick.py).
STAGES: list[tuple[str, Callable[[Builder, Run], object]]] = [
    ("start", Builder._start),
    ("compile", Builder._compile),
    ("place", Builder._place),
    ("cite", Builder._cite),
    ("link", Builder._link),
    ("graph", Builder._graph),
    ("figures", Builder._figures),
    ("model", Builder._model),
    ("emit", Builder._emit),
    ("write", Builder._write),
]


@dataclass
class Run:
    """What one full build knows so far: each stage reads what the ones before it found."""

    inputs: Inputs
    result: BuildResult
    progress: Progress | None
    urls: Urls = field(default_factory=Urls)
    taxonomy: Taxonomy = field(default_factory=Taxonomy)
    katex: Path = field(default_factory=Path)
    artifacts: dict[str, NoteArtifact] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    by_slug: dict[str, Note] = field(default_factory=dict)
    artifact_of: dict[str, NoteArtifact] = field(default_factory=dict)
    section_of: dict[str, Section | None] = field(default_factory=dict)
    section_text: dict[str, Note] = field(default_factory=dict)
    cards: CardRun | None = None
    headings: dict[str, list[Heading]] = field(default_factory=dict)
    blocks: dict[str, list[Block]] = field(default_factory=dict)
    resolver: Resolver = field(init=False)
    did_you_mean: DidYouMean = field(init=False)
    papers: dict[str, Citation] = field(default_factory=dict)
    library: Library = field(default_factory=Library)
    citer: Citer | None = None
    linked: Linked = field(default_factory=Linked)
    cycles: list[Problem] = field(default_factory=list)
    link_graph: LinkGraph = field(init=False)
    figures: list[Figure] = field(default_factory=list)
    started_figures: StartedFigures | None = None
    garden: Garden = field(init=False)
    page_list: list[Page] = field(default_factory=list)
    copies: dict[str, Path] = field(default_factory=dict)
    generated: Generated = field(default_factory=dict)
    published: Published | None = None

    @property
    def config(self) -> Config:
        return self.inputs.config

    @property
    def problems(self) -> Problems:
        return self.inputs.problems

    @property
    def cache(self) -> Cache:
        return self.inputs.cache


def _as_generated(files: dict[str, bytes]) -> Generated:
    return {path: (fingerprint("bytes", data), lambda data=data: data) for path, data in files.items()}


def _render_without_writing(garden: Garden, page_list: list[Page], out_dir: Path, problems: Problems) -> None:
    """Render every page as the build would and drop it, so that ``check`` reports the
    templates' errors (``template:line``) the build would."""
    env, site = make_environment(garden.config.templates_dir), emit.site_data(garden)
    try:
        for page in page_list:
            render_page(env, page, site)
    except TemplateFailed as exc:
        report_write_failure(exc, out_dir, problems)


def build_site(
    options: BuildOptions, progress: Progress | None = None, inputs: Inputs | None = None
) -> BuildResult:
    """One build, start to end (the CLI's ``build`` and ``check``)."""
    builder = Builder(options)
    builder.inputs = inputs
    try:
        return builder.build(progress)
    finally:
        builder.close()
