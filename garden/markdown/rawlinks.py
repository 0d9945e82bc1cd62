"""Site-absolute addresses in a note's raw HTML (``<a href="/…">``, ``<img src="/…">``,
``srcset``, ``poster``, ``data``, ``action``, CSS ``url(/…)``) become links like Markdown ones.

Raw HTML is passed on as written, so ``/digitalGarden/NNGP`` in it would miss the base path
when the site is served under ``/REPO/``, and a lower-cased garden's address. Each such address
is recorded as a link and its value replaced by a placeholder that ``linking/fill.py`` fills
with the address the resolver finds (or, for a page outside the garden, the address as written
under the base path), encoded for where it stands (``address_text``). Kinds: ``html-link``
(``href``, ``action``…), ``html-src`` (``src``, ``poster``, ``data``), ``html-srcset`` (one
candidate of a ``srcset``), ``css-url`` (in a ``style`` attribute) and ``style-url`` (in a
``<style>`` element, whose text is not HTML-decoded). Relative and external addresses are
left alone: the browser reads them as the author meant.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import quote

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from garden.core.rawaddresses import (
    ATTRIBUTE,
    LINK_ATTRIBUTES,
    SOURCE_ATTRIBUTES,
    SRCSET_ATTRIBUTES,
    STYLE_ATTRIBUTES,
    attribute_value,
    css_urls,
    site_absolute,
    srcset_urls,
)
from garden.markdown.links import LinkRef
from garden.markdown.placeholders import url_of
from garden.sources.notes import Note

RAW_KINDS = frozenset({"html-link", "html-src", "html-srcset", "css-url", "style-url"})
FILE_KINDS = frozenset({"html-src", "html-srcset", "css-url", "style-url"})  # resolved as files
_TAG_OR_STYLE = re.compile(
    r"(?P<open><style\b[^<>]*>)(?P<css>.*?)(?=</style\s*>|\Z)|<[A-Za-z][\w:-]*(?:\s[^<>]*)?>",
    re.IGNORECASE | re.DOTALL,
)
# What must not stand bare in each place, beyond HTML's own escaping: a srcset's separators,
# and what would end a CSS url() or string (plus ``<``, which could end a <style> element).
_UNSAFE = {
    "html-srcset": " \t\n\r\f,",
    "css-url": " \t\n\r\f\"'()\\",
    "style-url": " \t\n\r\f\"'()\\<>",
}


def address_text(kind: str, address: str) -> str:
    """``address`` as it is written back where the placeholder of a ``kind`` link stands."""
    unsafe = _UNSAFE.get(kind, "")
    if unsafe and any(char in unsafe for char in address):
        address = "".join(quote(char, safe="") if char in unsafe else char for char in address)
    return address if kind == "style-url" else escapeHtml(address)


def raw_html_links(note: Note, tokens: list[Token], refs: list[LinkRef]) -> None:
    """Record the site-absolute addresses of raw HTML as links (appended to ``refs``) and put
    placeholders where they were."""
    for block in tokens:
        if block.type == "html_block":
            block.content = _rewrite(block.content, note, block.map[0] if block.map else 0, refs)
        elif block.type == "inline" and block.children:
            line = block.map[0] if block.map else 0
            for child in block.children:
                if child.type == "html_inline":
                    child.content = _rewrite(child.content, note, line, refs)
                elif child.type in ("softbreak", "hardbreak"):
                    line += 1


def _rewrite(text: str, note: Note, first_line: int, refs: list[LinkRef]) -> str:
    if "/" not in text or ("=" not in text and "url(" not in text.lower() and "@import" not in text.lower()):
        return text

    def record(kind: str, value: str, offset: int) -> str:
        line = note.file_line(first_line + text.count("\n", 0, offset))
        refs.append(LinkRef(kind, value, line=line, raw=value))
        return url_of(len(refs) - 1)

    def piece(match: re.Match[str]) -> str:
        if match.group("open") is not None:
            css, start = match.group("css"), match.start("css")
            rewritten = _replace_spans(css, css_urls(css), lambda v, at: record("style-url", v, start + at))
            opening = _tag(match.group("open"), match.start(), record)
            return opening + (css if rewritten is None else rewritten)
        return _tag(match.group(0), match.start(), record)

    return _TAG_OR_STYLE.sub(piece, text)


def _tag(tag: str, offset: int, record: Callable[[str, str, int], str]) -> str:
    def attribute(found: re.Match[str]) -> str:
        name = found.group("name").lower()
        value = html.unescape(attribute_value(found))
        at = offset + found.start()
        if name in LINK_ATTRIBUTES or name in SOURCE_ATTRIBUTES:
            if not site_absolute(value):
                return found.group(0)
            kind = "html-link" if name in LINK_ATTRIBUTES else "html-src"
            return f'{found.group("lead")}"{record(kind, value, at)}"'
        if name in SRCSET_ATTRIBUTES:
            kind, spans = "html-srcset", srcset_urls(value)
        elif name in STYLE_ATTRIBUTES:
            kind, spans = "css-url", css_urls(value)
        else:
            return found.group(0)
        rewritten = _replace_spans(value, spans, lambda v, _: record(kind, v, at), escape=True)
        return found.group(0) if rewritten is None else f'{found.group("lead")}"{rewritten}"'

    return ATTRIBUTE.sub(attribute, tag)


def _replace_spans(
    text: str, spans: list[tuple[int, int]], placeholder: Callable[[str, int], str], escape: bool = False
) -> str | None:
    """``text`` with its site-absolute addresses at ``spans`` made placeholders (the rest
    HTML-escaped if ``escape``), or None when it has none."""
    if not any(site_absolute(text[a:b]) for a, b in spans):
        return None
    out, last = [], 0
    for start, end in spans:
        if not site_absolute(text[start:end]):
            continue
        before = text[last:start]
        out.append(escapeHtml(before) if escape else before)
        out.append(placeholder(text[start:end], start))
        last = end
    out.append(escapeHtml(text[last:]) if escape else text[last:])
    return "".join(out)
