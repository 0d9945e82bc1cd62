"""Writing like a paper: citations from BibTeX, numbered equations with references, theorem blocks."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import bibtexparser
from bibtexparser.bparser import BibTexParser

from tests.conftest import GARDENS, Garden

BIB = r"""
@string{neurips = "Advances in Neural Information Processing Systems"}

@inproceedings{jacot2018neural,
  title = {Neural Tangent Kernel: Convergence and Generalization in Neural Networks},
  author = {Jacot, Arthur and Gabriel, Franck and Hongler, Cl{\'e}ment},
  booktitle = neurips,
  year = 2018,
  eprint = {1806.07572},
  archiveprefix = {arXiv}
}

@article{muller2020gpt,
  title = {Scaling {GPT} Models \& the $\ell_2$ Norm of {W}eights},
  author = {M{\"u}ller, J{\"o}rg and Zhang, Wei},
  journal = {Journal of Imaginary Results},
  year = {2020},
  doi = {10.1000/jir.2020.1}
}

@book{cho2009kernel,
  title = {Kernel Methods for Deep Learning},
  author = {Cho, Youngmin and Saul, Lawrence K.},
  publisher = {Curran},
  year = {2009}
}

@misc{lee2018a, title = {Wide networks are {G}aussian}, author = {Lee, Jaehoon}, year = 2018}
@misc{lee2018b, title = {Another wide result}, author = {Lee, Jaehoon}, year = 2018}
"""


def _bib(garden: Garden, text: str = BIB, name: str = "references.bib") -> Path:
    return garden.write(name, text)


def _body(page: str) -> str:
    return page[page.index('<div class="note-body">') : page.index('<footer class="note-links">')]


def _text(fragment: str) -> str:
    without_math = re.sub(r'<span class="katex-mathml">.*?</span>', "", fragment, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", without_math)).split())


# --------------------------------------------------------------------------- citations


def test_every_citation_form(garden, cli):
    _bib(garden)
    garden.note(
        "a.md",
        """
        # A

        One [@jacot2018neural]. Two [@jacot2018neural, p. 3]. Both [@jacot2018neural; @cho2009kernel].
        Year only [-@cho2009kernel]. Prefix [see @muller2020gpt, sec. 2]. As @jacot2018neural show,
        and @cho2009kernel [ch. 2] too. Braced [@{lee2018a}] and @lee2018b.
        """,
    )
    assert cli(garden).code == 0
    text = _text(_body(garden.page("a")))
    assert "One (Jacot et al., 2018)." in text
    assert "Two (Jacot et al., 2018, p. 3)." in text
    assert "Both (Jacot et al., 2018; Cho and Saul, 2009)." in text
    assert "Year only (2009)." in text
    assert "Prefix (see Müller and Zhang, 2020, sec. 2)." in text
    assert "As Jacot et al. (2018) show" in text
    assert "Cho and Saul (2009, ch. 2) too" in text
    assert "Braced (Lee, 2018b) and Lee (2018a)." in text  # same names and year: a, b by title


def test_citations_link_to_the_work_and_preview_its_entry(garden, cli):
    _bib(garden)
    garden.note("a.md", "Cited [@jacot2018neural; @muller2020gpt; @cho2009kernel].\n")
    assert cli(garden).code == 0
    body = _body(garden.page("a"))
    assert re.search(
        r'<a class="cite external" href="https://arxiv.org/abs/1806.07572" rel="noopener" '
        r'data-ref="ref-jacot2018neural">',
        body,
    )
    assert 'href="https://doi.org/10.1000/jir.2020.1"' in body
    # no DOI, arXiv or URL: the entry in the References
    assert '<a class="cite internal" href="#ref-cho2009kernel" data-ref="ref-cho2009kernel">' in body
    for key in ("jacot2018neural", "muller2020gpt", "cho2009kernel"):
        assert f'<li id="ref-{key}">' in body  # what the hover preview shows (data-ref)


def test_things_that_are_not_citations(garden, cli):
    _bib(garden)
    garden.note(
        "a.md",
        """
        Mail me at someone@example.org, read `@jacot2018neural` and $@x$, see
        [a link @jacot2018neural](https://example.org) and [@jacot2018neural](https://example.org).

        ```
        @jacot2018neural
        ```
        """,
    )
    run = cli(garden)
    assert run.code == 0 and "citation" not in run.output
    body = _body(garden.page("a"))
    assert 'class="cite' not in body and "References" not in body
    assert 'href="mailto:someone@example.org"' in body
    assert "<code>@jacot2018neural</code>" in body


def test_bibtex_latex_comes_out_right(garden, cli):
    _bib(garden)
    garden.note("a.md", "See [@muller2020gpt; @jacot2018neural].\n")
    assert cli(garden).code == 0
    references = _body(garden.page("a")).split('<section class="references"', 1)[1]
    text = _text(references)
    assert "Jörg Müller and Wei Zhang." in text  # {\"o}, {\"u}
    assert "Clément Hongler" in text  # {\'e}
    assert "Scaling GPT models & the" in text  # {GPT} keeps its capitals, no braces; \& is &
    assert "{" not in text and "\\" not in text
    assert "Advances in Neural Information Processing Systems" in text  # the @string macro
    math = re.search(
        r'<span class="katex">.*?<annotation encoding="application/x-tex">(.*?)</annotation>',
        references,
        re.S,
    )
    assert math and math.group(1).replace(" ", "") == r"\ell_2"  # math typeset by KaTeX


def test_math_in_a_bibtex_title_is_typeset_as_written(garden, cli):
    """pybtex would drop a formula's braces and lowercase its letters: each formula reaches
    KaTeX as written, and an escaped dollar stays a dollar."""
    _bib(
        garden,
        "@article{w, title = {Width $n_{25}$ Nets Cost \\$5: the $O(n^{2})$ Bound of $\\mathcal{L}$},"
        " author = {Lee, A.}, journal = {J}, year = 2020}\n"
        # as real exports have them: a title that starts with a formula, a URL with a dollar
        "@misc{g, title = {$\\gamma$-Models}, author = {Lee, B.}, year = 2020,"
        " url = {https://example.org/?a=$1&b=$2}, note = {See GardenMathQ7Q}}\n",
    )
    garden.note("a.md", "See [@w; @g].\n")
    assert cli(garden).code == 0
    references = _body(garden.page("a")).split('<section class="references"', 1)[1]
    formulas = re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', references)
    assert [html.unescape(tex) for tex in formulas] == ["n_{25}", "O(n^{2})", r"\mathcal{L}", r"\gamma"]
    assert "Γ" not in references  # pybtex read \gamma as γ, then capitalized the title's first letter
    assert 'href="https://example.org/?a=$1&amp;b=$2"' in references
    assert "See GardenMathQ7Q" in references  # text that looks like the formulas' stand-in stays text
    text = _text(references)
    assert "References A. Lee. Width " in text
    assert " nets cost $5: the " in text and " bound of " in text  # sentence-cased, but not its math
    assert references.count("GardenMath") == 1


def test_a_broken_entry_among_good_ones(garden, cli):
    broken = BIB.replace(
        "@book{cho2009kernel,",
        "@article{broken2001,\n  title = {No end,\n  year = 2001,\n}\n\n@book{cho2009kernel,",
    )
    path = _bib(garden, broken)
    line = path.read_text().splitlines().index("@article{broken2001,") + 1
    garden.note("a.md", "Good [@jacot2018neural; @cho2009kernel; @lee2018b].\n")
    run = cli(garden, "check")
    assert run.code == 1  # an error: the build writes nothing
    assert f"references.bib:{line}: error: BibTeX entry 'broken2001' does not parse" in run.output
    assert "unknown citation key" not in run.output  # every other entry loaded
    assert run.output.count("error:") == 1


def test_duplicate_keys_warn_and_the_first_wins(garden, cli):
    path = _bib(garden, BIB + "\n@misc{cho2009kernel, title = {Impostor}, year = 1999}\n")
    line = len(path.read_text().splitlines())
    garden.note("a.md", "[@cho2009kernel]\n")
    run = cli(garden)
    assert run.code == 0
    assert f"references.bib:{line}: warning: duplicate BibTeX key 'cho2009kernel'" in run.output
    assert "Kernel Methods for Deep Learning" in garden.page("a") and "Impostor" not in garden.page("a")


def test_unknown_key_warns_with_the_closest_keys(garden, cli):
    _bib(garden)
    garden.note("a.md", "---\ntitle: A\n---\nFine [@cho2009kernel].\n\nTypo [@jacot2018nueral].\n")
    run = cli(garden)
    assert run.code == 0
    assert "notes/a.md:6: warning: unknown citation key @jacot2018nueral" in run.output
    assert "did you mean @jacot2018neural?" in run.output
    assert '<span class="cite broken-citation">[@jacot2018nueral]</span>' in garden.page("a")


def test_bibliography_files_from_the_config(garden, cli):
    _bib(garden, "@misc{one, title = {First}, author = {Ann Author}, year = 2001}\n", "bib/one.bib")
    _bib(garden, "@misc{two, title = {Second}, author = {Bob Writer}, year = 2002}\n", "two.bib")
    garden.write(
        "garden.yaml", (garden.root / "garden.yaml").read_text() + "bibliography: [bib/one.bib, two.bib]\n"
    )
    garden.note("a.md", "[@one; @two]\n")
    assert cli(garden).code == 0
    assert "(Author, 2001; Writer, 2002)" in _text(_body(garden.page("a")))


def test_numeric_style(garden, cli):
    _bib(garden)
    garden.write("garden.yaml", (garden.root / "garden.yaml").read_text() + "citations:\n  style: numeric\n")
    garden.note(
        "a.md", "First [@muller2020gpt], then [@cho2009kernel; @muller2020gpt, p. 2]; @cho2009kernel.\n"
    )
    assert cli(garden).code == 0
    body = _body(garden.page("a"))
    text = _text(body)
    assert "First [1], then [2; 1, p. 2]; Cho and Saul [2]." in text
    items = re.findall(r'<li id="ref-([^"]+)">', body)
    assert items == ["muller2020gpt", "cho2009kernel"]  # in order of first citation


def test_paper_notes_are_homes_and_references_bib_has_every_cited_work(garden, cli):
    _bib(garden)
    garden.note(
        "ntk.md",
        """
        ---
        title: NTK paper
        paper:
          title: "Neural Tangent Kernel: Convergence and Generalization in Neural Networks"
          authors: [Arthur Jacot, Franck Gabriel, Clément Hongler]
          year: 2018
          arxiv: "1806.07572"
        ---
        Notes on it.
        """,
    )
    garden.note(
        "mup.md",
        """
        ---
        title: muP
        paper: {title: "Tensor Programs V", authors: ["Greg Yang"], year: 2022, arxiv: "2203.03466"}
        ---
        x
        """,
    )
    garden.note("a.md", "Cited [@jacot2018neural; @yang2022tensor; @muller2020gpt].\n")
    assert cli(garden).code == 0
    body = _body(garden.page("a"))
    assert 'class="cite internal" href="/ntk/" data-ref="ref-jacot2018neural"' in body  # the note is home
    assert 'class="cite internal" href="/mup/" data-ref="ref-yang2022tensor"' in body  # a paper: note only
    parser = BibTexParser(common_strings=True)
    parser.ignore_nonstandard_types = False
    entries = bibtexparser.loads((garden.site / "references.bib").read_text(), parser=parser).entries
    keys = [entry["ID"] for entry in entries]
    assert sorted(keys) == ["jacot2018neural", "muller2020gpt", "yang2022tensor"]  # once each
    cited = {entry["ID"]: entry for entry in entries}
    assert cited["jacot2018neural"]["booktitle"] == "Advances in Neural Information Processing Systems"
    assert "cho2009kernel" not in keys  # in the .bib, never cited


def test_bibliography_page_lists_cited_works_with_the_notes_citing_them(garden, cli):
    _bib(garden)
    garden.note("a.md", "---\ntitle: Alpha\n---\n[@cho2009kernel] and @jacot2018neural.\n")
    garden.note("b.md", "---\ntitle: Beta\n---\n[@jacot2018neural]\n")
    assert cli(garden).code == 0
    page = garden.page("bibliography")
    works = re.findall(r'<li id="ref-([^"]+)">(.*?)</li>', page, re.S)
    assert [key for key, _ in works] == ["cho2009kernel", "jacot2018neural"]  # by author, year
    cited_in = {
        key: re.findall(r'<a class="internal" href="([^"]+)">([^<]+)</a>', item.split("Cited in")[1])
        for key, item in works
    }
    assert cited_in == {
        "cho2009kernel": [("/a/", "Alpha")],
        "jacot2018neural": [("/a/", "Alpha"), ("/b/", "Beta")],
    }
    assert 'href="/bibliography/">Bibliography</a>' in garden.page("a")  # from the header
    assert 'href="/bibliography/">Every work cited in the garden</a>' in garden.page("a")  # and References


def test_search_finds_a_work_on_the_bibliography_page_not_in_every_references_list(garden, cli):
    """A note's References list is left out of its search text: otherwise every note citing a
    work matches its title's words. The citation in the text ("Cho and Saul (2009)") is found,
    and the work's full entry is found on the bibliography page."""
    from test_obsidian_math import pagefind_text

    _bib(garden)
    garden.note("a.md", "---\ntitle: Alpha\n---\nAs @cho2009kernel show, wide nets behave.\n")
    assert cli(garden).code == 0
    assert "Kernel Methods for Deep Learning" in garden.page("a")  # shown in References
    note = pagefind_text(garden.site, "/a/")
    assert "Cho and Saul" in note and "wide nets behave" in note
    assert "Kernel Methods" not in note and "Curran" not in note
    assert "Kernel Methods for Deep Learning" in pagefind_text(garden.site, "/bibliography/")


def test_no_citations_no_bibliography_page(garden, cli):
    _bib(garden)
    garden.note("a.md", "Nothing cited.\n")
    assert cli(garden).code == 0
    assert not (garden.site / "bibliography").exists()
    assert "Bibliography" not in garden.page("a")


def test_a_changed_bib_entry_reaches_cached_builds(garden, cli):
    path = _bib(garden)
    garden.note("a.md", "[@cho2009kernel]\n")
    assert cli(garden).code == 0
    assert "Kernel Methods for Deep Learning" in garden.page("a")
    path.write_text(path.read_text().replace("Kernel Methods for Deep Learning", "Kernel Methods, Revised"))
    assert cli(garden).code == 0  # the cache is on: the .bib's entry is part of the page's key
    assert "Kernel Methods, Revised" in garden.page("a")
    cached = (garden.site / "a/index.html").read_bytes()
    assert cli(garden, "--no-cache").code == 0
    assert (garden.site / "a/index.html").read_bytes() == cached


# --------------------------------------------------------------------------- equations


def test_numbered_equations_and_references(garden, cli):
    garden.note(
        "a.md",
        r"""
        ---
        title: A
        ---
        Before: \eqref{second} and \ref{first}.

        $$ x = 1 \label{first} $$

        $$ y = 2 $$

        \begin{align}
        a &= b \label{second} \\
        c &= d \nonumber \\
        e &= f
        \end{align}

        After: $\eqref{first}$, in math $z = \eqref{second}$.
        """,
    )
    assert cli(garden).code == 0
    body = _body(garden.page("a"))
    tags = re.findall(r'<span class="mord">\(</span><span class="mord"><span class="mord">(\d+)</span>', body)
    assert tags == ["1", "2", "3"]  # $$ with a label; align rows but the \nonumber one
    assert '<div class="equation" id="eq-first">' in body  # one row: the formula's box
    align = body[body.index('<div class="equation">') :]  # a row's label: that row's number
    assert body.count('id="eq-second"') == 1 and 'id="eq-second"' in align[align.index("katex-tag") :]
    text = _text(body)
    assert "Before: (2) and 1." in text and "After: (1)" in text
    assert '<a class="internal ref" href="#eq-second">(2)</a>' in body
    assert r"\text{(2)}" in body  # inside a formula: the number, typeset


def test_unknown_and_duplicate_labels_warn(garden, cli):
    garden.note(
        "a.md",
        r"""
        ---
        title: A
        ---
        $$ x \label{same} $$

        $$ y \label{same} $$

        See \eqref{smae}.
        """,
    )
    run = cli(garden)
    assert run.code == 0
    assert "notes/a.md:6: warning: label 'same' is used twice (first at line 4)" in run.output
    assert "notes/a.md:8: warning: no \\label{smae} in this note" in run.output
    assert "labels here: same" in run.output


# --------------------------------------------------------------------------- theorems


THEOREMS = r"""
---
title: T
---
> [!theorem] Universality \label{univ}
> Every continuous function.

> [!proof]
> By \ref{univ} and a lemma.

> [!lemma]
> Small.

> [!definition] Width
> The number of units.

> [!corollary]
> More.

> [!proposition]
> P.

> [!example]
> E.

> [!remark]
> R.

Links: [[#univ]].
"""


def test_theorem_blocks_are_numbered_with_one_counter(garden, cli):
    garden.note("t.md", THEOREMS)
    assert cli(garden).code == 0
    body = _body(garden.page("t"))
    heads = re.findall(r'<span class="theorem-head">([^<]+)</span>', body)
    assert heads == [
        "Theorem 1",
        "Proof",
        "Lemma 2",
        "Definition 3",
        "Corollary 4",
        "Proposition 5",
        "Example 6",
        "Remark 7",
    ]
    assert '<div id="thm-univ" class="theorem callout callout-theorem"' in body
    assert '<span class="theorem-head">Theorem 1</span> (Universality)</div>' in body
    proof = body.split("callout-proof")[1].split("callout-lemma")[0]
    assert "∎" in proof and "By 1 and a lemma." in _text(proof)
    assert '<a class="internal" href="#thm-univ">Theorem 1 (Universality)</a>' in body


def test_theorem_numbering_per_kind(garden, cli):
    garden.write(
        "garden.yaml", (garden.root / "garden.yaml").read_text() + "theorems:\n  numbering: per-kind\n"
    )
    garden.note("t.md", THEOREMS + "\n> [!theorem]\n> Second.\n")
    assert cli(garden).code == 0
    heads = re.findall(r'<span class="theorem-head">([^<]+)</span>', garden.page("t"))
    assert heads[:3] == ["Theorem 1", "Proof", "Lemma 1"] and heads[-1] == "Theorem 2"


def test_equations_and_theorems_linked_from_another_note(tmp_path, cli):
    root = tmp_path / "paper"
    shutil.copytree(GARDENS / "paper", root)
    garden = Garden(root)
    run = cli(garden)
    assert run.code == 0, run.output
    assert "warning:" not in run.output
    body = _body(garden.page("training"))
    assert '<a class="internal" href="/kernel-regime/#eq-ntk-flow">Kernel regime › (1)</a>' in body
    assert (
        '<a class="internal" href="/kernel-regime/#thm-constancy">Kernel regime › Theorem 2 (Constancy)</a>'
        in body
    )
    assert '<a class="internal" href="/kernel-regime/#thm-ntk-def">the definition</a>' in body  # its own text
    target = garden.page("kernel-regime")
    assert 'id="eq-ntk-flow"' in target and 'id="thm-constancy"' in target
    # backlinks still come from these links
    assert 'href="/training/"' in target


def test_a_link_to_a_missing_label_warns(garden, cli):
    garden.note("a.md", "---\ntitle: A\n---\n$$ x \\label{there} $$\n")
    garden.note("b.md", "---\ntitle: B\n---\n[[A#there]] and [[A#nowhere]]\n")
    run = cli(garden)
    assert "notes/b.md:4: warning: heading '#nowhere' not found in [[A#nowhere]]" in run.output
    assert "#there" not in run.output


def test_a_theorem_named_by_a_block_id(garden, cli):
    garden.note(
        "a.md",
        """
        ---
        title: A
        ---
        > [!lemma]
        > First.

        > [!theorem] Universality
        > Every continuous function. ^univ

        Here: [[#^univ]].
        """,
    )
    garden.note("b.md", "---\ntitle: B\n---\nSee [[A#^univ]] and [[A#^univ|that]]; [[A#^nothing]].\n")
    run = cli(garden)
    assert "notes/b.md:4: warning: block ^nothing not found" in run.output
    page = garden.page("a")
    assert '<div class="theorem callout callout-theorem" data-callout="theorem" id="^univ">' in page
    assert page.count('id="^univ"') == 1
    assert '<a class="internal" href="#^univ">Theorem 2 (Universality)</a>' in page
    other = garden.page("b")
    assert '<a class="internal" href="/a/#%5Euniv">A › Theorem 2 (Universality)</a>' in other
    assert '<a class="internal" href="/a/#%5Euniv">that</a>' in other


def test_an_equation_by_its_label_with_a_caret_too(garden, cli):
    garden.note("a.md", "---\ntitle: A\n---\n$$ x = 1 \\label{one} $$\n")
    garden.note("b.md", "---\ntitle: B\n---\n[[A#^one]] and [[A#one]]\n")
    run = cli(garden)
    assert "warning:" not in run.output
    assert garden.page("b").count('<a class="internal" href="/a/#eq-one">A › (1)</a>') == 2


def test_the_theorem_numbering_setting_reaches_cached_builds(garden, cli, tmp_path):
    """The numbering is a compile option (in every note's compile context), not a math macro:
    changing it between cached builds gives what a build without the cache gives."""
    from garden.core.config import load_config
    from garden.core.problems import Problems
    from tests.conftest import snapshot

    garden.note("t.md", THEOREMS)
    shared = (garden.root / "garden.yaml").read_text()
    assert cli(garden).code == 0
    assert '<span class="theorem-head">Lemma 2</span>' in garden.page("t")
    for setting, lemma, name in (("per-kind", "Lemma 1", "per-kind"), ("shared", "Lemma 2", "shared")):
        garden.write("garden.yaml", shared + f"theorems:\n  numbering: {setting}\n")
        assert cli(garden).code == 0  # with the cache
        assert f'<span class="theorem-head">{lemma}</span>' in garden.page("t")
        clean = tmp_path / name
        assert cli(garden, "--no-cache", "--out", str(clean)).code == 0
        assert snapshot(garden.site, marker=False) == snapshot(clean, marker=False)
    config = load_config(garden.root / "garden.yaml", Problems())
    assert config.compile_options == {"theorem_numbering": "shared"}
    assert "theorem_numbering" not in config.math_macros


def test_quick_rebuilds_with_citations_equal_clean_builds(garden, cli, tmp_path, monkeypatch):
    from garden.build.inputs import BuildOptions
    from garden.cli import make_preview
    from tests.conftest import snapshot

    _bib(garden)
    monkeypatch.chdir(garden.root)
    garden.note("a.md", "---\ntitle: A\n---\nFirst [@cho2009kernel]. $$ x \\label{x} $$\n")
    garden.note("b.md", "---\ntitle: B\n---\nSee [[A#x]] and [@cho2009kernel; @jacot2018neural].\n")
    running = make_preview(BuildOptions(), "127.0.0.1", 0)
    try:
        assert running.build().written
        garden.note(
            "b.md", "---\ntitle: B\n---\nNow [[A#x]] and [see @cho2009kernel, p. 9; @jacot2018neural].\n"
        )
        result = running.build()
        assert result.quick  # the same keys cited: no other page changes
        out = tmp_path / "clean"
        assert cli(garden, "--no-cache", "--out", str(out)).code == 0
        running.settle()
        assert snapshot(garden.site, marker=False) == snapshot(out, marker=False)
        assert "(see Cho and Saul, 2009, p. 9;" in _text((out / "b/index.html").read_text())
        garden.note(
            "b.md", "---\ntitle: B\n---\nNow only [@muller2020gpt].\n"
        )  # the bibliography page changes
        result = running.build()
        assert result.written and not result.quick
        assert "Cited in" in (garden.site / "bibliography/index.html").read_text()
        assert (garden.site / "bibliography/index.html").read_text().count('href="/b/"') == 1
    finally:
        running.stop()


def test_descriptions_read_well_around_citations_and_references(garden, cli):
    _bib(garden)
    garden.note(
        "a.md",
        "---\ntitle: A\n---\nKernels win [@cho2009kernel]. As @jacot2018neural show, by \\eqref{e} too.\n\n"
        "$$ x \\label{e} $$\n",
    )
    assert cli(garden).code == 0
    description = re.search(r'<meta name="description" content="([^"]*)"', garden.page("a"))
    assert description and html.unescape(description.group(1)) == (
        "Kernels win. As @jacot2018neural show, by (1) too."
    )


def test_bibtex_cannot_inject_markup_or_scripts(garden, cli):
    _bib(
        garden,
        '@misc{evil, title = {<script>alert(1)</script> "quoted"}, author = {Mal, Ice},\n'
        "  url = {javascript:alert(1)}, year = 2020}\n",
    )
    garden.note("a.md", "[@evil] and [@{<b>x</b>}]\n")
    run = cli(garden)
    assert run.code == 0
    page = garden.page("a")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript' not in page.replace(" ", "")  # shown as text, never a link
    assert "<b>x</b>" not in page and "[@{&lt;b&gt;x&lt;/b&gt;}]" in page


def test_notes_that_cite_number_and_name_blocks_come_from_the_cache(garden, monkeypatch):
    """A compiled note with citations, theorems, equations and block ids is kept in the cache
    (as plain data), and so are the formatted references: a second build compiles and formats
    nothing."""
    from garden.build.builder import build_site
    from garden.build.inputs import BuildOptions
    from garden.markdown import references

    _bib(garden)
    monkeypatch.chdir(garden.root)
    garden.note("t.md", THEOREMS + "\nAs @jacot2018neural show [@cho2009kernel, p. 3].\n\nA block. ^blk\n")
    assert build_site(BuildOptions()).compiled == 1

    def no_formatting(*args: object) -> None:
        raise AssertionError("a reference was formatted again")

    monkeypatch.setattr(references, "_format", no_formatting)
    shutil.rmtree(garden.site)  # every page written again, from the cache
    assert build_site(BuildOptions()).compiled == 0
    assert "Jacot et al. (2018)" in _text(garden.page("t"))


def test_citations_in_headings_show_as_text_in_the_table_of_contents(garden, cli):
    _bib(garden)
    garden.note(
        "h.md",
        "---\ntitle: H\n---\nIntro.\n\n## What @jacot2018neural found\n\nText.\n\n"
        "## Kernels [@cho2009kernel, p. 3]\n\nMore.\n",
    )
    assert cli(garden).code == 0
    page = garden.page("h")
    toc = page[page.index('<aside class="toc"') : page.index("</aside>", page.index('<aside class="toc"'))]
    items = [_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", toc, re.S)]
    assert items == ["What Jacot et al. (2018) found", "Kernels (Cho and Saul, 2009, p. 3)"]
    assert 'class="cite' not in toc  # text only: a link inside the contents' link is not valid HTML


def test_an_embedded_note_that_cites_joins_the_pages_one_references_list(garden, cli):
    _bib(garden)
    garden.note("other.md", "---\ntitle: Other\n---\nOther cites [@muller2020gpt] and [@cho2009kernel].\n")
    garden.note("host.md", "---\ntitle: Host\n---\nHost cites [@jacot2018neural].\n\n![[Other]]\n")
    garden.note("quiet.md", "---\ntitle: Quiet\n---\nNo citations here.\n\n![[Other]]\n")
    assert cli(garden).code == 0
    for slug, keys in (
        ("host", ["muller2020gpt", "cho2009kernel", "jacot2018neural"]),
        ("quiet", ["muller2020gpt", "cho2009kernel"]),
    ):
        body = _body(garden.page(slug))
        assert body.count('class="references"') == 1
        ids = re.findall(r'\sid="(ref-[^"]+)"', body)
        assert sorted(ids) == sorted(f"ref-{key}" for key in keys)  # each once
        listed = re.findall(r'<li id="ref-([^"]+)"', body)
        by_names = ["cho2009kernel", "jacot2018neural", "muller2020gpt"]  # the style's order
        assert listed == [key for key in by_names if key in keys]
        embed = body[body.index('class="transclusion"') :]
        assert "Müller and Zhang, 2020" in _text(embed)  # the embed's citations are filled
        assert 'data-ref="ref-cho2009kernel"' in embed  # and point at the page's one list


def test_a_label_on_a_row_of_an_align_anchors_that_row(garden, cli):
    garden.note(
        "e.md",
        "---\ntitle: E\n---\n$$\n\\begin{align}\na &= 1 \\\\\nb &= 2 \\label{two} \\\\\nc &= 3\n"
        "\\end{align}\n$$\n\nSee \\eqref{two}.\n",
    )
    assert cli(garden).code == 0
    body = _body(garden.page("e"))
    assert body.count('id="eq-two"') == 1
    assert '<a class="internal ref" href="#eq-two">(2)</a>' in body
    tags = body[body.index('<span class="katex-tag">') :]
    row = tags[tags.index(">", tags.index('id="eq-two"')) + 1 :]
    assert _text(row).startswith("(2)(3)")  # the id is on the second row's number
    assert '<div class="equation">' in body  # not on the whole formula


def test_a_cached_build_looks_no_style_up_and_an_unknown_style_still_warns(garden, cli, monkeypatch):
    """Looking a pybtex style up scans every installed package: a build whose works are all in
    the cache does without it, yet an unknown style is reported on every build."""
    from garden.markdown import references

    looked_up: list[str] = []
    real = references._style

    def noting(name, problems, where):
        looked_up.append(name)
        return real(name, problems, where)

    monkeypatch.setattr(references, "_style", noting)
    _bib(garden)
    garden.note("a.md", "First [@muller2020gpt].\n")
    assert cli(garden).code == 0
    assert looked_up == ["plain"]
    garden.note("b.md", "Then [@muller2020gpt] again.\n")  # a build that formats nothing new
    assert cli(garden).code == 0
    assert looked_up == ["plain"]
    garden.write("garden.yaml", (garden.root / "garden.yaml").read_text() + "citations:\n  format: nosuch\n")
    for _ in range(2):
        result = cli(garden)
        assert "unknown pybtex style 'nosuch': using plain" in result.err


def test_pybtex_own_styles_are_found_without_scanning_installed_packages(tmp_path, monkeypatch):
    """pybtex looks a plugin up by scanning every installed package's entry points (several
    times per style); its own styles and backends are imported directly, and format alike."""
    import pybtex.plugin

    from garden.core.problems import Problems
    from garden.markdown import references
    from garden.sources.bibliography import load_library

    path = tmp_path / "references.bib"
    path.write_text(BIB, encoding="utf-8")
    library = load_library((path,), {}, Problems())
    math = lambda items: [f"<m>{tex}</m>" for tex in items]  # noqa: E731
    by_lookup = {}
    for name in sorted(references.BUILTIN_STYLES):
        style = pybtex.plugin.find_plugin("pybtex.style.formatting", name)()
        by_lookup[name] = [references._format(style, work, math) for work in library.works.values()]
    references._backend.cache_clear()
    scans: list[object] = []
    real = pybtex.plugin.entry_points
    monkeypatch.setattr(pybtex.plugin, "entry_points", lambda **kw: scans.append(kw) or real(**kw))
    for name in sorted(references.BUILTIN_STYLES):
        style = references._style(name, Problems(), tmp_path)
        assert [references._format(style, work, math) for work in library.works.values()] == by_lookup[name]
    assert scans == []
