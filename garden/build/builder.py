"""The build loop: inputs → compile → place → link → graph → figures → model → emit → write.

``Builder`` runs one build or, kept alive by the preview server, many. A full build runs every
stage over every note; a quick rebuild (a few notes' bodies changed, nothing another page can
see) runs the same stages (``stages.py``) over the notes that changed and rewrites only the
pages they touch. Either way the site is the same, byte for byte.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from garden.build import stages
from garden.build.compiling import NoteStore, Progress
from garden.build.indexing import SearchIndexing
from garden.build.inputs import BuildOptions, BuildResult, Inputs, gather_inputs, unchanged_result
from garden.build.quick import State, quick_rebuild
from garden.build.stages import phase
from garden.build.write import output_is_safe, write_site
from garden.core.cache import Cache, Manifest, fingerprint
from garden.core.locations import AssetMissing
from garden.core.paths import Urls
from garden.figures.data import figure_outputs, make_figures
from garden.linking.graph import build_graph
from garden.linking.resolve import Resolver
from garden.linking.suggest import DidYouMean
from garden.markdown.mathrender import find_katex
from garden.pages import assets, emit
from garden.pages.reader import graph_files
from garden.publish.cards import CardRun, CardSource
from garden.publish.files import begin_cards, publish
from garden.sources.citations import bibliography
from garden.sources.dates import fill_dates
from garden.sources.notes import check_slugs, drop_reserved
from garden.sources.taxonomy import build_taxonomy, place_notes

if TYPE_CHECKING:
    pass

Generated = dict[str, tuple[str, Callable[[], bytes]]]  # site path -> (fingerprint, its bytes)


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
        options = self.options
        problems, config, cache = inputs.problems, inputs.config, inputs.cache
        result = BuildResult(problems, out_dir=config.out_dir)
        if options.write and not output_is_safe(config, problems):
            return result  # refused before reading a single note
        urls = Urls(config.base_url)
        taxonomy = build_taxonomy(config.taxonomy, config.path, problems)
        try:
            katex = find_katex(config.root)
        except AssetMissing as exc:
            problems.error(config.path or config.root, 0, str(exc), "then run the build again")
            result.seconds = time.perf_counter() - started
            return result

        phase("start")
        artifacts, keys, result.compiled = self.store.compile_all(
            config, inputs.paths, cache, problems, progress
        )

        phase("compile")
        notes = [a.note for a in artifacts.values() if config.drafts or not a.note.draft]
        notes = drop_reserved(check_slugs(notes, problems), problems)
        fill_dates(notes, config.notes_dir, problems)
        by_slug = {note.slug: note for note in notes}
        artifact_of = {note.slug: artifacts[note.relative.as_posix()] for note in notes}
        key_of = {note.slug: keys[note.relative.as_posix()] for note in notes}
        section_of, section_text = place_notes(notes, taxonomy, problems)
        cards = None
        if options.write:  # drawn in worker processes while the build goes on
            source = CardSource(config, taxonomy, by_slug, section_of, section_text)
            cards = self._cards = begin_cards(source, self._cards_dir(cache), problems)
        headings = {slug: artifact.headings for slug, artifact in artifact_of.items()}

        phase("place")
        resolver = Resolver(
            notes,
            config.notes_dir,
            config.static_dir,
            section_paths=set(taxonomy.by_path) | {""},
            generated_files=figure_outputs(config.figures),
            find_section=lambda name: section.path if (section := taxonomy.lookup(name)) else None,
        )
        did_you_mean = DidYouMean(notes)
        linked = stages.link_notes(artifact_of, resolver, headings, did_you_mean)
        cycles = stages.cycle_problems(linked.edges, by_slug, section_text)
        for items in [*linked.problems.values(), cycles]:
            problems.items.extend(items)

        phase("link")
        link_graph = build_graph(list(by_slug), linked.edges)
        phase("graph")
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
            cache,
        )
        load_html = self.store.html_loader(cache, keys)
        garden = stages.assemble_garden(
            config,
            urls,
            taxonomy,
            by_slug,
            section_of,
            section_text,
            headings,
            link_graph,
            {slug: artifact.links for slug, artifact in artifact_of.items()},
            linked.targets,
            lambda slug: load_html(key_of[slug]),
            {slug: artifact.html_hash for slug, artifact in artifact_of.items()},
            {path: figure for figure in figures for path in figure.files},
            linked.edges,
            {slug: artifact.summary for slug, artifact in artifact_of.items()},
            bibliography(by_slug),
        )
        result.notes = len(notes)
        result.planned = len(link_graph.planned)

        phase("figures")
        page_list = emit.all_pages(garden)
        copies = assets.asset_copies(garden, resolver, katex)
        generated: Generated = assets.generated_files()
        files = [figure.files for figure in figures] + [graph_files(garden, cache)]
        for produced in files:
            generated.update(_as_generated(produced))
        taken = {p.path for p in page_list} | set(copies) | set(generated)
        published = publish(garden, {p.path for p in page_list}, taken, problems, cards)
        published.cards_failed = options.write and cards is None  # the cache could not be used
        page_list += published.redirects
        generated.update(_as_generated(published.files))
        result.cards_drawn = published.cards_drawn
        result.pages = sum(1 for page in page_list if page.template != "redirect.html")
        blocked = bool(problems.errors) or (options.strict and bool(problems.warnings))

        phase("pages")
        if options.write and not blocked and output_is_safe(config, problems):
            try:
                renderer, self.manifest = write_site(
                    garden,
                    page_list,
                    generated,
                    copies,
                    published,
                    inputs,
                    result,
                    self.in_place,
                    self.search,
                )
                cache.store_named("manifest", self.manifest)
                compile_problems = {
                    relative: list(self.store.memory[key][1])
                    for relative, key in keys.items()
                    if key in self.store.memory
                }
                known = {p for items in compile_problems.values() for p in items}
                known |= {p for items in linked.problems.values() for p in items} | set(cycles)
                self.state = State(
                    inputs.environment,
                    dict(inputs.stats),
                    artifacts,
                    keys,
                    garden,
                    resolver,
                    did_you_mean,
                    compile_problems,
                    linked.problems,
                    cycles,
                    [p for p in problems.items if p not in known],
                    renderer.site_key,
                    {p.path for p in page_list if p.template != "redirect.html"},
                    published.feed_entries,
                )
            except OSError as exc:
                problems.error(
                    config.out_dir,
                    0,
                    f"could not write the site: {exc.strerror or exc}",
                    "free some disk space or check permissions; the previous site is untouched",
                )
        published.card_copies(problems, config.root)  # cached even when the site is not written
        phase("write")
        result.seconds = time.perf_counter() - started
        return result


def _as_generated(files: dict[str, bytes]) -> Generated:
    return {path: (fingerprint("bytes", data), lambda data=data: data) for path, data in files.items()}


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
