"""Positions for the global graph, computed once at build time so the browser only draws.

The algorithm is networkx's spring layout (Fruchterman-Reingold with a cooling temperature and
a pull towards the centre), vectorised with numpy: networkx's own implementation takes about
15 s for 2,000 notes on a small machine. Up to 500 nodes repulsion is exact (every pair, in
blocks of rows to bound memory); above, it is computed on a mesh (64 points a side up to 3,000
nodes, 256 above), so a sweep costs O(n) instead of O(n²): 0.15 s for 1,000 notes, where every
pair took 0.8 s (and 20 s at 10,000). Attraction runs over the edge list only. It uses only
element-wise numpy operations, ``einsum`` and numpy's FFT (no BLAS, whose threads may sum in any
order), so the same graph always gives the same positions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from garden.linking.graph import index_pairs

if TYPE_CHECKING:
    import networkx as nx

BLOCK = 256  # rows of the pairwise matrix at a time: ~2 MB per block at 2,000 nodes
SEED = 7
EXACT_UP_TO = 500  # nodes; above, repulsion is computed on a mesh (O(n) per sweep, not O(n²))
MESH = 256  # mesh points along each side for large graphs
SMALL_MESH, SMALL_MESH_UP_TO = 64, 3000  # a coarser mesh is as good at this size, and 20× cheaper


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
    mesh = SMALL_MESH if n <= SMALL_MESH_UP_TO else MESH
    repulsion = _exact_repulsion if n <= EXACT_UP_TO else _MeshRepulsion(mesh)
    x, y = _spring(n, edges, iterations_for(n), repulsion)
    return _fit(n, x, y, size)


Repulsion = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float], None]


def _spring(
    n: int, edges: np.ndarray, iterations: int, repulsion: Repulsion
) -> tuple[np.ndarray, np.ndarray]:
    f32 = np.float32
    rng = np.random.default_rng(SEED)
    x = rng.random(n).astype(f32)
    y = rng.random(n).astype(f32)
    k = float(np.sqrt(1.0 / n))  # ideal edge length in the unit square
    gravity = f32(0.5 * n * k / 10)
    temperature, cooling = 0.1, 0.1 / (iterations + 1)
    src, dst = edges[:, 0], edges[:, 1]
    fx = np.empty(n, f32)
    fy = np.empty(n, f32)
    for _ in range(iterations):
        repulsion(x, y, fx, fy, k * k)
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


def _exact_repulsion(x: np.ndarray, y: np.ndarray, fx: np.ndarray, fy: np.ndarray, k2: float) -> None:
    """Every pair: node i is pushed from j by k²/d along the unit vector, i.e. Δ·k²/d²."""
    f32 = np.float32
    n = len(x)
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        weight = np.subtract.outer(x[start:stop], x)
        weight *= weight
        dy2 = np.subtract.outer(y[start:stop], y)
        dy2 *= dy2
        weight += dy2
        np.maximum(weight, f32(1e-6), out=weight)
        np.divide(f32(k2), weight, out=weight)
        total = weight.sum(axis=1)
        fx[start:stop] = x[start:stop] * total - np.einsum("ij,j->i", weight, x)
        fy[start:stop] = y[start:stop] * total - np.einsum("ij,j->i", weight, y)


class _MeshRepulsion:
    """The same force for thousands of nodes, by the particle-mesh method: nodes are spread
    onto a ``size``×``size`` mesh over their bounding box (each onto its four nearest points),
    the mesh is convolved with the force law by FFT, and the field is read back at each node.
    O(n + size² log size) per sweep instead of O(n²); pairs closer than a mesh step (1/256
    of the graph) push each other less than exactly, which a drawing at that scale cannot show.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        side = 2 * size  # zero-padded: the circular convolution never wraps around
        offsets = np.fft.fftfreq(side, 1.0 / side)  # 0, 1, ..., size-1, -size, ..., -1
        dx, dy = np.meshgrid(offsets, offsets, indexing="ij")
        r2 = dx * dx + dy * dy
        r2[0, 0] = np.inf  # a point exerts no force on itself
        self.kx = np.fft.rfft2(dx / r2)
        self.ky = np.fft.rfft2(dy / r2)

    def __call__(self, x: np.ndarray, y: np.ndarray, fx: np.ndarray, fy: np.ndarray, k2: float) -> None:
        size, side = self.size, 2 * self.size
        x64, y64 = x.astype(np.float64), y.astype(np.float64)
        left, bottom = float(x64.min()), float(y64.min())
        step = max(float(x64.max()) - left, float(y64.max()) - bottom, 1e-9) / (size - 1)
        gx, gy = (x64 - left) / step, (y64 - bottom) / step
        ix = np.minimum(gx.astype(np.intp), size - 2)
        iy = np.minimum(gy.astype(np.intp), size - 2)
        tx, ty = gx - ix, gy - iy
        corners = [  # (flat mesh index, weight) of the four mesh points around each node
            (ix * side + iy, (1 - tx) * (1 - ty)),
            ((ix + 1) * side + iy, tx * (1 - ty)),
            (ix * side + iy + 1, (1 - tx) * ty),
            ((ix + 1) * side + iy + 1, tx * ty),
        ]
        density = np.zeros(side * side)
        for index, weight in corners:
            density += np.bincount(index, weight, side * side)
        spectrum = np.fft.rfft2(density.reshape(side, side))
        for kernel, out in ((self.kx, fx), (self.ky, fy)):
            field = np.fft.irfft2(spectrum * kernel, s=(side, side)).ravel()
            force = sum(field[index] * weight for index, weight in corners)
            out[:] = force * (k2 / step)  # mesh units to the unit square: Δ/d² scales as 1/step


