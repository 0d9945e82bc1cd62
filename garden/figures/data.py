"""Gather what the figures draw from the garden: Pareto points from garden.yaml, the link graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from garden.core.cache import Cache, fingerprint
from garden.core.locations import AssetMissing, find_node_file
from garden.core.paths import Urls
from garden.core.problems import Problems
from garden.figures.draw import Figure
from garden.figures.linkgraph import GraphNode
from garden.linking.graph import LinkGraph
from garden.linking.resolve import Resolver
from garden.sources.notes import Note
from garden.sources.taxonomy import Section, Taxonomy

KINDS = ("pareto", "graph")
FONT = "dejavu-fonts-ttf/ttf/DejaVuSans.ttf"
FIGURES_VERSION = "1"  # bump when drawing changes, so cached figures are redrawn


def figure_outputs(figures: dict[str, Any]) -> set[str]:
    """Files the figures will write, known before they are drawn, so links to them resolve."""
    paths: set[str] = set()
    for kind in KINDS:
        spec = figures.get(kind)
        if isinstance(spec, dict) and spec.get("output"):
            base = str(spec["output"]).strip("/")
            paths |= {base + ".png", base + "@2x.png", base + ".svg"}
    return paths


def make_figures(
    figures: dict[str, Any],
    where: Path,
    urls: Urls,
    resolver: Resolver,
    taxonomy: Taxonomy,
    notes: dict[str, Note],
    section_of: dict[str, Section | None],
    links: LinkGraph,
    problems: Problems,
    cache: Cache | None = None,
) -> list[Figure]:
    drawn: list[Figure] = []
    if not any(isinstance(figures.get(kind), dict) for kind in KINDS):
        return drawn
    try:
        font_path = find_node_file(where.parent if where.is_file() else where, FONT, "The DejaVu font")
    except AssetMissing as exc:
        problems.error(where, 0, str(exc), "then run the build again")
        return drawn
    pareto = figures.get("pareto")
    if isinstance(pareto, dict):

        def note_url(name: str) -> str:
            target = resolver.wikilink(name)
            if target.kind in ("note", "section"):
                return urls.page(target.slug, target.anchor)
            problems.warning(
                where, 0, f"Pareto point links to [[{name}]], which is not a note", "fix 'note:'"
            )
            return ""

        urls_of = {
            str(p.get("note")): note_url(str(p["note"]))
            for p in pareto.get("points") or []
            if isinstance(p, dict) and p.get("note")
        }
        key = fingerprint("pareto", pareto, urls_of, FIGURES_VERSION)
        figure = _cached_figure(cache, key)
        if figure is None:
            from garden.figures.pareto import pareto_figure

            figure = pareto_figure(pareto, lambda name: urls_of.get(name, ""), problems, where, font_path)
            if cache and figure is not None and not problems.errors:
                cache.store("figures", key, figure)
        if figure is not None:
            drawn.append(figure)
    graph = figures.get("graph")
    if isinstance(graph, dict):
        figure = _graph(graph, urls, taxonomy, notes, section_of, links, font_path, cache)
        if figure is not None:
            drawn.append(figure)
    return drawn


def _graph(
    spec: dict[str, Any],
    urls: Urls,
    taxonomy: Taxonomy,
    notes: dict[str, Note],
    section_of: dict[str, Section | None],
    links: LinkGraph,
    font_path: Path,
    cache: Cache | None,
) -> Figure | None:
    areas = [node.area() for node in taxonomy.sections() if node.parent is None or node.parent.is_group]
    area_index = {area.path: index for index, area in enumerate(areas)}
    nodes: list[GraphNode] = []
    keys = sorted(k for k in links.nodes if k != "" and (k in notes or str(k).startswith("planned:")))
    for key in keys:
        if key.startswith("planned:"):
            title = str(links.nodes[key].get("title", key))
            nodes.append(GraphNode(key, title, "", -1, links.degree(key), planned=True))
            continue
        section = section_of.get(key)
        area = area_index.get(section.area().path, -1) if section is not None else -1
        title = section.title if key in taxonomy.by_path and section is not None else notes[key].title
        nodes.append(GraphNode(key, title, urls.page(key), area, links.degree(key)))
    kept = {node.key for node in nodes}
    edges = sorted({tuple(sorted((a, b))) for a, b in links.edges if a in kept and b in kept and a != b})
    used = sorted({n.area for n in nodes if n.area >= 0 and not n.planned})
    legend = [(i, areas[i].title) for i in used]
    key = fingerprint("graph", spec, nodes, edges, legend, FIGURES_VERSION)
    figure = _cached_figure(cache, key)
    if figure is None:
        from garden.figures.linkgraph import graph_figure

        figure = graph_figure(spec, nodes, edges, legend, font_path)  # type: ignore[arg-type]
        if cache and figure is not None:
            cache.store("figures", key, figure)
    return figure


def _cached_figure(cache: Cache | None, key: str) -> Figure | None:
    """A figure from the cache, if what is stored there is one."""
    figure = cache.load("figures", key) if cache else None
    return figure if isinstance(figure, Figure) else None
