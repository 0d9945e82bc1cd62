"""Machine-read files: ``sitemap.xml`` and the Atom feed ``feed.xml`` (RFC 4287).

Both are built with ElementTree, so they are well-formed whatever the notes contain. Dates
come from the notes only (never the clock): the feed's ``updated`` is its newest entry's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from garden.core.addresses import FEED, page_slug

if TYPE_CHECKING:
    from garden.model import Garden

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
EPOCH = date(1970, 1, 1)  # a feed whose notes have no dates at all still needs one
_URL_ATTR = re.compile(r"""(\s(?:href|src)=)(["'])(.*?)\2""")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Entry:
    """One published note as the feed and the sitemap see it."""

    slug: str
    title: str
    url: str  # absolute when the base URL has a host
    created: date | None
    updated: date | None
    summary: str
    html: str
    tags: tuple[str, ...]
    order: tuple[int, str, str] = field(init=False, repr=False, compare=False)  # newest first, then title

    def __post_init__(self) -> None:
        newest = self.updated or self.created or EPOCH
        object.__setattr__(self, "order", (-newest.toordinal(), self.title.casefold(), self.slug))

    @property
    def newest(self) -> date | None:
        return self.updated or self.created


def _clean(text: str) -> str:
    """Characters XML 1.0 cannot hold are dropped (a stray control character must not break the feed)."""
    return _NOT_XML.sub("", text)


def absolute_links(html: str, page_url: str, garden: Garden) -> str:
    """A note's HTML made to work outside its page: ``#anchors`` point at the note's URL and
    site paths carry the host, since many feed readers ignore ``xml:base``."""

    def fix(match: re.Match[str]) -> str:
        value = match.group(3)
        if value.startswith("#"):
            value = page_url + value
        if value.startswith("/") and not value.startswith("//"):
            value = garden.urls.absolute(value)
        return f"{match.group(1)}{match.group(2)}{value}{match.group(2)}"

    return _URL_ATTR.sub(fix, html)


_KATEX = '<span class="katex">'
_SPAN = re.compile(r"<span\b|</span>")


def mathml_only(html: str) -> str:
    """Each KaTeX formula as its MathML alone: feed readers cannot load KaTeX's style sheet and
    fonts, without which its HTML rendering is a jumble, and it is most of a formula's bytes."""
    out: list[str] = []
    at = 0
    while (start := html.find(_KATEX, at)) >= 0:
        math_start, math_end = html.find("<math", start), html.find("</math>", start)
        if math_start < 0 or math_end < 0:
            break
        depth, end = 0, -1
        for tag in _SPAN.finditer(html, start):
            depth += 1 if tag.group() != "</span>" else -1
            if depth == 0:
                end = tag.end()
                break
        if end < 0:
            break
        out += [html[at:start], html[math_start : math_end + len("</math>")]]
        at = end
    out.append(html[at:])
    return "".join(out)


def stamp(day: date) -> str:
    """RFC 3339 date-time for a date: midnight UTC."""
    return f"{day.isoformat()}T00:00:00Z"


def entries(garden: Garden, keep: Mapping[str, Entry] | None = None) -> list[Entry]:
    """Every published note except the home page's text, newest first (then by title).

    ``keep``: entries known to be unchanged since the last build (the preview's quick rebuilds
    pass all but the edited notes'), reused rather than made again for every note."""
    keep = keep or {}
    result = []
    for slug, note in garden.notes.items():
        if not slug:
            continue
        entry = keep.get(slug)
        if entry is None:
            entry = Entry(
                slug=slug,
                title=garden.title_of(slug),
                url=garden.urls.absolute(garden.urls.page(slug)),
                created=note.date,
                updated=note.updated,
                summary=note.description or garden.summaries.get(slug, ""),
                html="",  # filled by with_content, for the entries the feed keeps
                tags=tuple(note.tags),
            )
        result.append(entry)
    return sorted(result, key=lambda e: e.order)


def with_content(garden: Garden, notes: list[Entry], limit: int) -> list[Entry]:
    """The newest ``limit`` entries with their full content (a feed of every note would be huge)."""
    from dataclasses import replace

    result = []
    host = garden.urls.absolute("/")
    for entry in notes[:limit]:
        body = garden.body(entry.slug)
        key = (body.key, entry.slug, host)  # the key is a fingerprint of the filled body
        html = _ABSOLUTE.get(key)
        if html is None:
            if len(_ABSOLUTE) > 4 * limit:
                _ABSOLUTE.clear()
            html = absolute_links(mathml_only(str(body)), garden.urls.page(entry.slug), garden)
            _ABSOLUTE[key] = html
        result.append(replace(entry, html=html))
    return result


# Bodies made absolute for the feed, by fingerprint: the preview rewrites the feed on every
# rebuild, and all but the edited note are the same as last time.
_ABSOLUTE: dict[tuple[str, str, str], str] = {}


def entry_id(garden: Garden, entry_url: str, slug: str) -> str:
    """An entry's permanent IRI: its absolute URL, else (no host known) a URN from its slug."""
    if "://" in entry_url:
        return entry_url
    return "urn:garden:" + quote(slug or "home", safe="/-._~")


def _serialize(root: ET.Element) -> bytes:
    ET.indent(root)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(root, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )


def atom_feed(garden: Garden, notes: list[Entry]) -> bytes:
    """The Atom feed: every note with its full rendered content."""
    urls = garden.urls
    config = garden.config
    home = urls.absolute(urls.page(""))
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _clean(v) for k, v in attrs.items()})
        if text is not None:
            element.text = _clean(text)
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    if "://" in home:
        feed.set("{http://www.w3.org/XML/1998/namespace}base", home)
    sub(feed, "id", entry_id(garden, home, ""))
    sub(feed, "title", config.title)
    if config.description:
        sub(feed, "subtitle", config.description)
    newest = max((e.newest for e in notes if e.newest), default=EPOCH)
    sub(feed, "updated", stamp(newest))
    author = sub(feed, "author")
    sub(author, "name", config.author or config.title)
    sub(feed, "link", rel="self", type="application/atom+xml", href=urls.absolute(urls.file(FEED)))
    sub(feed, "link", rel="alternate", type="text/html", href=home)
    sub(feed, "generator", "garden")
    for note in notes:
        item = sub(feed, "entry")
        sub(item, "id", entry_id(garden, note.url, note.slug))
        sub(item, "title", note.title)
        sub(item, "link", rel="alternate", type="text/html", href=note.url)
        sub(item, "updated", stamp(note.newest or newest))
        if note.created:
            sub(item, "published", stamp(note.created))
        for tag in note.tags:
            sub(item, "category", term=tag)
        if note.summary:
            sub(item, "summary", note.summary)
        sub(item, "content", note.html, type="html")
    return _serialize(feed)


