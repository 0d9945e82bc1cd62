"""The graph view: a local graph per note (inline SVG) and the data of the global graph page.

Both are computed at build time. The local graph is plain SVG with real links, so it reads
without JavaScript: notes that link here on the left, notes this one links to on the right.
The global graph is a JSON file of positions (``figures/layout.py``) that ``static/js/graph.js`` draws
on a canvas; the browser never lays anything out.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from garden.core import addresses
from garden.figures.draw import PALETTE

if TYPE_CHECKING:
    from garden.model import Garden, GardenGraph, Node

MAX_PER_SIDE = 10  # neighbours drawn on each side of a local graph; the rest are counted
UNFILED = "#6e747e"


def colour(area: int) -> str:
    return "#{:02x}{:02x}{:02x}".format(*PALETTE[area % len(PALETTE)]) if area >= 0 else UNFILED


# --------------------------------------------------------------------------- global graph


def graph_data(view: GardenGraph, garden: Garden, cache: Any = None) -> bytes:
    """The global graph as compact JSON: areas, nodes ``[title, url, area, degree, x, y, planned]``
    and edges as a flat list of node index pairs."""
    keys = list(view.nodes)
    pairs = garden.links.undirected_pairs(keys)
    positions = dict(zip(keys, _layout(len(keys), pairs, cache), strict=True))
    data: dict[str, Any] = {
        "areas": [{"title": title, "colour": colour(i)} for i, title in enumerate(view.areas)],
        "unfiled": UNFILED,
        "nodes": [
            [
                node.title,
                node.url,
                node.area,
                node.degree,
                *positions[node.key],
                1 if node.planned else 0,
            ]
            for node in view.nodes.values()
        ],
        "edges": [i for pair in pairs for i in pair],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _layout(n: int, pairs: list[tuple[int, int]], cache: Any) -> list[tuple[float, float]]:
    """The garden's layout, shared with the graph figure (``figures/layout.py``)."""
    from garden.figures.layout import shared_layout

    return shared_layout(n, pairs, cache)


def graph_page_context(view: GardenGraph, garden: Garden) -> dict[str, Any]:
    urls = garden.urls
    written = sum(1 for node in view.nodes.values() if not node.planned)
    used = sorted({node.area for node in view.nodes.values() if node.area >= 0})
    legend = [{"title": view.areas[i], "colour": colour(i)} for i in used]
    if any(node.area < 0 and not node.planned for node in view.nodes.values()):
        legend.append({"title": "Other notes", "colour": UNFILED})
    return {
        "kind": "graph",
        "title": "Graph",
        "description": "Every note of the garden and the links between them",
        "url": urls.page(addresses.GRAPH),
        "breadcrumbs": [],
        "data_url": urls.file(addresses.GRAPH_DATA),
        "notes": written,
        "planned_count": len(view.nodes) - written,
        "links": len(garden.links.undirected_pairs(list(view.nodes))),
        "legend": legend,
    }


# --------------------------------------------------------------------------- local graph

ROW = 26
WIDTH = 640
COLUMN = 150  # horizontal distance of the neighbour columns from the centre
SHIFT = 110


def _short(title: str, limit: int = 24) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _side(nodes: list[Node]) -> tuple[list[Node], int]:
    """At most MAX_PER_SIDE neighbours (best linked first), in title order, and how many are left."""
    if len(nodes) > MAX_PER_SIDE:
        kept = sorted(nodes, key=lambda n: (-n.degree, n.title.casefold(), n.key))[: MAX_PER_SIDE - 1]
        return sorted(kept, key=lambda n: (n.title.casefold(), n.key)), len(nodes) - len(kept)
    return sorted(nodes, key=lambda n: (n.title.casefold(), n.key)), 0


def _radius(node: Node) -> float:
    return min(4.0 + 1.2 * math.sqrt(node.degree), 11.0)


