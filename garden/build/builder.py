"""The pipeline end to end: load → compile → link → figures → pages → write.

``Builder`` runs one build or, kept alive by the preview server, many: each note is compiled
once per content (cached on disk and in memory), links are resolved for the whole garden every
time (cheap), and only pages whose fingerprint changed are rendered and written.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from garden.build.inputs import BuildOptions, BuildResult, Inputs, gather_inputs, marker_id, unchanged_result
from garden.build.output import OutputError, SiteWriter, check_output_dir
from garden.core.addresses import PLANNED, RESERVED, page_file
from garden.core.cache import Cache, IndexEntry, Manifest, content_key, fingerprint
from garden.core.config import Config
from garden.core.locations import PACKAGE_TEMPLATES, AssetMissing
from garden.core.paths import Urls, normalize
from garden.core.problems import Problem, Problems
from garden.figures.data import figure_outputs, make_figures
from garden.linking.check import Edge, LinkRef, resolve_links
from garden.linking.fill import Filler
from garden.linking.graph import build_graph, one_typo_apart, transclusion_cycles
from garden.linking.resolve import Resolver, Target
from garden.markdown.mathrender import find_katex
from garden.model import Garden
from garden.pages import assets
from garden.pages import emit as pages
from garden.pages.reader import graph_files
from garden.publish.cards import CardRun, CardSource
from garden.publish.files import Published, begin_cards, feed_and_sitemap, publish
from garden.publish.search import BackgroundIndexer, IndexRun
from garden.sources.citations import bibliography
from garden.sources.dates import fill_dates
from garden.sources.notes import Note, check_slugs
from garden.sources.taxonomy import Section, Taxonomy, build_taxonomy

if TYPE_CHECKING:
    from garden.markdown.compile import NoteArtifact

Progress = Callable[[int, int], None]


_TIMINGS = bool(os.environ.get("GARDEN_TIMINGS"))
_last = [0.0]


def _phase(name: str) -> None:
    """With GARDEN_TIMINGS=1, print how long each stage took (for profiling builds)."""
    if _TIMINGS:
        now = time.perf_counter()
        if name != "start":
            print(f"  {name:<10} {1000 * (now - _last[0]):8.1f} ms", file=sys.stderr)
        _last[0] = now


# --------------------------------------------------------------------------- stages


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
                fallback = (
                    f"use a taxonomy path from garden.yaml, e.g. {valid}"
                    if valid
                    else "garden.yaml declares no taxonomy: add one, or remove 'section:'"
                )
                problems.error(
                    note.source, note.section_line, f"unknown section {note.section!r}", hint or fallback
                )
            section_of[note.slug] = section
            continue
        folder = note.relative.parent.as_posix()
        section_of[note.slug] = taxonomy.for_folder(folder) if folder != "." else None
    return section_of, section_text


def _reserved(notes: list[Note], problems: Problems) -> list[Note]:
    kept: list[Note] = []
    for note in notes:
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


class DidYouMean:
    """Finds titles and aliases one typo away from a planned link's name."""

    def __init__(self, notes: list[Note]) -> None:
        self.names: dict[str, str] = {}
        for note in notes:
            for name in (note.title, *note.aliases):
                self.names.setdefault(normalize(name), name)
        self.by_length: dict[int, list[str]] = {}
        for key in self.names:
            self.by_length.setdefault(len(key), []).append(key)

    def check(self, note: Note, edges: list[Edge], problems: Problems) -> None:
        for edge in edges:
            if edge.target.kind != "planned":
                continue
            wanted = normalize(edge.target.slug)
            size = len(wanted)
            candidates = [k for n in (size - 1, size, size + 1) for k in self.by_length.get(n, [])]
            close = sorted(self.names[key] for key in candidates if one_typo_apart(wanted, key))
            if close:
                problems.warning(
                    note.source,
                    edge.line,
                    f"[[{edge.target.slug}]] is a planned note (no such note yet)",
                    f"did you mean [[{close[0]}]]?",
                )


