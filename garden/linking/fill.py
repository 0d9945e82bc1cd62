"""Fill a note's body placeholders with resolved links, embeds, transclusions and figures.

Bodies are compiled once per note with placeholders (``markdown/html.py``); here they meet the rest of
the garden. ``key`` fingerprints what a filled body would be without filling it, so the build
can tell which pages changed cheaply.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from garden.core.paths import Urls
from garden.linking.cite import Citer
from garden.linking.numbered import NumberedBlocks
from garden.linking.resolve import IMAGE_SUFFIXES, Target
from garden.markdown import placeholders
from garden.markdown.links import LinkRef
from garden.markdown.placeholders import LINK
from garden.markdown.rawlinks import address_text

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def escapeHtml(text: str) -> str:
    return text.translate(_ESCAPES)


_HEADING_ID = re.compile(r'<h([1-6]) id="[^"]*">')
_HEADING_LINK = re.compile(r' <a class="heading-link" href="[^"]*" aria-label="Link to this section">#</a>')
_BLOCK_START = re.compile(r"<(p|li|h[1-6]|td|th)\b[^>]*>")
_BLOCK_ID = re.compile(r' id="\^[A-Za-z0-9-]*"')  # ids of blocks named ``^id`` (markdown/blocks.py)
MAX_DEPTH = 8


class Figure(Protocol):
    """A figure the build draws (``figures/``): what a page needs to show it inline."""

    name: str

    @property
    def svg(self) -> str: ...
    @property
    def svg_hash(self) -> str: ...
    @property
    def png(self) -> str: ...
    @property
    def png2x(self) -> str: ...
    @property
    def svg_path(self) -> str: ...


def target_url(urls: Urls, target: Target) -> str:
    if target.kind in ("note", "section"):
        return urls.page(target.slug, target.anchor)
    if target.kind == "file":
        return urls.file(target.slug) + ("#" + target.anchor if target.anchor else "")
    if target.kind == "anchor":
        return "#" + target.anchor
    if target.kind == "external":
        return target.slug
    return ""


def figure_html(urls: Urls, figure: Figure, caption: str) -> str:
    """A generated figure, inlined as SVG (crisp, its links work, it follows dark mode)."""
    png, png2x, svg = (escapeHtml(urls.file(p)) for p in (figure.png, figure.png2x, figure.svg_path))
    return (
        f'<figure class="figure figure-{figure.name}">{figure.svg}'
        f"<figcaption>{escapeHtml(caption)} · "
        f'<a href="{png}">PNG</a> (<a href="{png2x}">2×</a>) · <a href="{svg}">SVG</a></figcaption></figure>'
    )


@dataclass
class Filler:
    """Fills bodies for one build; memoises fingerprints."""

    urls: Urls
    refs: dict[str, list[LinkRef]]  # slug -> the note's links
    targets: dict[str, list[Target]]  # slug -> where they point
    html_of: Callable[[str], str]  # slug -> body template (may load from the cache)
    html_hash: dict[str, str]
    title_of: Callable[[str], str]
    section_text: dict[str, str]  # section path -> slug of the note that is its text
    figures: dict[str, Figure] = field(default_factory=dict)
    size_of: Callable[[str], tuple[int, int] | None] = lambda path: None  # a linked image's pixels
    citer: Citer | None = None  # fills [@key] citations and References
    numbered: NumberedBlocks = field(default_factory=NumberedBlocks)  # links print "Theorem 2"
    _keys: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ fingerprints

    def key(self, slug: str, stack: tuple[str, ...] = ()) -> str:
        """A hash that changes whenever the filled body of ``slug`` would change."""
        if slug in self._keys and not stack:
            return self._keys[slug]
        parts = [self.html_hash.get(slug, ""), self.urls.base_url]
        if self.citer is not None:
            parts += self.citer.key_parts(slug)
        for ref, target in zip(self.refs.get(slug, []), self.targets.get(slug, []), strict=True):
            parts.append(f"{target.kind}\x01{target.slug}\x01{target.anchor}")
            if ref.heading and target.anchor:
                parts.append(self.numbered.text(self._anchor_slug(slug, target), target.anchor) or "")
            if ref.kind in ("embed", "image"):
                embedded = self._embedded_slug(target)
                if embedded and embedded not in stack and len(stack) < MAX_DEPTH:
                    parts.append(self.title_of(embedded) + self.key(embedded, (*stack, slug)))
                figure = self.figures.get(target.slug) if target.kind == "file" else None
                if figure is not None:
                    parts.append(figure.svg_hash)
                elif target.kind == "file":
                    parts.append(str(self.size_of(target.slug)))
        key = hashlib.blake2b("\x00".join(parts).encode(), digest_size=12).hexdigest()
        if not stack:
            self._keys[slug] = key
        return key

    def _embedded_slug(self, target: Target) -> str:
        if target.kind == "note":
            return target.slug
        if target.kind == "section":
            return self.section_text.get(target.slug, "")
        return ""

    # ------------------------------------------------------------------ filling

    def heading_html(self, slug: str, html: str) -> str:
        """A heading's HTML for the table of contents: its citations as text (``Heading.html``
        keeps their placeholders)."""
        if "\x02" not in html:
            return html
        citer = self.citer
        return LINK.sub(
            lambda m: citer.cluster_text(slug, int(m.group(2))) if citer and m.group(1) == "k" else "", html
        )

    def body(self, slug: str) -> str:
        """The page's body. Notes it embeds bring no References of their own: what they cite
        joins the page's one list (added at the end when the page itself cites nothing)."""
        template = self.html_of(slug)
        embedded_cites: list[str] = []
        html = self._fill(slug, template, (slug,), embedded_cites)
        if embedded_cites and self.citer is not None and placeholders.references() not in template:
            html += self.citer.references_html(slug, embedded_cites)
        return html

    def _fill(self, slug: str, template: str, stack: tuple[str, ...], embedded_cites: list[str]) -> str:
        refs = self.refs.get(slug, [])
        targets = self.targets.get(slug, [])

        def replace(match: re.Match[str]) -> str:
            kind, arg = match.group(1), match.group(2)
            if kind in "kr":
                if self.citer is None:
                    return ""
                host = stack[0]
                if kind == "r":  # an embedded note's References join the page's
                    return self.citer.references_html(slug, embedded_cites) if host == slug else ""
                if host != slug:
                    embedded_cites.extend(self.citer.keys_of(slug, int(arg)))
                return self.citer.cluster(slug, int(arg), host)
            if kind == "t":
                return self._link_text(slug, refs[int(arg)], targets[int(arg)])
            if kind in "pq":
                indices = [int(i) for i in arg.split(",") if i]
                block = all(self._is_block(refs[i], targets[i]) for i in indices)
                return "" if block else ("<p>" if kind == "p" else "</p>")
            index = int(arg)
            ref, target = refs[index], targets[index]
            if target.kind == "anchor" and stack[0] != slug:  # ``[[#h]]`` of an embedded note
                target = Target("note", slug, target.anchor)
            if kind == "u":
                return address_text(ref.kind, self._address(ref, target))
            if kind == "o":
                return self._open(ref, target)
            if kind == "c":
                return self._close(target)
            return self._embed(ref, target, stack, embedded_cites)

        return LINK.sub(replace, template)

    @staticmethod
    def _anchor_slug(slug: str, target: Target) -> str:
        return slug if target.kind == "anchor" else target.slug

    def _link_text(self, slug: str, ref: LinkRef, target: Target) -> str:
        """A heading link's text: a numbered block's name ("Theorem 2"), else as written."""
        numbered = self.numbered.text(self._anchor_slug(slug, target), target.anchor)
        if numbered is not None and target.kind == "anchor":
            return escapeHtml(numbered)
        if numbered is not None and target.kind == "note":
            return escapeHtml(f"{ref.target} › {numbered}" if ref.target else numbered)
        path = " › ".join(part for part in ref.heading.split("#") if part.strip())  # ``#H1#H2``
        return escapeHtml(ref.target + (" › " + path if path else "") if ref.target else path)

    def _is_block(self, ref: LinkRef, target: Target) -> bool:
        if target.kind == "file":
            return target.slug in self.figures
        return ref.kind == "embed" and bool(self._embedded_slug(target))

    def _open(self, ref: LinkRef, target: Target) -> str:
        title = f' title="{escapeHtml(ref.title)}"' if ref.title else ""
        if target.kind == "planned":
            name = escapeHtml(target.slug)
            return f'<span class="planned-link" title="Planned note: {name} (not written yet)">'
        if target.kind in ("unsafe", "missing"):
            return '<span class="broken-link">'
        href = escapeHtml(target_url(self.urls, target))
        if target.kind == "external":
            return f'<a class="external" href="{href}" rel="noopener"{title}>'
        return f'<a class="internal" href="{href}"{title}>'

    def _address(self, ref: LinkRef, target: Target) -> str:
        """An address of raw HTML: where the link resolved to, else (a page outside the garden,
        already reported) the address as written, under the site's base path."""
        if target.kind in ("note", "section", "file", "anchor"):
            return target_url(self.urls, target)
        return self.urls.base_path + ref.target.lstrip("/")

    @staticmethod
    def _close(target: Target) -> str:
        return "</span>" if target.kind in ("planned", "unsafe", "missing") else "</a>"

    def _embed(self, ref: LinkRef, target: Target, stack: tuple[str, ...], embedded_cites: list[str]) -> str:
        if ref.kind == "image":
            return self._image(ref, target)
        if target.kind == "planned":
            label = ref.label or ref.target
            return self._open(ref, target) + escapeHtml(label) + "</span>"
        if target.kind == "file":
            return self._embedded_file(ref, target)
        embedded = self._embedded_slug(target)
        if embedded:
            return self._transclude(embedded, target, stack, embedded_cites)
        if target.kind == "section":
            return self._open(ref, target) + escapeHtml(self.title_of(target.slug)) + "</a>"
        if target.kind == "missing":  # a file that is not there: an image, most likely
            return missing_image(ref.target)
        return f'<span class="broken-embed">{escapeHtml(ref.raw)}</span>'

    def _image(self, ref: LinkRef, target: Target) -> str:
        alt = escapeHtml(ref.label)
        if target.kind == "file" and target.slug in self.figures:
            return figure_html(self.urls, self.figures[target.slug], ref.title or ref.label)
        if target.kind not in ("file", "external"):
            return missing_image(ref.target)
        src = escapeHtml(target_url(self.urls, target))
        title = f' title="{escapeHtml(ref.title)}"' if ref.title else ""
        size = self._size(target.slug) if target.kind == "file" else ""
        return f'<img src="{src}" alt="{alt}"{title}{size} loading="lazy">'

    def _embedded_file(self, ref: LinkRef, target: Target) -> str:
        if target.slug in self.figures:
            return figure_html(self.urls, self.figures[target.slug], ref.label or ref.target)
        url = escapeHtml(self.urls.file(target.slug))
        suffix = "." + target.slug.rsplit(".", 1)[-1].lower() if "." in target.slug else ""
        if suffix not in IMAGE_SUFFIXES:
            return f'<a class="internal file" href="{url}">{escapeHtml(ref.target)}</a>'
        label, size = ref.label, ""
        alt = ref.target.rsplit("/", 1)[-1]
        width, _, height = label.partition("x")
        if width.isdigit() and (not height or height.isdigit()):
            size = f' width="{width}"' + (
                f' height="{height}"' if height else self._size(target.slug, int(width))
            )
        else:
            size = self._size(target.slug)
            alt = label or alt
        return f'<img src="{url}" alt="{escapeHtml(alt)}"{size} loading="lazy">'

    def _size(self, path: str, width: int = 0) -> str:
        """``width``/``height`` from the file (the height alone, scaled, when the note gave the
        width), so the page does not jump while the image loads."""
        known = self.size_of(path)
        if known is None or not known[0]:
            return ""
        if width:
            return f' height="{round(known[1] * width / known[0])}"'
        return f' width="{known[0]}" height="{known[1]}"'

    def _transclude(self, slug: str, target: Target, stack: tuple[str, ...], cites: list[str]) -> str:
        url = escapeHtml(self.urls.page(target.slug, target.anchor))
        link = f'<a class="internal" href="{url}">{escapeHtml(self.title_of(target.slug))}</a>'
        if slug in stack or len(stack) > MAX_DEPTH:
            message = f"Embedding {link} here would repeat forever."
            return f'<div class="transclusion transclusion-cycle">{message}</div>'
        template = self.html_of(slug)
        if target.anchor:
            sliced = (
                element_with_id(template, target.anchor)
                if target.anchor.startswith("^")
                else heading_section(template, target.anchor)
            )
            if sliced is None:
                what = "block" if target.anchor.startswith("^") else "heading"
                return f'<div class="transclusion">{link}: {what} not found.</div>'
            template = sliced
        template = _HEADING_LINK.sub("", _HEADING_ID.sub(r"<h\1>", template))
        template = _BLOCK_ID.sub("", template)  # ids stay unique in the page that embeds
        inner = self._fill(slug, template, (*stack, slug), cites)
        return (
            f'<blockquote class="transclusion" cite="{url}">\n'
            f'<div class="transclusion-source">{link}</div>\n{inner}</blockquote>\n'
        )


