#!/usr/bin/env python3
"""Compute the tables the notes' plots are drawn from (``python figures/compute.py``).

Each table comes from a formula or a small simulation written out below, in plain Python (no
randomness, so the output is the same on every machine). The build never runs this file: it
reads the CSV tables it writes, and ``tests/test_plots.py`` checks that the committed tables
are what this file computes.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def table(header: list[str], rows: Iterable[Iterable[float]]) -> str:
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join("" if math.isnan(v) else f"{v:.6g}" for v in row))
    return "\n".join(lines) + "\n"


def linspace(lo: float, hi: float, n: int) -> list[float]:
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def logspace(lo: float, hi: float, n: int) -> list[float]:
    return [10 ** (lo + (hi - lo) * i / (n - 1)) for i in range(n)]


def gaussian_rule(points: int = 401, reach: float = 10.0) -> list[tuple[float, float]]:
    """Nodes and weights for E[f(z)], z ~ N(0, 1): Simpson's rule on [-reach, reach]."""
    h = 2 * reach / (points - 1)
    rule = []
    for i in range(points):
        z = -reach + i * h
        weight = 1 if i in (0, points - 1) else (4 if i % 2 else 2)
        rule.append((z, weight * h / 3 * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)))
    return rule


RULE = gaussian_rule()


def gaussian_mean(f: Callable[[float], float]) -> float:
    return sum(weight * f(z) for z, weight in RULE)


def arccos_kernel() -> str:
    """Normalized arc-cosine kernels k_n(θ)/k_n(0) of degree 0 (step), 1 (ReLU) and 2."""
    rows = []
    for degrees in linspace(0, 180, 91):
        t = math.radians(degrees)
        j0 = (math.pi - t) / math.pi
        j1 = (math.sin(t) + (math.pi - t) * math.cos(t)) / math.pi
        j2 = (3 * math.sin(t) * math.cos(t) + (math.pi - t) * (1 + 2 * math.cos(t) ** 2)) / (3 * math.pi)
        rows.append((degrees, j0, j1, j2))
    return table(["angle", "step", "relu", "quadratic"], rows)


def tanh_edge_of_chaos() -> str:
    """The critical line χ₁ = 1 of a deep tanh network in the (σ_b², σ_w²) plane."""

    def fixed_point(sw2: float, sb2: float) -> float:
        q = 1.0
        for _ in range(5000):
            new = sw2 * gaussian_mean(lambda z, q=q: math.tanh(math.sqrt(q) * z) ** 2) + sb2
            if abs(new - q) < 1e-13:
                break
            q = new
        return q

    def chi(sw2: float, sb2: float) -> float:
        q = fixed_point(sw2, sb2)
        return sw2 * gaussian_mean(lambda z: 1 / math.cosh(math.sqrt(q) * z) ** 4)

    rows = []
    for sb2 in [0.0, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, *linspace(0.02, 0.3, 15)]:
        lo, hi = 0.5, 4.0
        for _ in range(24):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if chi(mid, sb2) < 1 else (lo, mid)
        rows.append((sb2, (lo + hi) / 2))
    return table(["bias_variance", "critical_weight_variance"], rows)


def deep_linear_plateaus() -> str:
    """Loss of a deep linear network from small initialization: one singular value per plateau.

    With balanced initialization each singular value s of the end-to-end map follows
    ds/dt = L s^(2 - 2/L) (σ - s) for the square loss ½‖A - target‖², target singular values σ.
    """
    targets = (3.0, 2.0, 1.0)

    def run(depth: int, start: float, times: list[float]) -> list[float]:
        values = [start] * len(targets)
        dt, t, out = 1e-3, 0.0, []
        for goal in times:
            while t < goal - 1e-12:
                values = [
                    s + dt * depth * s ** (2 - 2 / depth) * (sigma - s)
                    for s, sigma in zip(values, targets, strict=True)
                ]
                t += dt
            out.append(0.5 * sum((sigma - s) ** 2 for s, sigma in zip(values, targets, strict=True)))
        return out

    times = linspace(0, 12, 241)
    two = run(2, 1e-6, times)
    three = run(3, 2e-3, times)
    return table(["time", "depth2", "depth3"], zip(times, two, three, strict=True))


def edge_of_stability() -> str:
    """Gradient descent on f(u, v) = ½(uv - 1)² from (3.6, 0.01): sharpness per step, two step sizes.

    With η = 0.1 the minimum gradient descent would reach is stable (its sharpness is below 2/η = 20);
    with η = 0.2 it is not (above 2/η = 10), and the iterates are thrown to a flatter minimum.
    """

    def run(eta: float, steps: int) -> list[float]:
        u, v, out = 3.6, 0.01, []
        for _ in range(steps):
            cross = 2 * u * v - 1
            out.append(((u * u + v * v) + math.sqrt((u * u - v * v) ** 2 + 4 * cross * cross)) / 2)
            r = u * v - 1
            u, v = u - eta * r * v, v - eta * r * u
        return out

    steps = 40
    return table(["step", "eta01", "eta02"], zip(range(steps), run(0.1, steps), run(0.2, steps), strict=True))


