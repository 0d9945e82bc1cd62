"""Issue 4, point 2: under a project sub-path every link, asset, feed entry and anchor works.

The built site is served on a real local HTTP server under its base path (``/garden/``), as
GitHub Pages serves a project site, and every page is crawled: pages, style sheets (and the
fonts they name), images, scripts, figures, cards, sitemap and feed entries, redirects, the
404 page and ``#anchors``. Nothing may be broken; the same crawl passes with no sub-path.
"""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit
from xml.etree import ElementTree as ET

import pytest

from garden.serve.http import make_server

PUBLIC = "https://user.github.io"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
EXTRA_CONFIG = """
figures:
  pareto:
    output: images/pareto
    points:
      - {label: Linear, realism: 0.2, tractability: 0.9, note: Linear regression}
      - {label: NTK, realism: 0.4, tractability: 0.7, note: Neural Tangent Kernel}
  graph:
    output: images/graph
"""


@dataclass
class Page:
    """What a crawled page names: where it links, and which ids it has for #anchors."""

    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


class LinkParser(HTMLParser):
    """Every URL an HTML page (inline SVG included) asks a browser or a crawler to fetch."""

    URL_ATTRS = frozenset({"href", "src", "data", "poster", "action", "xlink:href"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.page.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.page.ids.add(values["name"])
        for name, value in values.items():
            if name in self.URL_ATTRS and value:
                self.page.links.append(value)
            elif name.startswith("data-") and value.startswith(("/", "http")) and " " not in value:
                self.page.links.append(value)  # what scripts fetch (a search index, the base path)
            elif name in ("srcset", "imagesrcset"):
                self.page.links += [part.split()[0] for part in value.split(",") if part.strip()]
        if tag == "meta":
            if values.get("http-equiv", "").lower() == "refresh":
                self.page.links.append(values["content"].split("url=", 1)[1])
            prop = values.get("property") or values.get("name") or ""
            if prop in ("og:image", "og:url", "twitter:image"):
                self.page.links.append(values["content"])


def parse_html(text: str) -> Page:
    parser = LinkParser()
    parser.feed(text)
    return parser.page


def parse_css(text: str) -> Page:
    """URLs a browser loads from a style sheet: of an @font-face ``src`` list, only the first
    (woff2, which every browser we serve reads; the woff/ttf fallbacks are never fetched)."""
    links: list[str] = []
    for declaration in re.findall(r"(?:src|background(?:-image)?)\s*:([^;}]+)", text):
        found = re.findall(r"url\(([^)]+)\)", declaration)
        if found:
            links.append(found[0].strip("'\""))
    return Page(links=links)


def parse_xml(text: str, url: str) -> Page:
    root = ET.fromstring(text)
    page = Page()
    if root.tag == f"{SITEMAP}urlset":
        page.links = [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
    elif root.tag == f"{ATOM}feed":
        page.links = [link.get("href", "") for link in root.iter(f"{ATOM}link")]
        page.links += [i.text or "" for i in root.iter(f"{ATOM}id") if (i.text or "").startswith(PUBLIC)]
        base = root.get("{http://www.w3.org/XML/1998/namespace}base") or url
        for content in root.iter(f"{ATOM}content"):  # links inside each note's full text
            page.links += [urljoin(base, link) for link in parse_html(content.text or "").links]
    return page


@dataclass
class Crawl:
    origin: str  # http://127.0.0.1:port
    base_path: str
    pages: dict[str, Page] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)
    fetched: int = 0

    def local(self, url: str) -> str | None:
        """The local URL for a link into the site, None for a link elsewhere."""
        if url.startswith(PUBLIC):
            url = self.origin + url[len(PUBLIC) :]
        parts = urlsplit(url)
        if parts.scheme in ("mailto", "javascript", "data", "urn"):
            return None
        if parts.scheme and f"{parts.scheme}://{parts.netloc}" != self.origin:
            return None
        return url

    def fetch(self, url: str) -> tuple[int, str, str]:
        self.fetched += 1
        assert self.fetched < 2000, "crawl does not stop"
        url = quote(url, safe=":/?#[]@!$&'()*+,;=%~")  # as a browser sends a non-ASCII path
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return (
                    answer.status,
                    answer.headers.get_content_type(),
                    answer.read().decode("utf-8", "replace"),
                )
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get_content_type(), error.read().decode("utf-8", "replace")

    def run(self, starts: list[str]) -> None:
        queue: list[tuple[str, str]] = [(self.origin + s, "start") for s in starts]
        anchors: list[tuple[str, str, str]] = []
        while queue:
            url, source = queue.pop()
            document, fragment = urldefrag(url)
            if fragment:
                anchors.append((document, unquote(fragment), source))
            if document in self.status:
                continue
            code, kind, body = self.fetch(document)
            self.status[document] = code
            expected = 404 if "/no/such/" in document else 200
            if code != expected:
                self.broken.append(f"{document} ({code}), linked from {source}")
                continue
            path = urlsplit(document).path
            if kind == "text/html":
                page = parse_html(body)
            elif kind == "text/css":
                page = parse_css(body)
            elif path.endswith(".xml") or kind in ("application/xml", "text/xml"):
                page = parse_xml(body, document)
            elif path.endswith(".svg"):
                page = parse_html(body)
            else:
                page = Page()
            self.pages[document] = page
            for link in page.links:
                target = self.local(urljoin(document, link))
                if target is not None:
                    queue.append((target, document))
        for document, fragment, source in anchors:
            page = self.pages.get(document)
            if page is not None and fragment not in page.ids:
                self.broken.append(f"{document}#{fragment}: no such id, linked from {source}")


@pytest.fixture
def served(basic, cli) -> Iterator:
    """Build the basic garden (plus figures and an awkward file name) and serve it."""

    def serve(base_url: str):
        with (basic.root / "garden.yaml").open("a", encoding="utf-8") as config:
            config.write(EXTRA_CONFIG)
        basic.note("Über Kernels & more.md", "See [[Neural Tangent Kernel#Training dynamics]].\n")
        basic.note("models/figures.md", "![Pareto](/images/pareto.png)\n\n![Graph](/images/graph.png)\n")
        result = cli(basic, "--base-url", base_url)
        assert result.code == 0, result.output
        server, _ = make_server(basic.site, "127.0.0.1", 0, base_url)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append(server)
        host, port = server.server_address[:2]
        return f"http://{host}:{port}"

    servers: list = []
    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("base_url", "base_path"),
    [
        ("https://user.github.io/garden/", "/garden/"),
        ("https://user.github.io/garden", "/garden/"),  # as actions/configure-pages gives it
        ("https://user.github.io/", "/"),
        ("/", "/"),
    ],
)
def test_crawl_finds_nothing_broken(served, basic, base_url, base_path):
    origin = served(base_url)
    crawl = Crawl(origin, base_path)
    starts = ["", "sitemap.xml", "feed.xml", "robots.txt", "404.html", "no/such/page/", "no/such/deeper/x"]
    starts.append("ntk/")  # an old address kept by `aliases: [NTK]`: nothing links to it
    # old addresses in the authors' own capitals (urls: lowercase redirects them): nothing links there
    starts += ["digitalGarden/NNGP/", quote("Über-Kernels-more/")]
    crawl.run([base_path + s for s in starts])
    assert not crawl.broken, "\n".join(crawl.broken)
    crawled = {urlsplit(url).path for url in crawl.status}
    # everything the site holds was reached by following links, the card of every note included
    for expected in (
        "",
        "models/nngp-ntk/ntk/",
        "über-kernels-more/",
        "ntk/",  # the alias redirect, and the page it sends to (above)
        "css/garden.css",
        "katex/fonts/KaTeX_Main-Regular.woff2",
        "images/pareto.svg",
        "images/graph.svg",
        "images/frontier.png",
        "cards/models/nngp-ntk/ntk.png",
        "cards/_garden.png",
        "references.bib",
        "js/not-found.js",
        "js/citation.js",
    ):
        assert unquote(base_path + expected) in {unquote(p) for p in crawled}, expected
    written = {
        p.relative_to(basic.site).as_posix()
        for p in basic.site.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name not in ("CNAME",)
    }
    reached = {unquote(p)[len(base_path) :] for p in crawled}
    reached |= {p + "index.html" for p in reached if p.endswith("/") or p == ""}
    unreached = {
        path for path in written if path not in reached and not path.startswith(("katex/fonts/", "pagefind/"))
    }  # KaTeX's CSS names every font; pages use only some of them, all are checked when named
    assert not unreached, sorted(unreached)


def test_no_internal_url_forgets_the_sub_path(served, basic):
    served("https://user.github.io/garden/")
    outside = re.compile(r'(?:href|src|content)="(/(?!garden/)[^"]*)"')
    for page in basic.site.rglob("*.html"):
        assert not outside.findall(page.read_text(encoding="utf-8")), page
    for name in ("feed.xml", "sitemap.xml", "robots.txt"):
        text = (basic.site / name).read_text(encoding="utf-8")
        urls = re.findall(r"https://user\.github\.io(/[^\s\"<]*)", text)
        assert urls and all(url.startswith("/garden/") for url in urls), name