def missing_image(path: str) -> str:
    """What a page shows where an image is missing: a visible box that names the file, so the
    reader sees something is missing and the author sees which file."""
    name = escapeHtml(path)
    return (
        f'<span class="missing-image" role="img" aria-label="Missing image: {name}">'
        f"Missing image: <code>{name}</code></span>"
    )


def heading_section(html: str, anchor: str) -> str | None:
    """The part of a body under the heading with id ``anchor``, up to the next one as high."""
    match = re.search(rf'<h([1-6]) id="{re.escape(escapeHtml(anchor))}">', html)
    if match is None:
        return None
    level = int(match.group(1))
    end = re.compile(rf"<h[1-{level}][ >]|<hr class=\"footnotes-sep\"")
    stop = end.search(html, match.end())
    return html[match.start() : stop.start() if stop else len(html)]


def element_with_id(html: str, anchor: str) -> str | None:
    """The element of a body whose id is ``anchor`` (a named block), from its start tag to its end
    tag; a list item comes inside a list of its own, so it still shows as one."""
    start = re.search(rf'<([a-z][a-z0-9]*)\b[^>]*\sid="{re.escape(escapeHtml(anchor))}"[^>]*>', html)
    if start is None:
        return None
    tag = start.group(1)
    if tag == "span" and 'class="block-anchor"' in start.group(0):  # an id inside a block
        enclosing = list(_BLOCK_START.finditer(html, 0, start.start()))
        if not enclosing:
            return None
        start, tag = enclosing[-1], enclosing[-1].group(1)
    tags = re.compile(rf"<(/?){tag}\b[^>]*>")
    depth = 0
    for match in tags.finditer(html, start.start()):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            element = html[start.start() : match.end()] + "\n"
            return f"<ul>\n{element}</ul>\n" if tag == "li" else element
    return None
