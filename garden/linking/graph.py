"""The link graph: backlinks, outgoing links and planned notes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from garden.core.paths import normalize, slugify
from garden.linking.check import Edge


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
    nodes: dict[str, dict[str, Any]]  # slug or "planned:<key>" -> attributes
    edges: list[tuple[str, str]]
    backlinks: dict[str, list[Backlink]]
    outlinks: dict[str, list[str]]  # slug -> target slugs (notes and sections), in order
    planned: dict[str, Planned]  # planned key -> Planned
    planned_out: dict[str, list[str]]  # slug -> planned keys it links to, in order

    def with_contexts(self, changed: dict[str, list[Edge]]) -> LinkGraph:
        """The graph after edits that kept every link of ``changed`` (slug -> its new edges):
        only the sentences and lines of their backlinks differ. Equal to ``build_graph`` on
        the new edges, without walking every link of the garden again (the preview's quick path).
        """
        backlinks, planned = dict(self.backlinks), dict(self.planned)
        for source, edges in changed.items():
            seen: set[str] = set()
            for edge in edges:
                target = edge.target
                if target.kind == "file":
                    continue
                if target.kind == "planned":
                    key = planned_key(target.slug)
                    if f"planned:{key}" in seen:
                        continue
                    seen.add(f"planned:{key}")
                    entry = planned[key]
                    planned[key] = Planned(entry.name, entry.anchor, _renewed(entry.wanted_by, source, edge))
                    continue
                if target.slug == source or target.slug in seen:
                    continue
                seen.add(target.slug)
                backlinks[target.slug] = _renewed(backlinks[target.slug], source, edge)
        patched = LinkGraph(self.nodes, self.edges, backlinks, self.outlinks, planned, self.planned_out)
        for derived in ("_succ", "_pred", "_degree"):  # from nodes and edges: the same
            if hasattr(self, derived):
                setattr(patched, derived, getattr(self, derived))
        return patched

    def successors(self, node: str) -> list[str]:
        """Nodes ``node`` links to, in link order (as networkx's DiGraph gives them)."""
        return self._adjacency()[0].get(node, [])

    def predecessors(self, node: str) -> list[str]:
        """Nodes that link to ``node``, in link order."""
        return self._adjacency()[1].get(node, [])

    def _adjacency(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        if not hasattr(self, "_succ"):
            succ: dict[str, list[str]] = {}
            pred: dict[str, list[str]] = {}
            for a, b in self.edges:
                succ.setdefault(a, []).append(b)
                pred.setdefault(b, []).append(a)
            self._succ, self._pred = succ, pred
        return self._succ, self._pred

    def undirected_pairs(self, keys: list[str]) -> list[tuple[int, int]]:
        """Links among ``keys`` regardless of direction, as sorted unique index pairs (i < j)."""
        return index_pairs(self.edges, keys)

    def degree(self, node: str) -> int:
        if not hasattr(self, "_degree"):
            counts: dict[str, int] = {}
            for a, b in self.edges:
                counts[a] = counts.get(a, 0) + 1
                counts[b] = counts.get(b, 0) + 1
            self._degree = counts
        return self._degree.get(node, 0)


def index_pairs(edges: Iterable[tuple[str, str]], keys: list[str]) -> list[tuple[int, int]]:
    """The ``edges`` among ``keys`` as sorted unique pairs of their indexes (i < j), direction
    and self-links dropped: what the global graph's layout and data are made of."""
    index = {key: i for i, key in enumerate(keys)}
    pairs = {
        (min(index[a], index[b]), max(index[a], index[b]))
        for a, b in edges
        if a != b and a in index and b in index
    }
    return sorted(pairs)


def _renewed(backlinks: list[Backlink], source: str, edge: Edge) -> list[Backlink]:
    return [Backlink(source, edge.context, edge.line) if b.source == source else b for b in backlinks]


def planned_key(name: str) -> str:
    return normalize(name)


def build_graph(slugs: list[str], edges: dict[str, list[Edge]]) -> LinkGraph:
    """Nodes are note slugs and ``planned:<name>`` ghosts; an edge per linked pair."""
    nodes: dict[str, dict[str, Any]] = {slug: {"planned": False} for slug in sorted(slugs)}
    edge_set: dict[tuple[str, str], None] = {}
    backlinks: dict[str, list[Backlink]] = {}
    outlinks: dict[str, list[str]] = {}
    planned: dict[str, Planned] = {}
    planned_out: dict[str, list[str]] = {}
    wanted: set[tuple[str, str]] = set()
    for source in sorted(edges):
        seen: set[str] = set()
        for edge in edges[source]:
            target = edge.target
            if target.kind == "file":
                continue
            if target.kind == "planned":
                key = planned_key(target.slug)
                entry = planned.setdefault(key, Planned(target.slug, slugify(target.slug) or "planned"))
                if (source, key) not in wanted:  # a set: popular planned notes are wanted by hundreds
                    wanted.add((source, key))
                    entry.wanted_by.append(Backlink(source, edge.context, edge.line))
                    planned_out.setdefault(source, []).append(key)
                nodes.setdefault(f"planned:{key}", {"planned": True, "title": entry.name})
                edge_set[(source, f"planned:{key}")] = None
                continue
            if target.slug == source or target.slug in seen:
                continue
            seen.add(target.slug)
            outlinks.setdefault(source, []).append(target.slug)
            nodes.setdefault(target.slug, {"planned": False})
            edge_set[(source, target.slug)] = None
            backlinks.setdefault(target.slug, []).append(Backlink(source, edge.context, edge.line))
    _unique_anchors(planned)
    return LinkGraph(nodes, list(edge_set), backlinks, outlinks, planned, planned_out)


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
