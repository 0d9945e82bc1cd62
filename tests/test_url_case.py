"""`urls:` in garden.yaml: lowercase addresses (the default) or the authors' own capitals, and
the other spelling of every address redirects to the page."""

from __future__ import annotations

from garden.publish.spellings import disk_folds_case


def test_lowercase_by_default_with_a_redirect_at_the_authors_spelling(garden, cli):
    garden.note("digitalGarden/NNGP.md", "# NNGP\n\nSee [[Other]].\n")
    garden.note("digitalGarden/Other.md", "# Other\n")
    assert cli(garden, "--strict").code == 0
    assert "<h1" in garden.page("digitalgarden/nngp")
    redirect = garden.page("digitalGarden/NNGP")
    assert 'content="0; url=/digitalgarden/nngp/"' in redirect
    assert 'name="robots" content="noindex"' in redirect


def test_keep_case_serves_the_authors_spelling_and_links_find_it_either_way(garden, cli):
    garden.write("garden.yaml", (garden.root / "garden.yaml").read_text() + "urls: keep-case\n")
    garden.note("digitalGarden/NNGP.md", "# NNGP\n\n[lower](/digitalgarden/ntk) and [[NTK]].\n")
    garden.note("digitalGarden/NTK.md", "# NTK\n")
    assert cli(garden, "--strict").code == 0
    page = garden.page("digitalGarden/NNGP")
    assert page.count('href="/digitalGarden/NTK/"') >= 2
    assert 'url=/digitalGarden/NNGP/"' in garden.page("digitalgarden/nngp")


def test_keep_case_still_refuses_two_notes_whose_names_differ_only_by_case(garden, cli):
    garden.write("garden.yaml", (garden.root / "garden.yaml").read_text() + "urls: keep-case\n")
    garden.note("a/Note.md", "one\n")
    garden.note("a/note.md", "two\n")
    run = cli(garden)
    assert run.code == 1 and "two notes share the URL" in run.err


def test_an_unknown_urls_value_is_an_error_naming_the_choices(garden, cli):
    garden.write("garden.yaml", (garden.root / "garden.yaml").read_text() + "urls: upper\n")
    run = cli(garden)
    assert run.code == 1
    assert "'urls' must be one of lowercase, keep-case" in run.err


def test_this_disk_tells_cases_apart(tmp_path):
    (tmp_path / "Case").mkdir()
    assert disk_folds_case(tmp_path / "Case" / "not-yet") is (tmp_path / "case").exists()


def test_keep_case_quick_rebuilds_equal_clean_builds(garden, cli, tmp_path, monkeypatch):
    from conftest import snapshot

    from garden.build.inputs import BuildOptions
    from garden.cli import make_preview

    garden.write("garden.yaml", (garden.root / "garden.yaml").read_text() + "urls: keep-case\n")
    garden.note("Models/Mean Field.md", "# Mean Field\n\nFirst body, see [[NNGP]].\n")
    garden.note("Models/NNGP.md", "# NNGP\n\nSee [[Mean Field]].\n")
    monkeypatch.chdir(garden.root)
    preview = make_preview(BuildOptions(), "127.0.0.1", 0)
    try:
        assert preview.build().written
        garden.note("Models/Mean Field.md", "# Mean Field\n\nAn edited body, see [[NNGP]].\n")
        result = preview.build()
        assert result.quick
        preview.settle()
        clean = cli(garden, "--no-cache", "--out", str(tmp_path / "clean"))
        assert clean.code == 0, clean.output
        assert snapshot(garden.site, marker=False) == snapshot(tmp_path / "clean", marker=False)
        assert "An edited body" in garden.page("Models/Mean-Field")
    finally:
        preview.stop()


def test_keep_case_section_pages_use_the_folders_spelling(garden, cli):
    """Under keep-case a folder's section page is at the folder's own spelling, like its notes;
    the lower-case spelling redirects to it, as it does for notes. A declared taxonomy's slug
    (lower case in garden.yaml) takes the folder's spelling too, and so do sections below it."""
    garden.write(
        "garden.yaml",
        "title: T\nurls: keep-case\ntaxonomy:\n  - slug: digitalgarden\n    title: Garden\n"
        "    children:\n      - {slug: deep-nets, title: Deep nets}\n      - {slug: planned, title: Later}\n",
    )
    garden.note("digitalGarden/NNGP.md", "# NNGP\n\n[up](/digitalgarden/) and [[NTK]].\n")
    garden.note("digitalGarden/Deep Nets/NTK.md", "# NTK\n\n[section](../)\n")
    garden.note("digitalGarden/index.md", "The garden's own text.\n")
    run = cli(garden, "--strict")
    assert run.code == 0, run.output
    section = garden.page("digitalGarden")
    assert "http-equiv" not in section and "The garden's own text." in section
    assert 'href="/digitalGarden/NNGP/"' in section
    assert "http-equiv" not in garden.page("digitalGarden/Deep-Nets")
    assert "http-equiv" not in garden.page("digitalGarden/planned")  # no folder: as declared
    assert 'content="0; url=/digitalGarden/"' in garden.page("digitalgarden")
    assert 'content="0; url=/digitalGarden/Deep-Nets/"' in garden.page("digitalgarden/deep-nets")
    nngp = garden.page("digitalGarden/NNGP")
    assert 'href="/digitalGarden/"' in nngp and 'href="/digitalgarden/"' not in nngp
    assert 'href="/digitalGarden/Deep-Nets/"' in garden.page("digitalGarden/Deep-Nets/NTK")
