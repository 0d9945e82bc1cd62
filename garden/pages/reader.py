"""Reader features wired into the page emitters: header tools, the graph page, local graphs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from garden.core.paths import Urls
from garden.pages.graphview import (
    DATA_FILE,
    GardenGraph,
    garden_graph,
    graph_data,
    graph_page_context,
    local_graph_svg,
)
from garden.pages.templates import Page, markup, page_path

if TYPE_CHECKING:
    from garden.build.builder import Garden

STYLESHEET = "css/reader.css"


def site_extras(urls: Urls) -> dict[str, str]:
    """What every page's header and scripts need to reach search, the graph and our JS."""
    return {
        "graph_url": urls.page("graph"),
        "script_url": urls.file("js/garden.js"),
        "graph_script_url": urls.file("js/graph.js"),
        "search_url": urls.file("pagefind/pagefind.js"),
        "favicon_url": urls.file("favicon.svg"),
    }


class Reader:
    """Computed once per build: the graph views' nodes, shared by every page."""

    def __init__(self, garden: Garden, view: GardenGraph | None = None) -> None:
        """``view``: the last build's, when nothing it shows can have changed (quick rebuilds)."""
        self.garden = garden
        self.view = view if view is not None else garden_graph(garden)

    def note_extras(self, slug: str) -> dict[str, Any]:
        return {
            "local_graph": markup(local_graph_svg(slug, self.view, self.garden)),
            "aliases": self.garden.notes[slug].aliases,
        }

    def pages(self) -> list[Page]:
        return [Page(page_path("graph"), "graph.html", graph_page_context(self.view, self.garden))]

    def files(self, cache: Any = None) -> dict[str, bytes]:
        return {DATA_FILE: graph_data(self.view, self.garden, cache)}
