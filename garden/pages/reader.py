"""Reader features wired into the page emitters: header tools, the graph page, local graphs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from garden.core import addresses
from garden.core.paths import Urls
from garden.pages.graphview import graph_data, graph_page_context, local_graph_svg
from garden.pages.templates import Page, markup

if TYPE_CHECKING:
    from garden.model import Garden


def site_extras(urls: Urls) -> dict[str, str]:
    """What every page's header and scripts need to reach search, the graph and our JS."""
    return {
        "graph_url": urls.page(addresses.GRAPH),
        "script_url": urls.file(addresses.GARDEN_JS),
        "graph_script_url": urls.file(addresses.GRAPH_JS),
        "search_url": urls.file(addresses.SEARCH_JS),
        "favicon_url": urls.file(addresses.FAVICON),
    }


def note_extras(garden: Garden, slug: str) -> dict[str, Any]:
    """What a note page shows beside its text: its local graph and its other names."""
    return {
        "local_graph": markup(local_graph_svg(slug, garden.view(), garden)),
        "aliases": garden.notes[slug].aliases,
    }


def graph_pages(garden: Garden) -> list[Page]:
    """The page of the whole garden's graph."""
    return [
        Page(addresses.page_file(addresses.GRAPH), "graph.html", graph_page_context(garden.view(), garden))
    ]


def graph_files(garden: Garden, cache: Any = None) -> dict[str, bytes]:
    """The graph page's data: positions computed at build time."""
    return {addresses.GRAPH_DATA: graph_data(garden.view(), garden, cache)}
