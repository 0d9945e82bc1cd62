"""Issue 4, point 7: a citation block with BibTeX and a copy button; references.bib with stable keys."""

from __future__ import annotations

import html
import os
import re

import bibtexparser
from bibtexparser.bparser import BibTexParser

PAPERS = {
    "ntk.md": """---
title: Neural Tangent Kernel
paper:
  title: "Neural Tangent Kernel: Convergence and Generalization in Neural Networks"
  authors: [Arthur Jacot, Franck Gabriel, Clément Hongler]
  year: 2018
  venue: NeurIPS
  arxiv: "1806.07572"
---
Body.
""",
    "mup.md": """---
title: Tensor Programs V
paper:
  title: "Tensor Programs V: Tuning Large Neural Networks via Zero-Shot Hyperparameter Transfer"
  authors: ["Yang, Greg", Edward J. Hu]
  year: 2022
  arxiv: "2203.03466"
---
Body.
""",
    "a-second-ntk.md": """---
title: Another NTK paper
paper:
  title: "Neural networks & 100% of {their} kernels_#1"
  authors: [Someone Jacot]
  year: 2018
  venue: Journal of Machine Learning Research
  doi: 10.1000/xyz
---
Body.
""",
    "pinned.md": """---
title: Pinned
paper:
  title: Deep Learning
  authors: [Yann LeCun]
  year: 2015
  venue: Nature
  key: lecun2015deep
---
Body.
""",
}


def parse(text: str):
    parser = BibTexParser(common_strings=True)
    parser.ignore_nonstandard_types = False
    return bibtexparser.loads(text, parser=parser)


def _write(garden) -> None:
    for index, (name, text) in enumerate(PAPERS.items()):
        path = garden.note(name, text)
        os.utime(path, (1600000000 + index * 86400,) * 2)  # created in this order (no git here)


def test_references_bib_parses_with_every_paper(garden, cli):
    _write(garden)
    assert cli(garden).code == 0
    database = parse((garden.site / "references.bib").read_text(encoding="utf-8"))
    entries = {entry["ID"]: entry for entry in database.entries}
    assert set(entries) == {"jacot2018neural", "jacot2018neuralb", "yang2022tensor", "lecun2015deep"}
    ntk = entries["jacot2018neural"]
    assert ntk["ENTRYTYPE"] == "inproceedings" and ntk["booktitle"] == "NeurIPS"
    assert ntk["author"] == "Arthur Jacot and Franck Gabriel and Clément Hongler"
    assert ntk["eprint"] == "1806.07572" and ntk["year"] == "2018"
    assert "Convergence and Generalization" in ntk["title"]
    other = entries["jacot2018neuralb"]  # same first author, year and first word: a suffix
    assert other["ENTRYTYPE"] == "article" and other["journal"] == "Journal of Machine Learning Research"
    assert other["title"] == r"{Neural networks \& 100\% of {their} kernels\_\#1}"
    assert other["doi"] == "10.1000/xyz"
    assert entries["yang2022tensor"]["ENTRYTYPE"] == "misc"  # arXiv only
    assert entries["yang2022tensor"]["author"] == "Yang, Greg and Edward J. Hu"


def test_keys_are_stable_when_the_garden_grows(garden, cli):
    _write(garden)
    assert cli(garden).code == 0
    before = (garden.site / "references.bib").read_text()
    garden.note("zzz.md", "---\ntitle: Unrelated\n---\nNo paper.\n")
    garden.note(  # sorts first by URL, but is the newest: it must not take jacot2018neural
        "0-jacot.md",
        "---\npaper:\n  title: Neural things\n  authors: [A. Jacot]\n  year: 2018\n---\nx\n",
    )
    garden.note(
        "b-paper.md",
        "---\npaper:\n  title: On Something Else\n  authors: [Ann Other]\n  year: 2020\n---\nx\n",
    )
    assert cli(garden).code == 0
    after = parse((garden.site / "references.bib").read_text())
    keys = {entry["ID"] for entry in after.entries}
    assert {entry["ID"] for entry in parse(before).entries} <= keys
    assert "other2020something" in keys  # "On" is skipped
    assert "jacot2018neuralc" in keys
    ntk = re.search(r'<code id="bibtex-([^"]+)">', garden.page("ntk"))
    assert ntk and ntk.group(1) == "jacot2018neural"


def test_note_page_shows_citation_bibtex_and_copy_button(garden, cli):
    _write(garden)
    assert cli(garden, "--base-url", "https://user.github.io/garden/").code == 0
    page = garden.page("ntk")
    assert '<aside class="citation"' in page
    assert "Arthur Jacot, Franck Gabriel, Clément Hongler" in page
    assert 'href="https://arxiv.org/abs/1806.07572"' in page
    # without JavaScript: the entry is readable in a <details>; the button waits for the script
    block = re.search(r'<pre><code id="bibtex-jacot2018neural">(.*?)</code></pre>', page, re.S)
    assert block and parse(html.unescape(block.group(1))).entries[0]["ID"] == "jacot2018neural"
    assert '<details class="bibtex">' in page
    assert re.search(
        r'<button type="button" class="copy-bibtex" data-copy="bibtex-jacot2018neural" hidden>', page
    )
    assert '<script src="/garden/js/citation.js" defer></script>' in page
    assert 'href="/garden/references.bib"' in page


def test_no_papers_no_bib(garden, cli):
    garden.note("a.md", "Just a note.\n")
    assert cli(garden).code == 0
    assert not (garden.site / "references.bib").exists()
    assert "citation.js" not in garden.page("a")
