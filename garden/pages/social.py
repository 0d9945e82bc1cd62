"""What a page says about itself to link previews and search engines.

Open Graph and Twitter meta, the canonical URL, and a description: the front-matter's, else
the note's first paragraph as plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from garden.core.addresses import CARD_HEIGHT, CARD_WIDTH, FEED, card_file, page_slug
from garden.pages.templates import Page

if TYPE_CHECKING:
    from garden.model import Garden


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
        "image_alt": _image_alt(garden, kind, context.get("title") or ""),
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


def _image_alt(garden: Garden, kind: str, title: str) -> str:
    """What the card shows: the page's title and the garden's name; the home page's card shows
    the garden's name and its description (its alt would otherwise repeat the name twice)."""
    site = garden.config.title
    if kind == "home" or not title or title == site:
        about = garden.config.description
        return f"Card of {site}: {about}" if about else f"Card of {site}"
    return f"{title} · {site}"