def artifact_signature(artifact: NoteArtifact) -> tuple:
    """Everything of a compiled note that other pages can see: not its body, lines or sentences."""
    note = artifact.note
    return (
        note.slug,
        note.title,
        tuple(note.aliases),
        tuple(note.tags),
        note.section,
        note.draft,
        note.status,
        note.description,
        note.weight,
        repr(note.paper),
        repr(note.extra),
        note.title_from_h1,
        tuple((h.level, h.text, h.anchor) for h in artifact.headings),
        tuple((r.kind, r.target, r.heading, r.label, r.title) for r in artifact.links),
    )


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


# --------------------------------------------------------------------------- the builder


class Builder:
    """Runs builds; kept alive by the preview server so rebuilds reuse what it knows."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.memory: dict[str, tuple[NoteArtifact | None, list[Problem]]] = {}
        self.html: dict[str, str] = {}  # artifact key -> body template, for notes in memory
        self.index: dict[str, IndexEntry] | None = None
        self.manifest: Manifest | None = None
        self.in_place = False  # the preview server rewrites only changed files, in place
        self.state: State | None = None  # the last good build, for the preview's quick rebuilds
        self._temporary: Any = None
        self.inputs: Inputs | None = None  # inputs already gathered (by the CLI's quick check)
        self.indexer: BackgroundIndexer | None = None  # the served site's search index, when in place
        self._cards: CardRun | None = None  # social cards being drawn during a build

    def close(self) -> None:
        from garden.markdown.workers import close_local

        self.settle()
        close_local()
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def settle(self, timeout: float | None = 120) -> None:
        """Wait until the search index has caught up with the site (see ``_finish_index``)."""
        if self.indexer is not None:
            self.indexer.wait(timeout)

    def _start_index(self, root: Path, out_dir: Path, where: Path) -> IndexRun | None:
        """Start Pagefind on a site written beside the old one (it must be indexed before the
        swap); None for a served site rewritten in place (see ``_finish_index``)."""
        if self.in_place and root.resolve() == out_dir.resolve():
            return None
        return IndexRun(root, where)

    def _finish_index(self, indexing: IndexRun | None, root: Path, problems: Problems, where: Path) -> None:
        """Wait for the index started by ``_start_index``; a served site rewritten in place is
        indexed in the background, after the live reload."""
        if indexing is None and not self.in_place:
            indexing = IndexRun(root, where)
        if indexing is not None:
            indexing.finish(problems)
            return
        if self.indexer is None:
            self.indexer = BackgroundIndexer()
        self.indexer.request(root, where)

    def _cards_dir(self, cache: Cache) -> Path:
        """Where social cards are kept between builds; a temporary folder with --no-cache."""
        if cache.folder is not None:
            return cache.folder / "cards"
        if self._temporary is None:
            import tempfile

            self._temporary = tempfile.TemporaryDirectory(prefix="garden-cards-")
        return Path(self._temporary.name)

    # ------------------------------------------------------------------ compile

    def _compile_all(
        self, config: Config, paths: list[Path], cache: Cache, problems: Problems, progress: Progress | None
    ) -> tuple[dict[str, NoteArtifact], dict[str, str], int]:
        """Artifacts by relative path, their keys, and how many were compiled afresh."""
        macros_key = fingerprint(config.math_macros)
        if self.index is None:
            stored = cache.load_named("index")
            self.index = stored if isinstance(stored, dict) else {}
            wanted = sorted({entry.key for entry in self.index.values()} - set(self.memory))
            self.memory.update(cache.load_many("notes", wanted))
        index = self.index
        new_index: dict[str, IndexEntry] = {}
        keys: dict[str, str] = {}
        results: dict[str, tuple[NoteArtifact | None, list[Problem]]] = {}
        to_compile: list[Path] = []
        for path in paths:
            relative = path.relative_to(config.notes_dir).as_posix()
            try:
                info = path.stat()
            except OSError:
                to_compile.append(path)
                continue
            entry = index.get(str(path))  # by absolute path: a copied garden is another garden
            if entry and entry.size == info.st_size and entry.mtime_ns == info.st_mtime_ns:
                key = entry.key
            else:
                try:
                    key = content_key(path.read_bytes(), path, macros_key)
                except OSError:
                    to_compile.append(path)
                    continue
            found = self.memory.get(key)
            if found is None:
                found = cache.load("notes", key)
                if found is not None:
                    self.memory[key] = found
            if found is None or (found[0] is not None and key not in self.html and not cache.enabled):
                to_compile.append(path)
                continue
            keys[relative] = key
            results[relative] = found
            new_index[str(path)] = IndexEntry(info.st_size, info.st_mtime_ns, key)
        from garden.markdown.workers import compile_paths

        compiled = compile_paths(
            to_compile, config.notes_dir, config.root, config.math_macros, self.options.jobs, progress
        )
        new_html: dict[str, str] = {}
        for path, (key, (artifact, found_problems), html) in compiled.items():
            relative = path.relative_to(config.notes_dir).as_posix()
            keys[relative] = key
            results[relative] = (artifact, found_problems)
            self.memory[key] = (artifact, found_problems)
            if artifact is not None:
                self.html[key] = new_html[key] = html
            try:
                info = path.stat()
                new_index[str(path)] = IndexEntry(info.st_size, info.st_mtime_ns, key)
            except OSError:
                pass
        live = set(keys.values())
        for key in [k for k in self.memory if k not in live]:
            self.memory.pop(key, None)
            self.html.pop(key, None)
        if compiled:
            cache.store_many("notes", {key: self.memory[key] for key in {c[0] for c in compiled.values()}})
            cache.store_many("html", new_html)
        if new_index != self.index:
            cache.store_named("index", new_index)
        if len(compiled) > 500:
            cache.prune("notes", live)
            cache.prune("html", live)
        self.index = new_index
        artifacts: dict[str, NoteArtifact] = {}
        seen = set(problems.items)
        for relative in sorted(results):
            artifact, found_problems = results[relative]
            for problem in found_problems:
                if problem not in seen:
                    seen.add(problem)
                    problems.items.append(problem)
            if artifact is not None:
                artifacts[relative] = artifact
        return artifacts, keys, len(compiled)

    def _html_loader(self, cache: Cache, keys: dict[str, str]) -> Callable[[str], str]:
        def load(key: str) -> str:
            if key in self.html:
                return self.html[key]
            html = cache.load("html", key)
            if not isinstance(html, str):
                raise RuntimeError(f"cache entry {key} vanished during the build; run with --no-cache")
            return html

        return load

    # ------------------------------------------------------------------ build

    def build(self, progress: Progress | None = None, full: bool = False) -> BuildResult:
        """Run the whole pipeline; write the site only if there are no errors.

        ``full`` skips the "nothing changed" shortcut: the preview's first build runs in full
        so that it knows the whole garden for the quick rebuilds that follow.
        """
        started = time.perf_counter()
        options = self.options
        inputs = self.inputs if self.inputs is not None else gather_inputs(options, self.manifest)
        self.inputs = None
        try:
            return self._build(inputs, started, progress, allow_unchanged=not full)
        finally:
            if self._cards is not None:  # drawn and stored unless the build broke off
                self._cards.cancel()
                self._cards = None
            inputs.cache.close()

    def _build(
        self, inputs: Inputs, started: float, progress: Progress | None, allow_unchanged: bool = True
    ) -> BuildResult:
        options = self.options
        quick = unchanged_result(inputs, options, started) if allow_unchanged else None
        if quick is not None:
            return quick
        if self.state is not None:
            delta = self._delta(inputs, started)
            if delta is not None:
                return delta
            self.state = None
        problems, config, cache, paths = inputs.problems, inputs.config, inputs.cache, inputs.paths
        manifest = inputs.manifest
        result = BuildResult(problems, out_dir=config.out_dir)
        if options.write and not _output_is_safe(config, problems):
            return result  # refused before reading a single note
        urls = Urls(config.base_url)
        taxonomy = build_taxonomy(config.taxonomy, config.path, problems)

        try:
            find_katex(config.root)
        except AssetMissing as exc:
            problems.error(config.path or config.root, 0, str(exc), "then run the build again")
            result.seconds = time.perf_counter() - started
            return result
        _phase("start")
        artifacts, keys, result.compiled = self._compile_all(config, paths, cache, problems, progress)

        _phase("compile")
        notes = [a.note for a in artifacts.values() if config.drafts or not a.note.draft]
        notes = _reserved(check_slugs(notes, problems), problems)
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

        _phase("place")
        resolver = Resolver(
            notes,
            config.notes_dir,
            config.static_dir,
            section_paths=set(taxonomy.by_path) | {""},
            generated_files=figure_outputs(config.figures),
            find_section=lambda name: section.path if (section := taxonomy.lookup(name)) else None,
        )
        refs: dict[str, list[LinkRef]] = {}
        targets: dict[str, list[Target]] = {}
        edges: dict[str, list[Edge]] = {}
        link_problems: dict[str, list[Problem]] = {}
        did_you_mean = DidYouMean(notes)
        for slug in sorted(artifact_of):
            artifact = artifact_of[slug]
            found = Problems()
            refs[slug] = artifact.links
            targets[slug], edges[slug] = resolve_links(
                artifact.note, artifact.links, resolver, headings, found
            )
            did_you_mean.check(artifact.note, edges[slug], found)
            link_problems[slug] = found.items
        cycles = Problems()
        transclusion_cycles(edges, by_slug, {p: n.slug for p, n in section_text.items()}, cycles)
        for items in [*link_problems.values(), cycles.items]:
            for problem in items:
                problems.items.append(problem)
        _phase("link")
        link_graph = build_graph(list(by_slug), edges)
        _phase("graph")
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
        load_html = self._html_loader(cache, keys)
        garden = Garden(
            config,
            urls,
            taxonomy,
            by_slug,
            section_of,
            section_text,
            headings,
            link_graph,
            Filler(
                urls,
                refs,
                targets,
                lambda slug: load_html(key_of[slug]),
                {slug: artifact.html_hash for slug, artifact in artifact_of.items()},
                lambda slug: garden.title_of(slug),
                {path: note.slug for path, note in section_text.items()},
                {path: figure for figure in figures for path in figure.files},
            ),
            edges,
        )
        garden.summaries = {slug: artifact.summary for slug, artifact in artifact_of.items()}
        garden.citations = bibliography(by_slug)
        result.notes = len(notes)
        result.planned = len(link_graph.planned)
        _phase("figures")
        page_list = pages.all_pages(garden)
        copies = assets.asset_copies(garden, resolver, find_katex(config.root))
        generated = assets.generated_files()
        for figure in figures:
            for path, data in figure.files.items():
                generated[path] = (fingerprint("bytes", data), lambda data=data: data)
        for path, data in graph_files(garden, cache).items():
            generated[path] = (fingerprint("bytes", data), lambda data=data: data)
        taken = {p.path for p in page_list} | set(copies) | set(generated)
        published = publish(garden, {p.path for p in page_list}, taken, problems, cards)
        published.cards_failed = options.write and cards is None  # the cache could not be used
        page_list += published.redirects
        for path, data in published.files.items():
            generated[path] = (fingerprint("bytes", data), lambda data=data: data)
        result.cards_drawn = published.cards_drawn
        result.pages = sum(1 for page in page_list if page.template != "redirect.html")
        blocked = bool(problems.errors) or (options.strict and bool(problems.warnings))
        _phase("pages")
        if options.write and not blocked and _output_is_safe(config, problems):
            try:
                site_key = self._write(
                    garden,
                    page_list,
                    generated,
                    copies,
                    published,
                    manifest,
                    inputs.fingerprint,
                    cache,
                    result,
                )
                compile_problems = {
                    relative: list(self.memory[key][1])
                    for relative, key in keys.items()
                    if key in self.memory
                }
                known = {p for items in compile_problems.values() for p in items}
                known |= {p for items in link_problems.values() for p in items} | set(cycles.items)
                self.state = State(
                    inputs.environment,
                    dict(inputs.stats),
                    artifacts,
                    keys,
                    garden,
                    resolver,
                    did_you_mean,
                    compile_problems,
                    link_problems,
                    list(cycles.items),
                    [p for p in problems.items if p not in known],
                    site_key,
                    {p.path for p in page_list if p.template != "redirect.html"},
                )
            except OSError as exc:
                problems.error(
                    config.out_dir,
                    0,
                    f"could not write the site: {exc.strerror or exc}",
                    "free some disk space or check permissions; the previous site is untouched",
                )
        published.card_copies(problems, config.root)  # cached even when the site is not written
        _phase("write")
        result.seconds = time.perf_counter() - started
        return result

    # ------------------------------------------------------------------ quick rebuilds

    def _delta(self, inputs: Inputs, started: float) -> BuildResult | None:
        """Rebuild after edits to a few notes' bodies, reusing everything else the last build knew.

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
            if artifact is None or old is None or artifact_signature(artifact) != artifact_signature(old):
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
        compile_problems, link_problems = dict(state.compile_problems), dict(state.link_problems)
        notes, refs = dict(garden.notes), dict(garden.filler.refs)
        edges, html_hash = dict(garden.edges), dict(garden.filler.html_hash)
        changed_slugs: set[str] = set()
        for relative, (key, artifact, found, html) in updates.items():
            slug = artifact.note.slug
            changed_slugs.add(slug)
            artifacts[relative], keys[relative] = artifact, key
            self.memory[key], self.html[key] = (artifact, found), html
            compile_problems[relative] = list(found)
            notes[slug], refs[slug], html_hash[slug] = artifact.note, artifact.links, artifact.html_hash
            problems = Problems()
            _, edges[slug] = resolve_links(
                artifact.note, artifact.links, state.resolver, garden.headings, problems
            )
            state.did_you_mean.check(artifact.note, edges[slug], problems)
            link_problems[slug] = problems.items
        cycles = Problems()
        section_text = {p: n.slug for p, n in garden.section_text.items()}
        transclusion_cycles(edges, notes, section_text, cycles)
        problems = Problems(
            [
                *state.other_problems,
                *(p for items in compile_problems.values() for p in items),
                *(p for items in link_problems.values() for p in items),
                *cycles.items,
            ]
        )
        if problems.errors or (options.strict and problems.warnings):
            return None
        link_graph = garden.links.with_contexts({slug: edges[slug] for slug in changed_slugs})
        key_of = {artifact.note.slug: keys[relative] for relative, artifact in artifacts.items()}
        load_html = self._html_loader(inputs.cache, keys)
        filler = Filler(
            garden.urls,
            refs,
            garden.filler.targets,
            lambda slug: load_html(key_of[slug]),
            html_hash,
            garden.filler.title_of,
            garden.filler.section_text,
            garden.filler.figures,
        )
        summaries = dict(garden.summaries)
        for _, artifact, _, _ in updates.values():
            summaries[artifact.note.slug] = artifact.summary
        new_garden = Garden(
            garden.config,
            garden.urls,
            garden.taxonomy,
            notes,
            garden.section_of,
            garden.section_text,
            garden.headings,
            link_graph,
            filler,
            edges,
            summaries,
            garden.citations,
        )
        filler.title_of = new_garden.title_of
        new_garden._view = garden._view  # titles, sections and links are unchanged: so is the graph view

        # the pages that can differ: the notes themselves, notes that embed them, the pages they
        # link to (their backlinks quote the linking sentence) and the planned-notes page
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

        result = BuildResult(problems, out_dir=config.out_dir)
        manifest = self.manifest or inputs.manifest
        new_pages = dict(manifest.pages)
        from garden.pages.templates import make_environment, render_page

        env = None
        site = None
        for page in pages.all_pages(new_garden, only=paths):
            key = fingerprint(page.template, page.context, state.site_key)
            new_pages[page.path] = key
            if manifest.pages.get(page.path) == key:
                continue
            if env is None:
                env = make_environment(config.templates_dir, inputs.cache.folder)
                site = pages.site_data(new_garden)
            _replace(config.out_dir / page.path, render_page(env, page, site))
            result.rendered += 1
            result.changed_paths.append(page.path)
        listed = sorted(p for p in manifest.pages if p.endswith("index.html") and p in state.page_paths)
        unchanged = {slug: e for slug, e in garden.feed_entries.items() if slug not in changed_slugs}
        for path, data in feed_and_sitemap(new_garden, listed, unchanged).items():
            key = fingerprint("bytes", data)
            if path in new_pages and new_pages[path] != key:
                new_pages[path] = key
                _replace(config.out_dir / path, data)
                result.changed_paths.append(path)
        build_id = build_id_of(new_pages)
        where = config.path or config.root
        if result.changed_paths and not self.in_place:  # indexed now: its warnings are this build's
            self._finish_index(None, config.out_dir, problems, where)
        write_marker(config.out_dir, build_id)
        result.written = True
        result.notes, result.pages = len(notes), manifest.summary.get("pages", 0)
        result.planned = len(link_graph.planned)
        self.manifest = Manifest(
            build_id,
            inputs.fingerprint,
            str(config.out_dir),
            new_pages,
            list(problems.items),
            {"notes": result.notes, "pages": result.pages, "planned": result.planned},
        )
        cache = inputs.cache
        cache.store_many("notes", {key: self.memory[key] for key, *_ in updates.values()})
        cache.store_many("html", {key: html for key, _, _, html in updates.values()})
        self.index = {
            **(self.index or {}),
            **{
                str(config.notes_dir / relative): IndexEntry(*inputs.stats[config.notes_dir / relative], key)
                for relative, (key, *_) in updates.items()
            },
        }
        cache.store_named("index", self.index)
        cache.store_named("manifest", self.manifest)

        state.stats, state.artifacts, state.keys = dict(inputs.stats), artifacts, keys
        state.garden, state.compile_problems, state.link_problems = (
            new_garden,
            compile_problems,
            link_problems,
        )
        state.cycle_problems = list(cycles.items)
        result.compiled = len(updates)
        result.quick = True
        if result.changed_paths and self.in_place:  # Pagefind starts once all else is done
            self._finish_index(None, config.out_dir, problems, where)
        result.seconds = time.perf_counter() - started
        return result

    def _write(
        self,
        garden: Garden,
        page_list: list[pages.Page],
        generated: dict[str, tuple[str, Callable[[], bytes]]],
        copies: dict[str, Path],
        published: Published,
        manifest: Manifest,
        inputs: str,
        cache: Cache,
        result: BuildResult,
    ) -> str:
        """Write the site beside the current one (or over it, in place) and swap it in.

        Social cards are still being drawn while the pages are written (``published``
        waits for them); Pagefind starts on the pages in the meantime."""
        from garden.pages.templates import make_environment, render_page

        config = garden.config
        reusable = manifest.out_dir == str(config.out_dir) and marker_id(config.out_dir) == manifest.build_id
        old = manifest.pages if reusable else {}
        writer = SiteWriter(config.out_dir, in_place=self.in_place and reusable, reuse=reusable)
        new: dict[str, str] = {}
        env = None
        indexing: IndexRun | None = None
        try:
            site = pages.site_data(garden)
            site_key = fingerprint(site, _templates_key(config))
            for page in page_list:
                key = fingerprint(page.template, page.context, site_key)
                new[page.path] = key
                if old.get(page.path) == key and writer.keep(page.path):
                    continue
                if env is None:
                    env = make_environment(config.templates_dir, cache.folder)
                writer.write(page.path, render_page(env, page, site))
                result.rendered += 1
                result.changed_paths.append(page.path)
            for path, (key, produce) in sorted(generated.items()):
                new[path] = key
                if old.get(path) == key and writer.keep(path):
                    continue
                writer.write(path, produce())
                result.changed_paths.append(path)
            self._copy(copies, generated, old, new, writer, result)
            # Every page is written: Pagefind starts on them while the cards are finished.
            later = published.card_paths - generated.keys() - copies.keys()
            writer.remove_stale(set(old) if old else None, later)
            where = config.path or config.root
            indexing = self._start_index(writer.root, config.out_dir, where)
            cards = published.card_copies(result.problems, config.root)
            drawn = {path: source for path, source in cards.items() if path in later}
            for path in sorted(later - drawn.keys()):
                writer.discard(path)  # not drawn (the cache was not writable): no stale card either
            self._copy(drawn, generated, old, new, writer, result)
            removed = sorted(set(old) - set(new))
            result.changed_paths.extend(removed)
            build_id = build_id_of(new)
            writer.marker_id = build_id
            writer.commit(
                set(old) if old else None,
                finish=lambda root: self._finish_index(indexing, root, result.problems, where),
            )
        except BaseException:
            if indexing is not None:
                indexing.cancel()
            writer.abort()
            raise
        result.written = True
        self.manifest = Manifest(
            build_id=build_id,
            inputs="" if published.cards_failed else inputs,  # incomplete: the next run draws them
            out_dir=str(config.out_dir),
            pages=new,
            problems=list(result.problems.items),
            summary={"notes": result.notes, "pages": result.pages, "planned": result.planned},
        )
        cache.store_named("manifest", self.manifest)
        return site_key

    @staticmethod
    def _copy(
        copies: dict[str, Path],
        generated: dict[str, tuple[str, Callable[[], bytes]]],
        old: dict[str, str],
        new: dict[str, str],
        writer: SiteWriter,
        result: BuildResult,
    ) -> None:
        """Copy files into the site (keeping the current copy when its source has not changed)."""
        for path, source in sorted(copies.items()):
            if path in generated:
                continue
            info = source.stat()
            key = f"copy:{info.st_size}:{fingerprint(str(source), info.st_mtime_ns)}"
            new[path] = key
            if old.get(path) == key and writer.keep(path):
                continue
            writer.copy(path, source)
            result.changed_paths.append(path)


def build_id_of(pages: dict[str, str]) -> str:
    """The site's identity, from its files' fingerprints; copied files count by name and size
    only, so the same notes give the same id wherever the sources lie (output is deterministic)."""
    return fingerprint(
        sorted(
            (path, key.rsplit(":", 1)[0] if key.startswith("copy:") else key) for path, key in pages.items()
        )
    )


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


def _replace(target: Path, data: bytes) -> None:
    """Write a file by renaming a complete temporary one over it (readers never see half)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, target)


def write_marker(out: Path, build_id: str) -> None:
    from garden.build.output import MARKER, MARKER_TEXT

    _replace(out / MARKER, (MARKER_TEXT + f"build: {build_id}\n").encode())


def _templates_key(config: Config) -> str:
    parts = []
    for root in dict.fromkeys([config.templates_dir, PACKAGE_TEMPLATES]):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    info = path.stat()
                    parts.append((str(path), info.st_size, info.st_mtime_ns))
    return fingerprint(parts)


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
