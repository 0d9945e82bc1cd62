"""The Pareto frontier of models (realism against tractability), from ``figures.pareto``."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from garden.core.problems import Problems
from garden.figures.draw import ACCENT, INK, MUTED, PAPER, Figure, load_font, png_pair, svg_open
from garden.figures.labels import Box, Placed, Wanted, node_box, place_labels


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
    pictures: tuple[bytes, bytes] | None = None,
) -> Figure | None:
    """The frontier of models: tractability up, realism right, a dashed curve through them
    (``pictures``: its PNGs at 1× and 2×, when they were drawn ahead)."""
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
    labels = _place(frame, points, x_label, y_label, load_font(font_path, 13), load_font(font_path, 15))

    def draw(canvas: Any, s: float) -> None:
        w = max(1, round(2 * s))
        font = load_font(font_path, round(15 * s))
        small = load_font(font_path, round(13 * s))
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
            spot = labels.get(point.label)
            if spot is not None:
                anchor = {"start": "ls", "middle": "ms", "end": "rs"}[spot.anchor]
                canvas.text((spot.x * s, spot.y * s), point.label, font=small, fill=INK, anchor=anchor)

    png, png2x = pictures or png_pair(draw, frame.width, frame.height, colours=(INK, MUTED, ACCENT))
    svg = _pareto_svg(frame, points, curve, labels, title, alt, x_label, y_label)
    output = str(spec.get("output") or "images/pareto-frontier").strip("/")
    figure = Figure("pareto", output, alt)
    figure.files = {figure.png: png, figure.png2x: png2x, figure.svg_path: svg.encode("utf-8")}
    figure.svg = svg
    return figure


def pareto_pictures(spec: dict[str, Any], where: Path, font_path: Path) -> tuple[bytes, bytes] | None:
    """The figure's PNGs alone, drawn before the notes are known: they show no links (the SVG
    does), and the points' problems are reported when the whole figure is made."""
    figure = pareto_figure(spec, lambda _name: "", Problems(), where, font_path)
    return None if figure is None else (figure.files[figure.png], figure.files[figure.png2x])


def _pareto_svg(
    frame: _Frame,
    points: list[ParetoPoint],
    curve: list[tuple[float, float]],
    labels: dict[str, Placed],
    title: str,
    alt: str,
    x_label: str,
    y_label: str,
) -> str:
    x0, y0 = frame.left, frame.height - frame.bottom
    tip = frame.width - frame.right + 18
    top = frame.top - 28
    parts = [
        svg_open(frame.width, frame.height, title, alt, interactive=any(p.url for p in points)),
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
        item.append(f'<circle class="node dot" cx="{cx:.1f}" cy="{cy:.1f}" r="7"/>')
        spot = labels.get(point.label)
        if spot is not None:
            item.append(
                f'<text class="ink" stroke="none" x="{spot.x:.1f}" y="{spot.y:.1f}" '
                f'font-size="13" text-anchor="{spot.anchor}">{escape(point.label)}</text>'
            )
        body = "".join(item)
        if point.url:
            parts.append(f"<a href={quoteattr(point.url)}><title>{escape(point.label)}</title>{body}</a>")
        else:
            parts.append(f"<g><title>{escape(point.label)}</title>{body}</g>")
    parts.append("</svg>")
    return "".join(parts)


def _place(
    frame: _Frame, points: list[ParetoPoint], x_label: str, y_label: str, small: Any, font: Any
) -> dict[str, Placed]:
    """Labels beside their points, clear of each other, the points and the axis titles."""
    x0, y0 = frame.left, frame.height - frame.bottom
    ascent, descent = font.getmetrics()
    axis_titles = [
        Box(
            frame.width - frame.right - font.getlength(x_label + " →"),
            y0 + 34 - ascent,
            frame.width,
            y0 + 34 + descent,
        ),
        Box(
            x0 + 14,
            frame.top - 14 - ascent,
            x0 + 14 + font.getlength(y_label + " ↑"),
            frame.top - 14 + descent,
        ),
        Box(x0 - 8, frame.top - 28, x0 + 2, y0 + 2),  # the vertical axis
        Box(x0 - 2, y0 - 2, frame.width, y0 + 8),  # the horizontal axis
    ]
    up, down = small.getmetrics()
    dots = [(frame.x(p.realism), frame.y(p.tractability)) for p in points]
    wanted = [
        Wanted(p.label, cx, cy, 7, small.getlength(p.label), up, down)
        for p, (cx, cy) in zip(points, dots, strict=True)
    ]
    # up and away from the frontier, which runs from the top left to the bottom right
    sides = ("above-right", "above-left", "above", "right", "left", "below-left", "below-right", "below")
    bounds = Box(0, 0, frame.width, frame.height)
    return place_labels(wanted, [node_box(cx, cy, 7) for cx, cy in dots], bounds, axis_titles, sides=sides)