def newton_schulz() -> str:
    """Muon's quintic p(σ) = aσ + bσ³ + cσ⁵ applied 1, 2, 3 and 5 times to a singular value."""
    a, b, c = 3.4445, -4.7750, 2.0315

    def p(s: float) -> float:
        return a * s + b * s**3 + c * s**5

    rows = []
    for s in linspace(0, 1, 201):
        values, x = [], s
        for k in range(1, 6):
            x = p(x)
            if k in (1, 2, 3, 5):
                values.append(x)
        rows.append((s, *values))
    return table(["sigma", "once", "twice", "three", "five"], rows)


def variance_through_depth() -> str:
    """Pre-activation variance q^l through depth, from q^0 = 1, in an infinitely wide network."""
    scaled_tanh = lambda x: 1.7159 * math.tanh(2 * x / 3)  # noqa: E731
    rows, relu_lecun, relu_he, tanh = [], 1.0, 1.0, 1.0
    for layer in range(0, 31):
        rows.append((layer, relu_lecun, relu_he, tanh))
        relu_lecun, relu_he = relu_lecun / 2, relu_he  # q ← (c/2) q for ReLU with σ² = c/n
        tanh = gaussian_mean(lambda z, q=tanh: scaled_tanh(math.sqrt(q) * z) ** 2)
    return table(["layer", "relu_lecun", "relu_he", "tanh_lecun"], rows)


def chinchilla_isoflop() -> str:
    """Chinchilla's fitted loss L(N, D) = E + A/N^α + B/D^β along iso-FLOP lines D = C/(6N)."""
    e, a, b, alpha, beta = 1.69, 406.4, 410.7, 0.34, 0.28
    budgets = (1e19, 1e20, 1e21, 1e22)
    rows = []
    for n in logspace(7, 12, 101):
        rows.append((n, *(e + a / n**alpha + b / (c / (6 * n)) ** beta for c in budgets)))
    return table(["parameters", "c1e19", "c1e20", "c1e21", "c1e22"], rows)


def momentum_rate() -> str:
    """Contraction factor per step of heavy-ball momentum on curvature λ: max |z| of its roots."""

    def radius(h: float, beta: float) -> float:
        trace = 1 + beta - h
        disc = trace * trace - 4 * beta
        if disc < 0:
            return math.sqrt(beta)
        root = math.sqrt(disc)
        return max(abs((trace + root) / 2), abs((trace - root) / 2))

    rows = [(h, radius(h, 0.0), radius(h, 0.5), radius(h, 0.8)) for h in linspace(0, 4, 401)]
    return table(["eta_lambda", "beta0", "beta05", "beta08"], rows)


def rmsprop_hover() -> str:
    """RMSProp (bias-corrected, β₂ = 0.9, ε = 0) on ½w² from w = 1: |w_t| ends at η/2."""

    def run(eta: float, steps: int) -> list[float]:
        w, v, out = 1.0, 0.0, []
        for t in range(1, steps + 1):
            out.append(abs(w))
            v = 0.9 * v + 0.1 * w * w
            w -= eta * w / math.sqrt(v / (1 - 0.9**t))
        return out

    steps = 400
    return table(
        ["step", "eta01", "eta003"], zip(range(steps), run(0.1, steps), run(0.03, steps), strict=True)
    )


def associative_memory() -> str:
    """Error Σ p(x) e^(-n p(x)) of a memory storing every token seen, for Zipf p(x) ∝ x^(-α)."""
    vocabulary = 10**7

    def buckets() -> list[tuple[float, float]]:
        """(x, how many tokens it stands for): exact up to 1000, then 1 % wide buckets."""
        out = [(float(x), 1.0) for x in range(1, 1001)]
        lo = 1001.0
        while lo <= vocabulary:
            hi = min(lo * 1.01, vocabulary + 1)
            count = math.floor(hi) - math.floor(lo)
            if count:
                out.append(((lo + hi) / 2, float(count)))
            lo = hi
        return out

    grid = buckets()
    curves = []
    for alpha in (1.5, 2.0, 3.0):
        norm = sum(count * x**-alpha for x, count in grid)
        curves.append(
            [
                sum(count * (x**-alpha / norm) * math.exp(-n * x**-alpha / norm) for x, count in grid)
                for n in logspace(1, 6, 51)
            ]
        )
    return table(["samples", "alpha15", "alpha2", "alpha3"], zip(logspace(1, 6, 51), *curves, strict=True))


TABLES = {
    "arccos-kernel.csv": arccos_kernel,
    "tanh-edge-of-chaos.csv": tanh_edge_of_chaos,
    "deep-linear-plateaus.csv": deep_linear_plateaus,
    "edge-of-stability.csv": edge_of_stability,
    "newton-schulz.csv": newton_schulz,
    "variance-through-depth.csv": variance_through_depth,
    "chinchilla-isoflop.csv": chinchilla_isoflop,
    "momentum-rate.csv": momentum_rate,
    "rmsprop-hover.csv": rmsprop_hover,
    "associative-memory.csv": associative_memory,
}


def main(argv: list[str]) -> int:
    names = argv or list(TABLES)
    for name in names:
        (HERE / name).write_text(TABLES[name]())
        print(f"wrote figures/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
