"""The stages a build is made of, shared by the full build and the quick rebuild.

A quick rebuild (the preview, after a few notes' bodies changed) is the same stages over the
notes that changed: it links them with ``link_notes``, assembles the Garden with
``assemble_garden``, renders pages with ``PageRenderer`` and records the build with
``manifest_of``, exactly as a full build does for every note. Nothing here is written twice.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from garden.build.inputs import BuildResult
from garden.core.cache import Manifest, fingerprint
from garden.core.config import Config
from garden.core.locations import PACKAGE_TEMPLATES
from garden.core.paths import Urls
from garden.core.problems import Problem, Problems
from garden.linking.check import Edge, resolve_links, transclusion_cycles
from garden.linking.cite import Citer, check_citations
from garden.linking.fill import Filler
from garden.linking.graph import LinkGraph
from garden.linking.numbered import NumberedBlocks
from garden.linking.resolve import Resolver, Target
from garden.linking.suggest import DidYouMean
from garden.markdown.blocks import Block
from garden.markdown.links import Heading, LinkRef
from garden.model import Garden
from garden.pages import emit
from garden.pages.templates import Page, make_environment, render_page
from garden.sources.citations import Citation
from garden.sources.notes import Note
from garden.sources.taxonomy import Section, Taxonomy

if TYPE_CHECKING:
    from garden.markdown.compile import NoteArtifact

_TIMINGS = bool(os.environ.get("GARDEN_TIMINGS"))
_last = [0.0]


def phase(name: str) -> None:
    """With GARDEN_TIMINGS=1, print how long each stage took (for profiling builds)."""
    if _TIMINGS:
        now = time.perf_counter()
        if name != "start":
            print(f"  {name:<10} {1000 * (now - _last[0]):8.1f} ms", file=sys.stderr)
        _last[0] = now


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
        tuple((h.level, h.text, h.anchor, h.source, h.html) for h in artifact.headings),
        tuple((b.id, b.anchor, b.kind, b.label) for b in artifact.blocks),
        tuple((r.kind, r.target, r.heading, r.label, r.title) for r in artifact.links),
        tuple(sorted({item.key for cluster in artifact.citations for item in cluster.items})),
    )


# --------------------------------------------------------------------------- link


@dataclass
class Linked:
    """Where each note's links point, the graph's edges they make, and what is wrong with them."""

    targets: dict[str, list[Target]] = field(default_factory=dict)
    edges: dict[str, list[Edge]] = field(default_factory=dict)
    problems: dict[str, list[Problem]] = field(default_factory=dict)


def link_notes(
    artifacts: Mapping[str, NoteArtifact],
    resolver: Resolver,
    headings: dict[str, list[Heading]],
    did_you_mean: DidYouMean,
    blocks: dict[str, list[Block]] | None = None,
    citable: Collection[str] | None = None,
) -> Linked:
    """Resolve the links of the notes in ``artifacts`` (slug -> compiled note), in slug order;
    ``headings`` and ``blocks`` are every note's (slug -> its), which links may point into;
    with ``citable`` (the keys of the bibliography), check their citations too."""
    linked = Linked()
    for slug in sorted(artifacts):
        artifact = artifacts[slug]
        found = Problems()
        linked.targets[slug], linked.edges[slug] = resolve_links(
            artifact.note, artifact.links, resolver, headings, found, blocks
        )
        did_you_mean.check(artifact.note, linked.edges[slug], found)
        if citable is not None:
            check_citations(artifact.note, artifact.citations, citable, found)
        linked.problems[slug] = found.items
    return linked


def cycle_problems(
    edges: dict[str, list[Edge]], notes: dict[str, Note], section_text: dict[str, Note]
) -> list[Problem]:
    """A warning at every embed that closes a cycle of transclusions."""
    cycles = Problems()
    transclusion_cycles(edges, notes, {path: note.slug for path, note in section_text.items()}, cycles)
    return cycles.items


# --------------------------------------------------------------------------- the model


def assemble_garden(
    config: Config,
    urls: Urls,
    taxonomy: Taxonomy,
    notes: dict[str, Note],
    section_of: dict[str, Section | None],
    section_text: dict[str, Note],
    headings: dict[str, list[Heading]],
    link_graph: LinkGraph,
    refs: dict[str, list[LinkRef]],
    targets: dict[str, list[Target]],
    body_of: Callable[[str], str],
    html_hash: dict[str, str],
    figures: dict[str, Any],
    edges: dict[str, list[Edge]],
    summaries: dict[str, str],
    citations: dict[str, Citation],
    blocks: dict[str, list[Block]] | None = None,
    image_size: Callable[[str], tuple[int, int] | None] | None = None,
    citer: Citer | None = None,
) -> Garden:
    """The Garden the emitters read, with the filler that links its notes' bodies."""
    filler = Filler(
        urls,
        refs,
        targets,
        body_of,
        html_hash,
        lambda slug: slug,  # replaced below: titles come from the garden being made
        {path: note.slug for path, note in section_text.items()},
        figures,
        citer=citer,
        numbered=NumberedBlocks.of(blocks or {}),
    )
    if image_size is not None:
        filler.size_of = image_size
    garden = Garden(
        config,
        urls,
        taxonomy,
        notes,
        section_of,
        section_text,
        headings,
        link_graph,
        filler,
        edges,
        summaries,
        citations,
        blocks or {},
    )
    filler.title_of = garden.title_of
    return garden


