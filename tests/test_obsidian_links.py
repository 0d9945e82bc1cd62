"""Obsidian's heading links and block references, case by case (tests/obsidian/links/).

Each case is a small garden written as one file, ``NAME.md``: notes separated by
``=== path.md ===`` lines. ``NAME.html`` is what it must give: the problems the build prints
(in a leading comment), then each note's table of contents and body. Formulas appear as
``<katex>TeX</katex>``, so a KaTeX upgrade does not change the cases. Besides the comparison,
every link with a ``#fragment`` must land on an element of its target page, unless the build
warned about it.

``GARDEN_UPDATE_CASES=1 python -m pytest tests/test_obsidian_links.py`` rewrites the expected
files (read the diff before committing it).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

CASES = Path(__file__).resolve().parent / "obsidian" / "links"
_SEPARATOR = re.compile(r"^=== (.+?) ===$", re.M)
_PROBLEM = re.compile(r"^notes/\S+:\d+: (?:warning|error): .*(?:\n    hint: .*)?$", re.M)  # + its hint


def case_names() -> list[str]:
    return sorted(path.stem for path in CASES.glob("*.md"))


def write_case(garden, name: str) -> list[str]:
    """The case's notes written into ``garden``; returns their paths, the first one looked at."""
    text = (CASES / f"{name}.md").read_text(encoding="utf-8")
    parts = _SEPARATOR.split(text)
    paths = parts[1::2]
    assert paths, f"{name}.md has no '=== note.md ===' line"
    for path, body in zip(paths, parts[2::2], strict=True):
        garden.note(path, body.strip("\n") + "\n")
    return paths


class _Normalizer(HTMLParser):
    """HTML with each KaTeX formula replaced by ``<katex>TeX</katex>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.depth = 0  # inside a formula: how many elements deep
        self.tex: list[str] = []
        self.in_annotation = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += tag not in _VOID
            self.in_annotation = tag == "annotation"
            return
        if tag == "span" and "katex" in classes:
            self.depth, self.tex = 1, []
            return
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.depth:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.in_annotation = False
            self.depth -= 1
            if not self.depth:
                self.out.append(f"<katex>{''.join(self.tex)}</katex>")
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.depth:
            if self.in_annotation:
                self.tex.append(data)
            return
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")


_VOID = {"br", "img", "hr", "input", "meta", "link", "col", "area", "base", "wbr", "source"}


def normalize(html: str) -> str:
    parser = _Normalizer()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n{2,}", "\n", "".join(parser.out)).strip() + "\n"


def rendering(pages: dict[str, str], problems: list[str]) -> str:
    """What a case is compared on: its problems, then each note's table of contents and body."""
    shown = ["<!-- problems:\n" + "".join(line + "\n" for line in problems) + "-->\n"]
    for path, page in pages.items():
        toc = re.search(r'<aside class="toc".*?</aside>', page, re.S)
        body = page.split('<div class="note-body">', 1)[1].split('<footer class="note-links">', 1)[0]
        body = body.rsplit("</div>", 1)[0]
        shown.append(f"<!-- {path} -->\n" + (normalize(toc.group(0)) if toc else "") + normalize(body))
    return "".join(shown)


def slug_of(path: str) -> str:
    return re.sub(r"[^a-z0-9/]+", "-", path.removesuffix(".md").lower()).strip("-")


def landing_failures(site: Path, page: str) -> list[str]:
    """Links of a page whose ``#fragment`` names no element of the page they go to."""
    failures = []
    for href in re.findall(r'<a class="internal" href="([^"]*#[^"]*)"', page):
        parts = urlsplit(href.replace("&amp;", "&"))
        target = site / unquote(parts.path).strip("/") / "index.html" if parts.path else None
        html = target.read_text(encoding="utf-8") if target else page
        if parts.fragment and f'id="{unquote(parts.fragment)}"' not in html:  # "#": the top
            failures.append(href)
    return failures


@pytest.mark.parametrize("name", case_names())
def test_case(garden, cli, name):
    paths = write_case(garden, name)
    result = cli(garden)
    assert result.code == 0, result.output
    problems = [line for found in _PROBLEM.findall(result.err) for line in found.split("\n")]
    pages = {path: garden.page(slug_of(path)) for path in paths}
    got = rendering(pages, problems)
    expected_file = CASES / f"{name}.html"
    if os.environ.get("GARDEN_UPDATE_CASES"):
        expected_file.write_text(got, encoding="utf-8")
    assert got == expected_file.read_text(encoding="utf-8")
    missing = [href for path in paths for href in landing_failures(garden.site, pages[path])]
    not_found = sum(1 for line in problems if "not found" in line)
    assert len(missing) == not_found, f"links that land nowhere: {missing}"


def test_every_case_has_its_expected_rendering():
    assert case_names(), "no cases"
    for name in case_names():
        assert (CASES / f"{name}.html").is_file(), f"{name}.html is missing"
    assert {p.stem for p in CASES.glob("*.html")} == set(case_names()), "an expected file without its case"


# --------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def block_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The block-paragraph and block-list-item cases side by side, built and served."""
    from conftest import Garden

    from garden.build.builder import build_site
    from garden.build.inputs import BuildOptions
    from garden.serve.http import make_server

    root = tmp_path_factory.mktemp("blocks") / "garden"
    garden = Garden(root)
    garden.notes.mkdir(parents=True)
    garden.write("garden.yaml", "title: Blocks\n")
    write_case(garden, "block-paragraph")
    garden.note("items.md", (CASES / "block-list-item.md").read_text().split("=== src.md ===\n")[1])
    result = build_site(BuildOptions(root=root))
    assert result.written, [p.format() for p in result.problems.items]
    server, _ = make_server(root / "_site", "127.0.0.1", 0, "/")
    server.handle_error = lambda request, address: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_hovering_a_block_link_previews_that_block(browser, block_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(block_site + "src/")
        page.locator('.note-body a.internal[href$="#%5E327283"]').first.hover()
        preview = page.locator(".preview")
        preview.wait_for()
        assert preview.locator(".preview-title").inner_text() == "Books"
        text = preview.inner_text()
        assert "The passage worth keeping." in text
        assert "Some paragraph" not in text and "^327283" not in text
        page.mouse.move(0, 0)
        preview.wait_for(state="detached")
        page.goto(block_site + "items/")
        page.locator('.note-body a.internal[href="#^item-two"]').hover()
        preview.wait_for()
        assert preview.locator("li").inner_text() == "nested"
        assert preview.locator("[id]").count() == 0
        page.goto(block_site + "books/#%5E327283")
        assert page.evaluate("document.querySelector(':target')?.textContent") == "The passage worth keeping."
    finally:
        context.close()
    assert not errors, errors
