"""Point 6: math rendered at build time by KaTeX, with failures as warnings."""

from __future__ import annotations

from test_markdown import body


def test_all_delimiters_render(garden, cli):
    garden.note(
        "m.md",
        r"""
        Inline $a+b$, double $$c+d$$ inline, and \(e+f\).

        $$
        g + h
        $$

        \[
        i + j
        \]

        \begin{align}
        k &= l \\
        m &= n
        \end{align}

        ```math
        o + p
        ```
        """,
    )
    result = cli(garden)
    assert result.code == 0, result.output
    html = body(garden, "m")
    for tex in ("a+b", "c+d", "e+f", "g + h", "i + j", "o + p"):
        assert f'<annotation encoding="application/x-tex">{tex}</annotation>' in html, tex
    assert "k &amp;= l" in html  # align environment, rendered
    assert html.count('<div class="math math-display">') == 4  # and $$c+d$$ in its paragraph:
    assert html.count('<span class="math math-display">') == 1
    assert "<math" in html and "katex-html" in html  # htmlAndMathml: MathML for screen readers
    assert "\\(" not in html and "\\[" not in html and "$" not in html


def test_currency_and_escaped_dollars_stay_text(garden, cli):
    garden.note("c.md", "It costs $5 and $10 today. A literal \\$ sign and $x$.\n")
    assert cli(garden).code == 0
    html = body(garden, "c")
    assert "It costs $5 and $10 today." in html
    assert "A literal $ sign" in html
    assert html.count('class="katex"') == 1


def test_site_wide_macros(garden, cli):
    (garden.root / "garden.yaml").write_text("math:\n  macros:\n    \\R: \\mathbb{R}\n")
    garden.note("m.md", "$x \\in \\R^n$\n")
    result = cli(garden)
    assert result.code == 0 and "formula failed" not in result.err
    assert 'mathvariant="double-struck">R' in body(garden, "m")


def test_failed_formula_is_a_warning_with_line_and_shown_as_source(garden, cli):
    garden.note("f.md", "---\ntitle: F\n---\nfine\n\nBroken $\\frac{1}{$ here and $\\undefinedmacro$.\n")
    result = cli(garden)
    assert result.code == 0
    assert "notes/f.md:6: warning: formula failed:" in result.err
    assert "Undefined control sequence" in result.err
    html = body(garden, "f")
    assert '<span class="math-error"' in html and "<code>\\frac{1}{</code>" in html
    assert "<code>\\undefinedmacro</code>" in html


def test_katex_assets_are_local(basic, cli):
    assert cli(basic).code == 0
    assert (basic.site / "katex" / "katex.min.css").is_file()
    fonts = list((basic.site / "katex" / "fonts").glob("*.woff2"))
    assert len(fonts) > 10
    assert 'href="/katex/katex.min.css"' in basic.page("")


def test_missing_katex_names_the_command(garden, cli, monkeypatch):
    from garden.core import locations as assets

    monkeypatch.setattr(assets, "PACKAGE_ROOT", garden.root)
    garden.note("a.md", "$x$\n")
    result = cli(garden)
    assert result.code == 1
    assert "KaTeX is not installed: run `npm ci`" in result.err
    assert not garden.site.exists()


def test_no_body_counter_reset_in_theme():
    from conftest import ROOT

    css = (ROOT / "static" / "css" / "garden.css").read_text()
    assert "counter-reset" not in css


def test_prices_with_a_slash_stay_text(garden, cli):
    """``$5/$10``: a dollar followed by a digit opens no formula (no KaTeX between the prices)."""
    garden.note("p.md", "It costs $5/$10 a month, or $20/$30 a year.\n")
    assert cli(garden).code == 0
    html = body(garden, "p")
    assert "It costs $5/$10 a month, or $20/$30 a year." in html
    assert "katex" not in html and "<math" not in html