# --------------------------------------------------------------------------- pages


class PageRenderer:
    """Renders pages whose fingerprint changed; a page's fingerprint covers its template, what
    its template sees and the site-wide data (``site_key``)."""

    def __init__(self, garden: Garden, site_key: str | None) -> None:
        self.garden = garden
        self._site: dict[str, Any] | None = None
        self._env: Any = None
        self.site_key = (
            site_key if site_key is not None else fingerprint(self.site, templates_key(garden.config))
        )

    @property
    def site(self) -> dict[str, Any]:
        if self._site is None:
            self._site = emit.site_data(self.garden)
        return self._site

    def render_changed(
        self,
        page_list: Iterable[Page],
        old: Mapping[str, str],
        new: dict[str, str],
        keep: Callable[[str], bool],
        write: Callable[[str, bytes], None],
        result: BuildResult,
    ) -> None:
        """Render and ``write`` each page whose fingerprint is not ``old``'s (or that ``keep``
        cannot reuse); record every page's fingerprint in ``new``."""
        for page in page_list:
            key = fingerprint(page.template, page.context, self.site_key)
            new[page.path] = key
            if old.get(page.path) == key and keep(page.path):
                continue
            if self._env is None:
                self._env = make_environment(self.garden.config.templates_dir)
            write(page.path, render_page(self._env, page, self.site))
            result.rendered += 1
            result.changed_paths.append(page.path)


def templates_key(config: Config) -> str:
    parts = []
    for root in dict.fromkeys([config.templates_dir, PACKAGE_TEMPLATES]):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    info = path.stat()
                    parts.append((str(path), info.st_size, info.st_mtime_ns))
    return fingerprint(parts)


# --------------------------------------------------------------------------- the record


def build_id_of(pages: dict[str, str]) -> str:
    """The site's identity, from its files' fingerprints; copied files count by name and size
    only, so the same notes give the same id wherever the sources lie (output is deterministic)."""
    return fingerprint(
        sorted(
            (path, key.rsplit(":", 1)[0] if key.startswith("copy:") else key) for path, key in pages.items()
        )
    )


def manifest_of(
    build_id: str, inputs: str, config: Config, pages: dict[str, str], problems: Problems, result: BuildResult
) -> Manifest:
    """What the next build needs to know of this one."""
    return Manifest(
        build_id=build_id,
        inputs=inputs,
        out_dir=str(config.out_dir),
        pages=pages,
        problems=list(problems.items),
        summary={
            "notes": result.notes,
            "pages": result.pages,
            "planned": result.planned,
            "planned_notes": result.planned_notes,
            "no_host": result.no_host,
        },
    )


def planned_lines(graph: LinkGraph, notes: dict[str, Note]) -> list[str]:
    """Each planned note with the files that link to it, by name: what ``-v`` lists."""
    lines = []
    for entry in sorted(graph.planned.values(), key=lambda e: e.name.casefold()):
        wanted = sorted({str(notes[b.source].relative) for b in entry.wanted_by if b.source in notes})
        lines.append(f"{entry.name} (wanted by {', '.join(wanted)})" if wanted else entry.name)
    return lines
