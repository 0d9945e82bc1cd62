"""The quick rebuild: the build's stages over the few notes whose bodies changed, reusing
everything else the last build knew (the preview server's rebuild after a save)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from garden.build import stages
from garden.build.compiling import NoteStore, address
from garden.build.failures import WRITE_FAILURES, report_write_failure
from garden.build.indexing import SearchIndexing
from garden.build.inputs import BuildOptions, BuildResult, Inputs, marker_id
from garden.build.output import SiteWriter, write_marker
from garden.build.stages import PageRenderer
from garden.core.addresses import PLANNED, page_file
from garden.core.cache import Manifest, compile_context, fingerprint
from garden.core.discovery import describe_config
from garden.core.problems import Problem, Problems
from garden.linking.resolve import Resolver
from garden.linking.suggest import DidYouMean
from garden.model import Garden
from garden.pages import emit
from garden.publish.feeds import Entry
from garden.publish.files import feed_and_sitemap
from garden.sources.dates import fill_dates

if TYPE_CHECKING:
    from garden.markdown.compile import NoteArtifact


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
    citable: frozenset[str] = frozenset()  # the bibliography's keys


class Rebuilding(Protocol):
    """What a quick rebuild reads and updates of the builder that runs it."""

    options: BuildOptions
    state: State | None
    store: NoteStore
    manifest: Manifest | None
    search: SearchIndexing
    in_place: bool


def quick_rebuild(builder: Rebuilding, inputs: Inputs, started: float) -> BuildResult | None:
    """The same stages over the few notes whose bodies changed, reusing what the last build
    knew for the rest.

    Only when nothing another page can see has changed (titles, aliases, tags, links, headings,
    the config, templates, the set of files); otherwise None, and a full build runs. The
    result is the same as a full build's: tests compare the two byte for byte.
    """
    state, options, config = builder.state, builder.options, inputs.config
    assert state is not None
    if not options.write or inputs.problems.items or inputs.environment != state.environment:
        return None
    if inputs.stats.keys() != state.stats.keys():
        return None
    changed = [path for path, stat in inputs.stats.items() if stat != state.stats[path]]
    if not changed or len(changed) > 16:
        return None
    if marker_id(config.out_dir) != (builder.manifest or inputs.manifest).build_id:
        return None  # the site on disk is not the one last written (deleted, say): a full build
    from garden.markdown.workers import compile_paths

    compiled = compile_paths(
        changed,
        config.notes_dir,
        config.root,
        config.math_macros,
        1,
        preamble=config.math_definitions,
        math_key=compile_context(
            config.math_key or config.math_macros, config.notes_dir, config.compile_options
        ),
        options=config.compile_options,
    )
    updates: dict[str, tuple[str, NoteArtifact, list[Problem], str]] = {}
    for path, (key, (artifact, found), html) in compiled.items():
        relative = path.relative_to(config.notes_dir).as_posix()
        old = state.artifacts.get(relative)
        if artifact is None or old is None:
            return None
        address(artifact, config)
        if stages.artifact_signature(artifact) != stages.artifact_signature(old):
            return None  # something other pages show changed: a full build
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
        builder.store.memory[key], builder.store.html[key] = (artifact, found), html
        compile_problems[relative] = list(found)
        notes[slug], refs[slug], html_hash[slug] = artifact.note, artifact.links, artifact.html_hash
        summaries[slug] = artifact.summary
    citer = garden.filler.citer
    if citer is not None:
        citer = citer.with_clusters({s: a.citations for s, a in changed_artifacts.items()})
    relinked = stages.link_notes(
        changed_artifacts, state.resolver, garden.headings, state.did_you_mean, garden.blocks, state.citable
    )
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
    load_html = builder.store.html_loader(inputs.cache, keys)
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
        garden.blocks,
        garden.filler.size_of,
        citer,
    )
    new_garden._view = garden._view  # titles, sections and links are unchanged: so is the graph view

    result = BuildResult(problems, out_dir=config.out_dir, config_used=describe_config(config))
    manifest = builder.manifest or inputs.manifest
    new_pages = dict(manifest.pages)
    paths = _touched_pages(garden, link_graph, edges, changed_slugs)
    writer = SiteWriter(config.out_dir, in_place=True)
    renderer = PageRenderer(new_garden, state.site_key)
    listed = sorted(p for p in manifest.pages if p.endswith("index.html") and p in state.page_paths)
    unchanged = {slug: e for slug, e in state.feed_entries.items() if slug not in changed_slugs}
    try:  # every file is written beside its old one first, then all are renamed over them
        renderer.render_changed(
            emit.all_pages(new_garden, only=paths),
            manifest.pages,
            new_pages,
            lambda _path: True,
            writer.write,
            result,
        )
        files, feed_entries = feed_and_sitemap(new_garden, listed, unchanged)
        for path, data in files.items():
            key = fingerprint("bytes", data)
            if path in new_pages and new_pages[path] != key:
                new_pages[path] = key
                writer.write(path, data)
                result.changed_paths.append(path)
        writer.flush()
    except WRITE_FAILURES as exc:  # the full build's errors for the same failure; nothing written
        writer.abort()
        report_write_failure(exc, config.out_dir, problems)
        result.changed_paths.clear()
        return result
    build_id = stages.build_id_of(new_pages)
    where = config.path or config.root
    if result.changed_paths and not builder.in_place:  # indexed now: its warnings are this build's
        builder.search.finish(None, config.out_dir, problems, where, builder.in_place)
    write_marker(config.out_dir, build_id)
    result.written = True
    result.notes, result.pages = len(notes), manifest.summary.get("pages", 0)
    result.planned = len(link_graph.planned)
    builder.manifest = stages.manifest_of(build_id, inputs.fingerprint, config, new_pages, problems, result)
    builder.store.remember(config, updates, inputs.stats, inputs.cache)
    inputs.cache.store_named("manifest", builder.manifest)

    state.stats, state.artifacts, state.keys = dict(inputs.stats), artifacts, keys
    state.garden, state.compile_problems, state.link_problems = (
        new_garden,
        compile_problems,
        link_problems,
    )
    state.cycle_problems, state.feed_entries = cycles, feed_entries
    result.compiled = len(updates)
    result.quick = True
    if result.changed_paths and builder.in_place:  # Pagefind starts once all else is done
        builder.search.finish(None, config.out_dir, problems, where, builder.in_place)
    result.seconds = time.perf_counter() - started
    return result


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
