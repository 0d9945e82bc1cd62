"""Point 9: every kind of page, autoescaping, readable without JavaScript."""

from __future__ import annotations

import re


def test_all_page_kinds_exist(basic, cli):
    assert cli(basic).code == 0
    for relative in (
        "index.html",
        "404.html",
        "tags/index.html",
        "tags/kernels/index.html",
        "tags/theory/index.html",
        "tags/theory/infinite-width/index.html",
        "planned/index.html",
        "models/index.html",
        "models/nngp-ntk/ntk/index.html",
        "css/garden.css",
    ):
        assert (basic.site / relative).is_file(), relative


def test_no_javascript_needed(basic, cli):
    """Pages carry all their content; scripts only enhance (deferred files, JSON data, the theme)."""
    assert cli(basic).code == 0
    allowed = {
        '<script src="/js/garden.js" data-base="/" data-search="/pagefind/pagefind.js" defer></script>',
        '<script src="/js/graph.js" defer></script>',
    }
    for page in basic.site.rglob("*.html"):
        html = page.read_text()
        for script in re.findall(r"<script\b[^>]*>.*?</script>", html, flags=re.S):
            tag = script.split(">", 1)[0]
            inline_theme = script.startswith("<script>try{var t=localStorage.getItem(")
            data = 'type="application/json"' in tag
            deferred = " src=" in tag and " defer" in tag
            assert script in allowed or inline_theme or data or deferred, (page, script)
    note = basic.page("models/nngp-ntk/ntk")
    assert "Under gradient flow" in note and 'class="local-graph"' in note


def test_titles_and_tags_are_escaped(garden, cli):
    garden.note(
        "x.md",
        '---\ntitle: "<script>alert(1)</script> & \\"q\\""\ntags: ["<b>t</b>"]\naliases: ["]]>"]\n'
        'description: "<img src=x onerror=alert(1)>"\n---\n## <i>Heading</i> & more\n',
    )
    garden.note("y.md", 'Link: [[<script>alert(1)</script> & "q"]]\n')
    assert cli(garden).code == 0
    for page in garden.site.rglob("*.html"):
        html = page.read_text()
        assert "<script>alert" not in html, page
        assert "<img src=x" not in html, page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;q&#34;" in garden.page("x")


def test_internal_and_external_links_differ(garden, cli):
    garden.note("a.md", "[[b]] and [out](https://example.org)\n")
    garden.note("b.md", "b\n")
    assert cli(garden).code == 0
    page = garden.page("a")
    assert '<a class="internal" href="/b/">' in page
    assert '<a class="external" href="https://example.org" rel="noopener">' in page
    css = (garden.site / "css" / "garden.css").read_text()
    assert "a.external::after" in css and "prefers-color-scheme: dark" in css


def test_note_page_has_toc_and_paper(basic, cli):
    assert cli(basic).code == 0
    page = basic.page("models/nngp-ntk/ntk")
    assert '<a href="#training-dynamics">Training dynamics</a>' in page
    assert "Arthur Jacot, Franck Gabriel, Clément Hongler" in page
    assert 'href="https://arxiv.org/abs/1806.07572"' in page


def test_tag_pages_list_notes(basic, cli):
    assert cli(basic).code == 0
    assert 'href="/models/nngp-ntk/ntk/"' in basic.page("tags/kernels")
    assert 'href="/models/nngp-ntk/ntk/"' in basic.page("tags/theory")  # nested tag parent
    tags = basic.page("tags")
    assert ('href="/tags/kernels/"' in tags and 'href="/tags/μp/"' in tags) or 'href="/tags/%CE%BCp/"' in tags
