"""Label placement for figures: a label never covers another label or a node, nor leaves the
picture; a label that has no free place is dropped (its node keeps the name as a tooltip).

Greedy, in the order given (most important first): each label tries a few places around its
node (right, left, above, below, then the corners) and takes the first that is free. With
``leaders``, a label that finds no room beside its node tries rings farther out, facing away
from the middle of the drawing first, joined to its node by a leader line that crosses no node,
no label and no other leader. Shapes are kept in a grid of buckets and each label tries a fixed
number of places, so placing is linear in the number of nodes and labels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

GAP = 3.0  # between a node's edge and its label
RINGS = (10.0, 24.0, 42.0, 66.0, 96.0, 130.0, 170.0)  # leader lengths tried, beyond the node's edge
DIRECTIONS = 16  # directions tried on each ring


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
class Segment:
    """A leader line."""

    x0: float
    y0: float
    x1: float
    y1: float

    def bounds(self) -> Box:
        return Box(min(self.x0, self.x1), min(self.y0, self.y1), max(self.x0, self.x1), max(self.y0, self.y1))

    def meets_box(self, box: Box) -> bool:
        """Liang-Barsky: does any part of the segment lie strictly inside ``box``?"""
        t0, t1 = 0.0, 1.0
        dx, dy = self.x1 - self.x0, self.y1 - self.y0
        for p, q in (
            (-dx, self.x0 - box.x0),
            (dx, box.x1 - self.x0),
            (-dy, self.y0 - box.y0),
            (dy, box.y1 - self.y0),
        ):
            if p == 0:
                if q <= 0:
                    return False
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 >= t1:
                return False
        return True

    def misses_disc(self, box: Box) -> bool:
        """Whether the segment passes clear of the disc inscribed in ``box`` (a node's circle:
        a leader may pass a node's corner, not the node)."""
        cx, cy, r = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, (box.x1 - box.x0) / 2 + 1
        dx, dy = self.x1 - self.x0, self.y1 - self.y0
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((cx - self.x0) * dx + (cy - self.y0) * dy) / length2))
        return math.hypot(self.x0 + t * dx - cx, self.y0 + t * dy - cy) > r

    def crosses(self, other: Segment) -> bool:
        def turn(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
            return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)

        d1 = turn(other.x0, other.y0, other.x1, other.y1, self.x0, self.y0)
        d2 = turn(other.x0, other.y0, other.x1, other.y1, self.x1, self.y1)
        d3 = turn(self.x0, self.y0, self.x1, self.y1, other.x0, other.y0)
        d4 = turn(self.x0, self.y0, self.x1, self.y1, other.x1, other.y1)
        return d1 * d2 < 0 and d3 * d4 < 0


Shape = Box | Segment


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
    """Where a label went: the text's anchor point, SVG ``text-anchor``, its box and the
    leader line from its node, if it sits away from it."""

    x: float
    y: float  # baseline
    anchor: str  # start, middle or end
    box: Box
    leader: Segment | None = None


