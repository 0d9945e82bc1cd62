"""Figure labels (garden/figures/labels.py): never over another label, a node or the edge of the
picture; with leaders, a label with no room beside its node goes farther out on a line that
crosses no node, label or other line."""

from __future__ import annotations

import math

from garden.figures.labels import Box, Segment, Wanted, node_box, place_labels


def _crowd() -> tuple[list[Wanted], list[tuple[str, float, float, float]]]:
    """A tight cluster of nodes in the middle of a big picture: beside each node there is no
    room for a long name, but around the cluster there is plenty."""
    nodes = []
    for i in range(7):
        for j in range(7):
            nodes.append((f"n{i}{j}", 200 + 20 * i, 200 + 20 * j, 6.0))
    wanted = [Wanted(key, cx, cy, r, 90.0, 10.0, 3.0) for key, cx, cy, r in nodes[::4]]
    return wanted, nodes


def _check(placed, wanted, nodes, bounds) -> None:
    boxes = [spot.box for spot in placed.values()]
    for i, box in enumerate(boxes):
        assert box.inside(bounds)
        assert not any(box.meets(other) for other in boxes[i + 1 :])
        assert not any(box.meets(node_box(cx, cy, r)) for _, cx, cy, r in nodes)
    lines = [(key, spot.leader) for key, spot in placed.items() if spot.leader is not None]
    for key, line in lines:
        assert not any(
            line.meets_box(box) for other, spot in placed.items() if other != key for box in [spot.box]
        )
        for node, cx, cy, r in nodes:
            if node != key:  # a leader passes clear of every other node's circle
                assert _distance(line, cx, cy) > r
        assert not any(line.crosses(other) for other_key, other in lines if other_key != key)
        own = next(w for w in wanted if w.key == key)
        assert math.isclose(math.hypot(line.x0 - own.cx, line.y0 - own.cy), own.r + 1, abs_tol=0.2)


def _distance(line: Segment, cx: float, cy: float) -> float:
    dx, dy = line.x1 - line.x0, line.y1 - line.y0
    t = max(0.0, min(1.0, ((cx - line.x0) * dx + (cy - line.y0) * dy) / (dx * dx + dy * dy)))
    return math.hypot(line.x0 + t * dx - cx, line.y0 + t * dy - cy)


def test_without_leaders_a_crowd_gets_few_labels():
    wanted, nodes = _crowd()
    bounds = Box(0, 0, 600, 600)
    placed = place_labels(wanted, [node_box(cx, cy, r) for _, cx, cy, r in nodes], bounds)
    _check(placed, wanted, nodes, bounds)
    assert len(placed) <= len(wanted) // 2  # the edge of the cluster only


def test_leaders_label_a_crowd_from_outside_it():
    wanted, nodes = _crowd()
    bounds = Box(0, 0, 600, 600)
    placed = place_labels(
        wanted,
        [node_box(cx, cy, r) for _, cx, cy, r in nodes],
        bounds,
        leaders=True,
        node_keys=[key for key, *_ in nodes],
    )
    _check(placed, wanted, nodes, bounds)
    # 6 without leaders; the 3 left are inside the cluster, walled in by nodes on every line out
    assert len(placed) >= 10, f"{len(placed)} of {len(wanted)}"
    assert any(spot.leader is not None for spot in placed.values())


def test_leaders_never_leave_the_picture_nor_cover_obstacles():
    wanted, nodes = _crowd()
    bounds = Box(150, 150, 350, 350)  # little room around the cluster
    legend = Box(150, 150, 350, 185)
    placed = place_labels(
        wanted,
        [node_box(cx, cy, r) for _, cx, cy, r in nodes],
        bounds,
        [legend],
        leaders=True,
        node_keys=[key for key, *_ in nodes],
    )
    _check(placed, wanted, nodes, bounds)
    for spot in placed.values():
        assert not spot.box.meets(legend)
        assert spot.leader is None or not spot.leader.meets_box(legend)


def test_segment_geometry():
    line = Segment(0, 0, 10, 10)
    assert line.meets_box(Box(4, 4, 6, 6)) and not line.meets_box(Box(6, 0, 10, 3))
    assert line.crosses(Segment(0, 10, 10, 0)) and not line.crosses(Segment(0, 1, 9, 10))
    assert line.misses_disc(Box(7, 0, 11, 4)) and not line.misses_disc(Box(3, 3, 7, 7))
