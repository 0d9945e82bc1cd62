"""Figures drawn from data at build time: the Pareto frontier and the garden's own graph.

Each figure is written three ways: a PNG, a 2× PNG for high-DPI screens (both drawn with
pillow, supersampled so lines stay crisp) and an SVG whose points link to their notes. Pages
inline the SVG, so the figure is sharp, follows the colour scheme and its points are links.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from garden.core.problems import Problems

# colours: a palette that reads on light and dark backgrounds
INK = (31, 35, 40)
MUTED = (110, 116, 126)
PAPER = (253, 252, 248)
ACCENT = (29, 95, 168)
PALETTE = [
    (29, 95, 168),
    (196, 78, 32),
    (46, 140, 60),
    (140, 70, 170),
    (190, 140, 0),
    (0, 140, 150),
    (200, 45, 90),
    (120, 90, 60),
    (90, 110, 200),
    (150, 160, 40),
]


@dataclass
class Figure:
    """A drawn figure: its files by output path, and the SVG to inline in pages."""

    name: str
    output: str  # output path without extension, e.g. images/digitalGarden/paretoFrontier
    alt: str
    files: dict[str, bytes] = field(default_factory=dict)
    svg: str = ""

    @property
    def png(self) -> str:
        return self.output + ".png"

    @property
    def png2x(self) -> str:
        return self.output + "@2x.png"

    @property
    def svg_path(self) -> str:
        return self.output + ".svg"

    @property
    def svg_hash(self) -> str:
        import hashlib

        return hashlib.blake2b(self.svg.encode(), digest_size=12).hexdigest()


def _hex(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _font(path: Path, size: int) -> Any:
    """DejaVu Sans from the npm registry: the same glyphs (µ, arrows) on every machine."""
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size)


def _png_pair(draw: Callable[[Any, float], None], width: int, height: int) -> tuple[bytes, bytes]:
    """Draw at 4× and downsample: a 1× and a 2× PNG with smooth, crisp edges."""
    from PIL import Image, ImageDraw

    scale = 4
    image = Image.new("RGB", (width * scale, height * scale), PAPER)
    draw(ImageDraw.Draw(image), scale)
    double = image.reduce(2)  # box-filter supersampling: smooth edges, fast
    out = []
    for picture in (double.reduce(2), double):
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out[0], out[1]


# --------------------------------------------------------------------------- Pareto frontier


@dataclass
class ParetoPoint:
    label: str
    realism: float
    tractability: float
    realism_error: float = 0.0
    url: str = ""  # the note this point links to, if any


def _catmull_rom(points: list[tuple[float, float]], steps: int = 24) -> list[tuple[float, float]]:
    """A smooth curve through every point, in order."""
    if len(points) < 3:
        return points
    padded = [points[0], *points, points[-1]]
    curve: list[tuple[float, float]] = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for step in range(steps):
            t = step / steps
            t2, t3 = t * t, t * t * t
            curve.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[k]
                        + (-p0[k] + p2[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                        + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3
                    )
                    for k in (0, 1)
                )
            )
    curve.append(points[-1])
    return curve


def _dashes(curve: list[tuple[float, float]], dash: float, gap: float) -> list[list[tuple[float, float]]]:
    """Split a polyline into dashes of the given lengths (in its own units)."""
    pieces: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = [curve[0]]
    drawing, left = True, dash
    for (x0, y0), (x1, y1) in itertools.pairwise(curve):
        length = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while length - pos > left:
            pos += left
            t = pos / length
            point = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            if drawing:
                current.append(point)
                pieces.append(current)
            current = [point]
            drawing, left = not drawing, gap if drawing else dash
        left -= length - pos
        if drawing:
            current.append((x1, y1))
    if drawing and len(current) > 1:
        pieces.append(current)
    return pieces


class _Frame:
    """Maps data coordinates (0..1 realism, 0..1 tractability) to the picture."""

    width, height = 820, 540
    left, right, top, bottom = 80, 40, 50, 70

    def x(self, realism: float) -> float:
        return self.left + realism * (self.width - self.left - self.right)

    def y(self, tractability: float) -> float:
        return self.height - self.bottom - tractability * (self.height - self.top - self.bottom)


def pareto_figure(
    spec: dict[str, Any],
    resolve_url: Callable[[str], str],
    problems: Problems,
    where: Path,
    font_path: Path,
) -> Figure | None:
    """The frontier of models: tractability up, realism right, a dashed curve through them."""
    raw_points = spec.get("points") or []
    points: list[ParetoPoint] = []
    for index, raw in enumerate(raw_points):
        try:
            point = ParetoPoint(
                label=str(raw["label"]),
                realism=float(raw["realism"]),
                tractability=float(raw["tractability"]),
                realism_error=float(raw.get("realism_error", 0) or 0),
                url=resolve_url(str(raw["note"])) if raw.get("note") else "",
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.error(
                where,
                0,
                f"figures.pareto.points[{index}] is not valid ({exc})",
                "each point needs label, realism and tractability (numbers from 0 to 1)",
            )
            continue
        if not (0 <= point.realism <= 1 and 0 <= point.tractability <= 1):
            problems.error(
                where, 0, f"pareto point {point.label!r} lies outside 0..1", "use values from 0 to 1"
            )
            continue
        points.append(point)
    if not points:
        return None
    points.sort(key=lambda p: (p.realism, -p.tractability))
    frame = _Frame()
    title = str(spec.get("title") or "The Pareto frontier of models of deep learning")
    x_label = str(spec.get("x_label") or "Realism")
    y_label = str(spec.get("y_label") or "Tractability")
    alt = str(
        spec.get("alt")
        or f"{title}: " + ", ".join(p.label for p in points) + ", from most tractable to most realistic."
    )
    curve = _catmull_rom([(frame.x(p.realism), frame.y(p.tractability)) for p in points])

    def draw(canvas: Any, s: float) -> None:
        w = max(1, round(2 * s))
        font = _font(font_path, round(15 * s))
        small = _font(font_path, round(13 * s))
        x0, y0 = frame.left * s, (frame.height - frame.bottom) * s
        # axes with arrowheads
        canvas.line([(x0, y0), ((frame.width - frame.right + 10) * s, y0)], fill=INK, width=w)
        canvas.line([(x0, y0), (x0, (frame.top - 20) * s)], fill=INK, width=w)
        tip = (frame.width - frame.right + 18) * s
        canvas.polygon([(tip, y0), (tip - 12 * s, y0 - 6 * s), (tip - 12 * s, y0 + 6 * s)], fill=INK)
        top = (frame.top - 28) * s
        canvas.polygon([(x0, top), (x0 - 6 * s, top + 12 * s), (x0 + 6 * s, top + 12 * s)], fill=INK)
        canvas.text(
            ((frame.width - frame.right) * s, y0 + 18 * s), x_label + " →", font=font, fill=INK, anchor="ra"
        )
        canvas.text((x0 + 14 * s, (frame.top - 28) * s), y_label + " ↑", font=font, fill=INK, anchor="lt")
        for dash in _dashes([(x * s, y * s) for x, y in curve], 9 * s, 7 * s):
            canvas.line(dash, fill=ACCENT, width=w)
        for point in points:
            cx, cy = frame.x(point.realism) * s, frame.y(point.tractability) * s
            if point.realism_error:
                left = frame.x(max(point.realism - point.realism_error, 0)) * s
                right = frame.x(min(point.realism + point.realism_error, 1)) * s
                canvas.line([(left, cy), (right, cy)], fill=MUTED, width=w)
                for end in (left, right):
                    canvas.line([(end, cy - 7 * s), (end, cy + 7 * s)], fill=MUTED, width=w)
            r = 7 * s
            canvas.ellipse(
                [cx - r, cy - r, cx + r, cy + r], fill=ACCENT, outline=PAPER, width=max(1, round(s))
            )
            left_side = point.realism > 0.75
            lx = cx - 12 * s if left_side else cx + 12 * s
            canvas.text(
                (lx, cy - 12 * s), point.label, font=small, fill=INK, anchor="rd" if left_side else "ld"
            )

    png, png2x = _png_pair(draw, frame.width, frame.height)
    svg = _pareto_svg(frame, points, curve, title, alt, x_label, y_label)
    output = str(spec.get("output") or "images/pareto-frontier").strip("/")
    figure = Figure("pareto", output, alt)
    figure.files = {figure.png: png, figure.png2x: png2x, figure.svg_path: svg.encode("utf-8")}
    figure.svg = svg
    return figure


_SVG_STYLE = (
    "<style>"
    ".fig{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328}"
    ".fig .ink{fill:currentColor;stroke:currentColor}.fig .muted{stroke:#6e747e;fill:#6e747e}"
    ".fig .line{stroke:#1d5fa8;fill:none}.fig .dot{fill:#1d5fa8;stroke:none}"
    ".fig a:hover .dot,.fig a:focus .dot{stroke:currentColor;stroke-width:3}"
    ".fig a text{text-decoration:underline;text-decoration-thickness:1px}"
    "@media (prefers-color-scheme:dark){:root:not([data-theme=light]) .fig{color:#e3e1dc}"
    ":root:not([data-theme=light]) .fig .line{stroke:#79b0f2}"
    ":root:not([data-theme=light]) .fig .dot{fill:#79b0f2}}"
    ":root[data-theme=dark] .fig{color:#e3e1dc}:root[data-theme=dark] .fig .line{stroke:#79b0f2}"
    ":root[data-theme=dark] .fig .dot{fill:#79b0f2}"
    "</style>"
)


def _svg_open(width: int, height: int, title: str, alt: str) -> str:
    return (
        f'<svg class="fig" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(alt)}>'
        f"<title>{escape(title)}</title><desc>{escape(alt)}</desc>{_SVG_STYLE}"
    )


def _pareto_svg(
    frame: _Frame,
    points: list[ParetoPoint],
    curve: list[tuple[float, float]],
    title: str,
    alt: str,
    x_label: str,
    y_label: str,
) -> str:
    x0, y0 = frame.left, frame.height - frame.bottom
    tip = frame.width - frame.right + 18
    top = frame.top - 28
    parts = [
        _svg_open(frame.width, frame.height, title, alt),
        f'<g class="ink" stroke-width="2"><line x1="{x0}" y1="{y0}" x2="{tip - 8}" y2="{y0}"/>'
        f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{top + 8}"/></g>',
        f'<polygon class="ink" points="{tip},{y0} {tip - 12},{y0 - 6} {tip - 12},{y0 + 6}"/>',
        f'<polygon class="ink" points="{x0},{top} {x0 - 6},{top + 12} {x0 + 6},{top + 12}"/>',
        f'<text class="ink" stroke="none" x="{frame.width - frame.right}" y="{y0 + 34}" '
        f'text-anchor="end" font-size="15">{escape(x_label)} →</text>',
        f'<text class="ink" stroke="none" x="{x0 + 14}" y="{top + 14}" '
        f'font-size="15">{escape(y_label)} ↑</text>',
        '<polyline class="line" fill="none" stroke-width="2" stroke-dasharray="9 7" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in curve)
        + '"/>',
    ]
    for point in points:
        cx, cy = frame.x(point.realism), frame.y(point.tractability)
        item = []
        if point.realism_error:
            left = frame.x(max(point.realism - point.realism_error, 0))
            right = frame.x(min(point.realism + point.realism_error, 1))
            item.append(
                f'<g class="muted" stroke-width="2"><line x1="{left:.1f}" y1="{cy:.1f}" x2="{right:.1f}" '
                f'y2="{cy:.1f}"/><line x1="{left:.1f}" y1="{cy - 7:.1f}" x2="{left:.1f}" y2="{cy + 7:.1f}"/>'
                f'<line x1="{right:.1f}" y1="{cy - 7:.1f}" x2="{right:.1f}" y2="{cy + 7:.1f}"/></g>'
            )
        item.append(f'<circle class="dot" cx="{cx:.1f}" cy="{cy:.1f}" r="7"/>')
        left_side = point.realism > 0.75
        anchor = ' text-anchor="end"' if left_side else ""
        item.append(
            f'<text class="ink" stroke="none" x="{cx - 12 if left_side else cx + 12:.1f}" y="{cy - 12:.1f}" '
            f'font-size="13"{anchor}>{escape(point.label)}</text>'
        )
        body = "".join(item)
        if point.url:
            parts.append(f"<a href={quoteattr(point.url)}><title>{escape(point.label)}</title>{body}</a>")
        else:
            parts.append(f"<g>{body}</g>")
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- the garden's graph


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
    legend: list[tuple[int, str]],
    font_path: Path,
) -> Figure | None:
    """The link graph laid out by networkx, coloured by taxonomy area, planned notes as ghosts."""
    import networkx as nx

    if not nodes:
        return None
    graph = nx.Graph()
    graph.add_nodes_from(node.key for node in nodes)
    graph.add_edges_from(edges)
    positions = nx.spring_layout(graph, seed=7, method="energy", gravity=2.0)
    xs = [float(p[0]) for p in positions.values()]
    ys = [float(p[1]) for p in positions.values()]
    width, height, pad = 900, 640, 40
    legend_at = _legend_positions([name for _, name in legend] + ["planned"], font_path, width - 2 * pad, pad)
    legend_h = legend_at[-1][1] + 14
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0

    def place(key: str) -> tuple[float, float]:
        px, py = positions[key]
        return (
            pad + (float(px) - min(xs)) / span_x * (width - 2 * pad),
            pad + legend_h + (float(py) - min(ys)) / span_y * (height - 2 * pad - legend_h),
        )

    coords = {node.key: place(node.key) for node in nodes}
    labelled = {
        node.key
        for node in sorted(nodes, key=lambda n: (-n.degree, n.title))[: int(spec.get("labels", 10))]
        if not node.planned
    }

    def radius(node: GraphNode) -> float:
        return 4 + 1.6 * math.sqrt(node.degree)

    def colour(node: GraphNode) -> tuple[int, int, int]:
        return PALETTE[node.area % len(PALETTE)] if node.area >= 0 else MUTED

    def draw(canvas: Any, s: float) -> None:
        for a, b in edges:
            (ax, ay), (bx, by) = coords[a], coords[b]
            canvas.line([(ax * s, ay * s), (bx * s, by * s)], fill=(205, 200, 190), width=max(1, round(s)))
        for node in nodes:
            x, y, r = coords[node.key][0] * s, coords[node.key][1] * s, radius(node) * s
            if node.planned:
                canvas.ellipse([x - r, y - r, x + r, y + r], outline=MUTED, width=max(1, round(1.5 * s)))
            else:
                canvas.ellipse([x - r, y - r, x + r, y + r], fill=colour(node), outline=PAPER, width=round(s))
        font = _font(font_path, round(12 * s))
        for node in nodes:
            if node.key in labelled:
                x, y = coords[node.key]
                canvas.text(
                    (x * s, (y - radius(node) - 3) * s), _short(node.title), font=font, fill=INK, anchor="md"
                )
        for (lx, ly), (index, name) in zip(legend_at, [*legend, (-1, "planned")], strict=True):
            box = [lx * s, (ly - 5) * s, (lx + 10) * s, (ly + 5) * s]
            if index < 0:
                canvas.ellipse(box, outline=MUTED, width=max(1, round(1.5 * s)))
            else:
                canvas.ellipse(box, fill=PALETTE[index % len(PALETTE)])
            canvas.text(((lx + 15) * s, ly * s), name, font=font, fill=INK, anchor="lm")

    png, png2x = _png_pair(draw, width, height)
    title = str(spec.get("title") or "The Graph")
    written = sum(1 for n in nodes if not n.planned)
    alt = str(
        spec.get("alt")
        or f"{title}: the garden's {written} notes and {len(nodes) - written} planned notes as a network of "
        f"{len(edges)} links, coloured by taxonomy area."
    )
    svg = _graph_svg(
        nodes, edges, coords, labelled, legend, legend_at, width, height, title, alt, radius, colour
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
    labelled: set[str],
    legend: list[tuple[int, str]],
    legend_at: list[tuple[float, float]],
    width: int,
    height: int,
    title: str,
    alt: str,
    radius: Callable[[GraphNode], float],
    colour: Callable[[GraphNode], tuple[int, int, int]],
) -> str:
    parts = [_svg_open(width, height, title, alt), '<g stroke="#cdc8be" stroke-width="1" opacity=".8">']
    for a, b in edges:
        (ax, ay), (bx, by) = coords[a], coords[b]
        parts.append(f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}"/>')
    parts.append("</g>")
    for node in nodes:
        x, y = coords[node.key]
        r = radius(node)
        if node.planned:
            circle = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="none" stroke="#6e747e" '
                f'stroke-width="1.5" stroke-dasharray="2 2"/>'
            )
        else:
            circle = (
                f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{_hex(colour(node))}"/>'
            )
        label = (
            f'<text class="ink" stroke="none" x="{x:.1f}" y="{y - r - 3:.1f}" font-size="12" '
            f'text-anchor="middle">{escape(_short(node.title))}</text>'
            if node.key in labelled
            else ""
        )
        tip = f"<title>{escape(node.title)}{' (planned)' if node.planned else ''}</title>"
        if node.url:
            parts.append(f"<a href={quoteattr(node.url)}>{tip}{circle}{label}</a>")
        else:
            parts.append(f"<g>{tip}{circle}{label}</g>")
    for (lx, ly), (index, name) in zip(legend_at, [*legend, (-1, "planned")], strict=True):
        fill = (
            f'fill="{_hex(PALETTE[index % len(PALETTE)])}"' if index >= 0 else 'fill="none" stroke="#6e747e"'
        )
        parts.append(
            f'<circle cx="{lx + 5:.1f}" cy="{ly:.1f}" r="5" {fill}/>'
            f'<text class="ink" stroke="none" x="{lx + 15:.1f}" y="{ly + 4:.1f}" font-size="12">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend_positions(
    names: list[str], font_path: Path, width: float, pad: float
) -> list[tuple[float, float]]:
    """Where each legend entry starts, wrapping onto new rows to fit the width."""
    font = _font(font_path, 12)
    positions: list[tuple[float, float]] = []
    x, y = pad, 19.0
    for name in names:
        size = 22 + font.getlength(name)
        if x + size > pad + width and x > pad:
            x, y = pad, y + 20
        positions.append((x, y))
        x += size
    return positions


def _short(title: str, limit: int = 28) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
