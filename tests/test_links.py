"""Point 5: every link syntax, resolution order, ambiguity, base URLs."""

from __future__ import annotations

import re

from test_markdown import body


def test_wikilink_forms(garden, cli):
    garden.note("models/Target Note.md", "---\naliases: [TN]\n---\n## A Heading\n\ntext\n")
    garden.note("other/Target Note.md", "Another with the same file name.\n")
    garden.note("Norm.md", "Norm.\n")
    garden.note(
        "src.md",
        """
        [[models/Target Note]] · [[TN|shown text]] · [[TN#A Heading]] · [[#Local]] · [[Norm]]ed

        ## Local
        """,
    )
    result = cli(garden)
    assert result.code == 0, result.output
    html = body(garden, "src")
    assert '<a class="internal" href="/models/target-note/">models/Target Note</a>' in html
    assert '<a class="internal" href="/models/target-note/">shown text</a>' in html
    assert 'href="/models/target-note/#a-heading"' in html
    assert 'href="#local"' in html
    assert '<a class="internal" href="/norm/">Norm</a>ed' in html


def test_ambiguous_link_warns_with_candidates(garden, cli):
    garden.note("a/Same.md", "A.\n")
    garden.note("b/c/Same.md", "B.\n")
    garden.note("src.md", "Go to [[Same]].\n")
    result = cli(garden)
    assert result.code == 0
    assert "notes/src.md:1: warning: ambiguous link [[Same]]: it matches a/Same.md, b/c/Same.md" in result.err
    assert 'href="/a/same/"' in body(garden, "src")  # shortest path wins, deterministically


def test_resolution_order_exact_path_beats_title(garden, cli):
    garden.note("Alpha.md", "---\ntitle: Beta\n---\nI am file Alpha, titled Beta.\n")
    garden.note("Beta.md", "---\ntitle: Gamma\n---\nI am file Beta.\n")
    garden.note("src.md", "[[Beta]] and [[beta]] and [[Gamma]]\n")
    assert cli(garden).code == 0
    html = body(garden, "src")
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs == ["/beta/", "/beta/", "/beta/"]


def test_title_and_case_folded_resolution(garden, cli):
    garden.note("x/neural-tangent-kernel.md", "---\ntitle: Neural Tangent Kernel\n---\nNTK.\n")
    garden.note("src.md", "[[Neural Tangent Kernel]] [[neural tangent KERNEL]] [[neural-tangent-kernel]]\n")
    assert cli(garden).code == 0
    assert body(garden, "src").count('href="/x/neural-tangent-kernel/"') == 3


def test_embeds_images_and_notes(garden, cli):
    from PIL import Image

    (garden.notes / "img").mkdir()
    Image.new("RGB", (40, 30)).save(garden.notes / "img" / "pic.png")
    garden.note("part.md", "## Section A\n\nAlpha text.\n\n## Section B\n\nBeta text.\n")
    garden.note(
        "src.md",
        "![[pic.png]]\n\n![[pic.png|300]]\n\n![[part]]\n\n![[part#Section B]]\n\n"
        "![A picture](/img/pic.png)\n",
    )
    assert cli(garden).code == 0
    html = body(garden, "src")
    # sizes read from the file, so the page keeps its place while images load
    assert '<img src="/img/pic.png" alt="pic.png" width="40" height="30" loading="lazy">' in html
    assert '<img src="/img/pic.png" alt="pic.png" width="300" height="225" loading="lazy">' in html
    assert '<img src="/img/pic.png" alt="A picture" width="40" height="30" loading="lazy">' in html
    assert html.count('<blockquote class="transclusion"') == 2
    b_part = html.split('cite="/part/#section-b"')[1]
    assert "Beta text." in b_part and "Alpha text." not in b_part
    assert (garden.site / "img" / "pic.png").is_file()


def test_transclusion_cycle_is_guarded(garden, cli):
    garden.note("a.md", "A embeds B\n\n![[b]]\n")
    garden.note("b.md", "B embeds A\n\n![[a]]\n")
    garden.note("self.md", "Me: ![[self]]\n")
    result = cli(garden)
    assert result.code == 0
    assert "transclusion cycle" in result.err
    assert "notes/self.md:1: warning: transclusion cycle: self → self" in result.err
    assert "would repeat forever" in garden.page("a")


