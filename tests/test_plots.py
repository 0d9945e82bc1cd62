"""Line plots drawn from CSV tables kept in the repository (``figures.plots``)."""

from __future__ import annotations

import subprocess
import sys
import threading
import xml.etree.ElementTree as ET

import pytest
import yaml
from conftest import ROOT
from PIL import Image

from garden.figures import data as figure_data
from garden.figures.draw import PALETTE, hex_colour

CONFIG = """
taxonomy:
  - {slug: models, title: Models}
figures:
  plots:
    - output: images/plots/curves
      data: tables/curves.csv
      title: Two curves
      alt: Two curves, a line and a parabola, against x from 0 to 2.
      x_label: x
      y_label: value
      series: {line: "a line", square: "x squared <&>"}
      marks:
        - {y: 1, label: "one"}
"""

TABLE = "x,line,square\n0,0,0\n0.5,0.5,0.25\n1,1,1\n1.5,1.5,2.25\n2,2,4\n"


def _setup(garden, table: str = TABLE, config: str = CONFIG):
    (garden.root / "garden.yaml").write_text(config)
    (garden.root / "tables").mkdir(exist_ok=True)
    (garden.root / "tables" / "curves.csv").write_text(table)
    garden.note("models/a.md", '---\ntitle: A\n---\n![Two curves](/images/plots/curves.png "Curves")\n')


def _ns(tag: str) -> str:
    return "{http://www.w3.org/2000/svg}" + tag


def test_plot_is_drawn_inlined_and_described(garden, cli):
    _setup(garden)
    result = cli(garden)
    assert result.code == 0, result.output
    png = Image.open(garden.site / "images" / "plots" / "curves.png")
    assert (
        png.size[0] == 720 and Image.open(garden.site / "images" / "plots" / "curves@2x.png").size[0] == 1440
    )
    svg = ET.parse(garden.site / "images" / "plots" / "curves.svg").getroot()
    lines = [p for p in svg.iter(_ns("polyline")) if p.get("class", "").startswith("s")]
    assert [p.get("class") for p in lines] == ["s0", "s1"]
    assert len(lines[0].get("points", "").split()) == 5
    texts = ["".join(t.itertext()) for t in svg.iter(_ns("text"))]
    assert "a line" in texts and "x squared <&>" in texts and "one" in texts
    page = garden.page("models/a")
    assert '<figure class="figure figure-plot"><svg class="fig plot"' in page
    assert 'aria-label="Two curves, a line and a parabola, against x from 0 to 2."' in page
    assert "<figcaption>Curves" in page


def test_plot_colours_match_the_legend_in_png_and_svg(garden, cli):
    _setup(garden)
    assert cli(garden).code == 0
    svg = (garden.site / "images" / "plots" / "curves.svg").read_text()
    style = svg.split("<style>")[2].split("@media")[0]  # the plot's light-scheme rules
    for index in (0, 1):
        assert f".plot .s{index}{{stroke:{hex_colour(PALETTE[index])}}}" in style
    png = Image.open(garden.site / "images" / "plots" / "curves@2x.png").convert("RGB")
    colours = {colour for _, colour in png.getcolors(1 << 20)}
    for index in (0, 1):
        assert PALETTE[index] in colours, index  # the legend swatch and the curve share it


def test_changing_the_table_redraws_and_nothing_changed_does_not(garden, cli, monkeypatch):
    drawn: list[str] = []
    real = figure_data.plot_figure

    def counting(plot, font_path):
        drawn.append(plot.output)
        return real(plot, font_path)

    monkeypatch.setattr(figure_data, "plot_figure", counting)
    _setup(garden)
    assert cli(garden).code == 0
    assert cli(garden).code == 0
    assert drawn == ["images/plots/curves"]  # the second build took it from the cache
    before = (garden.site / "images" / "plots" / "curves.svg").read_text()
    _setup(garden, TABLE.replace("2,2,4", "2,2,3"))
    assert cli(garden).code == 0
    assert len(drawn) == 2 and (garden.site / "images" / "plots" / "curves.svg").read_text() != before


