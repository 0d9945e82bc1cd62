"""Positions for the global graph, computed once at build time so the browser only draws.

The algorithm is networkx's spring layout (Fruchterman-Reingold with a cooling temperature and
a pull towards the centre), vectorised with numpy: networkx's own implementation takes about
15 s for 2,000 notes on a small machine, this one under 2 s. Repulsion is exact (every pair, in
blocks of rows to bound memory); attraction runs over the edge list only. It uses only
element-wise numpy operations and ``einsum`` (no BLAS, whose threads may sum in any order), so
the same graph always gives the same positions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .graph import index_pairs

if TYPE_CHECKING:
    import networkx as nx

BLOCK = 256  # rows of the pairwise matrix at a time: ~2 MB per block at 2,000 nodes
SEED = 7


def iterations_for(n: int) -> int:
    """More sweeps for small graphs (cheap), fewer for big ones (each sweep is O(n²))."""
    return 200 if n <= 300 else 120 if n <= 1000 else 80


def force_layout(graph: nx.Graph, nodes: list[str], size: float = 1000.0) -> dict[str, tuple[float, float]]:
    """Positions in a ``size``×``size`` box, rounded to 0.1 (``nodes`` fixes the order)."""
    positions = layout_pairs(len(nodes), index_pairs(graph.edges(), nodes), size)
    return dict(zip(nodes, positions, strict=True))


def layout_pairs(n: int, pairs: list[tuple[int, int]], size: float = 1000.0) -> list[tuple[float, float]]:
    """Positions of nodes ``0..n-1`` linked by the sorted, unique index ``pairs`` (i < j)."""
    if n == 0:
        return []
    if n == 1:
        return [(size / 2, size / 2)]
    edges = np.array(pairs, dtype=np.intp).reshape(-1, 2)
    x, y = _spring(n, edges, iterations_for(n))
    return _fit(n, x, y, size)


def _spring(n: int, edges: np.ndarray, iterations: int) -> tuple[np.ndarray, np.ndarray]:
    f32 = np.float32
    rng = np.random.default_rng(SEED)
    x = rng.random(n).astype(f32)
    y = rng.random(n).astype(f32)
    k = float(np.sqrt(1.0 / n))  # ideal edge length in the unit square
    k2 = f32(k * k)
    gravity = f32(0.5 * n * k / 10)
    temperature, cooling = 0.1, 0.1 / (iterations + 1)
    src, dst = edges[:, 0], edges[:, 1]
    fx = np.empty(n, f32)
    fy = np.empty(n, f32)
    for _ in range(iterations):
        for start in range(0, n, BLOCK):
            stop = min(n, start + BLOCK)
            weight = np.subtract.outer(x[start:stop], x)
            weight *= weight
            dy2 = np.subtract.outer(y[start:stop], y)
            dy2 *= dy2
            weight += dy2
            np.maximum(weight, f32(1e-6), out=weight)
            np.divide(k2, weight, out=weight)  # repulsion k²/d along the unit vector = Δ·k²/d²
            total = weight.sum(axis=1)
            fx[start:stop] = x[start:stop] * total - np.einsum("ij,j->i", weight, x)
            fy[start:stop] = y[start:stop] * total - np.einsum("ij,j->i", weight, y)
        if len(edges):
            ex, ey = x[src] - x[dst], y[src] - y[dst]
            pull = np.sqrt(ex * ex + ey * ey) / f32(k)  # attraction d²/k along the unit vector
            ax, ay = ex * pull, ey * pull
            fx -= np.bincount(src, ax, n).astype(f32) - np.bincount(dst, ax, n).astype(f32)
            fy -= np.bincount(src, ay, n).astype(f32) - np.bincount(dst, ay, n).astype(f32)
        fx -= (x - f32(0.5)) * gravity  # keeps loose notes and small islands near the rest
        fy -= (y - f32(0.5)) * gravity
        length = np.sqrt(fx * fx + fy * fy)
        np.maximum(length, f32(1e-9), out=length)
        step = (np.minimum(length, f32(temperature)) / length).astype(f32)
        x += fx * step
        y += fy * step
        temperature -= cooling
    return x, y


def _fit(n: int, x: np.ndarray, y: np.ndarray, size: float) -> list[tuple[float, float]]:
    """Scale into the box keeping the aspect ratio, centred."""
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    span = max(float(x64.max() - x64.min()), float(y64.max() - y64.min())) or 1.0
    cx, cy = (x64.max() + x64.min()) / 2, (y64.max() + y64.min()) / 2
    scale = size / span
    return [
        (round(size / 2 + (float(px) - cx) * scale, 1), round(size / 2 + (float(py) - cy) * scale, 1))
        for px, py in zip(x64, y64, strict=True)
    ]
