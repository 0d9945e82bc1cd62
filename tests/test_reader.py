"""Issue 6 without a browser: the search index, graph data, local graphs, escaping, budgets."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import networkx as nx
import pytest

from garden.figures.layout import force_layout
from garden.publish import search

ROOT = Path(__file__).resolve().parent.parent
GARDENS = ROOT / "tests" / "gardens"
BUDGET_GZIP = 30 * 1024
BUDGET_JS = 30 * 1024


@pytest.fixture
def reader(tmp_path):
    from conftest import Garden

    target = tmp_path / "reader"
    shutil.copytree(GARDENS / "reader", target)
    return Garden(target)


def test_search_index_is_built_with_every_build_under_a_sub_path(reader, cli):
    result = cli(reader, "build", "--base-url", "https://example.org/garden/")
    assert result.code == 0, result.output
    bundle = reader.site / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-entry.json").is_file()
    assert list((bundle / "fragment").iterdir()) and list((bundle / "index").iterdir())
    assert not (bundle / "pagefind-ui.js").exists()  # Pagefind's own UI is not shipped
    page = reader.page("models/ntk")
    assert 'data-search="/garden/pagefind/pagefind.js"' in page
    assert 'data-base="/garden/"' in page
    assert '<article class="note" data-pagefind-body>' in page
    assert '<p class="aliases" data-pagefind-weight="7">Also known as NTK</p>' in page
    assert 'data-pagefind-meta="section[data-section]" data-section="Models"' in page


def test_search_pages_are_notes_and_sections_only(reader, cli):
    assert cli(reader).code == 0
    indexed = {p.relative_to(reader.site).as_posix() for p in reader.site.rglob("*.html")}
    marked = {p for p in indexed if "data-pagefind-body" in (reader.site / p).read_text()}
    assert "models/ntk/index.html" in marked and "models/index.html" in marked
    assert not {"index.html", "tags/index.html", "planned/index.html", "graph/index.html"} & marked


def test_rebuilt_search_index_equals_a_clean_one(reader, cli, tmp_path, monkeypatch):
    """A rebuild starts Pagefind while its cards are still being finished: a deleted note must
    be gone from the site by then and an edit must be in it (same bytes as a clean build)."""
    from conftest import Garden, snapshot

    start = search.IndexRun.__init__

    def index_at_once(run, *args):  # Pagefind reads the site the moment it is started
        start(run, *args)
        if run._process is not None:
            run._process.wait()

    monkeypatch.setattr(search.IndexRun, "__init__", index_at_once)
    assert cli(reader).code == 0
    (reader.notes / "optimization" / "momentum.md").unlink()
    ntk = reader.notes / "models" / "ntk.md"
    ntk.write_text(ntk.read_text() + "\nA zanzibarite word only this edit brings.\n")
    assert cli(reader).code == 0
    clean = Garden(tmp_path / "clean")
    shutil.copytree(reader.notes, clean.notes)
    shutil.copy(reader.root / "garden.yaml", clean.root / "garden.yaml")
    assert cli(clean, "build", "--no-cache").code == 0
    index = snapshot(reader.site / "pagefind")
    assert index and index == snapshot(clean.site / "pagefind")
    assert snapshot(reader.site, marker=False) == snapshot(clean.site, marker=False)


def test_missing_pagefind_is_a_warning_and_the_site_is_still_written(reader, cli, monkeypatch):
    monkeypatch.setattr(search, "pagefind_binary", lambda: None)
    result = cli(reader)
    assert result.code == 0
    assert "search index not built: the Pagefind binary is missing" in result.output
    assert reader.page("models/ntk") and not (reader.site / "pagefind").exists()
    assert cli(reader, "build", "--strict").code == 1  # strict: every warning fails


def test_failing_pagefind_is_a_warning(reader, cli, monkeypatch, tmp_path):
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'it broke' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(search, "pagefind_binary", lambda: fake)
    result = cli(reader)
    assert result.code == 0
    assert "Pagefind exited with 3" in result.output and "it broke" in result.output


def test_graph_and_pagefind_urls_are_reserved(garden, cli):
    garden.note("graph.md", "A note where the graph page goes.\n")
    garden.note("pagefind/x.md", "A note where the index goes.\n")
    result = cli(garden)
    assert result.code == 1
    assert "the URL '/graph/' is reserved" in result.output
    assert "the URL '/pagefind/x/' is reserved" in result.output


def test_graph_data_has_every_note_planned_ghosts_and_links(reader, cli):
    assert cli(reader, "build", "--base-url", "/garden/").code == 0
    data = json.loads((reader.site / "graph" / "graph.json").read_text(encoding="utf-8"))
    assert [a["title"] for a in data["areas"]] == ["Models", "Optimization", "Understanding"]
    nodes = {node[0]: node for node in data["nodes"]}
    _, url, area, degree, x, y, planned = nodes["Neural Tangent Kernel"]
    assert url == "/garden/models/ntk/" and area == 0 and degree >= 3 and planned == 0
    assert 0 <= x <= 1000 and 0 <= y <= 1000
    ghost = nodes["Lazy and rich regimes"]
    assert ghost[1] == "/garden/planned/#lazy-and-rich-regimes" and ghost[6] == 1
    assert nodes["Musings"][2] == -1  # unfiled
    assert "Reader Garden" not in nodes  # the home page is not a note
    titles = [node[0] for node in data["nodes"]]
    ends = zip(data["edges"][::2], data["edges"][1::2], strict=True)
    pairs = {frozenset((titles[a], titles[b])) for a, b in ends}
    assert frozenset(("Neural Network Gaussian Process", "Neural Tangent Kernel")) in pairs
    page = reader.page("graph")
    assert 'data-src="/garden/graph/graph.json"' in page
    assert '<script src="/garden/js/graph.js" defer>' in page
    assert "6 notes, 2 planned and 9 links" in page


def test_local_graph_shows_links_in_and_out(reader, cli):
    assert cli(reader, "build", "--base-url", "/garden/").code == 0
    page = reader.page("models/ntk")
    svg = page.split('<svg class="local-graph"', 1)[1].split("</svg>", 1)[0]
    # the same neighbours as Backlinks (the home page among them) and "Links from this note"
    assert 'aria-label="Local graph of Neural Tangent Kernel: 2 notes link here, it links to 2."' in svg
    assert '<a href="/garden/"><title>Reader Garden</title>' in svg
    assert '<a href="/garden/models/nngp/"><title>Neural Network Gaussian Process</title>' in svg
    assert '<a href="/garden/planned/#feature-learning">' in svg and 'class="lg-ghost"' in svg
    assert 'text-anchor="end">Neural Network Gaussian…</text>' in svg  # links here: left
    assert 'text-anchor="start">Feature Learning</text>' in svg  # linked from here: right
    assert "<script" not in svg


def test_a_hub_shows_its_best_linked_neighbours_and_counts_the_rest(garden, cli):
    for i in range(15):
        garden.note(f"n{i:02}.md", f"Links to [[hub]]{' and [[n00]]' * (i % 2)}.\n")
    garden.note("hub.md", "The hub.\n")
    assert cli(garden).code == 0
    svg = garden.page("hub").split('<svg class="local-graph"', 1)[1]
    assert "and 6 more</text>" in svg
    assert '<a href="/n00/">' in svg  # the best linked neighbour is kept


def test_a_note_without_links_has_no_local_graph(garden, cli):
    garden.note("alone.md", "Nobody links here.\n")
    assert cli(garden).code == 0
    assert 'class="local-graph' not in garden.page("alone")


def test_markup_in_titles_is_escaped_everywhere(reader, cli):
    assert cli(reader).code == 0
    raw = "</script><script>alert(1)</script>"
    for path in reader.site.rglob("*.html"):
        assert raw not in path.read_text(encoding="utf-8"), path
    musings = reader.page("musings")
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in musings
    data = json.loads((reader.site / "graph" / "graph.json").read_text(encoding="utf-8"))
    assert "</script><script>alert(1)</script> & <b>bold</b>" in [node[0] for node in data["nodes"]]


def test_no_page_loads_anything_from_another_host(reader, cli):
    assert cli(reader, "build", "--base-url", "https://example.org/garden/").code == 0
    loads = re.compile(r'<(?:script|link|img|iframe|source|video|audio)\b[^>]*?(?:src|href)="([^"]+)"')
    for path in reader.site.rglob("*.html"):
        for url in loads.findall(path.read_text(encoding="utf-8")):
            own = url.startswith("https://example.org/garden/")  # canonical and feed links: the site's host
            assert own or (url.startswith("/") and not url.startswith("//")), (path, url)
    for css in reader.site.rglob("*.css"):
        for url in re.findall(r"url\(([^)]+)\)", css.read_text(encoding="utf-8")):
            assert "//" not in url, (css, url)


def test_layout_is_deterministic_and_inside_the_box():
    graph = nx.gnm_random_graph(120, 300, seed=3)
    graph = nx.relabel_nodes(graph, {n: f"n{n}" for n in graph.nodes})
    nodes = sorted(graph.nodes)
    first = force_layout(graph, nodes)
    assert first == force_layout(graph, nodes)
    assert all(0 <= x <= 1000 and 0 <= y <= 1000 for x, y in first.values())
    assert force_layout(nx.Graph(), []) == {}
    assert force_layout(nx.Graph([("a", "a")]), ["a"]) == {"a": (500.0, 500.0)}


def test_linked_notes_end_up_closer_than_strangers():
    graph = nx.Graph()
    nx.add_path(graph, ["a1", "a2", "a3", "a4"])
    nx.add_path(graph, ["b1", "b2", "b3", "b4"])
    graph.add_edge("a4", "b1")
    pos = force_layout(graph, sorted(graph.nodes))

    def distance(u: str, v: str) -> float:
        return ((pos[u][0] - pos[v][0]) ** 2 + (pos[u][1] - pos[v][1]) ** 2) ** 0.5

    assert distance("a1", "a2") < distance("a1", "b4")


def test_mesh_repulsion_matches_every_pair_for_large_graphs():
    """Above EXACT_UP_TO nodes the layout pushes nodes apart on a mesh (O(n) per sweep): its
    forces must be those of the exact every-pair sum, up to a few per cent."""
    import numpy as np

    from garden.figures import layout

    rng = np.random.default_rng(1)
    n = 2000
    centres = rng.random((20, 2))
    points = centres[rng.integers(0, 20, n)] + rng.normal(0, 0.03, (n, 2))
    x, y = points[:, 0].astype(np.float32), points[:, 1].astype(np.float32)
    exact = np.empty((2, n), np.float32)
    mesh = np.empty((2, n), np.float32)
    layout._exact_repulsion(x, y, exact[0], exact[1], 1 / n)
    layout._MeshRepulsion(layout.MESH)(x, y, mesh[0], mesh[1], 1 / n)
    error = np.hypot(*(exact - mesh)) / np.hypot(*exact)
    assert np.median(error) < 0.05 and np.percentile(error, 90) < 0.25


def test_large_graph_layout_is_deterministic_and_keeps_clusters(monkeypatch):
    from garden.figures import layout

    monkeypatch.setattr(layout, "EXACT_UP_TO", 50)  # the mesh path, on a graph small enough to be quick
    monkeypatch.setattr(layout, "MESH", 64)
    graph = nx.disjoint_union(nx.gnm_random_graph(100, 400, seed=1), nx.gnm_random_graph(100, 400, seed=2))
    graph.add_edge(0, 100)
    nodes = sorted(graph.nodes)
    pos = layout.layout_pairs(len(nodes), sorted(tuple(sorted(e)) for e in graph.edges() if e[0] != e[1]))
    assert pos == layout.layout_pairs(
        len(nodes), sorted(tuple(sorted(e)) for e in graph.edges() if e[0] != e[1])
    )
    assert all(0 <= x <= 1000 and 0 <= y <= 1000 for x, y in pos)

    def centre(group: range) -> tuple[float, float]:
        return sum(pos[i][0] for i in group) / len(group), sum(pos[i][1] for i in group) / len(group)

    (ax, ay), (bx, by) = centre(range(100)), centre(range(100, 200))
    spread = sum(((pos[i][0] - ax) ** 2 + (pos[i][1] - ay) ** 2) ** 0.5 for i in range(100)) / 100
    assert ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 > 1.5 * spread


def _bench_budget():
    spec = importlib.util.spec_from_file_location("budget", ROOT / "bench" / "budget.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["budget"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_note_page_budget(tmp_path, cli):
    """A note of 1,500 words and 20 formulas: HTML + our CSS + our JS ≤ 30 KB gzip-compressed."""
    from conftest import Garden

    budget = _bench_budget()
    g = Garden(budget.make_budget_garden(tmp_path / "budget"))
    assert cli(g).code == 0
    page = g.page(budget.SLUG)
    assert page.count('class="katex"') == 20 and "math-error" not in page
    sizes = budget.measure(g.site)
    assert sizes.total_gzip <= BUDGET_GZIP, sizes
    assert sizes.js_raw <= BUDGET_JS, sizes
