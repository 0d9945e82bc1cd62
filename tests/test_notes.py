"""Point 3: discovering notes, front-matter, titles, encodings and slugs."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from garden.core.paths import slugify, source_slug
from garden.sources.frontmatter import parse_date, split_front_matter


def test_recursive_discovery_skips_dot_folders_and_ignored(basic, cli):
    assert cli(basic).code == 0
    assert (basic.site / "models" / "mup" / "index.html").is_file()
    assert (basic.site / "digitalgarden" / "nngp" / "index.html").is_file()
    assert not (basic.site / "obsidian").exists() and not (basic.site / ".obsidian").exists()
    assert not (basic.site / "drafts").exists()
    assert "hidden file" not in "".join(p.read_text() for p in basic.site.rglob("*.html"))


def test_title_fallbacks_front_matter_then_h1_then_file_name(garden, cli):
    garden.note("a.md", "---\ntitle: From YAML\n---\n# Heading\n")
    garden.note("b.md", "\n# From Heading\n\ntext\n\n## Part\n")
    garden.note("c-file name.md", "Just text.\n")
    garden.note("d.md", "```\n# not a heading\n```\n")
    garden.note("edge-of_stability.md", "Intro first.\n\n# A heading later\n")
    assert cli(garden).code == 0
    assert "<h1>From YAML</h1>" in garden.page("a")
    b = garden.page("b")
    assert "<h1>From Heading</h1>" in b
    assert b.count("<h1") == 1  # the heading becomes the title, not a second h1
    assert "<h1>c-file name</h1>" in garden.page("c-file-name")  # written by hand: kept
    assert "<h1>d</h1>" in garden.page("d")
    later = garden.page("edge-of-stability")  # a heading that does not open the note is a section
    assert "<h1>Edge of stability</h1>" in later and '<h2 id="a-heading-later">A heading later' in later


def _toc(page: str) -> list[str]:
    if 'id="toc-title"' not in page:
        return []
    block = page.split('id="toc-title"')[1].split("</aside>")[0]
    return [text for _, text in re.findall(r'<li class="toc-level-(\d)"><a href="[^"]*">([^<]*)</a>', block)]


def test_a_note_that_uses_top_level_headings_for_sections_keeps_them(garden, cli):
    """Several `#` headings are sections: none is the title, every one is on the page and in
    "On this page"."""
    garden.note("first-year.md", "# Core\n\nCourses.\n\n## Algebra\n\n# First year\n\nMore.\n")
    assert cli(garden).code == 0
    page = garden.page("first-year")
    assert "<title>First year · Fixture</title>" in page  # the file's name, not "Core"
    assert '<h2 id="core">Core' in page and '<h2 id="first-year">First year' in page
    assert page.count("<h1") == 1  # the page's title; the note's own `#` headings are one level down
    assert _toc(page) == ["Core", "Algebra", "First year"]
    levels = re.findall(r'<li class="toc-level-(\d)">', page.split('id="toc-title"')[1])
    assert levels == ["2", "3", "2"]


def test_a_page_has_one_h1_and_its_headings_keep_their_ids(garden, cli):
    """A title from front-matter over a body that uses `#` sections: the body's headings are
    shown one level down (h6 stays h6), their ids unchanged, so links to them still land; a body
    that starts at `##` is left as it is."""
    garden.note(
        "kernels.md",
        "---\ntitle: Kernels\n---\n\n# Core\n\n[below](#first-year)\n\n## Algebra\n\n"
        "# First year\n\n###### Fine print\n",
    )
    garden.note("other.md", "# Other\n\nSee [[kernels#First year]] and [[kernels#Fine print]].\n")
    garden.note("plain.md", "---\ntitle: Plain\n---\n\n## Part\n\n### Detail\n")
    garden.note("topics/index.md", "# Topics\n\nIntro.\n\n# Reading\n\nBooks.\n")
    assert cli(garden, "--strict").code == 0
    page = garden.page("kernels")
    assert page.count("<h1") == 1 and "<h1>Kernels</h1>" in page
    assert '<h2 id="core">Core' in page and '<h3 id="algebra">Algebra' in page
    assert '<h2 id="first-year">First year' in page and '<h6 id="fine-print">Fine print' in page
    assert 'href="#first-year"' in page
    levels = re.findall(r'<li class="toc-level-(\d)">', page.split('id="toc-title"')[1])
    assert _toc(page) == ["Core", "Algebra", "First year", "Fine print"] and levels[:3] == ["2", "3", "2"]
    other = garden.page("other")
    assert 'href="/kernels/#first-year"' in other and 'href="/kernels/#fine-print"' in other
    plain = garden.page("plain")
    assert '<h2 id="part">Part' in plain and '<h3 id="detail">Detail' in plain
    topics = garden.page("topics")  # a section's own text: the same rule
    assert topics.count("<h1") == 1 and '<h2 id="reading">Reading' in topics


def test_setext_title_with_a_later_heading(garden, cli):
    """A `===` title that opens the note and a `#` heading further down: the later one is not
    the title, and neither is lost. The opening one is the title when it names the file (or is
    the only top-level heading); otherwise the file's name is, and both stay sections."""
    garden.note("limit.md", "Limit\n=====\n\nThe limit.\n\n# Epsilon-delta\n\nFor every e.\n")
    garden.note("nngp.md", "Kernels\n===\n\nThe limit.\n\n# Shallow NNGP\n\nText.\n")
    garden.note("alone.md", "The one title\n===\n\ntext\n\nPart\n----\n")
    assert cli(garden).code == 0
    limit = garden.page("limit")
    assert "<title>Limit · Fixture</title>" in limit and limit.count("<h1") == 1
    assert '<h2 id="epsilon-delta">' in limit and _toc(limit) == ["Epsilon-delta"]
    nngp = garden.page("nngp")
    assert "<title>nngp · Fixture</title>" in nngp
    assert '<h2 id="kernels">' in nngp and _toc(nngp) == ["Kernels", "Shallow NNGP"]
    assert nngp.count("<h1") == 1
    alone = garden.page("alone")
    assert "<title>The one title · Fixture</title>" in alone and alone.count("<h1") == 1
    assert _toc(alone) == ["Part"]


