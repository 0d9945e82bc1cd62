"""Line plots drawn from data tables kept in the repository (``figures.plots`` in garden.yaml).

A note's figure is data, never code: a CSV table (first column x, one column per curve) and a
few lines of YAML saying which columns to draw, with what labels. The tables are computed
from their formulas by ``figures/compute.py``, kept beside them, so a reader can check both.
The build draws a PNG pair and an SVG (inlined in pages, following the colour scheme).
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from garden.figures.draw import INK, MUTED, PALETTE, Figure, hex_colour, load_font, png_pair, svg_open

WIDTH, PLOT_HEIGHT = 720, 420
LEFT, RIGHT, TOP, BOTTOM = 78, 28, 44, 64  # margins around the plotting area
LEGEND_ROW = 24
DASHES = ["", "8 5", "2 4", "12 4 2 4", "4 3", "16 6"]  # told apart without colour, too


class PlotError(ValueError):
    """A plot that cannot be drawn: the message says what to fix, ``line`` where (0: the table)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Mark:
    """A reference line: ``x: 2`` draws a vertical line at x = 2, ``y: 0.5`` a horizontal one."""

    axis: str
    value: float
    label: str = ""


@dataclass
class Plot:
    output: str
    title: str
    alt: str
    x_label: str
    y_label: str
    x: list[float]
    series: list[tuple[str, list[float]]]  # legend label, y values (NaN: no point)
    log_x: bool = False
    log_y: bool = False
    marks: list[Mark] = field(default_factory=list)
    y_min: float | None = None
    y_max: float | None = None


def plot_outputs(specs: Any) -> set[str]:
    """Files the plots will write, known before drawing, so links to them resolve."""
    paths: set[str] = set()
    for spec in specs if isinstance(specs, list) else []:
        if isinstance(spec, dict) and spec.get("output"):
            base = str(spec["output"]).strip("/")
            paths |= {base + ".png", base + "@2x.png", base + ".svg"}
    return paths


def read_table(text: str) -> dict[str, list[float]]:
    """A CSV table with a header row: column name -> numbers (empty cells are NaN)."""
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        raise PlotError("the table needs a header row and at least one row of numbers")
    header = [name.strip() for name in rows[0]]
    columns: dict[str, list[float]] = {name: [] for name in header}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise PlotError(f"this row has {len(row)} cells, the header has {len(header)}", number)
        for name, cell in zip(header, row, strict=True):
            try:
                columns[name].append(float(cell) if cell.strip() else math.nan)
            except ValueError:
                raise PlotError(f"{cell!r} in column {name!r} is not a number", number) from None
    return columns


def parse_plot(spec: dict[str, Any], table: dict[str, list[float]]) -> Plot:
    """Check a plot's spec against its table."""
    output = str(spec.get("output") or "").strip("/")
    if not output:
        raise PlotError("'output' is missing (where to write it, e.g. images/figures/my-plot)")
    columns = list(table)
    x_column = str(spec.get("x") or columns[0])
    if x_column not in table:
        raise PlotError(f"no column {x_column!r} for x; the table has {', '.join(columns)}")
    wanted = spec.get("series") or {name: name for name in columns if name != x_column}
    if not isinstance(wanted, dict):
        raise PlotError("'series' maps column names to legend labels, e.g. {relu: ReLU}")
    series = []
    for column, label in wanted.items():
        if str(column) not in table:
            raise PlotError(f"no column {column!r}; the table has {', '.join(columns)}")
        series.append((str(label), table[str(column)]))
    marks = []
    for raw in spec.get("marks") or []:
        axis = "x" if isinstance(raw, dict) and "x" in raw else "y"
        try:
            marks.append(Mark(axis, float(raw[axis]), str(raw.get("label", ""))))
        except (KeyError, TypeError, ValueError):
            raise PlotError(f"a mark needs a number for x or y, got {raw!r}") from None
    title = str(spec.get("title") or output.rsplit("/", 1)[-1])
    plot = Plot(
        output=output,
        title=title,
        alt=str(spec.get("alt") or title),
        x_label=str(spec.get("x_label") or x_column),
        y_label=str(spec.get("y_label") or ""),
        x=table[x_column],
        series=series,
        log_x=bool(spec.get("log_x")),
        log_y=bool(spec.get("log_y")),
        marks=marks,
        y_min=_number(spec.get("y_min")),
        y_max=_number(spec.get("y_max")),
    )
    for axis, values in (("x", plot.x), *(("y", ys) for _, ys in series)):
        log = plot.log_x if axis == "x" else plot.log_y
        if log and any(v <= 0 for v in values if not math.isnan(v)):
            raise PlotError(f"log_{axis} needs positive values")
    return plot


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


