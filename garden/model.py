"""The Garden: everything the page emitters read, and the one object templates' data comes from.

It is assembled by the build from the linked notes; emitters only read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from garden.core import addresses
from garden.core.config import Config
from garden.core.paths import Urls
from garden.linking.check import Edge
from garden.linking.fill import Filler
from garden.linking.graph import LinkGraph
from garden.markdown.blocks import Block
from garden.markdown.links import Heading
from garden.sources.citations import Citation
from garden.sources.notes import Note
from garden.sources.taxonomy import Section, Taxonomy

PLANNED_PREFIX = "planned:"  # graph nodes of planned notes: "planned:<key>"


class LazyHtml:
    """A body filled only when a template prints it; its repr is a fingerprint of the result."""

    def __init__(self, key: str, produce: Callable[[], str]) -> None:
        self.key = key
        self._produce = produce

    def __html__(self) -> str:
        return self._produce()

    def __str__(self) -> str:
        return self._produce()

    def __repr__(self) -> str:
        return f"LazyHtml({self.key})"

    def __reduce__(self) -> tuple:
        return (str, (f"LazyHtml({self.key})",))  # fingerprints pickle contexts


@dataclass(frozen=True)
class Node:
    key: str  # note slug, section path, or "planned:<key>"
    title: str
    url: str
    area: int  # index into the areas; -1 unfiled or planned
    degree: int
    planned: bool = False


@dataclass
class GardenGraph:
    """The nodes the graph views show (notes, section texts, planned ghosts) and the areas."""

    nodes: dict[str, Node]
    areas: list[str]  # titles of the taxonomy's top-level sections, in tree order


@dataclass
class Garden:
    """Everything the page emitters need: the one object templates' data comes from."""

    config: Config
    urls: Urls
    taxonomy: Taxonomy
    notes: dict[str, Note]  # slug -> note, every published note incl. section texts and home
    section_of: dict[str, Section | None]
    section_text: dict[str, Note]  # section path -> the note that is its text
    headings: dict[str, list[Heading]]
    links: LinkGraph
    filler: Filler
    edges: dict[str, list[Edge]] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)  # slug -> first paragraph, plain
    citations: dict[str, Citation] = field(default_factory=dict)  # slug -> BibTeX of its paper
    blocks: dict[str, list[Block]] = field(default_factory=dict)  # slug -> blocks named ``^id``
    _view: GardenGraph | None = field(default=None, repr=False)

    def title_of(self, slug: str) -> str:
        if slug in self.notes and slug not in self.section_text:
            return self.notes[slug].title
        section = self.taxonomy.by_path.get(slug)
        if section is not None:
            return section.title
        return self.notes[slug].title if slug in self.notes else slug

    def url_of(self, slug: str) -> str:
        return self.urls.page(slug)

    def body(self, slug: str) -> LazyHtml:
        return LazyHtml(self.filler.key(slug), lambda: self.filler.body(slug))

    def view(self) -> GardenGraph:
        """The notes the graph views show, computed once per garden."""
        if self._view is None:
            self._view = garden_graph(self)
        return self._view


def garden_graph(garden: Garden) -> GardenGraph:
    """Every note of the link graph as the views show it (the home page is left out)."""
    areas = [
        node.area() for node in garden.taxonomy.sections() if node.parent is None or node.parent.is_group
    ]
    area_index = {area.path: index for index, area in enumerate(areas)}
    graph = garden.links
    nodes: dict[str, Node] = {}
    for key in sorted(graph.nodes):
        if key.startswith(PLANNED_PREFIX):
            entry = garden.links.planned.get(key[len(PLANNED_PREFIX) :])
            if entry is None:
                continue
            url = garden.urls.page(addresses.PLANNED, entry.anchor)
            nodes[key] = Node(key, entry.name, url, -1, graph.degree(key), planned=True)
        elif key and key in garden.notes:
            section = garden.section_of.get(key)
            area = area_index.get(section.area().path, -1) if section is not None else -1
            nodes[key] = Node(key, garden.title_of(key), garden.url_of(key), area, graph.degree(key))
    return GardenGraph(nodes, [area.title for area in areas])
