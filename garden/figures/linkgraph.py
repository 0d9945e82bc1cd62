"""The garden's own link graph as a figure, coloured by taxonomy area, planned notes as ghosts."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from garden.figures.draw import INK, MUTED, PALETTE, PAPER, Figure, hex_colour, load_font, png_pair, svg_open
from garden.figures.labels import Box, Placed, Wanted, node_box, place_labels

LABEL_SIZE = 14  # shown at about 0.9× in the text column: 12-13 px on screen
SPREAD_FULLY_UP_TO = 300  # notes
NAME_SIZE = 13  # the notes' names: a little smaller than the legend, so more of them fit
EDGE = (205, 200, 190)  # links: quiet beside the notes


@dataclass
class GraphNode:
    key: str
    title: str
    url: str  # empty for planned notes
    area: int  # index into the legend; -1 for unfiled
    degree: int
    planned: bool = False


def graph_figure(
    spec: dict[str, Any],
    nodes: list[GraphNode],
    edges: list[tuple[str, str]],
    positions: dict[str, tuple[float, float]],
    legend: list[tuple[int, str]],
    font_path: Path,
) -> Figure | None:
    """The link graph at the garden's layout (``positions``, shared with the graph page),
    coloured by taxonomy area, planned notes as ghosts, the best-linked notes labelled."""
    if not nodes:
        return None
    width, height, pad = 760, 600, 20
    font = load_font(font_path, LABEL_SIZE)
    name_font = load_font(font_path, NAME_SIZE)
    legend_at = _legend_positions([name for _, name in legend] + ["planned"], font_path, width - 2 * pad, pad)
    legend_h = legend_at[-1][1] + 14
    room = Box(pad, pad + legend_h, width - pad, height - pad)
    # a garden of a few hundred notes is spread for its labels; a bigger one, whose drawing is a
    # tangle either way, keeps more of the layout's shape (spread, its links grow long: slow PNGs)
    even = 0.9 * min(1.0, SPREAD_FULLY_UP_TO / len(nodes))
    coords = _fit(_spread([positions[node.key] for node in nodes], even), room)
    coords = dict(zip([node.key for node in nodes], coords, strict=True))

    def radius(node: GraphNode) -> float:
        return 4 + 1.6 * math.sqrt(node.degree)

    def colour(node: GraphNode) -> tuple[int, int, int]:
        return PALETTE[node.area % len(PALETTE)] if node.area >= 0 else MUTED

    ascent, descent = name_font.getmetrics()
    wanted = [
        Wanted(
            node.key,
            *coords[node.key],
            radius(node),
            name_font.getlength(_short(node.title)),
            ascent,
            descent,
        )
        for node in sorted(nodes, key=lambda n: (-n.degree, n.title))[: int(spec.get("labels", 10))]
        if not node.planned
    ]
    legend_boxes = [
        Box(lx, ly - 7, lx + 15 + font.getlength(name), ly + 7)
        for (lx, ly), (_, name) in zip(legend_at, [*legend, (-1, "planned")], strict=True)
    ]
    labels = place_labels(
        wanted,
        [node_box(*coords[node.key], radius(node)) for node in nodes],
        Box(2, 2, width - 2, height - 2),
        legend_boxes,
        leaders=True,
        node_keys=[node.key for node in nodes],
    )

    def draw(canvas: Any, s: float) -> None:
        _draw_links(canvas, [(coords[a], coords[b]) for a, b in edges], s)
        for node in nodes:
            x, y, r = coords[node.key][0] * s, coords[node.key][1] * s, radius(node) * s
            if node.planned:
                canvas.ellipse([x - r, y - r, x + r, y + r], outline=MUTED, width=max(1, round(1.5 * s)))
            else:
                canvas.ellipse([x - r, y - r, x + r, y + r], fill=colour(node), outline=PAPER, width=round(s))
        for spot in labels.values():
            if spot.leader is not None:
                line = spot.leader
                canvas.line(
                    [(line.x0 * s, line.y0 * s), (line.x1 * s, line.y1 * s)],
                    fill=MUTED,
                    width=max(1, round(s)),
                )
        big = load_font(font_path, round(LABEL_SIZE * s))
        name_big = load_font(font_path, round(NAME_SIZE * s))
        anchors = {"start": "ls", "middle": "ms", "end": "rs"}
        for node in nodes:
            spot = labels.get(node.key)
            if spot is not None:
                canvas.text(
                    (spot.x * s, spot.y * s),
                    _short(node.title),
                    font=name_big,
                    fill=INK,
                    anchor=anchors[spot.anchor],
                )
        for (lx, ly), (index, name) in zip(legend_at, [*legend, (-1, "planned")], strict=True):
            box = [lx * s, (ly - 5) * s, (lx + 10) * s, (ly + 5) * s]
            if index < 0:
                canvas.ellipse(box, outline=MUTED, width=max(1, round(1.5 * s)))
            else:
                canvas.ellipse(box, fill=PALETTE[index % len(PALETTE)])
            canvas.text(((lx + 15) * s, ly * s), name, font=big, fill=INK, anchor="lm")

    png, png2x = png_pair(
        draw,
        width,
        height,
        scale=4 if len(edges) + len(nodes) < 1500 else 2,
        colours=(EDGE, MUTED, INK, *PALETTE),
    )
    title = str(spec.get("title") or "The Graph")
    written = sum(1 for n in nodes if not n.planned)
    alt = str(
        spec.get("alt")
        or f"{title}: the garden's {written} notes and {len(nodes) - written} planned notes as a network of "
        f"{len(edges)} links, coloured by taxonomy area."
    )
    svg = _graph_svg(
        nodes, edges, coords, labels, legend, legend_at, width, height, title, alt, radius, colour
    )
    output = str(spec.get("output") or "images/graph").strip("/")
    figure = Figure("graph", output, alt)
    figure.files = {figure.png: png, figure.png2x: png2x, figure.svg_path: svg.encode("utf-8")}
    figure.svg = svg
    return figure


def _graph_svg(
    nodes: list[GraphNode],
    edges: list[tuple[str, str]],
    coords: dict[str, tuple[float, float]],
    labels: dict[str, Placed],
    legend: list[tuple[int, str]],
    legend_at: list[tuple[float, float]],
    width: int,
    height: int,
    title: str,
    alt: str,
    radius: Callable[[GraphNode], float],
    colour: Callable[[GraphNode], tuple[int, int, int]],
) -> str:
    parts = [
        svg_open(width, height, title, alt, interactive=any(node.url for node in nodes)),
        '<g stroke="#cdc8be" stroke-width="1" opacity=".8">',
    ]
    for a, b in edges:
        (ax, ay), (bx, by) = coords[a], coords[b]
        parts.append(f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}"/>')
    parts.append("</g>")
    for node in nodes:
        x, y = coords[node.key]
        r = radius(node)
        if node.planned:
            circle = (
                f'<circle class="node planned" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="none" '
                f'stroke="{hex_colour(MUTED)}" stroke-width="1.5" stroke-dasharray="2 2"/>'
            )
        else:
            fill = hex_colour(colour(node))
            circle = f'<circle class="node" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}"/>'
        spot = labels.get(node.key)
        label = (
            f'<text class="ink" stroke="none" x="{spot.x:.1f}" y="{spot.y:.1f}" font-size="{NAME_SIZE}" '
            f'text-anchor="{spot.anchor}">{escape(_short(node.title))}</text>'
            if spot is not None
            else ""
        )
        if spot is not None and spot.leader is not None:
            line = spot.leader
            label = (
                f'<line class="leader muted" x1="{line.x0:.1f}" y1="{line.y0:.1f}" x2="{line.x1:.1f}" '
                f'y2="{line.y1:.1f}" stroke-width="1"/>{label}'
            )
        tip = f"<title>{escape(node.title)}{' (planned)' if node.planned else ''}</title>"
        if node.url:
            parts.append(f"<a href={quoteattr(node.url)}>{tip}{circle}{label}</a>")
        else:
            parts.append(f"<g>{tip}{circle}{label}</g>")
    for (lx, ly), (index, name) in zip(legend_at, [*legend, (-1, "planned")], strict=True):
        fill = (
            f'class="swatch-area" fill="{hex_colour(PALETTE[index % len(PALETTE)])}"'
            if index >= 0
            else f'fill="none" stroke="{hex_colour(MUTED)}"'
        )
        parts.append(
            f'<circle cx="{lx + 5:.1f}" cy="{ly:.1f}" r="5" {fill}/>'
            f'<text class="ink" stroke="none" x="{lx + 15:.1f}" y="{ly + 4:.1f}" font-size="{LABEL_SIZE}">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _draw_links(canvas: Any, links: list[tuple[tuple[float, float], tuple[float, float]]], s: float) -> None:
    """Each link as a line 1 px wide at 1×. At 2× (how a big graph is drawn) it is two 1 px lines
    side by side: pillow fills a polygon for each wide line, twice as slow for thousands of them."""
    width = max(1, round(s))
    for (ax, ay), (bx, by) in links:
        a, b = (ax * s, ay * s), (bx * s, by * s)
        if width != 2:
            canvas.line([a, b], fill=EDGE, width=width)
            continue
        dx, dy = (0.0, 0.5) if abs(b[0] - a[0]) >= abs(b[1] - a[1]) else (0.5, 0.0)
        canvas.line([(a[0] - dx, a[1] - dy), (b[0] - dx, b[1] - dy)], fill=EDGE)
        canvas.line([(a[0] + dx, a[1] + dy), (b[0] + dx, b[1] + dy)], fill=EDGE)


def _legend_positions(
    names: list[str], font_path: Path, width: float, pad: float
) -> list[tuple[float, float]]:
    """Where each legend entry starts, wrapping onto new rows to fit the width."""
    font = load_font(font_path, LABEL_SIZE)
    positions: list[tuple[float, float]] = []
    x, y = pad, 19.0
    for name in names:
        size = 22 + font.getlength(name)
        if x + size > pad + width and x > pad:
            x, y = pad, y + 20
        positions.append((x, y))
        x += size
    return positions


def _short(title: str, limit: int = 24) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _spread(points: list[tuple[float, float]], even: float) -> list[tuple[float, float]]:
    """The layout with its crowds spread out: each coordinate becomes a blend of itself and its
    rank among the notes (scaled to the same span), so the dense middle gets more room, a few
    far-flung notes (unlinked ones, long chains) no longer shrink the whole drawing, and
    neighbours stay neighbours. ``even`` is the rank's share."""
    n = len(points)
    if n < 3:
        return points
    axes = []
    for values in ([x for x, _ in points], [y for _, y in points]):
        low, high = min(values), max(values)
        order = sorted(range(n), key=values.__getitem__)  # stable: ties keep the notes' order
        rank = [0.0] * n
        for place, i in enumerate(order):
            rank[i] = low + (high - low) * place / (n - 1)
        axes.append([(1 - even) * v + even * r for v, r in zip(values, rank, strict=True)])
    return list(zip(axes[0], axes[1], strict=True))


def _fit(points: list[tuple[float, float]], room: Box) -> list[tuple[float, float]]:
    """Scale into ``room``, each axis on its own (the layout's shape is not meaningful, the room
    for labels is) but never stretched more than 1.5 times one way than the other; centred."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    sx, sy = (room.x1 - room.x0) / span_x, (room.y1 - room.y0) / span_y
    sx, sy = min(sx, 1.5 * sy), min(sy, 1.5 * sx)
    ox = (room.x0 + room.x1) / 2 - (max(xs) + min(xs)) / 2 * sx
    oy = (room.y0 + room.y1) / 2 - (max(ys) + min(ys)) / 2 * sy
    return [(ox + x * sx, oy + y * sy) for x, y in points]