def test_relative_and_root_absolute_markdown_links(garden, cli):
    garden.note("digitalGarden/NNGP.md", "NNGP.\n")
    garden.note("models/a.md", "[up](../digitalGarden/NNGP.md) [same](b.md#x) [root](/digitalGarden/NNGP)\n")
    garden.note("models/b.md", "## X\n")
    (garden.root / "static" / "images" / "digitalGarden").mkdir(parents=True)
    from PIL import Image

    Image.new("RGB", (4, 4)).save(garden.root / "static" / "images" / "digitalGarden" / "paretoFrontier.png")
    garden.note("p.md", '![Pareto frontier](/images/digitalGarden/paretoFrontier.png "Pareto Frontier")\n')
    result = cli(garden)
    assert result.code == 0, result.output
    html = body(garden, "models/a")
    assert re.findall(r'href="([^"]+)"', html) == [
        "/digitalgarden/nngp/",
        "/models/b/#x",
        "/digitalgarden/nngp/",
    ]
    img = body(garden, "p")
    assert (
        '<img src="/images/digitalGarden/paretoFrontier.png" alt="Pareto frontier" title="Pareto Frontier"'
        in img
    )
    assert (garden.site / "images" / "digitalGarden" / "paretoFrontier.png").is_file()


def test_a_missing_image_is_a_warning_and_a_visible_placeholder(garden, cli):
    garden.note("p.md", "![x](/images/nope.png)\n\nand ![[gone.png]]\n\n![[Other note]] is planned.\n")
    garden.note("q.md", "Fine.\n")
    result = cli(garden)
    assert result.code == 0, result.output  # one missing image no longer stops the build
    placeholder = "(the page shows a placeholder)"
    assert f"notes/p.md:1: warning: image not found: /images/nope.png {placeholder}" in result.err
    assert f"notes/p.md:3: warning: image not found: gone.png {placeholder}" in result.err
    assert "hint: put the file under notes/ or static/ and check the spelling" in result.err
    page = garden.page("p")
    assert 'aria-label="Missing image: /images/nope.png">Missing image: <code>/images/nope.png</code>' in page
    assert ">Missing image: <code>gone.png</code></span>" in page
    assert (garden.site / "q" / "index.html").is_file()
    strict = cli(garden, "--strict")
    assert strict.code == 1 and "image not found: gone.png" in strict.err


def test_the_missing_image_hint_names_the_real_folders(garden, cli, tmp_path):
    elsewhere = tmp_path / "my-notes"
    elsewhere.mkdir()
    (elsewhere / "p.md").write_text("![[gone.png]]\n")
    result = cli(garden, "--notes", str(elsewhere), "--out", str(tmp_path / "out"))
    assert result.code == 0, result.output
    assert f"hint: put the file under {elsewhere}/ or {tmp_path / 'static'}/ and check" in result.err
    assert "under notes/" not in result.err


def test_code_and_math_are_never_rewritten(garden, cli):
    garden.note(
        "c.md",
        "`[[Not A Link]]` and $[[a]] + b$\n\n```\n[[Also Not]] [x](y.md)\n```\n",
    )
    assert cli(garden).code == 0
    html = body(garden, "c")
    assert "<code>[[Not A Link]]</code>" in html
    assert "[[Also Not]] [x](y.md)" in html
    assert "planned-link" not in html
    assert not (garden.site / "planned" / "index.html").read_text().count("Not A Link")


def test_base_url_subpath_everywhere(basic, cli):
    assert cli(basic, "--base-url", "https://user.github.io/garden/").code == 0
    bad = []
    for page in basic.site.rglob("*.html"):
        html = page.read_text()
        for url in re.findall(r'(?:href|src)="(/[^"]*)"', html):
            if not url.startswith("/garden/"):
                bad.append((page.relative_to(basic.site), url))
    assert bad == []
    home = basic.page("")
    assert 'href="/garden/digitalgarden/nngp/"' in home


def test_unsafe_link_schemes_are_neutralised(garden, cli):
    garden.note(
        "x.md", "[click](javascript:alert(1)) [v](VBScript:x) [d](data:text/html,hi) [ok](https://a.b)\n"
    )
    assert cli(garden).code == 0
    hrefs = re.findall(r'href="([^"]*)"', body(garden, "x"))
    assert hrefs == ["https://a.b"]


def test_case_folded_title_beats_a_file_whose_slug_matches(garden, cli):
    """``[[foo bar]]`` is the note titled "Foo Bar" (a case-folded title), not ``foo-bar.md``,
    which only matches by URL slug, a later level of the resolution order."""
    garden.note("other.md", "---\ntitle: Foo Bar\n---\nThe real Foo Bar.\n")
    garden.note("foo-bar.md", "---\ntitle: Something Else\n---\nOnly my file name looks alike.\n")
    garden.note("src.md", "See [[foo bar]] and [[FOO BAR|shouted]].\n")
    result = cli(garden)
    assert result.code == 0, result.output
    hrefs = re.findall(r'href="([^"]+)"', body(garden, "src"))
    assert hrefs == ["/other/", "/other/"]
    assert "ambiguous" not in result.err


