"""Point 4: the Markdown dialect."""

from __future__ import annotations


def body(g, slug: str) -> str:
    page = g.page(slug)
    return page.split('<div class="note-body">', 1)[1].split('<footer class="note-links">', 1)[0]


def test_gfm_features(garden, cli):
    garden.note(
        "m.md",
        """
        | a | b |
        |---|---|
        | 1 | 2 |

        ~~gone~~ and https://example.org and <https://example.com/x>

        - [ ] todo
        - [x] done

        Claim.[^1]

        [^1]: The footnote.
        """,
    )
    assert cli(garden).code == 0
    html = body(garden, "m")
    assert "<table>" in html and "<td>2</td>" in html
    assert "<s>gone</s>" in html
    assert 'href="https://example.org"' in html and 'href="https://example.com/x"' in html
    assert 'type="checkbox"' in html and 'checked="checked"' in html
    assert 'class="footnote-ref"' in html and "The footnote." in html


def test_heading_anchors_match_obsidian_links(garden, cli):
    garden.note("h.md", "## Proof Sketch: Part (a)\n\n## Proof Sketch: Part (a)\n\n### µP scaling\n")
    garden.note("l.md", "[[h#Proof Sketch: Part (a)]] and [[h#µP scaling]]\n")
    result = cli(garden)
    assert result.code == 0 and "not found" not in result.err, result.err
    assert 'id="proof-sketch-part-a"' in garden.page("h")
    assert 'id="proof-sketch-part-a-1"' in garden.page("h")
    links = body(garden, "l")
    assert 'href="/h/#proof-sketch-part-a"' in links
    assert 'id="μp-scaling"' in garden.page("h") or 'id="µp-scaling"' in garden.page("h")


def test_pygments_highlighting_at_build_time(garden, cli):
    garden.note("c.md", "```python\ndef f(x):\n    return x\n```\n\n```unknownlang\n<raw> & stuff\n```\n")
    assert cli(garden).code == 0
    html = body(garden, "c")
    assert '<pre class="highlight"><code class="language-python"><span class="k">def</span>' in html
    assert "&lt;raw&gt; &amp; stuff" in html
    assert (garden.site / "css" / "highlight.css").is_file()


def test_callouts_with_folding_nesting_and_aliases(garden, cli):
    garden.note(
        "c.md",
        """
        > [!note] Plain title
        > Body with $x$.

        > [!tip]- Folded
        > Hidden.

        > [!faq]+ Open question
        > Shown.
        > > [!warning]
        > > Nested warning.

        > [!bug]
        > No title.

        > A plain quote.
        """,
    )
    assert cli(garden).code == 0
    html = body(garden, "c")
    assert '<div class="callout callout-note" data-callout="note">' in html
    assert '<div class="callout-title">Plain title</div>' in html
    assert '<details class="callout callout-tip" data-callout="tip">' in html
    assert '<details class="callout callout-question" data-callout="question" open>' in html
    assert '<summary class="callout-title">Open question</summary>' in html
    assert '<div class="callout-title">Warning</div>' in html
    assert '<div class="callout-title">Bug</div>' in html
    assert "<blockquote>\n<p>A plain quote.</p>" in html
    assert html.count("<details") == html.count("</details>") == 2
    assert "[!" not in html


def test_highlight_and_comments(garden, cli):
    garden.note(
        "c.md",
        """
        This is ==very important== text.%%hidden inline%% Visible.

        %%
        A hidden block
        over lines
        %%

        `==not mark== %%not comment%%`
        """,
    )
    assert cli(garden).code == 0
    html = body(garden, "c")
    assert "<mark>very important</mark>" in html
    assert "hidden" not in html and "Visible." in html
    assert "<code>==not mark== %%not comment%%</code>" in html


def test_raw_html_passes_and_math_inside_details_renders(garden, cli):
    garden.note(
        "d.md",
        """
        <details>
        <summary>Proof</summary>
        We have $a^2 + b^2$ and
        $$\\int_0^1 x\\,dx$$
        <code>$not math$</code>
        </details>

        <div class="custom">Raw <em>HTML</em></div>
        """,
    )
    assert cli(garden).code == 0
    html = body(garden, "d")
    assert "<details>" in html and "<summary>Proof</summary>" in html
    assert html.count('class="katex"') >= 2
    assert '<div class="math math-display">' in html
    assert "<code>$not math$</code>" in html
    assert '<div class="custom">Raw <em>HTML</em></div>' in html


def _parse_and_render(src: str):
    from garden.markdown.parser import create_parser

    md = create_parser()
    tokens = md.parse(src, {})
    return tokens, md.renderer.render(tokens, md.options, {})


def test_too_deep_content_is_one_closed_paragraph():
    deep = ">" * 70
    tokens, html = _parse_and_render(f"{deep} deep a\n{deep} deep b\n\n\nAfter.\n")
    kept = [(t.type, t.map) for t in tokens if t.meta and t.meta.get("too_deep")]
    assert kept == [("paragraph_open", [0, 2])]  # blank lines after it do not eat its lines
    flat = html.replace("<blockquote>\n", "").replace("</blockquote>\n", "")
    assert flat == f"<p>{'&gt;' * 6} deep a\n{'&gt;' * 6} deep b</p>\n<p>After.</p>\n"


def test_an_empty_container_at_the_depth_limit_adds_nothing():
    tokens, html = _parse_and_render(">" * 64 + "\n\nAfter.\n")
    assert not [t for t in tokens if t.meta and t.meta.get("too_deep")]
    assert "<p></p>" not in html and html.endswith("<p>After.</p>\n")


def test_comments_at_line_start_over_blank_lines_and_closing_at_once():
    src = (
        "%% note to self %%\n\nVisible one.\n\n"
        "%%\nhidden a\n\nhidden b\n%%\nVisible two.\n\n"
        "%%\nhidden c %%\n\nVisible three.\n\n"
        "%%\nhidden d\n%%\n"
    )
    _, html = _parse_and_render(src)
    assert html == "<p>Visible one.</p>\n<p>Visible two.</p>\n<p>Visible three.</p>\n"


def test_marks_need_text_against_both_fences():
    _, html = _parse_and_render("==x === y== and == a== and ==b == and ==c==\n")
    assert html == "<p><mark>x === y</mark> and == a== and ==b == and <mark>c</mark></p>\n"
    tokens, _ = _parse_and_render("==c==\n")
    assert [t.type for t in tokens[1].children] == ["mark_open", "text", "mark_close"]


def test_a_dollar_in_a_bare_url_is_not_stray_but_one_in_a_link_label_is():
    from garden.markdown.parser import parse_notes

    tokens, _ = _parse_and_render("See https://example.org/$id for it.\n")
    assert parse_notes(tokens) == []
    tokens, _ = _parse_and_render("See [the $x label](https://example.org/) for it.\n")
    assert [note.message.split(" in ")[0] for note in parse_notes(tokens)] == ["unbalanced $"]


def test_wikilink_text_and_empty_brackets():
    from garden.markdown.plaintext import plain_text

    tokens, html = _parse_and_render("[[ ]] and [[a\nb]] stay text; [[Note]] and [[Note|Label]]\n")
    assert "[[ ]] and [[a\nb]] stay text" in html
    links = [t for t in tokens[1].children if t.type == "wikilink"]
    assert [t.content for t in links] == ["Note", "Label"]
    assert plain_text(tokens[1].children).endswith("; Note and Label")
