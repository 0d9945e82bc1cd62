"""Hostile content: markup in titles, aliases, tags, headings, paper metadata and figure labels
comes out escaped in every file the site holds, whatever its type.

One garden puts a payload (``<script>``, an element of our own, quotes breaking out of
attributes, ``&``, ``]]>``, braces and ``@`` for BibTeX) everywhere data can go. Then every
generated file is checked by type: HTML and SVG/XML must not gain an element or attribute from
the payload, JSON must parse, BibTeX entries must stay balanced. A file type nobody checks yet
fails if it carries the payload, so the search index, feed, sitemap and graph data are covered
the day they are added.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bad_inputs import _png
from conftest import unavailable

from garden.build.builder import build_site
from garden.build.inputs import BuildOptions
from garden.core.paths import heading_anchor

PROBE = "xss-probe"  # an element name no template uses: if it parses as one, we injected it
PAYLOAD = (
    f'<script>alert("x")</script><{PROBE} data-xss="1">" onmouseover="alert(1)" '
    f"' data-xss='2' & &amp; ]]> </title></textarea></style></script><{PROBE}/>"
)
PAPER_TITLE = "Paper " + PAYLOAD + "}, author = {Mallory},\n@misc{injected,"
INJECTED_ATTRIBUTES = {"onmouseover", "data-xss"}
UNSAFE = ("javascript:", "vbscript:", "data:")


def _q(text: str) -> str:
    """A YAML double-quoted string."""
    return json.dumps(text)


def _md(text: str) -> str:
    """``text`` as literal Markdown text: punctuation escaped (brackets as entities, since ``\\(``
    and ``\\[`` open math)."""
    text = re.sub(r"([!-'*-/:-@\\^-`{-~])", r"\\\1", text)
    return text.translate({ord(c): f"&#{ord(c)};" for c in "()[]"})


LABEL = PAYLOAD.replace("]]", "]")  # a wikilink's text is raw (no Markdown), and cannot hold "]]"
ANCHOR = heading_anchor("Heading " + PAYLOAD)
FENCE_INFO = _md('"><' + PROBE + ">")


CONFIG = f"""title: {_q("Site " + PAYLOAD)}
description: {_q(PAYLOAD)}
author: {_q(PAYLOAD)}
base_url: https://example.org/garden/
taxonomy:
  - title: {_q("Core " + PAYLOAD)}
    children:
      - {{slug: models, title: {_q("Models " + PAYLOAD)}, description: {_q(PAYLOAD)}}}
figures:
  pareto:
    output: images/pareto
    title: {_q(PAYLOAD)}
    x_label: {_q(PAYLOAD)}
    y_label: {_q(PAYLOAD)}
    points:
      - {{label: {_q(PAYLOAD)}, realism: 0.2, tractability: 0.8, note: {_q("Hostile " + PAYLOAD)}}}
      - {{label: plain, realism: 0.7, tractability: 0.3}}
  graph:
    output: images/graph
    title: {_q(PAYLOAD)}
"""

HOSTILE = f"""---
title: {_q("Hostile " + PAYLOAD)}
aliases: [{_q("alias " + PAYLOAD)}]
tags: [{_q(PAYLOAD)}, "a]]>b", "c&d"]
description: {_q(PAYLOAD)}
status: {_q(PAYLOAD)}
section: models
date: 2024-05-01
paper:
  title: {_q(PAPER_TITLE)}
  authors: [{_q(PAYLOAD)}, "A. {{B}} @ C"]
  year: 2018
  venue: {_q(PAYLOAD)}
  arxiv: {_q(PAYLOAD)}
  url: "javascript:alert(1)"
  doi: {_q(PAYLOAD)}
extra_key: {_q(PAYLOAD)}
---
Body text. ![chart](/images/pareto.png)

## Heading {_md(PAYLOAD)}

### `code {PAYLOAD}`

A [[Good|{LABEL}]] link, a [[planned <{PROBE}> "q" & x]] one, and
[a titled link](https://example.org "{_md(PAYLOAD)}"), ![{_md(PAYLOAD)}](/images/img.png).
Unsafe: [js](javascript:alert(1)), [vb](vbscript:msgbox), <javascript:alert(2)>, [d](data:text/html,x).

Math $\\text{{<{PROBE}> "q"}}$, ${{<{PROBE}> \\frac{{$ (fails: shown as source),
$\\href{{javascript:alert(1)}}{{x}}$ and $\\url{{javascript:x}}$.

Footnote[^note].

[^note]: {_md(PAYLOAD)}

> [!note] {_md(PAYLOAD)}
> Inside.

```{FENCE_INFO}
{PAYLOAD}
```

<em class="writer">raw HTML the writer wrote stays as it is</em>
"""

GOOD = f"""---
title: Good
---
Links to [[models/hostile|{LABEL}]] in a sentence with {_md(PAYLOAD)}.

![[models/hostile#{ANCHOR}]]

![[models/hostile]]
"""


@pytest.fixture(scope="module")
def site_files(tmp_path_factory) -> dict[str, list[Path]]:
    """The hostile garden, built; its files grouped by type."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "garden.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "notes" / "models").mkdir(parents=True)
    (root / "notes" / "models" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    (root / "notes" / "good.md").write_text(GOOD, encoding="utf-8")
    (root / "notes" / "index.md").write_text("# Home\n\n![graph](/images/graph.png)\n", encoding="utf-8")
    (root / "static" / "images").mkdir(parents=True)
    (root / "static" / "images" / "img.png").write_bytes(_png())
    result = build_site(BuildOptions(root=root, config_path=root / "garden.yaml"))
    assert result.written, result.problems.sorted()
    files: dict[str, list[Path]] = defaultdict(list)
    for path in sorted((root / "_site").rglob("*")):
        if path.is_file():
            files[path.suffix.lower()].append(path)
    yield files
    shutil.rmtree(root, ignore_errors=True)


class _Elements(HTMLParser):
    """Every element and attribute the way a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        # a <script type="application/json"> is data the browser never runs (it must still
        # not end early: the payload becoming an element is checked separately)
        kind = dict(attrs).get("type") or ""
        self._in_script = tag == "script" and kind not in ("application/json", "application/ld+json")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def _check_urls(where: str, attributes: list[tuple[str, str, str]]) -> None:
    for tag, name, value in attributes:
        assert name not in INJECTED_ATTRIBUTES, (where, tag, name)
        if name.split(":")[-1] in ("href", "src", "action", "formaction", "xlink:href"):
            assert not "".join(value.split()).lower().startswith(UNSAFE), (where, tag, value)


def check_html(path: Path, text: str) -> str:
    parser = _Elements()
    parser.feed(text)
    parser.close()
    assert PROBE not in parser.tags, f"{path}: the payload became an element"
    assert not any("alert(" in script for script in parser.scripts), f"{path}: the payload runs"
    _check_urls(str(path), parser.attributes)
    assert "raw HTML the writer wrote" not in text or '<em class="writer">' in text
    return " ".join(parser.text)


def check_xml(path: Path, text: str) -> str:
    root = ET.fromstring(text)  # well-formed: ]]> and & could not break it
    attributes = []
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        assert name not in (PROBE, "script", "foreignObject"), f"{path}: the payload became <{name}>"
        attributes += [(name, key.rsplit("}", 1)[-1], value) for key, value in element.attrib.items()]
    _check_urls(str(path), attributes)
    return " ".join(root.itertext())


def check_json(path: Path, text: str) -> str:
    strings: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(text))
    for value in strings:  # a URL in the data is one a page will follow
        assert not "".join(value.split()).lower().startswith(UNSAFE), (path, value)
    return " ".join(strings)


def check_bib(path: Path, text: str) -> str:
    body = re.sub(r"\\[{}]", "", text)
    depth = 0
    for line in body.splitlines():
        if depth == 0 and line.lstrip().startswith("@"):
            assert "injected" not in line, f"{path}: the payload started a BibTeX entry"
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{path}: unbalanced braces"
    assert depth == 0, f"{path}: unbalanced braces"
    return text


PAGEFIND_SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before its data, inside the gzip stream


def decoded(path: Path) -> bytes:
    """A file's bytes as a reader of it sees them: Pagefind's files (the index, its fragments)
    are gzip-compressed, with Pagefind's signature before the data."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.removeprefix(PAGEFIND_SIGNATURE)


def check_pagefind_fragment(path: Path, text: str) -> str:
    """A Pagefind fragment: one page's text and metadata, as JSON. It is data: garden.js shows
    titles with textContent and excerpts as text with <mark> only, so the text may hold any
    characters; what the search dialog turns into links (the URL, anchor ids) must be plain."""
    shown = check_json(path, text)
    fragment = json.loads(text)
    assert fragment["url"].startswith("/") and not fragment["url"].startswith("//"), (path, fragment["url"])
    for anchor in fragment.get("anchors", []):
        assert re.fullmatch(r"[\w.:-]+", anchor["id"]), (path, anchor["id"])  # becomes url#id
    return shown


CHECKS = {
    ".html": check_html,
    ".svg": check_xml,
    ".xml": check_xml,
    ".json": check_json,
    ".bib": check_bib,
    ".pf_fragment": check_pagefind_fragment,
}
BINARY = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2", ".ttf", ".ico"}


@pytest.mark.parametrize("suffix", sorted(CHECKS))
def test_every_file_of_each_type_is_escaped(site_files, suffix):
    paths = site_files.get(suffix, [])
    if not paths:
        unavailable(f"the site has no {suffix} files (for .pf_fragment: is Pagefind installed?)")
    carried = 0
    for path in paths:
        text = decoded(path).decode("utf-8")
        shown = CHECKS[suffix](path, text)
        carried += PROBE in shown  # the payload is there, as text
    if suffix in (".html", ".svg", ".pf_fragment"):
        assert carried, f"no {suffix} file shows the payload as text: the test would prove nothing"


def test_files_of_other_types_do_not_carry_note_data(site_files):
    """A new kind of output (say, a search index in .js) must get a checker above first."""
    for suffix, paths in site_files.items():
        if suffix in CHECKS or suffix in BINARY:
            continue
        for path in paths:
            assert PROBE.encode() not in decoded(path), f"{path}: add a checker for {suffix} files"


def test_the_search_index_is_read_as_its_reader_sees_it(site_files):
    """Pagefind's files are compressed: searched as raw bytes they never show a payload. Read
    decompressed, the index shows the notes' words, and so the checks above can bite."""
    index = [p for paths in site_files.values() for p in paths if "pagefind" in p.parts]
    compressed = [p for p in index if p.read_bytes()[:2] == b"\x1f\x8b"]
    assert {p.suffix for p in compressed} >= {".pf_fragment", ".pf_index", ".pf_meta"}
    fragments = site_files[".pf_fragment"]
    assert not any(b"Body text" in p.read_bytes() for p in fragments)
    assert any(b"Body text" in decoded(p) for p in fragments)
    for path in compressed:
        assert gzip.decompress(path.read_bytes()).startswith(PAGEFIND_SIGNATURE), path


def test_the_payload_is_shown_not_lost(site_files):
    page = next(p for p in site_files[".html"] if p.parent.name == "hostile")
    text = check_html(page, page.read_text(encoding="utf-8"))
    assert f"Hostile {PAYLOAD}" in text  # the title, intact as text
    assert "raw HTML the writer wrote stays as it is" in text
    html = page.read_text(encoding="utf-8")
    assert '<em class="writer">raw HTML the writer wrote stays as it is</em>' in html
    assert 'href="javascript:' not in html.lower()


def test_figures_escape_labels(site_files):
    svgs = {p.stem: p for p in site_files[".svg"]}
    assert {"pareto", "graph"} <= set(svgs)
    for name in ("pareto", "graph"):
        text = check_xml(svgs[name], svgs[name].read_text(encoding="utf-8"))
        assert "xss-probe" in text


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".html", '<p title="x" onmouseover="alert(1)">t</p>'),
        (".html", f"<title>{PROBE}</title><{PROBE}>"),
        (".html", '<script type="application/json">{"t": "</script><script>alert(1)</script>"}</script>'),
        (".html", '<a href=" javascript:alert(1)">x</a>'),
        (".xml", f"<feed><title><![CDATA[a ]]> <{PROBE}/> ]]></title></feed>"),
        (".xml", "<urlset><loc>a & b</loc></urlset>"),
        (".svg", '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:x"><text>t</text></a></svg>'),
        (".json", '{"title": "a" "b"}'),
        (".json", '[{"url": "javascript:alert(1)"}]'),
        (".bib", "@misc{a,\n  title = {Paper}, author = {Mallory},\n@misc{injected,\n}\n"),
        (".bib", "@misc{a,\n  title = {Paper {unbalanced},\n}\n"),
        (".pf_fragment", '{"url": "javascript:alert(1)", "content": "", "meta": {}, "anchors": []}'),
        (".pf_fragment", '{"url": "/a/", "content": "", "anchors": [{"id": "x\\" onclick=\\"y"}]}'),
    ],
)
def test_the_checkers_catch_injections(suffix, text):
    """The checks for files that do not exist yet must already bite."""
    with pytest.raises((AssertionError, ET.ParseError, json.JSONDecodeError)):
        CHECKS[suffix](Path(f"sample{suffix}"), text)
