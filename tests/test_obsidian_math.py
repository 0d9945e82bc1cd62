"""Math as Obsidian reads it: a corpus of cases, one note and one expected rendering each.

``tests/obsidian/math/NAME.md`` is built (all cases in one garden, with the corpus's
``preamble.sty`` as ``math.preamble`` and ``\\R`` as a site macro) and its body compared with
``NAME.html``: each formula written as ``⟨$TeX$⟩`` (inline) or ``⟨$$TeX$$⟩`` (display), a
formula KaTeX refused as ``⟨error: TeX⟩``, then the note's warnings (``line: message`` and
its hint).
To write the expected files again after a change, read every diff before committing them:

    GARDEN_CORPUS_WRITE=1 python -m pytest tests/test_obsidian_math.py
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import Garden

CORPUS = Path(__file__).parent / "obsidian" / "math"
CASES = sorted(p.stem for p in CORPUS.glob("*.md"))
CONFIG = "title: Corpus\nmath:\n  preamble: preamble.sty\n  macros:\n    \\R: \\mathbb{R}\n"


def _span_end(text: str, start: int) -> int:
    """The index after the ``<span …>`` element that starts at ``start``."""
    depth, pos = 0, start
    for match in re.compile(r"<span\b|</span>").finditer(text, start):
        depth += 1 if match.group(0) == "<span" else -1
        pos = match.end()
        if depth == 0:
            return pos
    return pos


_KATEX = re.compile(r'<span class="katex-display">|<span class="katex">')
_TEX = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
_ERROR = re.compile(r'<(span|div) class="math-error" title="[^"]*"><code>(.*?)</code></\1>', re.S)


def normalize(body: str) -> str:
    """Formulas as ``⟨$TeX$⟩``/``⟨$$TeX$$⟩``, refused ones as ``⟨error: TeX⟩``."""
    out: list[str] = []
    pos = 0
    for match in _KATEX.finditer(body):
        if match.start() < pos:
            continue
        end = _span_end(body, match.start())
        tex = _TEX.search(body, match.start(), end)
        fence = "$$" if "katex-display" in match.group(0) else "$"
        out += [body[pos : match.start()], f"⟨{fence}{html.unescape(tex.group(1)) if tex else '?'}{fence}⟩"]
        pos = end
    out.append(body[pos:])
    text = "".join(out)
    return _ERROR.sub(lambda m: f"⟨error: {html.unescape(m.group(2))}⟩", text).strip()


def note_body(page: str) -> str:
    start = page.index('<div class="note-body">') + len('<div class="note-body">')
    return page[start : page.index('<footer class="note-links">', start)].strip().removesuffix("</div>")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Garden, str]:
    from garden.cli import main

    garden = Garden(tmp_path_factory.mktemp("corpus") / "g")
    garden.notes.mkdir(parents=True)
    garden.write("garden.yaml", CONFIG)
    shutil.copy(CORPUS / "preamble.sty", garden.root / "preamble.sty")
    for case in CASES:
        shutil.copy(CORPUS / f"{case}.md", garden.notes / f"{case}.md")
    cwd = Path.cwd()
    os.chdir(garden.root)
    try:
        import contextlib
        import io

        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["build", "--no-cache"])
    finally:
        os.chdir(cwd)
    assert code == 0, err.getvalue()
    return garden, err.getvalue()


def warnings_of(output: str, path: str, hints: bool = False) -> list[str]:
    """The warnings about ``path`` as ``line: message`` (with ``hint: …`` lines)."""
    found = []
    lines = output.splitlines()
    for number, line in enumerate(lines):
        match = re.match(rf"{re.escape(path)}:(\d+): warning: (.*)", line)
        if match:
            found.append(f"{match.group(1)}: {match.group(2)}")
            if hints and number + 1 < len(lines) and lines[number + 1].startswith("    hint: "):
                found.append(lines[number + 1].strip())
    return found


def rendering(corpus: tuple[Garden, str], case: str) -> str:
    garden, output = corpus
    body = normalize(note_body(garden.page(case)))
    warnings = warnings_of(output, f"notes/{case}.md", hints=True)
    return body + "\n<!-- warnings -->\n" + "".join(f"{w}\n" for w in warnings)


@pytest.mark.parametrize("case", CASES)
def test_case_renders_as_expected(corpus, case):
    got = rendering(corpus, case)
    expected_path = CORPUS / f"{case}.html"
    if os.environ.get("GARDEN_CORPUS_WRITE"):
        expected_path.write_text(got, encoding="utf-8")
    assert expected_path.is_file(), f"no expected rendering for {case}: run with GARDEN_CORPUS_WRITE=1"
    assert got == expected_path.read_text(encoding="utf-8")


def test_every_formula_of_the_corpus_is_rendered_or_reported(corpus):
    """Nothing lost silently: a ``$`` that reaches a page as text was reported at its line."""
    garden, output = corpus
    for case in CASES:
        body = normalize(note_body(garden.page(case)))
        text = re.sub(r"<code>.*?</code>|<pre.*?</pre>|⟨[^⟩]*⟩", "", body, flags=re.S)
        if "$$" in html.unescape(re.sub(r"<[^>]+>", "", text)):
            assert any("$$ shown as text" in w for w in warnings_of(output, f"notes/{case}.md")), case


def test_preamble_problems_point_at_their_lines(corpus):
    _, output = corpus
    assert warnings_of(output, "preamble.sty") == [
        "14: cannot read the preamble here: \\newenvironment is not a definition",
        "15: cannot read the preamble here: this { is never closed",
        # read, but refused by KaTeX when it runs it (it was left out without a word)
        '16: KaTeX refuses this definition: Argument number "2" out of order',
    ]


def mathml_of(page: str, tex: str) -> str:
    """The MathML KaTeX wrote for the formula whose source is ``tex``."""
    annotation = f'<annotation encoding="application/x-tex">{html.escape(tex, quote=False)}</annotation>'
    end = page.index(annotation)
    return page[page.rindex("<math", 0, end) : end]


@pytest.mark.parametrize(
    ("tex", "shows", "never"),
    [
        ("\\vecx", '<mi mathvariant="bold">x</mi>', "vecx"),
        ("\\inner{a}{b}", "⟨", "inner"),
        ("\\typing{e}{\\tau}", "Γ", "["),  # the optional argument's default
        ("\\typing[\\Delta]{e}{\\tau}", "Δ", "Γ"),
        ("\\pair{1}{2}", "<mn>2</mn>", "pair"),
        ("\\angled<t>", "⟨", "&lt;"),  # a \def with delimited parameters
        ("\\tr A", ">tr<", "\\tr"),
        ("\\amax_x f", "arg", "amax"),
        ("\\eps", "ε", "ϵ"),  # \let to \epsilon, which the preamble renewed as \varepsilon
        ("\\R", 'mathvariant="double-struck"', "\\R"),
    ],
)
def test_preamble_definitions_render_what_they_define(corpus, tex, shows, never):
    mathml = mathml_of(corpus[0].page("preamble-macros"), tex)
    assert shows in mathml and never not in mathml, mathml


def test_definitions_in_a_note_hold_for_the_rest_of_it(corpus):
    page = corpus[0].page("note-definitions")
    assert '<mi mathvariant="bold">N</mi>' in mathml_of(page, "\\N^2")  # not KaTeX's own \N
    assert "<mfrac>" in mathml_of(page, "\\half")  # defined by \def in the display formula above
    assert "<mi>h</mi>" in mathml_of(page, "\\renewcommand{\\half}{h}\\half")


def test_an_operator_declared_in_a_note_is_an_operator(corpus):
    page = corpus[0].page("note-operators")
    # KaTeX has no \DeclareMathOperator: a definer like \newcommand's gives it
    assert '<mi mathvariant="normal">dom</mi>' in mathml_of(page, "\\dom g")
    assert "arg" in mathml_of(page, "\\DeclareMathOperator*{\\amax}{arg\\,max}\n\\amax_x f(x)")


def test_a_bare_command_script_renders_as_mathjax_reads_it(corpus):
    page = corpus[0].page("mathjax-compat")
    assert "<mover" in mathml_of(page, "J_{\\overline{V}}")  # rewritten, shown as it renders
    assert 'class="math-error"' in page and page.count('class="math-error"') == 2


def pagefind_text(site: Path, url: str) -> str:
    """The text Pagefind indexed for the page at ``url`` (its fragments are gzipped JSON)."""
    for fragment in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        page = json.loads(data[data.index(b"{") :])
        if page["url"] == url:
            return page["content"]
    raise AssertionError(f"{url} is not in the search index")


def test_plain_text_of_math_keeps_the_tex(garden, cli):
    """Search, descriptions, feeds and the snippets of planned notes show a formula by its TeX
    (not a blank, not with its _ and = stripped as markup), and separate fields stay apart."""
    garden.note(
        "a.md",
        "---\ntitle: A\nstatus: budding\ndate: 2024-01-19\n---\n"
        "Let $x_1 = y$ be a vector. See [[Planned one]] where $a_i = b_{ij}$ holds.\n",
    )
    result = cli(garden)
    assert result.code == 0, result.output
    text = pagefind_text(garden.site, "/a/")
    assert "Let x_1 = y be a vector" in text, text
    assert "budding Created 19 January 2024" in text, text
    planned = garden.page("planned")
    assert "where $a_i = b_{ij}$ holds." in planned, planned
    page = garden.page("a")
    assert '<meta name="description" content="Let $x_1 = y$ be a vector.' in page
    assert "Let $x_1 = y$ be a vector." in (garden.site / "feed.xml").read_text(encoding="utf-8")


def test_every_plain_text_of_a_formula_reads_its_tex(garden, cli):
    """Backlink excerpts, planned snippets, descriptions, feed summaries and the search index show
    a formula's TeX whole: a ``. `` inside it does not end the sentence there (which left the
    rest outside any formula, its ``_`` and ``=`` stripped as markup), ``$$…$$`` reads as
    ``$…$`` everywhere and ``\\$`` as a dollar."""
    garden.note(
        "ntk.md",
        "---\ntitle: NTK\ndate: 2024-01-19\n---\nThe kernel regime. It has a fixed kernel.\n",
    )
    garden.note(
        "eos.md",
        "---\ntitle: EOS\ndate: 2024-01-19\n---\n"
        "It diverges when $\\eta > 2/\\lambda_{\\max}. A_1 = b$ and $$c_1$$ hold, for \\$5, "
        "see [[NTK]] and [[Planned one]].\n",
    )
    result = cli(garden)
    assert result.code == 0, result.output
    text = (
        "It diverges when $\\eta > 2/\\lambda_{\\max}. A_1 = b$ and $c_1$ hold, for $5, "
        "see NTK and Planned one."
    )
    escaped = html.escape(text, quote=False)
    assert f'<p class="context">{escaped}</p>' in garden.page("ntk")  # the backlink's excerpt
    assert escaped in garden.page("planned")  # the planned note's snippet
    assert f'<meta name="description" content="{html.escape(text)}' in garden.page("eos")
    assert html.escape(text) in (garden.site / "feed.xml").read_text(encoding="utf-8")
    # the search index holds the TeX of each formula (KaTeX's annotation), without dollars
    assert "\\eta > 2/\\lambda_{\\max}. A_1 = b and c_1 hold" in pagefind_text(garden.site, "/eos/")


def test_a_definition_katex_refuses_is_reported_in_every_build(garden, cli):
    """A preamble line garden reads but KaTeX refuses when it runs it is a warning at its line,
    whether or not a formula was rendered in this build (the second build compiles only a new
    note without math, and finds the answer in the cache)."""
    from garden.markdown import workers

    garden.write("garden.yaml", "title: T\nmath:\n  preamble: macros.sty\n")
    garden.write("macros.sty", "\\newcommand{\\ok}{x}\n\\def\\odd#a{y}\n")
    garden.note("a.md", "---\ntitle: A\n---\nNo math here.\n")
    expected = 'macros.sty:2: warning: KaTeX refuses this definition: Invalid argument number "a"'
    first = cli(garden)
    assert first.code == 0 and expected in first.output, first.output
    garden.note("b.md", "---\ntitle: B\n---\nStill none.\n")
    workers._preamble_checks.clear()  # as in a new process
    second = cli(garden)
    assert second.code == 0 and expected in second.output, second.output
    assert not workers._preamble_checks  # the cache answered: no KaTeX was started for it


def test_a_reference_command_the_site_defines_is_its_own_macro(garden, cli):
    """A vault whose preamble defines ``\\ref`` or ``\\cref`` (mathwiki: ``\\ref{x}`` is ``(x)``,
    ``\\cref{x}`` a ``\\tag``) means its own macro inside formulas, as Obsidian's MathJax shows
    it: not one of garden's references to a ``\\label`` (which would print "(??)" and warn).
    ``\\eqref``, which the site leaves alone, still refers to the note's labels."""
    garden.write("garden.yaml", "title: T\nmath:\n  preamble: macros.sty\n")
    garden.write("macros.sty", "\\newcommand{\\ref}[1]{(#1)}\n\\newcommand{\\cref}[1]{\\tag{$\\,#1\\,$}}\n")
    garden.note(
        "a.md",
        "---\ntitle: A\n---\nStep $\\ref{\\ast}$ holds.\n\n$$ x = y \\cref{\\dagger} $$\n\n"
        "$$ a = b \\label{ab} $$\n\nSee $\\eqref{ab}$.\n",
    )
    run = cli(garden)
    assert run.code == 0 and "warning:" not in run.output, run.output
    page = garden.page("a")
    assert "??" not in page
    assert "<mo>∗</mo>" in mathml_of(page, "\\ref{\\ast}")  # the site's (x), typeset by KaTeX
    assert "†" in mathml_of(page, "x = y \\cref{\\dagger}")
    assert 'href="#eq-ab"' in page  # garden's own reference still works