class _Grid:
    """Shapes in square buckets, each with its owner: which may meet a new one, without looking
    at all."""

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.buckets: dict[tuple[int, int], list[tuple[Shape, str, bool]]] = {}

    def _cells(self, box: Box) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(int(box.x0 // c), int(box.x1 // c) + 1):
            for j in range(int(box.y0 // c), int(box.y1 // c) + 1):
                yield i, j

    def add(self, shape: Shape, owner: str = "", node: bool = False) -> None:
        for cell in self._cells(shape if isinstance(shape, Box) else shape.bounds()):
            self.buckets.setdefault(cell, []).append((shape, owner, node))

    def _near(self, box: Box) -> Iterable[tuple[Shape, str, bool]]:
        for cell in self._cells(box):
            yield from self.buckets.get(cell, ())

    def free(self, box: Box) -> bool:
        c, buckets = self.cell, self.buckets
        for i in range(int(box.x0 // c), int(box.x1 // c) + 1):
            for j in range(int(box.y0 // c), int(box.y1 // c) + 1):
                for other, _, _ in buckets.get((i, j), ()):
                    if other.meets(box) if isinstance(other, Box) else other.meets_box(box):
                        return False
        return True

    def clear_line(self, line: Segment, owner: str) -> bool:
        """Nothing but the owner's own node lies on ``line`` (another node's box only counts
        where its circle is)."""
        for other, whose, node in self._near(line.bounds()):
            if isinstance(other, Box):
                if whose == owner and node:
                    continue
                if line.meets_box(other) and not (node and line.misses_disc(other)):
                    return False
            elif line.crosses(other):
                return False
        return True


SIDES = ("right", "left", "above", "below", "above-right", "above-left", "below-right", "below-left")


def place_labels(
    wanted: list[Wanted],
    nodes: Iterable[Box],
    bounds: Box,
    obstacles: Iterable[Box] = (),
    pad: float = 1.0,
    sides: tuple[str, ...] = SIDES,
    leaders: bool = False,
    node_keys: Iterable[str] = (),
) -> dict[str, Placed]:
    """Places for as many of ``wanted`` as fit, in order; ``nodes`` and ``obstacles`` (legend,
    axes, titles) are never covered, nor is any label placed before. ``node_keys`` name the
    ``nodes`` (a leader may leave its own node's box)."""
    nodes, node_keys, obstacles = list(nodes), list(node_keys), list(obstacles)
    wanted = list(wanted)
    if not leaders:
        return _greedy(wanted, _grid(nodes, node_keys, obstacles), bounds, pad, sides, False, False)
    # Two orders, the more labels wins (the first on a tie): each label in turn, beside its
    # node or else on a leader (the most-linked get the best places), or first every label
    # that fits beside its node, then leaders for the rest (no leader takes their room).
    in_turn = _greedy(wanted, _grid(nodes, node_keys, obstacles), bounds, pad, sides, True, False)
    if all(spot.leader is None for spot in in_turn.values()):
        return in_turn  # no leader fitted even with fewer labels in the way: the other order is the same
    beside_first = _greedy(wanted, _grid(nodes, node_keys, obstacles), bounds, pad, sides, True, True)
    return in_turn if len(in_turn) >= len(beside_first) else beside_first


def _grid(nodes: list[Box], node_keys: list[str], obstacles: list[Box]) -> _Grid:
    grid = _Grid(40.0)
    for index, box in enumerate(nodes):
        grid.add(box, node_keys[index] if index < len(node_keys) else "", node=True)
    for box in obstacles:
        grid.add(box)
    return grid


def _greedy(
    wanted: list[Wanted],
    grid: _Grid,
    bounds: Box,
    pad: float,
    sides: tuple[str, ...],
    leaders: bool,
    beside_first: bool,
) -> dict[str, Placed]:
    middle = (
        (sum(w.cx for w in wanted) / len(wanted), sum(w.cy for w in wanted) / len(wanted))
        if wanted
        else (0.0, 0.0)
    )
    placed: dict[str, Placed] = {}

    def far(label: Wanted) -> None:
        for candidate in _far_candidates(label, pad, middle):
            line = candidate.leader
            if (
                line is not None
                and candidate.box.inside(bounds)
                and grid.free(candidate.box)
                and grid.clear_line(line, label.key)
            ):
                grid.add(candidate.box, label.key)
                grid.add(line, label.key)
                placed[label.key] = candidate
                return

    for label in wanted:
        for candidate in _candidates(label, pad, sides):
            if candidate.box.inside(bounds) and grid.free(candidate.box):
                grid.add(candidate.box, label.key)
                placed[label.key] = candidate
                break
        else:
            if leaders and not beside_first:
                far(label)
    if leaders and beside_first:
        for label in wanted:
            if label.key not in placed:
                far(label)
    return placed


def _candidates(label: Wanted, pad: float, sides: tuple[str, ...]) -> list[Placed]:
    cx, cy, r, up, down = label.cx, label.cy, label.r, label.ascent, label.descent
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
    return [_boxed(x, y, anchor, label, pad) for x, y, anchor in (spots[side] for side in sides)]


def _boxed(
    x: float, y: float, anchor: str, label: Wanted, pad: float, leader: Segment | None = None
) -> Placed:
    w, up, down = label.width, label.ascent, label.descent
    left = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
    return Placed(x, y, anchor, Box(left - pad, y - up - pad, left + w + pad, y + down + pad), leader)


def _far_candidates(label: Wanted, pad: float, middle: tuple[float, float]) -> Iterator[Placed]:
    """Places on rings around the node, nearest ring first, and on each the directions that
    point away from the drawing's middle first (where the room is)."""
    cx, cy, r, up, down = label.cx, label.cy, label.r, label.ascent, label.descent
    away = math.atan2(cy - middle[1], cx - middle[0]) if (cx, cy) != middle else 0.0
    angles = sorted(
        (2 * math.pi * i / DIRECTIONS for i in range(DIRECTIONS)),
        key=lambda a: (abs(math.remainder(a - away, 2 * math.pi)), a),
    )
    units = [(math.cos(angle), math.sin(angle)) for angle in angles]
    for ring in RINGS:
        for ux, uy in units:
            end_x, end_y = cx + (r + ring) * ux, cy + (r + ring) * uy
            anchor = "start" if ux > 0.38 else "end" if ux < -0.38 else "middle"
            baseline = end_y - down if uy < -0.38 else end_y + up if uy > 0.38 else end_y + (up - down) / 2
            leader = Segment(cx + (r + 1) * ux, cy + (r + 1) * uy, end_x, end_y)
            yield _boxed(end_x, baseline, anchor, label, pad, leader)


def node_box(cx: float, cy: float, r: float) -> Box:
    return Box(cx - r, cy - r, cx + r, cy + r)
