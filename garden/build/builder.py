"""The build loop: inputs → compile → place → link → graph → figures → model → emit → write.

``Builder`` runs one build or, kept alive by the preview server, many. A full build runs every
stage over every note; a quick rebuild (a few notes' bodies changed, nothing another page can
see) runs the same stages (``stages.py``) over the notes that changed and rewrites only the
pages they touch. Either way the site is the same, byte for byte.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from garden.build import stages
from garden.build.compiling import NoteStore, Progress
from garden.build.indexing import SearchIndexing
from garden.build.inputs import BuildOptions, BuildResult, Inputs, gather_inputs, unchanged_result
from garden.build.output import SiteWriter, write_marker
from garden.build.stages import PageRenderer, phase
from garden.build.write import output_is_safe, write_site
from garden.core.addresses import PLANNED, page_file
from garden.core.cache import Cache, Manifest, fingerprint
from garden.core.locations import AssetMissing
from garden.core.paths import Urls
from garden.core.problems import Problem, Problems
from garden.figures.data import figure_outputs, make_figures
from garden.linking.graph import build_graph
from garden.linking.resolve import Resolver
from garden.linking.suggest import DidYouMean
from garden.markdown.mathrender import find_katex
from garden.model import Garden
from garden.pages import assets, emit
from garden.pages.reader import graph_files
from garden.publish.cards import CardRun, CardSource
from garden.publish.feeds import Entry
from garden.publish.files import begin_cards, feed_and_sitemap, publish
from garden.sources.citations import bibliography
from garden.sources.dates import fill_dates
from garden.sources.notes import check_slugs, drop_reserved
from garden.sources.taxonomy import build_taxonomy, place_notes

if TYPE_CHECKING:
    from garden.markdown.compile import NoteArtifact

Generated = dict[str, tuple[str, Callable[[], bytes]]]  # site path -> (fingerprint, its bytes)


@dataclass
class State:
    """What the last successful build knew, kept in memory by a long-lived builder (serve)."""

    environment: str
    stats: dict[Path, tuple[int, int]]
    artifacts: dict[str, NoteArtifact]  # relative path -> compiled note
    keys: dict[str, str]  # relative path -> cache key
    garden: Garden
    resolver: Resolver
    did_you_mean: DidYouMean
    compile_problems: dict[str, list[Problem]]  # relative path -> problems of compiling it
    link_problems: dict[str, list[Problem]]  # slug -> problems of its links
    cycle_problems: list[Problem]
    other_problems: list[Problem]
    site_key: str
    page_paths: set[str]  # pages (not redirects) the sitemap lists
    feed_entries: dict[str, Entry]  # slug -> its feed entry


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
                quick = self._quick(inputs, started)
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

    # ------------------------------------------------------------------ quick rebuilds

    def _quick(self, inputs: Inputs, started: float) -> BuildResult | None:
        """The same stages over the few notes whose bodies changed, reusing what the last build
        knew for the rest.

        Only when nothing another page can see has changed (titles, aliases, tags, links, headings,
        the config, templates, the set of files); otherwise None, and a full build runs. The
        result is the same as a full build's: tests compare the two byte for byte.
        """
        state, options, config = self.state, self.options, inputs.config
        assert state is not None
        if not options.write or inputs.problems.items or inputs.environment != state.environment:
            return None
        if inputs.stats.keys() != state.stats.keys():
            return None
        changed = [path for path, stat in inputs.stats.items() if stat != state.stats[path]]
        if not changed or len(changed) > 16:
            return None
        from garden.markdown.workers import compile_paths

        compiled = compile_paths(changed, config.notes_dir, config.root, config.math_macros, 1)
        updates: dict[str, tuple[str, NoteArtifact, list[Problem], str]] = {}
        for path, (key, (artifact, found), html) in compiled.items():
            relative = path.relative_to(config.notes_dir).as_posix()
            old = state.artifacts.get(relative)
            if (
                artifact is None
                or old is None
                or stages.artifact_signature(artifact) != (stages.artifact_signature(old))
            ):
                return None
            updates[relative] = (key, artifact, found, html)
        garden = state.garden
        if any(update[1].note.slug not in garden.notes for update in updates.values()):
            return None  # a draft or a note left out: let the full build decide
        date_problems = Problems()
        fill_dates([update[1].note for update in updates.values()], config.notes_dir, date_problems)
        if date_problems.items:
            return None

        artifacts, keys = dict(state.artifacts), dict(state.keys)
        compile_problems = dict(state.compile_problems)
        notes, refs = dict(garden.notes), dict(garden.filler.refs)
        html_hash, summaries = dict(garden.filler.html_hash), dict(garden.summaries)
        changed_artifacts: dict[str, NoteArtifact] = {}
        for relative, (key, artifact, found, html) in updates.items():
            slug = artifact.note.slug
            changed_artifacts[slug] = artifact
            artifacts[relative], keys[relative] = artifact, key
            self.store.memory[key], self.store.html[key] = (artifact, found), html
            compile_problems[relative] = list(found)
            notes[slug], refs[slug], html_hash[slug] = artifact.note, artifact.links, artifact.html_hash
            summaries[slug] = artifact.summary
        relinked = stages.link_notes(changed_artifacts, state.resolver, garden.headings, state.did_you_mean)
        changed_slugs = set(changed_artifacts)
        edges = {**garden.edges, **relinked.edges}
        link_problems = {**state.link_problems, **relinked.problems}
        cycles = stages.cycle_problems(edges, notes, garden.section_text)
        problems = Problems(
            [
                *state.other_problems,
                *(p for items in compile_problems.values() for p in items),
                *(p for items in link_problems.values() for p in items),
                *cycles,
            ]
        )
        if problems.errors or (options.strict and problems.warnings):
            return None
        link_graph = garden.links.with_contexts(relinked.edges)
        key_of = {artifact.note.slug: keys[relative] for relative, artifact in artifacts.items()}
        load_html = self.store.html_loader(inputs.cache, keys)
        new_garden = stages.assemble_garden(
            garden.config,
            garden.urls,
            garden.taxonomy,
            notes,
            garden.section_of,
            garden.section_text,
            garden.headings,
            link_graph,
            refs,
            garden.filler.targets,  # the same links, resolved the same way
            lambda slug: load_html(key_of[slug]),
            html_hash,
            garden.filler.figures,
            edges,
            summaries,
            garden.citations,
        )
        new_garden._view = garden._view  # titles, sections and links are unchanged: so is the graph view

        result = BuildResult(problems, out_dir=config.out_dir)
        manifest = self.manifest or inputs.manifest
        new_pages = dict(manifest.pages)
        paths = _touched_pages(garden, link_graph, edges, changed_slugs)
        writer = SiteWriter(config.out_dir, in_place=True)
        renderer = PageRenderer(new_garden, state.site_key, inputs.cache.folder)
        renderer.render_changed(
            emit.all_pages(new_garden, only=paths),
            manifest.pages,
            new_pages,
            lambda _path: True,
            writer.write,
            result,
        )
        listed = sorted(p for p in manifest.pages if p.endswith("index.html") and p in state.page_paths)
        unchanged = {slug: e for slug, e in state.feed_entries.items() if slug not in changed_slugs}
        files, feed_entries = feed_and_sitemap(new_garden, listed, unchanged)
        for path, data in files.items():
            key = fingerprint("bytes", data)
            if path in new_pages and new_pages[path] != key:
                new_pages[path] = key
                writer.write(path, data)
                result.changed_paths.append(path)
        build_id = stages.build_id_of(new_pages)
        where = config.path or config.root
        if result.changed_paths and not self.in_place:  # indexed now: its warnings are this build's
            self.search.finish(None, config.out_dir, problems, where, self.in_place)
        write_marker(config.out_dir, build_id)
        result.written = True
        result.notes, result.pages = len(notes), manifest.summary.get("pages", 0)
        result.planned = len(link_graph.planned)
        self.manifest = stages.manifest_of(build_id, inputs.fingerprint, config, new_pages, problems, result)
        self.store.remember(config.notes_dir, updates, inputs.stats, inputs.cache)
        inputs.cache.store_named("manifest", self.manifest)

        state.stats, state.artifacts, state.keys = dict(inputs.stats), artifacts, keys
        state.garden, state.compile_problems, state.link_problems = (
            new_garden,
            compile_problems,
            link_problems,
        )
        state.cycle_problems, state.feed_entries = cycles, feed_entries
        result.compiled = len(updates)
        result.quick = True
        if result.changed_paths and self.in_place:  # Pagefind starts once all else is done
            self.search.finish(None, config.out_dir, problems, where, self.in_place)
        result.seconds = time.perf_counter() - started
        return result


def _as_generated(files: dict[str, bytes]) -> Generated:
    return {path: (fingerprint("bytes", data), lambda data=data: data) for path, data in files.items()}


def _touched_pages(
    garden: Garden, link_graph: Any, edges: dict[str, list], changed_slugs: set[str]
) -> set[str]:
    """The pages an edit of ``changed_slugs``' bodies can change: the notes themselves, notes
    that embed them, the pages they link to (their backlinks quote the linking sentence) and
    the planned-notes page."""
    section_text = {path: note.slug for path, note in garden.section_text.items()}
    embedded_by: dict[str, set[str]] = {}
    for source, out in edges.items():
        for edge in out:
            if edge.embed and edge.target.kind in ("note", "section"):
                target = section_text.get(edge.target.slug, edge.target.slug)
                embedded_by.setdefault(target, set()).add(source)
    affected = set(changed_slugs)
    frontier = list(changed_slugs)
    while frontier:
        for source in embedded_by.get(frontier.pop(), ()):
            if source not in affected:
                affected.add(source)
                frontier.append(source)
    for slug in changed_slugs:
        affected.update(garden.links.outlinks.get(slug, []))
        affected.update(link_graph.outlinks.get(slug, []))
    paths = {page_file(slug) for slug in affected}
    if any(garden.links.planned_out.get(s) or link_graph.planned_out.get(s) for s in changed_slugs):
        paths.add(page_file(PLANNED))
    return paths


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
