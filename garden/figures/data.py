"""Gather what the figures draw from the garden: Pareto points from garden.yaml, the link graph."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from garden.core.boundary import LEAVES_HINT, leaves_message, outside
from garden.core.cache import Cache, fingerprint
from garden.core.locations import AssetMissing, find_node_file
from garden.core.paths import Urls
from garden.core.problems import Problems
from garden.figures.draw import Figure
from garden.figures.linkgraph import GraphNode
from garden.figures.plots import PlotError, parse_plot, plot_figure, plot_outputs, read_table
from garden.linking.graph import LinkGraph, index_pairs
from garden.linking.resolve import Resolver
from garden.sources.notes import Note
from garden.sources.taxonomy import Section, Taxonomy

KINDS = ("pareto", "graph")
FONT = "dejavu-fonts-ttf/ttf/DejaVuSans.ttf"
FIGURES_VERSION = "8"  # bump when drawing changes, so cached figures are redrawn


def figure_outputs(figures: dict[str, Any]) -> set[str]:
    """Files the figures will write, known before they are drawn, so links to them resolve."""
    paths: set[str] = set()
    for kind in KINDS:
        spec = figures.get(kind)
        if isinstance(spec, dict) and spec.get("output"):
            base = str(spec["output"]).strip("/")
            paths |= {base + ".png", base + "@2x.png", base + ".svg"}
    return paths | plot_outputs(figures.get("plots"))


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
    if not any(isinstance(figures.get(kind), dict) for kind in KINDS) and not figures.get("plots"):
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
    drawn.extend(_plots(figures.get("plots"), where, font_path, problems, cache))
    return drawn


def _plots(specs: Any, where: Path, font_path: Path, problems: Problems, cache: Cache | None) -> list[Figure]:
    """``figures.plots``: line plots from CSV tables inside the garden's folder."""
    if specs is None:
        return []
    if not isinstance(specs, list):
        problems.error(where, 0, "figures.plots is not a list", "write one '- output: ...' entry per plot")
        return []
    root = (where.parent if where.is_file() else where).resolve()
    drawn: list[Figure] = []
    for index, spec in enumerate(specs):
        name = f"figures.plots[{index}]"
        if not isinstance(spec, dict) or not spec.get("data"):
            problems.error(where, 0, f"{name} has no 'data' table", "name a CSV file beside garden.yaml")
            continue
        named = root / str(spec["data"])
        data = named.resolve()
        real = outside(named, (root,))
        if real is not None and real != os.path.abspath(named):  # a table linked from elsewhere
            line = _line_of(where, str(spec["data"]))
            problems.error(where, line, f"{name}: {leaves_message(real, str(spec['data']))}", LEAVES_HINT)
            continue
        if real is not None or not data.is_file():
            problems.error(
                where,
                _line_of(where, str(spec["data"])),
                f"{name}: no table {spec['data']!r} inside {root}",
                "name a CSV file in the repository",
            )
            continue
        text = data.read_text(encoding="utf-8", errors="replace")
        key = fingerprint("plot", spec, text, FIGURES_VERSION)
        figure = _cached_figure(cache, key)
        if figure is None:
            try:
                figure = plot_figure(parse_plot(spec, read_table(text)), font_path)
            except PlotError as exc:
                problems.error(
                    data, exc.line, f"{name}: {exc}", "fix the table or the plot's entry in garden.yaml"
                )
                continue
            if cache:
                cache.store("figures", key, figure)
        drawn.append(figure)
    return drawn


def _line_of(config: Path, value: str) -> int:
    """The first line of the config that holds ``value`` (0 when none does)."""
    try:
        lines = config.read_text(encoding="utf-8-sig").split("\n") if config.is_file() else []
    except (OSError, UnicodeDecodeError):
        return 0
    return next((number for number, line in enumerate(lines, 1) if value in line), 0)


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
    pairs = index_pairs(links.edges, keys)
    edges = [(keys[i], keys[j]) for i, j in pairs]
    used = sorted({n.area for n in nodes if n.area >= 0 and not n.planned})
    legend = [(i, areas[i].title) for i in used]
    key = fingerprint("graph", spec, nodes, edges, legend, FIGURES_VERSION)
    figure = _cached_figure(cache, key)
    if figure is None:
        from garden.figures.layout import shared_layout
        from garden.figures.linkgraph import graph_figure

        # the graph page lays out the same nodes and links: one layout serves both
        positions = dict(zip(keys, shared_layout(len(keys), pairs, cache), strict=True))
        figure = graph_figure(spec, nodes, edges, positions, legend, font_path)
        if cache and figure is not None:
            cache.store("figures", key, figure)
    return figure


def _cached_figure(cache: Cache | None, key: str) -> Figure | None:
    """A figure from the cache, if what is stored there is one."""
    figure = cache.load("figures", key) if cache else None
    return figure if isinstance(figure, Figure) else None
