"""Label placement for figures: a label never covers another label or a node, nor leaves the
picture; a label that has no free place is dropped (its node keeps the name as a tooltip).

Greedy, in the order given (most important first): each label tries a few places around its
node (right, left, above, below, then the corners) and takes the first that is free. Boxes
are kept in a grid of buckets, so placing is linear in the number of nodes and labels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

GAP = 3.0  # between a node's edge and its label


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def meets(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, other: Box) -> bool:
        return self.x0 >= other.x0 and self.y0 >= other.y0 and self.x1 <= other.x1 and self.y1 <= other.y1


@dataclass(frozen=True)
class Wanted:
    """A label to place: its node (centre and radius) and its text's size."""

    key: str
    cx: float
    cy: float
    r: float
    width: float
    ascent: float  # above the baseline
    descent: float  # below it


@dataclass(frozen=True)
class Placed:
    """Where a label went: the text's anchor point, SVG ``text-anchor`` and its box."""

    x: float
    y: float  # baseline
    anchor: str  # start, middle or end
    box: Box


class _Grid:
    """Boxes in square buckets: which boxes may meet a new one, without looking at all."""

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.buckets: dict[tuple[int, int], list[Box]] = {}

    def _cells(self, box: Box) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(int(box.x0 // c), int(box.x1 // c) + 1):
            for j in range(int(box.y0 // c), int(box.y1 // c) + 1):
                yield i, j

    def add(self, box: Box) -> None:
        for cell in self._cells(box):
            self.buckets.setdefault(cell, []).append(box)

    def free(self, box: Box) -> bool:
        return not any(other.meets(box) for cell in self._cells(box) for other in self.buckets.get(cell, ()))


SIDES = ("right", "left", "above", "below", "above-right", "above-left", "below-right", "below-left")


def place_labels(
    wanted: list[Wanted],
    nodes: Iterable[Box],
    bounds: Box,
    obstacles: Iterable[Box] = (),
    pad: float = 1.0,
    sides: tuple[str, ...] = SIDES,
) -> dict[str, Placed]:
    """Places for as many of ``wanted`` as fit, in order; ``nodes`` and ``obstacles`` (legend,
    axes, titles) are never covered, nor is any label placed before."""
    grid = _Grid(40.0)
    for box in (*nodes, *obstacles):
        grid.add(box)
    placed: dict[str, Placed] = {}
    for label in wanted:
        for candidate in _candidates(label, pad, sides):
            if candidate.box.inside(bounds) and grid.free(candidate.box):
                grid.add(candidate.box)
                placed[label.key] = candidate
                break
    return placed


def _candidates(label: Wanted, pad: float, sides: tuple[str, ...]) -> list[Placed]:
    cx, cy, r, w, up, down = label.cx, label.cy, label.r, label.width, label.ascent, label.descent
    middle = cy + (up - down) / 2  # baseline that centres the text on the node
    d = r + GAP
    diagonal = r * 0.7 + GAP
    spots = {
        "right": (cx + d, middle, "start"),
        "left": (cx - d, middle, "end"),
        "above": (cx, cy - d - down, "middle"),
        "below": (cx, cy + d + up, "middle"),
        "above-right": (cx + diagonal, cy - diagonal - down, "start"),
        "above-left": (cx - diagonal, cy - diagonal - down, "end"),
        "below-right": (cx + diagonal, cy + diagonal + up, "start"),
        "below-left": (cx - diagonal, cy + diagonal + up, "end"),
    }
    out = []
    for x, y, anchor in (spots[side] for side in sides):
        left = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
        box = Box(left - pad, y - up - pad, left + w + pad, y + down + pad)
        out.append(Placed(x, y, anchor, box))
    return out


def node_box(cx: float, cy: float, r: float) -> Box:
    return Box(cx - r, cy - r, cx + r, cy + r)