def _neighbour(key: str, view: GardenGraph, garden: Garden) -> Node:
    """The graph view's node, or one for a neighbour the global graph leaves out (the home
    page, a section without a text of its own)."""
    from garden.model import PLANNED_PREFIX, Node

    if key in view.nodes:
        return view.nodes[key]
    if key.startswith(PLANNED_PREFIX):
        entry = garden.links.planned[key[len(PLANNED_PREFIX) :]]
        return Node(key, entry.name, garden.urls.page(addresses.PLANNED, entry.anchor), -1, 0, planned=True)
    section = garden.section_of.get(key) or garden.taxonomy.by_path.get(key)
    tops = [node for node in garden.taxonomy.sections() if node.parent is None or node.parent.is_group]
    areas = {node.area().path: i for i, node in enumerate(tops)}  # as in model.garden_graph
    area = areas.get(section.area().path, -1) if section is not None else -1
    return Node(key, garden.title_of(key), garden.url_of(key), area, garden.links.degree(key))


def local_graph_svg(slug: str, view: GardenGraph, garden: Garden) -> str:
    """The note in the middle, what links here on the left, what it links to on the right:
    exactly its Backlinks and "Links from this note" (a note linked both ways is on both sides)."""
    from garden.model import PLANNED_PREFIX

    if not slug or slug not in garden.notes:  # the home page links to everything: no local graph
        return ""
    near = garden.neighbours(slug)
    incoming = [b.source for b in near.incoming]
    outgoing = [*near.outgoing, *(PLANNED_PREFIX + key for key in near.planned)]
    left, left_more = _side([_neighbour(k, view, garden) for k in incoming])
    right, right_more = _side([_neighbour(k, view, garden) for k in outgoing])
    if not left and not right:
        return ""
    rows = max(len(left) + (left_more > 0), len(right) + (right_more > 0), 3)
    height = rows * ROW + 30
    # one-sided graphs move the note towards the empty side: more room for the labels
    cx = WIDTH / 2 + (0 if left and right else -SHIFT if right else SHIFT)
    cy = height / 2
    me = _neighbour(slug, view, garden)
    label = (
        f"Local graph of {me.title}: "
        + (f"{len(incoming)} notes link here" if len(incoming) != 1 else "1 note links here")
        + f", it links to {len(outgoing)}."
    )
    parts = [
        f'<svg class="local-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="group" aria-label={quoteattr(label)}>'
    ]
    placed: list[tuple[Node, float, float, int]] = []
    for side, nodes, more in ((-1, left, left_more), (1, right, right_more)):
        count = len(nodes) + (more > 0)
        for i, node in enumerate(nodes):
            y = cy + (i - (count - 1) / 2) * ROW
            bend = ((y - cy) / (height / 2)) ** 2 * 40  # a gentle arc around the centre
            placed.append((node, cx + side * (COLUMN - bend), y, side))
    parts.append('<g class="lg-edges">')
    for _node, x, y, _ in placed:
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}"/>')
    parts.append("</g>")
    for node, x, y, side in placed:
        r = _radius(node)
        anchor = "end" if side < 0 else "start"
        tx = x - r - 6 if side < 0 else x + r + 6
        shape = (
            f'<circle class="lg-ghost" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
            if node.planned
            else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour(node.area)}"/>'
        )
        title = f"{node.title} (planned: not written yet)" if node.planned else node.title
        css = "lg-label lg-planned" if node.planned else "lg-label"
        parts.append(
            f"<a href={quoteattr(node.url)}><title>{escape(title)}</title>{shape}"
            f'<text class="{css}" x="{tx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}">'
            f"{escape(_short(node.title))}</text></a>"
        )
    for side, nodes, more, target in ((-1, left, left_more, "backlinks"), (1, right, right_more, "outlinks")):
        if more:
            count = len(nodes) + 1
            y = cy + (count - 1) / 2 * ROW
            x = cx + side * (COLUMN - 40)
            parts.append(
                f'<a href="#{target}-title"><text class="lg-more" x="{x:.1f}" y="{y + 4:.1f}" '
                f'text-anchor="{"end" if side < 0 else "start"}">and {more} more</text></a>'
            )
    r = _radius(me) + 2
    parts.append(
        f'<g class="lg-me"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colour(me.area)}"/>'
        f'<text class="lg-label" x="{cx:.1f}" y="{cy + r + 15:.1f}" text-anchor="middle">'
        f"{escape(_short(me.title, 30))}</text></g>"
    )
    parts.append("</svg>")
    return "".join(parts)