def sitemap(garden: Garden, page_paths: list[str], notes: list[Entry]) -> bytes:
    """``sitemap.xml``: every HTML page but the 404 page and redirects, notes with their dates.

    Written as text, not through ElementTree: it is rewritten on every rebuild the preview
    makes, and this is ten times quicker (the same bytes ElementTree would write).
    """
    lines = ['<?xml version="1.0" encoding="utf-8"?>']
    if not page_paths:
        lines.append(f'<urlset xmlns="{SITEMAP}" />')
        return ("\n".join(lines) + "\n").encode("utf-8")
    by_slug = {e.slug: e for e in notes}
    lines.append(f'<urlset xmlns="{SITEMAP}">')
    for path in sorted(page_paths):
        slug = page_slug(path) or ""
        entry = by_slug.get(slug)
        url = entry.url if entry else garden.urls.absolute(garden.urls.page(slug))
        newest = entry.newest if entry else None
        lines.append(_url_block(url, newest))
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


@lru_cache(maxsize=200_000)
def _url_block(url: str, modified: date | None) -> str:
    """One page's ``<url>``: memoised, since the preview rewrites the sitemap on every rebuild."""
    lastmod = f"\n    <lastmod>{modified.isoformat()}</lastmod>" if modified else ""
    return f"  <url>\n    <loc>{escape(url)}</loc>{lastmod}\n  </url>"