LAYOUT_VERSION = 3  # bump when the layout algorithm changes: cached layouts are recomputed
_last: tuple[str, list[tuple[float, float]]] | None = None  # this process's latest layout


def shared_layout(n: int, pairs: list[tuple[int, int]], cache: Any = None) -> list[tuple[float, float]]:
    """The garden's layout, computed once for the figure and the graph page (which lay out the
    same nodes and links) and kept in the cache while the links are the same: a body edit
    needs no new layout, nor numpy's import."""
    global _last
    key = hashlib.sha256(json.dumps([LAYOUT_VERSION, n, pairs]).encode()).hexdigest()
    if _last is not None and _last[0] == key:
        return _last[1]
    stored = cache.load_named("layout") if cache is not None else None
    if _is_layout(stored, key, n):
        _last = stored
        return stored[1]
    positions = layout_pairs(n, pairs)
    _last = (key, positions)
    if cache is not None:
        cache.store_named("layout", (key, positions))
    return positions


def _is_layout(stored: Any, key: str, n: int) -> bool:
    """Whether a value from the cache is this layout: ``n`` points of two numbers each."""
    return (
        type(stored) is tuple
        and len(stored) == 2
        and stored[0] == key
        and type(stored[1]) is list
        and len(stored[1]) == n
        and all(
            type(point) is tuple and len(point) == 2 and all(type(c) in (int, float) for c in point)
            for point in stored[1]
        )
    )


def _fit(n: int, x: np.ndarray, y: np.ndarray, size: float) -> list[tuple[float, float]]:
    """Scale into the box keeping the aspect ratio, centred."""
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    span = max(float(x64.max() - x64.min()), float(y64.max() - y64.min())) or 1.0
    cx, cy = float(x64.max() + x64.min()) / 2, float(y64.max() + y64.min()) / 2
    scale = size / span  # plain floats: numpy's would make the cached layout import numpy to load
    return [
        (round(size / 2 + (float(px) - cx) * scale, 1), round(size / 2 + (float(py) - cy) * scale, 1))
        for px, py in zip(x64, y64, strict=True)
    ]
