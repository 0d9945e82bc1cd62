"""The site's own addresses: one table of every fixed page, folder and file a build writes,
where a page is written, and which first URL segments no note may take.

Everything that names ``tags/``, ``feed.xml`` or ``js/garden.js`` takes it from here, so the
reserved names cannot drift from the addresses they protect.
"""

from __future__ import annotations

# Pages the site makes itself (written as ``<slug>/index.html``).
TAGS = "tags"
PLANNED = "planned"
GRAPH = "graph"
BIBLIOGRAPHY_PAGE = "bibliography"  # every work cited in the garden

# Folders of files the site makes or copies.
CSS = "css"
JS = "js"
KATEX = "katex"
PAGEFIND = "pagefind"
CARDS = "cards"

# Files.
HOME_PAGE = "index.html"
NOT_FOUND_PAGE = "404.html"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOJEKYLL = ".nojekyll"
CNAME = "CNAME"
BIBLIOGRAPHY = "references.bib"
FAVICON = "favicon.svg"
GRAPH_DATA = f"{GRAPH}/graph.json"
GARDEN_CSS = f"{CSS}/garden.css"
READER_CSS = f"{CSS}/reader.css"
HIGHLIGHT_CSS = f"{CSS}/highlight.css"
KATEX_CSS = f"{KATEX}/katex.min.css"
KATEX_FONTS = f"{KATEX}/fonts"
GARDEN_JS = f"{JS}/garden.js"
GRAPH_JS = f"{JS}/graph.js"
NOT_FOUND_JS = f"{JS}/not-found.js"
CITATION_JS = f"{JS}/citation.js"
SEARCH_JS = f"{PAGEFIND}/pagefind.js"
SITE_CARD = f"{CARDS}/_garden.png"  # slugs never start with "_", so no note's card can be here
CARD_WIDTH, CARD_HEIGHT = 1200, 630

PAGE_FOLDERS = (TAGS, PLANNED, GRAPH, BIBLIOGRAPHY_PAGE)
ASSET_FOLDERS = (KATEX, CSS, JS, PAGEFIND)
# ``cards/`` is shared on purpose: a card is ``cards/<slug>.png`` and a slug has no ".", so a
# note under ``notes/cards/`` (``cards/<slug>/index.html``) can never meet one. Files at the
# root (``feed.xml``…) cannot meet a note either, for the same reason.
SHARED_FOLDERS = (CARDS,)

# A note whose URL starts with one of these would overwrite the site's own pages or files.
RESERVED = PAGE_FOLDERS + ASSET_FOLDERS


def page_file(slug: str) -> str:
    """Where the page with this slug is written, relative to the output folder."""
    return f"{slug}/index.html" if slug else HOME_PAGE


def page_slug(path: str) -> str | None:
    """The inverse of ``page_file``: ``a/b/index.html`` → ``a/b``; None for other files."""
    if path == HOME_PAGE:
        return ""
    if path.endswith("/index.html"):
        return path[: -len("/index.html")]
    return None


def tag_page(tag: str) -> str:
    """The slug of a tag's page (tags keep their own spelling: ``theory/kernels``)."""
    return f"{TAGS}/{tag}"


def card_file(slug: str | None) -> str:
    """Where a page's social card is written (the garden's own card for other pages)."""
    return f"{CARDS}/{slug}.png" if slug else SITE_CARD
