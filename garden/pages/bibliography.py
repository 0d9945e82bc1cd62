"""The bibliography page: every work cited in the garden, each with the notes that cite it
(backlinks for papers), in the garden's citation order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from garden.core import addresses
from garden.core.addresses import page_file
from garden.linking.cite import ref_anchor
from garden.pages.templates import LinkView, Page

if TYPE_CHECKING:
    from garden.model import Garden


def bibliography_url(garden: Garden) -> str:
    """The page's URL, or "" when the garden cites nothing (then there is no page)."""
    citer = garden.filler.citer
    return garden.urls.page(addresses.BIBLIOGRAPHY_PAGE) if citer and citer.references else ""


def bibliography_page(garden: Garden, listing: Any, only: set[str] | None) -> list[Page]:
    citer = garden.filler.citer
    if citer is None or not citer.references:
        return []
    cited_by = citer.cited_by()
    works = sorted(citer.references.values(), key=lambda ref: ref.sort_key)
    entries = [
        {
            "anchor": ref_anchor(ref.key),
            "key": ref.key,
            "html": Markup(ref.html),  # formatted by pybtex from escaped text (markdown/references.py)
            "home": LinkView(garden.title_of(ref.home), garden.url_of(ref.home)) if ref.home else None,
            "cited_in": sorted(
                (LinkView(garden.title_of(slug), garden.url_of(slug)) for slug in cited_by.get(ref.key, [])),
                key=lambda link: (link.title.casefold(), link.url),
            ),
        }
        for ref in works
        if ref.key in cited_by
    ]
    context = {
        "kind": "bibliography",
        "title": "Bibliography",
        "description": "Every work cited in the garden, with the notes that cite it",
        "url": garden.urls.page(addresses.BIBLIOGRAPHY_PAGE),
        "breadcrumbs": [LinkView("Home", garden.urls.page(""))],
        "works": entries,
        "bibtex_url": garden.urls.file(addresses.BIBLIOGRAPHY),
    }
    return [Page(page_file(addresses.BIBLIOGRAPHY_PAGE), "bibliography.html", context)]
