"""Gather what the figures draw from the garden: Pareto points from garden.yaml, the link graph."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from garden.core.boundary import LEAVES_HINT, leaves_message, outside
from garden.core.cache import Cache, fingerprint
from garden.core.locations import AssetMissing, find_node_file
from garden.core.paths import Urls
from garden.core.problems import Problems
from garden.figures.ahead import FiguresAhead, import_layout, numpy_needed
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


@dataclass
class StartedFigures:
    """What ``start_figures`` found and set going: the font, the plots (cached, or being drawn
    on the figures thread) and the problems met so far, reported when the figures stage runs."""

    ahead: FiguresAhead = field(default_factory=FiguresAhead)
    font_path: Path | None = None
    plots: list[tuple[Figure | int, str]] = field(default_factory=list)  # a figure, or a job and its key
    pareto: tuple[bytes, bytes] | int | None = None  # its pictures (they show no links), or their job
    pareto_key: str = ""
    problems: Problems = field(default_factory=Problems)

    def pareto_pictures(self, cache: Cache | None) -> tuple[bytes, bytes] | None:
        if not isinstance(self.pareto, int):
            return self.pareto
        pictures = self.ahead.result(self.pareto)
        if cache and pictures is not None:
            cache.store("figures", self.pareto_key, pictures)
        return pictures

    def plot_figures(self, cache: Cache | None) -> list[Figure]:
        drawn: list[Figure] = []
        for slot, key in self.plots:
            figure = slot if isinstance(slot, Figure) else self.ahead.result(slot)
            if cache and not isinstance(slot, Figure):
                cache.store("figures", key, figure)
            drawn.append(figure)
        return drawn


def start_figures(figures: dict[str, Any], where: Path, cache: Cache | None) -> StartedFigures:
    """At the build's start: check the plots and set drawing the ones not cached (they need no
    notes), and import the graph's layout if it may be computed, on the figures thread."""
    started = StartedFigures()
    if not any(isinstance(figures.get(kind), dict) for kind in KINDS) and not figures.get("plots"):
        return started
    try:
        folder = where.parent if where.is_file() else where
        started.font_path = find_node_file(folder, FONT, "The DejaVu font")
    except AssetMissing as exc:
        started.problems.error(where, 0, str(exc), "then run the build again")
        return started
    pareto = figures.get("pareto")
    if isinstance(pareto, dict):
        from garden.figures.pareto import pareto_pictures

        started.pareto_key = fingerprint("pareto-pictures", pareto, FIGURES_VERSION)
        stored = cache.load("figures", started.pareto_key) if cache else None
        if _is_picture_pair(stored):
            started.pareto = stored
        else:
            started.pareto = started.ahead.add(
                functools.partial(pareto_pictures, pareto, where, started.font_path)
            )
    _plan_plots(figures.get("plots"), where, started, cache)
    if isinstance(figures.get("graph"), dict) and numpy_needed(cache):
        started.ahead.add(import_layout)
    started.ahead.start()
    return started


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
    started: StartedFigures | None = None,
) -> list[Figure]:
    """Every figure, in order: Pareto, graph, plots (those ``started`` set going are collected)."""
    drawn: list[Figure] = []
    if started is None:
        started = start_figures(figures, where, cache)
    font_path = started.font_path
    if font_path is None:
        problems.extend(started.problems)
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

            pictures = started.pareto_pictures(cache)
            link = lambda name: urls_of.get(name, "")  # noqa: E731
            figure = pareto_figure(pareto, link, problems, where, font_path, pictures)
            if cache and figure is not None and not problems.errors:
                cache.store("figures", key, figure)
        if figure is not None:
            drawn.append(figure)
    graph = figures.get("graph")
    if isinstance(graph, dict):
        figure = _graph(graph, urls, taxonomy, notes, section_of, links, font_path, cache)
        if figure is not None:
            drawn.append(figure)
    problems.extend(started.problems)
    drawn.extend(started.plot_figures(cache))
    return drawn


def _plan_plots(specs: Any, where: Path, started: StartedFigures, cache: Cache | None) -> None:
    """``figures.plots``: line plots from CSV tables inside the garden's folder, each checked
    here and taken from the cache or queued to be drawn."""
    problems = started.problems
    if specs is None:
        return
    if not isinstance(specs, list):
        problems.error(where, 0, "figures.plots is not a list", "write one '- output: ...' entry per plot")
        return
    root = (where.parent if where.is_file() else where).resolve()
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
        if figure is not None:
            started.plots.append((figure, key))
            continue
        try:
            plot = parse_plot(spec, read_table(text))
        except PlotError as exc:
            hint = "fix the table or the plot's entry in garden.yaml"
            problems.error(data, exc.line, f"{name}: {exc}", hint)
            continue
        font_path = started.font_path
        assert font_path is not None
        started.plots.append((started.ahead.add(functools.partial(plot_figure, plot, font_path)), key))


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


def _is_picture_pair(value: Any) -> bool:
    return type(value) is tuple and len(value) == 2 and all(type(picture) is bytes for picture in value)


def _cached_figure(cache: Cache | None, key: str) -> Figure | None:
    """A figure from the cache, if what is stored there is one."""
    figure = cache.load("figures", key) if cache else None
    return figure if isinstance(figure, Figure) else None
