"""The link graph (networkx): backlinks, outgoing links and planned notes."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from .linking import Edge
from .paths import normalize, slugify


@dataclass(frozen=True)
class Backlink:
    source: str  # slug of the note (or section text) that links
    context: str
    line: int


@dataclass
class Planned:
    """A note that is linked to but not written yet."""

    name: str
    anchor: str
    wanted_by: list[Backlink] = field(default_factory=list)


@dataclass
class LinkGraph:
    graph: nx.DiGraph
    backlinks: dict[str, list[Backlink]]
    outlinks: dict[str, list[str]]  # slug -> target slugs (notes and sections), in order
    planned: dict[str, Planned]  # planned key -> Planned
    planned_out: dict[str, list[str]]  # slug -> planned keys it links to, in order


def planned_key(name: str) -> str:
    return normalize(name)


def build_graph(slugs: list[str], edges: dict[str, list[Edge]]) -> LinkGraph:
    """Nodes are note slugs and ``planned:<name>`` ghosts; an edge per linked pair."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(slugs), planned=False)
    backlinks: dict[str, list[Backlink]] = {}
    outlinks: dict[str, list[str]] = {}
    planned: dict[str, Planned] = {}
    planned_out: dict[str, list[str]] = {}
    for source in sorted(edges):
        seen: set[str] = set()
        for edge in edges[source]:
            target = edge.target
            if target.kind == "file":
                continue
            if target.kind == "planned":
                key = planned_key(target.slug)
                entry = planned.setdefault(key, Planned(target.slug, slugify(target.slug) or "planned"))
                if source not in {b.source for b in entry.wanted_by}:
                    entry.wanted_by.append(Backlink(source, edge.context, edge.line))
                    planned_out.setdefault(source, []).append(key)
                graph.add_node(f"planned:{key}", planned=True, title=entry.name)
                graph.add_edge(source, f"planned:{key}")
                continue
            if target.slug == source or target.slug in seen:
                continue
            seen.add(target.slug)
            outlinks.setdefault(source, []).append(target.slug)
            if not graph.has_node(target.slug):
                graph.add_node(target.slug, planned=False)
            graph.add_edge(source, target.slug)
            backlinks.setdefault(target.slug, []).append(Backlink(source, edge.context, edge.line))
    _unique_anchors(planned)
    return LinkGraph(graph, backlinks, outlinks, planned, planned_out)


def _unique_anchors(planned: dict[str, Planned]) -> None:
    used: set[str] = set()
    for key in sorted(planned):
        entry = planned[key]
        anchor, n = entry.anchor, 1
        while anchor in used:
            n += 1
            anchor = f"{entry.anchor}-{n}"
        entry.anchor = anchor
        used.add(anchor)


def one_typo_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]