class _Axis:
    """Maps data values to pixels along one axis, linear or logarithmic."""

    def __init__(self, lo: float, hi: float, start: float, end: float, log: bool) -> None:
        self.log = log
        if log:
            lo, hi = math.log10(lo), math.log10(hi)
        if hi <= lo:
            lo, hi = lo - 1, hi + 1
        self.lo, self.hi, self.start, self.end = lo, hi, start, end

    def __call__(self, value: float) -> float:
        v = math.log10(value) if self.log else value
        return self.start + (v - self.lo) / (self.hi - self.lo) * (self.end - self.start)

    def ticks(self) -> list[tuple[float, str]]:
        if self.log:
            first, last = math.ceil(self.lo - 1e-9), math.floor(self.hi + 1e-9)
            return [(10.0**k, _power_label(k)) for k in range(first, last + 1)]
        step = _nice_step((self.hi - self.lo) / 5)
        first = math.ceil(self.lo / step - 1e-9)
        ticks = []
        k = first
        while k * step <= self.hi + step * 1e-9:
            value = k * step
            ticks.append((value, _tick_label(value, step)))
            k += 1
        return ticks


def _nice_step(raw: float) -> float:
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _tick_label(value: float, step: float) -> str:
    """As many decimals as the step has: 0.5 → 1.5, 0.25 → 0.75, 20 → 40."""
    exponent = Decimal(repr(step)).normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    text = f"{value:.{decimals}f}"
    return "−" + text[1:] if text.startswith("-") and float(text) != 0 else text.lstrip("-")


def _power_label(k: int) -> str:
    if k == 0:
        return "1"
    if k == 1:
        return "10"
    return "10" + str(k).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _lighter(colour: tuple[int, int, int], amount: float = 0.45) -> tuple[int, int, int]:
    return tuple(round(c + (255 - c) * amount) for c in colour)  # type: ignore[return-value]


@dataclass
class _Layout:
    x_axis: _Axis
    y_axis: _Axis
    legend: list[tuple[float, float, int]]  # x, y, series index
    height: int
    runs: list[list[list[tuple[float, float]]]] = field(default_factory=list)  # per series, once


def _layout(plot: Plot, measure: Any) -> _Layout:
    xs = [v for v in plot.x if not math.isnan(v)]
    ys = [v for _, values in plot.series for v in values if not math.isnan(v)]
    ys += [m.value for m in plot.marks if m.axis == "y"]
    if not xs or not ys:
        raise PlotError("there are no numbers to draw")
    y_lo = plot.y_min if plot.y_min is not None else min(ys)
    y_hi = plot.y_max if plot.y_max is not None else max(ys)
    if not plot.log_y and plot.y_min is None and plot.y_max is None:
        pad = (y_hi - y_lo) * 0.05 or 1.0
        y_lo, y_hi = y_lo - pad, y_hi + pad
    x_axis = _Axis(min(xs), max(xs), LEFT, WIDTH - RIGHT, plot.log_x)
    y_axis = _Axis(y_lo, y_hi, PLOT_HEIGHT - BOTTOM, TOP, plot.log_y)
    legend, x, row = [], LEFT, 0
    for index, (label, _) in enumerate(plot.series):
        width = 34 + measure(label) + 22
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, row = LEFT, row + 1
        legend.append((x, PLOT_HEIGHT + 8 + row * LEGEND_ROW, index))
        x += width
    rows = row + 1 if plot.series else 0
    layout = _Layout(x_axis, y_axis, legend, PLOT_HEIGHT + 8 + rows * LEGEND_ROW + 6)
    layout.runs = [_runs(plot, values, layout) for _, values in plot.series]  # for the PNG and the SVG
    return layout


