"""What a page says about itself to link previews and search engines.

Open Graph and Twitter meta, the canonical URL, and a description: the front-matter's, else
the note's first paragraph as plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markdown_it.token import Token

from garden.core.addresses import CARD_HEIGHT, CARD_WIDTH, FEED, card_file, page_slug
from garden.pages.templates import Page

if TYPE_CHECKING:
    from garden.model import Garden

DESCRIPTION_LIMIT = 200


def _plain(children: list[Token] | None) -> str:
    parts: list[str] = []
    for child in children or []:
        if child.type in ("image", "wikiembed", "html_inline"):
            continue  # pictures and embeds say nothing in a one-line description
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("math_inline", "math_inline_double"):
            parts.append(f"${child.content}$")
        elif child.type == "wikilink":
            meta = child.meta or {}
            parts.append(meta.get("label") or meta.get("target") or child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.children:
            parts.append(_plain(child.children))
    return " ".join("".join(parts).split())


def first_paragraph(tokens: list[Token]) -> str:
    """Plain text of the first paragraph with words in it (images and embeds alone are skipped)."""
    for index, token in enumerate(tokens):
        if token.type != "paragraph_open" or index + 1 >= len(tokens):
            continue
        text = _plain(tokens[index + 1].children)
        if text:
            return text
    return ""


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """At most ``limit`` characters, cut at a word with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–—")
    return cut + "…"


def summaries(tokens: dict[str, list[Token]]) -> dict[str, str]:
    """Note slug -> a one-paragraph summary, for notes without a written description."""
    return {slug: shorten(first_paragraph(toks)) for slug, toks in tokens.items()}


def page_meta(garden: Garden, page: Page) -> dict[str, Any]:
    """Canonical URL, Open Graph and Twitter fields for one page (notes also get their dates)."""
    context = page.context
    kind = context.get("kind", "")
    slug = page_slug(page.path)
    urls = garden.urls
    note = garden.notes.get(slug) if slug is not None and kind == "note" else None
    description = context.get("description") or ""
    if not description and slug is not None and kind in ("note", "section", "home"):
        description = garden.summaries.get(slug, "")
        if kind == "note":
            context["description"] = description  # the page's <meta name="description"> too
    card = card_file(slug if slug is not None and kind in ("note", "section") else None)
    return {
        "type": "article" if kind == "note" else "website",
        "title": context.get("title") or garden.config.title,
        "site_name": garden.config.title,
        "description": description or garden.config.description,
        "canonical": "" if kind == "404" else urls.absolute(context.get("url") or urls.page("")),
        "image": urls.absolute(urls.file(card)),
        "image_alt": f"{context.get('title') or garden.config.title} · {garden.config.title}",
        "image_width": CARD_WIDTH,
        "image_height": CARD_HEIGHT,
        "published": note.date if note is not None else None,
        "modified": note.updated if note is not None else None,
        "tags": list(note.tags) if note is not None else [],
        "feed": urls.file(FEED),
        "noindex": kind in ("404", "redirect"),
    }


def add_meta(garden: Garden, pages: list[Page]) -> None:
    """Give every page its ``social`` context (templates show it in <head>)."""
    for page in pages:
        page.context.setdefault("social", page_meta(garden, page))