def test_plots_are_drawn_on_their_own_thread_while_the_notes_compile(garden, cli, monkeypatch):
    threads: list[str] = []
    real = figure_data.plot_figure

    def noting(plot, font_path):
        threads.append(threading.current_thread().name)
        return real(plot, font_path)

    monkeypatch.setattr(figure_data, "plot_figure", noting)
    _setup(garden)
    result = cli(garden, "--no-cache")
    assert result.code == 0, result.output
    assert threads == ["garden-figures"]  # set going by the build's first stage, not the figures stage
    alone = real(
        figure_data.parse_plot(yaml.safe_load(CONFIG)["figures"]["plots"][0], figure_data.read_table(TABLE)),
        figure_data.find_node_file(garden.root, figure_data.FONT, "font"),
    )
    assert (garden.site / "images" / "plots" / "curves@2x.png").read_bytes() == alone.files[alone.png2x]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "x,line,square\n0,0,0\n1,1\n",
            "curves.csv:3: error: figures.plots[0]: this row has 2 cells, the header has 3",
        ),
        (
            "x,line,square\n0,zero,0\n",
            "curves.csv:2: error: figures.plots[0]: 'zero' in column 'line' is not a number",
        ),
        (
            "x,line,square\n",
            "curves.csv: error: figures.plots[0]: the table needs a header row and at least one row",
        ),
    ],
)
def test_a_broken_table_is_reported_with_its_path(garden, cli, table, message):
    _setup(garden, table)
    result = cli(garden)
    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err


def test_unknown_column_and_table_outside_the_garden_are_errors(garden, cli):
    _setup(garden, config=CONFIG.replace("square:", "cube:"))
    result = cli(garden)
    assert result.code == 1 and "no column 'cube'; the table has x, line, square" in result.err
    _setup(garden, config=CONFIG.replace("tables/curves.csv", "../../../../etc/passwd"))
    result = cli(garden)
    assert result.code == 1 and "figures.plots[0]: no table '../../../../etc/passwd' inside" in result.err
    assert (
        not (garden.site / "images" / "plots" / "curves.svg").exists()
        or "root:" not in (garden.site / "images" / "plots" / "curves.svg").read_text()
    )


def test_log_axes_need_positive_values(garden, cli):
    _setup(garden, config=CONFIG.replace("series:", "log_y: true\n      series:"))
    result = cli(garden)
    assert result.code == 1 and "log_y needs positive values" in result.err


@pytest.mark.slow
def test_committed_tables_are_what_their_formulas_compute(tmp_path):
    """figures/*.csv are data, checked against figures/compute.py (the formulas)."""
    script = ROOT / "figures" / "compute.py"
    copy = tmp_path / "compute.py"
    copy.write_text(script.read_text())
    done = subprocess.run([sys.executable, str(copy)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for table in sorted((ROOT / "figures").glob("*.csv")):
        assert (tmp_path / table.name).read_text() == table.read_text(), table.name


def test_every_plot_of_the_garden_has_its_table_and_is_used():
    import yaml

    config = yaml.safe_load((ROOT / "garden.yaml").read_text())
    plots = config["figures"]["plots"]
    notes = "\n".join(p.read_text() for p in (ROOT / "notes").rglob("*.md"))
    used_in = {p.parent for p in (ROOT / "notes").rglob("*.md") if "/images/figures/" in p.read_text()}
    assert len(plots) >= 8
    for plot in plots:
        assert (ROOT / plot["data"]).is_file(), plot["data"]
        assert f"/{plot['output']}.png" in notes, plot["output"]
        assert len(plot["alt"]) > 80, plot["output"]  # alt text that describes, not a title
    notes_with_figures = [p for p in (ROOT / "notes").rglob("*.md") if "/images/figures/" in p.read_text()]
    assert len(notes_with_figures) >= 8 and used_in


def test_work_set_aside_for_the_figures_thread_runs_once_even_when_never_started():
    from garden.figures.ahead import FiguresAhead

    runs: list[int] = []
    ahead = FiguresAhead()
    first = ahead.add(lambda: runs.append(1) or "one")
    second = ahead.add(lambda: runs.append(2) or "two")
    assert (ahead.result(first), ahead.result(second), ahead.result(first)) == ("one", "two", "one")
    assert runs == [1, 2]
