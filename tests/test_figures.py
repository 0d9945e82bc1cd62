"""Issue 8: figures drawn from data: sizes, data changes move points, SVG links resolve."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from PIL import Image

PARETO = """
taxonomy:
  - {slug: models, title: Models}
figures:
  pareto:
    output: images/pareto
    points:
      - {label: Trivial model, realism: 0.05, tractability: 0.95}
      - {label: NTK, realism: REALISM, tractability: 0.6, note: Neural Tangent Kernel}
      - {label: RFMs, realism: 0.6, tractability: 0.45, realism_error: 0.1}
      - {label: "µP <&>", realism: 0.8, tractability: 0.3, note: Missing Note}
  graph:
    output: images/graph
"""


def _setup(garden, realism: str = "0.3"):
    (garden.root / "garden.yaml").write_text(PARETO.replace("REALISM", realism))
    garden.note(
        "models/ntk.md", "---\ntitle: Neural Tangent Kernel\n---\nSee [[Other]] and [[Planned one]].\n"
    )
    garden.note("models/other.md", "---\ntitle: Other\n---\nBack to [[Neural Tangent Kernel]].\n")
    garden.note("models/index.md", '# Models\n\n![Pareto frontier](/images/pareto.png "Pareto Frontier")\n')
    garden.note("index.md", "# Home\n\n![The Graph](/images/graph.png)\n")


def _ns(tag: str) -> str:
    return "{http://www.w3.org/2000/svg}" + tag


def test_pareto_png_and_svg_written(garden, cli):
    _setup(garden)
    result = cli(garden)
    assert result.code == 0, result.output
    assert "Pareto point links to [[Missing Note]]" in result.err
    png = Image.open(garden.site / "images" / "pareto.png")
    png2x = Image.open(garden.site / "images" / "pareto@2x.png")
    assert png.size == (820, 540) and png2x.size == (1640, 1080)
    svg = ET.parse(garden.site / "images" / "pareto.svg").getroot()
    texts = ["".join(t.itertext()) for t in svg.iter(_ns("text"))]
    assert "µP <&>" in texts and "Trivial model" in texts
    assert len(list(svg.iter(_ns("polyline")))) == 1  # the dashed frontier


def test_pareto_point_data_change_moves_it(garden, cli):
    def ntk_x() -> float:
        svg = (garden.site / "images" / "pareto.svg").read_text()
        anchor = re.search(r'<a href="/models/ntk/">.*?<circle class="node dot" cx="([\d.]+)"', svg)
        assert anchor
        return float(anchor.group(1))

    _setup(garden, "0.3")
    assert cli(garden).code == 0
    before_png = (garden.site / "images" / "pareto.png").read_bytes()
    before = ntk_x()
    _setup(garden, "0.45")
    assert cli(garden).code == 0
    assert ntk_x() > before
    assert (garden.site / "images" / "pareto.png").read_bytes() != before_png


def test_svg_links_resolve_to_pages(garden, cli):
    _setup(garden)
    assert cli(garden).code == 0
    for name in ("pareto.svg", "graph.svg"):
        svg = (garden.site / "images" / name).read_text()
        hrefs = re.findall(r'<a href="([^"]+)"', svg)
        assert hrefs, name
        for href in hrefs:
            assert (garden.site / href.strip("/") / "index.html").is_file(), href


def test_figures_are_inlined_with_alt_text(garden, cli):
    _setup(garden)
    assert cli(garden).code == 0
    models = garden.page("models")
    assert '<figure class="figure figure-pareto"><svg class="fig"' in models
    # a group, not an image: its points are links a keyboard and a screen reader must reach
    assert 'role="group" aria-label="The Pareto frontier of models of deep learning:' in models
    assert "<figcaption>Pareto Frontier" in models and 'href="/images/pareto@2x.png"' in models
    assert "<p><figure" not in models
    home = garden.page("")
    assert '<figure class="figure figure-graph">' in home


def test_graph_has_notes_and_ghosts(garden, cli):
    _setup(garden)
    assert cli(garden).code == 0
    svg = ET.parse(garden.site / "images" / "graph.svg").getroot()
    titles = ["".join(t.itertext()) for t in svg.iter(_ns("title"))]
    assert "Neural Tangent Kernel" in titles and "Planned one (planned)" in titles
    assert Image.open(garden.site / "images" / "graph@2x.png").size == (1520, 1200)


def test_figures_are_deterministic(garden, cli, tmp_path):
    _setup(garden)
    assert cli(garden, "--out", str(tmp_path / "a")).code == 0
    assert cli(garden, "--out", str(tmp_path / "b")).code == 0
    for name in ("pareto.png", "pareto@2x.png", "pareto.svg", "graph.png", "graph.svg"):
        assert (tmp_path / "a" / "images" / name).read_bytes() == (
            tmp_path / "b" / "images" / name
        ).read_bytes()


def test_pareto_pictures_are_drawn_ahead_and_the_links_filled_in_later(garden, cli, monkeypatch):
    """The PNGs show no links, so they are drawn on the figures thread while the notes compile;
    the SVG, which links each point to its note, is made once the notes are known."""
    import threading

    from garden.figures import pareto

    threads: list[str] = []
    real = pareto.pareto_pictures

    def noting(*args):
        threads.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(pareto, "pareto_pictures", noting)
    _setup(garden)
    result = cli(garden, "--no-cache")
    assert result.code == 0, result.output
    assert threads == ["garden-figures"]
    assert result.err.count("Pareto point links to [[Missing Note]]") == 1  # not once more ahead
    svg = (garden.site / "images" / "pareto.svg").read_text()
    assert '<a href="/models/ntk/">' in svg
    ahead = (garden.site / "images" / "pareto@2x.png").read_bytes()
    monkeypatch.setattr(pareto, "pareto_pictures", lambda *args: None)  # drawn in the figures stage
    assert cli(garden, "--no-cache").code == 0
    assert (garden.site / "images" / "pareto@2x.png").read_bytes() == ahead