def _runs(plot: Plot, values: list[float], layout: _Layout) -> list[list[tuple[float, float]]]:
    """Polylines in pixels: a missing or off-scale value breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    lo, hi = sorted((layout.y_axis.lo, layout.y_axis.hi))
    for x, y in zip(plot.x, values, strict=False):
        inside = not (math.isnan(x) or math.isnan(y))
        if inside:
            v = math.log10(y) if plot.log_y else y
            inside = lo - 1e-9 <= v <= hi + 1e-9
        if inside:
            runs[-1].append((layout.x_axis(x), layout.y_axis(y)))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) > 1]


def plot_figure(plot: Plot, font_path: Path) -> Figure:
    """Draw ``plot`` as a PNG pair and an SVG."""
    font = load_font(font_path, 13)
    layout = _layout(plot, lambda text: font.getlength(text))
    png, png2x = png_pair(
        lambda canvas, s: _draw_png(canvas, s, plot, layout, font_path),
        WIDTH,
        layout.height,
        colours=(INK, MUTED, _lighter(MUTED, 0.7), *PALETTE),
    )
    svg = _svg(plot, layout)
    figure = Figure("plot", plot.output, plot.alt)
    figure.files = {figure.png: png, figure.png2x: png2x, figure.svg_path: svg.encode("utf-8")}
    figure.svg = svg
    return figure


def _draw_png(canvas: Any, s: float, plot: Plot, layout: _Layout, font_path: Path) -> None:
    font, small = load_font(font_path, round(14 * s)), load_font(font_path, round(12 * s))
    w = max(1, round(1.2 * s))
    bottom, top = (PLOT_HEIGHT - BOTTOM) * s, TOP * s
    left, right = LEFT * s, (WIDTH - RIGHT) * s
    grid = _lighter(MUTED, 0.7)
    for value, label in layout.x_axis.ticks():
        px = layout.x_axis(value) * s
        canvas.line([(px, top), (px, bottom)], fill=grid, width=w)
        canvas.text((px, bottom + 6 * s), label, font=small, fill=INK, anchor="ma")
    for value, label in layout.y_axis.ticks():
        py = layout.y_axis(value) * s
        canvas.line([(left, py), (right, py)], fill=grid, width=w)
        canvas.text((left - 8 * s, py), label, font=small, fill=INK, anchor="rm")
    canvas.line([(left, top), (left, bottom), (right, bottom)], fill=INK, width=w)
    canvas.text(((left + right) / 2, bottom + 28 * s), plot.x_label, font=font, fill=INK, anchor="ma")
    if plot.y_label:
        canvas.text((12 * s, 14 * s), plot.y_label, font=font, fill=INK, anchor="la")
    for mark, below in _mark_sides(plot, layout):
        _png_mark(canvas, s, mark, layout, small, below)
    for index, runs in enumerate(layout.runs):
        colour = PALETTE[index % len(PALETTE)]
        for run in runs:
            points = [(x * s, y * s) for x, y in run]
            for piece in _dashed(points, DASHES[index % len(DASHES)], s):
                canvas.line(piece, fill=colour, width=max(1, round(2.4 * s)), joint="curve")
    for x, y, index in layout.legend:
        colour = PALETTE[index % len(PALETTE)]
        cy = (y + LEGEND_ROW / 2) * s
        for piece in _dashed([(x * s, cy), ((x + 26) * s, cy)], DASHES[index % len(DASHES)], s):
            canvas.line(piece, fill=colour, width=max(1, round(2.4 * s)))
        canvas.text(((x + 34) * s, cy), plot.series[index][0], font=font, fill=INK, anchor="lm")


def _dashed(points: list[tuple[float, float]], pattern: str, s: float) -> list[list[tuple[float, float]]]:
    """The pieces of a polyline that an SVG ``stroke-dasharray`` pattern draws."""
    lengths = [float(v) * s for v in pattern.split()]
    if not lengths:
        return [points]
    pieces: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = [points[0]]
    index, left, drawing = 0, lengths[0], True
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length, pos = math.hypot(x1 - x0, y1 - y0), 0.0
        while length - pos > left:
            pos += left
            t = pos / length
            point = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            if drawing:
                pieces.append([*current, point])
            current = [point]
            drawing = not drawing
            index = (index + 1) % len(lengths)
            left = lengths[index]
        left -= length - pos
        if drawing:
            current.append((x1, y1))
    if drawing and len(current) > 1:
        pieces.append(current)
    return pieces


def _mark_sides(plot: Plot, layout: _Layout) -> list[tuple[Mark, bool]]:
    """Each mark with where its label goes: below its line when the one above is too close."""
    placed: list[tuple[Mark, bool]] = []
    last: dict[str, float] = {}
    for mark in sorted(plot.marks, key=lambda m: (m.axis, m.value)):
        axis = layout.x_axis if mark.axis == "x" else layout.y_axis
        position = axis(mark.value)
        below = mark.axis == "y" and mark.axis in last and abs(position - last[mark.axis]) < 18
        placed.append((mark, below))
        last[mark.axis] = position
    return placed


def _png_mark(canvas: Any, s: float, mark: Mark, layout: _Layout, font: Any, below: bool) -> None:
    if mark.axis == "x":
        px = layout.x_axis(mark.value) * s
        for y0 in range(TOP, PLOT_HEIGHT - BOTTOM, 10):
            canvas.line(
                [(px, y0 * s), (px, min(y0 + 5, PLOT_HEIGHT - BOTTOM) * s)],
                fill=MUTED,
                width=max(1, round(1.5 * s)),
            )
        canvas.text((px + 5 * s, (TOP + 16) * s), mark.label, font=font, fill=MUTED, anchor="la")
    else:
        py = layout.y_axis(mark.value) * s
        for x0 in range(LEFT, WIDTH - RIGHT, 10):
            canvas.line(
                [(x0 * s, py), (min(x0 + 5, WIDTH - RIGHT) * s, py)], fill=MUTED, width=max(1, round(1.5 * s))
            )
        if below:
            canvas.text(((WIDTH - RIGHT - 4) * s, py + 4 * s), mark.label, font=font, fill=MUTED, anchor="ra")
        else:
            canvas.text(((WIDTH - RIGHT - 4) * s, py - 4 * s), mark.label, font=font, fill=MUTED, anchor="rd")


def _svg(plot: Plot, layout: _Layout) -> str:
    light = [hex_colour(PALETTE[i % len(PALETTE)]) for i in range(len(plot.series))]
    dark = [hex_colour(_lighter(PALETTE[i % len(PALETTE)])) for i in range(len(plot.series))]
    grid_light, grid_dark = hex_colour(_lighter(MUTED, 0.7)), "#4a4f57"

    def rules(prefix: str, colours: list[str], grid: str, note: str) -> str:
        lines = "".join(f"{prefix}.plot .s{i}{{stroke:{c}}}" for i, c in enumerate(colours))
        return (
            lines
            + f"{prefix}.plot .grid{{stroke:{grid}}}{prefix}.plot .axis{{stroke:currentColor;fill:none}}"
            f"{prefix}.plot .label{{fill:currentColor;stroke:none}}"
            f"{prefix}.plot .note{{fill:{note};stroke:none}}"
        )

    style = (
        "<style>"
        + rules("", light, grid_light, hex_colour(MUTED))
        + "@media (prefers-color-scheme:dark){"
        + rules(":root:not([data-theme=light]) ", dark, grid_dark, "#a9adb4")
        + "}"
        + rules(":root[data-theme=dark] ", dark, grid_dark, "#a9adb4")
        + "</style>"
    )
    bottom, top, left, right = PLOT_HEIGHT - BOTTOM, TOP, LEFT, WIDTH - RIGHT
    parts = [
        svg_open(WIDTH, layout.height, plot.title, plot.alt).replace('class="fig"', 'class="fig plot"', 1),
        style,
    ]
    grid = []
    for value, label in layout.x_axis.ticks():
        px = layout.x_axis(value)
        grid.append(_line("grid", px, top, px, bottom))
        parts.append(_text("label", px, bottom + 18, label, 12, "middle"))
    for value, label in layout.y_axis.ticks():
        py = layout.y_axis(value)
        grid.append(_line("grid", left, py, right, py))
        parts.append(_text("label", left - 8, py + 4, label, 12, "end"))
    parts.insert(2, '<g stroke-width="1">' + "".join(grid) + "</g>")
    parts.append(
        f'<polyline class="axis" stroke-width="1.2" points="{left},{top} {left},{bottom} {right},{bottom}"/>'
    )
    parts.append(_text("label", (left + right) / 2, bottom + 42, plot.x_label, 14, "middle"))
    if plot.y_label:
        parts.append(_text("label", 12, 26, plot.y_label, 14))
    for mark, below in _mark_sides(plot, layout):
        dashed = ' stroke-dasharray="5 5" stroke-width="1.5"'
        if mark.axis == "x":
            px = layout.x_axis(mark.value)
            parts.append(_line("muted", px, top, px, bottom, dashed))
            parts.append(_text("note", px + 5, top + 28, mark.label, 12))
        else:
            py = layout.y_axis(mark.value)
            parts.append(_line("muted", left, py, right, py, dashed))
            parts.append(_text("note", right - 4, py + 15 if below else py - 4, mark.label, 12, "end"))
    for index, runs in enumerate(layout.runs):
        for run in runs:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline class="s{index}" fill="none"{_stroke(index)} points="{points}"/>')
    for x, y, index in layout.legend:
        cy = y + LEGEND_ROW / 2
        parts.append(
            f'<g class="legend-item">{_line(f"s{index}", x, cy, x + 26, cy, _stroke(index))}'
            f"{_text('label', x + 34, cy + 5, plot.series[index][0], 14)}</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _stroke(index: int) -> str:
    dash = DASHES[index % len(DASHES)]
    return ' stroke-width="2.4"' + (f' stroke-dasharray="{dash}"' if dash else "")


def _line(cls: str, x1: float, y1: float, x2: float, y2: float, extra: str = "") -> str:
    return f'<line class="{cls}"{extra} x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'


def _text(cls: str, x: float, y: float, text: str, size: int, anchor: str = "") -> str:
    anchored = f' text-anchor="{anchor}"' if anchor else ""
    return (
        f'<text class="{cls}" stroke="none" x="{x:.1f}" y="{y:.1f}" font-size="{size}"{anchored}>'
        f"{escape(text)}</text>"
    )
