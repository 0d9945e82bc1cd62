"""A public Obsidian vault's notes, as their author wrote them (tests/gardens/knowledge-vault,
CC0): every formula rendered, every heading link resolved, without a single warning.

Their links name headings that hold math as Obsidian's autocomplete writes them
(``[[Group#Symmetric Group of a Set $ operatorname{Sym}(X)$|…]]``,
``[[#Showing '$P implies Q$'|…]]``), and their formulas sit in lists, quotes and tables.
"""

from __future__ import annotations

import re
import shutil
from html import unescape
from urllib.parse import unquote, urlsplit

from conftest import GARDENS, Garden

VAULT = GARDENS / "knowledge-vault"
PAGES = "year-1/discrete-math"

# Formulas of each note: its $…$ and $$…$$ pairs outside code, counted by hand, less the dollars
# inside link targets (``[[#Showing '$P implies Q$'|…]]`` names a heading: it is no formula).
FORMULAS = {"group": 39, "group-action": 125, "formal-proofs": 107}


def body_of(page: str) -> str:
    start = page.index('<div class="note-body">')
    return page[start : page.index('<footer class="note-links">', start)]


def test_the_vault_builds_with_every_formula_and_heading_link(tmp_path, cli):
    garden = Garden(tmp_path / "kv")
    shutil.copytree(VAULT, garden.root)
    result = cli(garden, "build", "--notes", "vault", "--out", "site", "--strict", "--no-cache")
    assert result.code == 0, result.output
    assert "0 errors, 0 warnings" in result.output, result.output
    site = garden.root / "site"
    pages = {slug: (site / PAGES / slug / "index.html").read_text(encoding="utf-8") for slug in FORMULAS}
    for slug, count in FORMULAS.items():
        body = body_of(pages[slug])
        assert len(re.findall(r'class="katex"', body)) == count, slug
        assert "math-error" not in body, slug
        shown = re.sub(r"<code.*?</code>|<annotation.*?</annotation>", "", body)
        text = unescape(re.sub(r"<[^>]+>", "", shown))
        assert "$" not in text, (slug, text[text.index("$") - 40 : text.index("$") + 40])
    landed = 0
    for slug, page in pages.items():
        for href in re.findall(r'<a class="internal[^"]*" href="([^"]*#[^"]+)"', body_of(page)):
            parts = urlsplit(unescape(href))
            target = pages[slug] if not parts.path else (site / parts.path.strip("/") / "index.html")
            target_html = target if isinstance(target, str) else target.read_text(encoding="utf-8")
            assert f'id="{unquote(parts.fragment)}"' in target_html, (slug, href)
            landed += 1
    assert landed == 18  # heading links within a note and to Group's headings with math
    symmetric = re.search(
        r'href="(/{PAGES}/group/#[^"]*)">symmetric group<'.replace("{PAGES}", PAGES), pages["group-action"]
    )
    assert symmetric and "sym" in symmetric.group(1), "the link to a heading with math lands on it"
