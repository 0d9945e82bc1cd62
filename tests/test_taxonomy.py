"""Point 8: sections from front-matter or folders, unfiled notes, section pages."""

from __future__ import annotations


def test_section_from_front_matter_folder_and_unfiled(basic, cli):
    assert cli(basic).code == 0
    nngp_ntk = basic.page("models/nngp-ntk")
    assert 'href="/models/nngp-ntk/ntk/"' in nngp_ntk  # front-matter section
    models = basic.page("models")
    assert 'href="/models/mup/"' in models  # folder models/ matches the node
    home = basic.page("")
    unfiled = home.split('id="other-notes-title">Other notes</h2>')[1]
    assert 'href="/unfiled-thought/"' in unfiled and 'href="/digitalgarden/nngp/"' in unfiled
    shown = home.split("<main")[1].replace('class="taxonomy"', "").replace("Unfiled thought", "")
    assert "Unfiled" not in shown and "taxonomy" not in shown  # (a note's own title aside)
    graph = (basic.site / "graph" / "index.html").read_text()
    assert "Other notes" in graph and "Unfiled" not in graph  # the legend


def test_breadcrumbs_on_notes_and_sections(basic, cli):
    assert cli(basic).code == 0
    crumbs = basic.page("models/nngp-ntk/ntk").split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert (
        crumbs.index('href="/"') < crumbs.index('href="/models/"') < crumbs.index('href="/models/nngp-ntk/"')
    )
    section_crumbs = basic.page("models/nngp-ntk").split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert 'href="/models/"' in section_crumbs and 'href="/models/nngp-ntk/"' not in section_crumbs


def test_every_node_has_a_page_and_home_shows_tree_in_order(basic, cli):
    assert cli(basic).code == 0
    for path in ("models", "models/linear-regression", "models/nngp-ntk", "optimization", "understanding"):
        assert (basic.site / path / "index.html").is_file(), path
    home = basic.page("")
    order = [
        home.index(f'href="/{p}/"')
        for p in ("models", "models/linear-regression", "models/nngp-ntk", "optimization", "understanding")
    ]
    assert order == sorted(order)
    assert home.index(">Core<") < home.index(">Other<")


def test_section_text_and_planned_notes_in_order(garden, cli):
    garden.note(
        "models/nngp-ntk/index.md",
        "---\ntitle: NNGP / NTK\n---\nReading list:\n\n"
        "- [[Jacot's paper]]\n- [[Lazy training]]\n- [[Written]]\n",
    )
    garden.note("models/nngp-ntk/written.md", "---\ntitle: Written\n---\nA note.\n")
    assert cli(garden).code == 0
    page = garden.page("models/nngp-ntk")
    assert "Reading list:" in page
    planned = page.split('id="planned-title"')[1]
    assert planned.index("Jacot&#39;s paper") < planned.index("Lazy training")
    notes = page.split('id="notes-title"')[1].split("</section>")[0]
    assert 'href="/models/nngp-ntk/written/"' in notes


def test_unknown_section_is_an_error_with_suggestions(garden, cli):
    garden.note("x.md", "---\ntitle: X\nsection: models/nngp-nkt\n---\nx\n")
    garden.note("y.md", "Still checked: $\\frac{$\n")
    result = cli(garden)
    assert result.code == 1
    assert "notes/x.md:3: error: unknown section 'models/nngp-nkt'" in result.err
    assert "did you mean 'models/nngp-ntk'" in result.err
    assert "notes/y.md:1: warning: formula failed" in result.err  # every other note still checked
    assert not garden.site.exists()


def test_free_folders_still_build(garden, cli):
    garden.note("digitalGarden/NNGP.md", "NNGP\n")
    garden.note("models/convnets/resnet.md", "ResNets.\n")
    assert cli(garden).code == 0
    assert 'href="/models/convnets/resnet/"' in garden.page("models")  # nearest section above
    assert 'href="/digitalgarden/nngp/"' in garden.page("").split('id="other-notes-title"')[1]


def test_section_by_leaf_name_and_case(garden, cli):
    garden.note("x.md", "---\nsection: NNGP-NTK\n---\nx\n")
    assert cli(garden).code == 0
    assert 'href="/x/"' in garden.page("models/nngp-ntk")


def test_a_garden_without_sections_lists_its_notes_under_notes(garden, cli):
    garden.write("garden.yaml", "title: Flat\n")
    garden.note("a.md", "# A\n")
    assert cli(garden).code == 0
    home = garden.page("")
    assert '<h2 id="other-notes-title">Notes</h2>' in home and "Unfiled" not in home
