"""Site-absolute addresses in a note's raw HTML (``<a href="/…">``, ``<img src="/…">``) become
links like Markdown ones.

Raw HTML is passed on as written, so ``/digitalGarden/NNGP`` in it would miss the base path
when the site is served under ``/REPO/``, and a lower-cased garden's address. Each such
``href``/``src`` is recorded as a link (kind ``html-link`` or ``html-src``) and its value
replaced by a placeholder that ``linking/fill.py`` fills with the address the resolver finds
(or, for a page outside the garden, the address as written under the base path). Relative and
external addresses are left alone: the browser reads them as the author meant.
"""

from __future__ import annotations

import html
import re

from markdown_it.token import Token

from garden.markdown.links import LinkRef
from garden.markdown.placeholders import url_of
from garden.sources.notes import Note

_TAG = re.compile(r"<[A-Za-z][\w:-]*(?:\s[^<>]*)?>")
_ADDRESS = re.compile(
    r"""(?P<lead>\s(?P<name>href|src)\s*=\s*)(?:"(?P<double>/(?!/)[^"]*)"|'(?P<single>/(?!/)[^']*)'|(?P<bare>/(?!/)[^\s"'=<>`]*))""",
    re.IGNORECASE,
)


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
    if "/" not in text or "=" not in text:
        return text

    def tag(match: re.Match[str]) -> str:
        line = note.file_line(first_line + text.count("\n", 0, match.start()))

        def address(found: re.Match[str]) -> str:
            written = found.group("double") or found.group("single") or found.group("bare") or ""
            value = html.unescape(written)
            kind = "html-src" if found.group("name").lower() == "src" else "html-link"
            refs.append(LinkRef(kind, value, line=line, raw=value))
            return f'{found.group("lead")}"{url_of(len(refs) - 1)}"'

        return _ADDRESS.sub(address, match.group(0))

    return _TAG.sub(tag, text)