def test_bom_and_crlf(garden, cli):
    (garden.notes / "win.md").write_bytes(
        "\ufeff---\r\ntitle: Windows note\r\ntags: [a]\r\n---\r\nLine one $x$\r\n\r\n## Part\r\n".encode()
    )
    (garden.notes / "mac.md").write_bytes(b"---\rtitle: Old Mac\r---\rBody\r")
    result = cli(garden)
    assert result.code == 0, result.output
    page = garden.page("win")
    assert "<h1>Windows note</h1>" in page and 'id="part"' in page and "\r" not in page
    assert "<h1>Old Mac</h1>" in garden.page("mac")


def test_unicode_title_and_slug(garden, cli):
    garden.note("models/µP.md", "---\ntitle: µP and Tensor Programs\n---\nMaximal update.\n")
    garden.note("x.md", "See [[µP and Tensor Programs]] and [[μP]].\n")  # micro sign vs Greek mu
    assert cli(garden).code == 0
    slug = source_slug(PurePosixPath("models/µP.md"))
    page = (garden.site / slug / "index.html").read_text()
    assert "µP and Tensor Programs" in page
    x = garden.page("x")
    assert (
        x.count('class="internal"') >= 2 and "planned-link" not in x.split("note-body")[1].split("</div>")[0]
    )


def test_slug_collision_names_both_files(garden, cli):
    garden.note("Adam.md", "One.\n")
    garden.note("adam.MD", "Two.\n")
    garden.note("models/Ölbild.md", "Three.\n")
    garden.note("models/o\u0308lbild.md", "Four.\n")  # decomposed umlaut: same slug
    result = cli(garden, "check")
    assert result.code == 1
    assert "two notes share the URL '/adam/'" in result.err
    assert "Adam.md" in result.err and "adam.MD" in result.err
    assert "two notes share the URL" in result.err.split("adam.MD")[-1]


def test_slugs_are_url_safe_and_stable():
    assert slugify("Adam Optimizer") == "adam-optimizer"
    assert slugify("What does it mean to understand?") == "what-does-it-mean-to-understand"
    assert slugify("LeCun's init (1998)") == "lecuns-init-1998"
    assert source_slug(PurePosixPath("digitalGarden/NNGP.md")) == "digitalgarden/nngp"
    assert source_slug(PurePosixPath("models/index.md")) == "models"
    assert slugify("µP") == slugify("μP")


def test_front_matter_split_and_dates():
    front, body, line, unclosed = split_front_matter("---\na: 1\n---\nbody\n")
    assert front == "a: 1" and body == "body\n" and line == 4 and unclosed is None
    assert split_front_matter("---\na: 1\nno end\n")[3] == 1
    assert str(parse_date("2024-05-01")) == "2024-05-01"
    assert str(parse_date("2024/05/01")) == "2024-05-01"
    assert str(parse_date("2024-05-01T10:20:00Z")) == "2024-05-01"
    assert str(parse_date("May 1, 2024")) == "2024-05-01"
    assert parse_date("2024-13-45") is None


def test_fields_reach_the_page(garden, cli):
    garden.note(
        "models/nngp-ntk/n.md",
        """
        ---
        title: N
        aliases: [Alias One]
        tags: kernels, gp
        date: 2024-01-02
        updated: 2024-03-04
        status: evergreen
        description: A note about kernels.
        custom_key: kept
        ---
        Text.
        """,
    )
    assert cli(garden).code == 0
    page = garden.page("models/nngp-ntk/n")
    assert 'href="/tags/kernels/"' in page and 'href="/tags/gp/"' in page
    assert '<time datetime="2024-01-02">' in page and '<time datetime="2024-03-04">' in page
    assert "status-evergreen" in page
    assert '<meta name="description" content="A note about kernels.">' in page