def test_markdown_links_to_a_missing_note_a_file_and_a_section(garden, cli):
    """``[..](nothere.md)`` is a planned note; a file keeps its anchor and is copied; a root
    path to a taxonomy section links the section page, anchor and all."""
    garden.note("src.md", "[gone](nothere.md) [pdf](paper.pdf#page=2) [sec](/models/nngp-ntk/#intro)\n")
    (garden.notes / "paper.pdf").write_bytes(b"%PDF-1.4\n")
    result = cli(garden)
    assert result.code == 0, result.output
    html = body(garden, "src")
    assert '<span class="planned-link" title="Planned note: nothere (not written yet)">gone</span>' in html
    assert '<a class="internal" href="/paper.pdf#page=2">pdf</a>' in html
    assert '<a class="internal" href="/models/nngp-ntk/#intro">sec</a>' in html
    assert (garden.site / "paper.pdf").read_bytes() == b"%PDF-1.4\n"
    planned = garden.page("planned")
    assert '<h2 class="planned-name">' in planned and "nothere" in planned


def test_anchor_only_links_point_into_the_same_note(garden, cli):
    garden.note("src.md", "## Part two\n\n[x](#part-two) [y](#nowhere)\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert result.err.count("heading '#nowhere' not found in this note") == 1
    assert "part-two' not found" not in result.err and "art-two' not found" not in result.err
    assert re.findall(r'<a class="internal" href="([^"]*)">', body(garden, "src")) == [
        "#part-two",
        "#nowhere",
    ]


def test_protocol_relative_link_is_external(garden, cli):
    garden.note("src.md", "[cdn](//example.com/x)\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert '<a class="external" href="//example.com/x" rel="noopener">cdn</a>' in body(garden, "src")
    assert "does not match" not in result.err


def test_relative_link_above_the_notes_folder_matches_nothing(garden, cli):
    (garden.root / "outside.md").write_text("Not a note.\n")
    garden.note("src.md", "[x](../outside.md)\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert "notes/src.md:1: warning: link to ../outside.md does not match any note or file" in result.err
    html = body(garden, "src")
    assert '<span class="broken-link">x</span>' in html and "href" not in html


def test_wikilink_to_a_section_without_a_note_links_the_section_page(garden, cli):
    garden.note("src.md", "[[nngp-ntk]] and [[nngp-ntk#Top]]\n")
    result = cli(garden)
    assert result.code == 0, result.output
    hrefs = re.findall(r'href="([^"]+)"', body(garden, "src"))
    assert hrefs == ["/models/nngp-ntk/", "/models/nngp-ntk/#top"]
    assert "planned-link" not in body(garden, "src") and "0 planned notes" in result.output


def test_wikilink_to_a_draft_file_name_is_planned_and_the_draft_stays_private(garden, cli):
    garden.note("secret.md", "---\ndraft: true\n---\nSecret text.\n")
    garden.note("src.md", "See [[secret.md]].\n")
    result = cli(garden)
    assert result.code == 0, result.output
    html = body(garden, "src")
    assert '<span class="planned-link" title="Planned note: secret.md (not written yet)">' in html
    assert "secret" not in " ".join(re.findall(r'href="([^"]+)"', html))
    assert not [p for p in garden.site.rglob("*") if "secret" in p.name]
    assert not any("Secret text." in p.read_text() for p in garden.site.rglob("*.html"))


def test_dot_files_are_not_found_by_bare_name(garden, cli):
    from PIL import Image

    (garden.notes / "img").mkdir()
    Image.new("RGB", (4, 4)).save(garden.notes / "img" / ".hidden.png")
    Image.new("RGB", (4, 4)).save(garden.notes / "img" / "shown.png")
    garden.note("src.md", "![[shown.png]]\n\n![[.hidden.png]]\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert "notes/src.md:3: warning: image not found: .hidden.png" in result.err
    assert "shown.png" not in result.err


def test_a_markdown_link_by_slug_and_a_scheme_that_begins_like_an_unsafe_one(garden, cli):
    garden.note("Target Note.md", "T.\n")
    garden.note("src.md", "[by slug](target-note) [odd](javascriptx:1) [ok](https://a.b)\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert "unsafe link 'javascriptx:1' removed" in result.err
    assert re.findall(r'href="([^"]*)"', body(garden, "src")) == ["/target-note/", "https://a.b"]


def test_a_link_to_a_folders_index_file_finds_the_note_of_that_address(garden, cli):
    """``foo/index.md`` and ``foo.md`` are both the page ``/foo/``: a link written as
    ``foo/index.md`` (a Hugo habit) finds the note ``foo.md``, as ``[…](foo/)`` does."""
    garden.note("foo.md", "# Foo\n")
    garden.note("models/bar.md", "# Bar\n\n## Top\n")
    garden.note("a.md", "[one](foo/index.md) [two](/models/bar/index.md#top) [three](foo/)\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert "a.md" not in result.err  # no link of it is broken or planned
    assert re.findall(r'href="([^"]+)"', body(garden, "a")) == ["/foo/", "/models/bar/#top", "/foo/"]
