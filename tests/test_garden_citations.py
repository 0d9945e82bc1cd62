"""The garden's notes read like papers: every written note cites its sources from
references.bib and ends with References; results are theorem blocks; derivations number their
equations. These tests build the real garden once and read its pages."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import PYTHON, ROOT, run_process

NOTES = ROOT / "notes"


def _written_notes() -> list[Path]:
    """Notes (not section pages) with a body of at least 400 words."""
    written = []
    for path in sorted(NOTES.rglob("*.md")):
        if path.name == "index.md":
            continue
        body = path.read_text().split("\n---\n", 1)[-1]
        if len(re.findall(r"\S+", body)) >= 400:
            written.append(path)
    return written


WRITTEN = _written_notes()


def _page(out: Path, note: Path) -> Path:
    return out / note.relative_to(NOTES).with_suffix("").as_posix().lower() / "index.html"


def _article_text(page_html: str) -> str:
    """The note's own text: the article, without the References list, tags stripped."""
    article = page_html.split("<article", 1)[1].split("</article>", 1)[0]
    article = article.split('<section class="references"', 1)[0]
    katex = r'<span class="katex".*?</annotation></semantics></math></span>'
    article = re.sub(katex, " ", article, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", article))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("garden-citations") / "site"
    result = run_process([PYTHON, str(ROOT / "build.py"), "--strict", "--out", str(out)], cwd=ROOT)
    assert result.code == 0, result.output
    assert " 0 warnings" in result.output, result.output
    return out


def test_the_garden_has_24_written_notes():
    assert len(WRITTEN) >= 24, [p.name for p in WRITTEN]


@pytest.mark.parametrize("note", WRITTEN, ids=lambda p: p.stem)
def test_every_written_note_ends_with_references(site, note):
    page = _page(site, note)
    text = page.read_text()
    assert '<section class="references"' in text, page
    references = text.split('<section class="references"', 1)[1].split("</section>", 1)[0]
    assert references.count('<li id="ref-') >= 1, page


# "Lee et al." must be followed by its year or be a citation link ("Lee et al. (2018)").
BARE_ET_AL = re.compile(r"\b[A-Z][\w'’\-]+ et al\.(?!\s*\(?(?:19|20)\d\d|,\s*(?:19|20)\d\d)")


@pytest.mark.parametrize("note", WRITTEN, ids=lambda p: p.stem)
def test_no_bare_name_citation_without_a_year(site, note):
    text = _article_text(_page(site, note).read_text())
    assert not BARE_ET_AL.search(text), (note.name, BARE_ET_AL.search(text))


def test_the_bare_name_pattern_catches_what_it_should():
    assert BARE_ET_AL.search("as Lee et al. report, the kernel")
    assert BARE_ET_AL.search("Jacot et al.'s kernel")
    assert not BARE_ET_AL.search("as Lee et al. (2018) report")
    assert not BARE_ET_AL.search("(Kaplan et al. 2020; Hoffmann et al., 2022)")


def test_narrative_citations_link_to_the_work(site):
    page = (site / "digitalgarden" / "nngp" / "index.html").read_text()
    # Matthews et al. have no note here: the citation links to the arXiv page.
    link = re.search(r'<a [^>]*href="https://arxiv\.org/abs/1804\.11271"[^>]*>([^<]*)</a>', page)
    assert link and html.unescape(link.group(1)).startswith("Matthews et al."), link
    assert "Matthews et al. (2018)" in _article_text(page)
    # A work with a note of its own links to that note.
    ntk = (site / "models" / "nngp-ntk" / "lazy-training" / "index.html").read_text()
    assert "/models/nngp-ntk/neural-tangent-kernel/" in ntk


# Notes whose results are stated as theorem blocks: (page, head, title).
THEOREMS = [
    ("optimization/optimizers/momentum", "Proposition 1", "Stability threshold of heavy-ball momentum"),
    ("models/nngp-ntk/neural-tangent-kernel", "Theorem 1", "The kernel at initialization"),
    ("models/nngp-ntk/neural-tangent-kernel", "Theorem 2", "The kernel stays constant during training"),
    ("models/linear-networks/implicit-bias-separable-data", "Theorem 1", "max-margin direction"),
    ("models/mlps/leap-complexity", "Definition 1", "Leap"),
]


@pytest.mark.parametrize(("page", "head", "title"), THEOREMS)
def test_results_are_theorem_blocks(site, page, head, title):
    text = html.unescape((site / page / "index.html").read_text())
    block = re.search(rf'<span class="theorem-head">{head}</span> \(([^)]*)\)', text)
    assert block and title in block.group(1), (page, head)


def test_the_momentum_proposition_has_its_proof(site):
    text = (site / "optimization/optimizers/momentum/index.html").read_text()
    assert 'class="theorem callout callout-proof"' in text
    assert 'href="#thm-hb-threshold"' in text  # "By Proposition 1" links to the block


# Notes that number their equations: (page, labels that must be numbered and referred to).
EQUATIONS = {
    "optimization/optimizers/momentum": ["hb-quadratic", "hb-characteristic"],
    "models/nngp-ntk/neural-tangent-kernel": ["ntk-recursion", "ntk-square-loss"],
    "digitalgarden/nngp": ["nngp-recursion", "relu-recursion", "chi1"],
    "models/linear-networks/implicit-bias-separable-data": ["soudry-rate", "svm"],
    "models/mlps/leap-complexity": ["leap-samples"],
    "hyper-parameters/scaling-laws": ["chinchilla-fit", "chinchilla-opt"],
    "optimization/optimizers/rmsprop": ["rmsprop-stable", "rmsprop-floor"],
    "models/linear-networks/saddle-to-saddle-deep-linear-networks": ["balanced-sv"],
    "models/mean-field-mup/mean-field-two-layer": ["distributional-dynamics"],
}


@pytest.mark.parametrize("page", sorted(EQUATIONS))
def test_derivations_number_and_refer_to_their_equations(site, page):
    text = (site / page / "index.html").read_text()
    for label in EQUATIONS[page]:
        assert f'<div class="equation" id="eq-{label}">' in text, (page, label)
        assert re.search(rf'href="#eq-{label}"[^>]*>\(\d+\)</a>', text), (page, label)


def test_eight_or_more_notes_use_numbered_equations_or_theorem_blocks():
    assert len(set(EQUATIONS) | {page for page, _, _ in THEOREMS}) >= 8
