"""Page emitters: what each page shows, gathered from the Garden for its template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from garden.core import addresses
from garden.core.addresses import page_file, tag_page
from garden.pages.bibliography import bibliography_page, bibliography_url
from garden.pages.reader import graph_pages, note_extras, site_extras
from garden.pages.social import add_meta
from garden.pages.templates import LinkView, Page, markup, site_context
from garden.sources.taxonomy import Section

if TYPE_CHECKING:
    from garden.model import Garden

HOME_LIMIT = 12  # notes listed per section on the home page


def _sort_key(note: Any) -> tuple:
    return (note.weight is None, note.weight or 0, note.title.casefold(), note.slug)


def _breadcrumbs(garden: Garden, section: Section | None, include_self: bool) -> list[LinkView]:
    crumbs = [LinkView("Home", garden.urls.page(""))]
    if section is None:
        return crumbs
    chain = [*section.ancestors(), section] if include_self else section.ancestors()
    crumbs += [LinkView(node.title, garden.urls.page(node.path)) for node in chain]
    return crumbs


def _note_link(garden: Garden, slug: str, context: str = "") -> LinkView:
    return LinkView(garden.title_of(slug), garden.url_of(slug), context)


def _planned_link(garden: Garden, key: str) -> LinkView:
    entry = garden.links.planned[key]
    return LinkView(
        entry.name,
        garden.urls.page(addresses.PLANNED, entry.anchor),
        planned=True,
        count=len(entry.wanted_by),
    )


def _notes_in(garden: Garden) -> dict[str, list[str]]:
    """Section path -> slugs of its notes, in order (weight, then title)."""
    members: dict[str, list[Any]] = {}
    for slug, section in garden.section_of.items():
        if section is not None and slug not in garden.section_text:
            members.setdefault(section.path, []).append(garden.notes[slug])
    return {path: [n.slug for n in sorted(notes, key=_sort_key)] for path, notes in members.items()}


def _planned_in(garden: Garden) -> dict[str, list[str]]:
    """Section path -> planned keys its own text (its reading list) links to, in its order.

    A planned note belongs where the reading list puts it: a note of the section that merely
    mentions it does not list it there too (it shows under that note's links instead).
    """
    return {
        path: list(dict.fromkeys(garden.links.planned_out.get(text.slug, [])))
        for path, text in garden.section_text.items()
    }


def _listed_elsewhere(garden: Garden) -> dict[str, list[LinkView]]:
    """Section path -> notes its reading list links to that are filed in another branch.

    The reading list names a note where the author wants it read (the tutorial on lazy and
    rich training under NNGP / NTK, though it is filed with µP), so the section lists it too,
    by the heading it points at when the link names one. Notes filed in the section itself
    or below it are listed there already.
    """
    result: dict[str, list[LinkView]] = {}
    texts = {note.slug for note in garden.section_text.values()}
    for path, text in garden.section_text.items():
        seen: set[str] = set()
        for edge in garden.edges.get(text.slug, []):
            target = edge.target
            if target.kind != "note" or target.slug in texts or target.slug in seen or edge.embed:
                continue
            home = garden.section_of.get(target.slug)
            if home is None or not path or home.path == path or home.path.startswith(path + "/"):
                continue
            if not edge.in_list:
                continue  # a mention in the section's prose, not an item of its reading list
            seen.add(target.slug)
            heading = next(
                (
                    h.text
                    for h in garden.headings.get(target.slug, [])
                    if h.anchor == target.anchor and target.anchor
                ),
                "",
            )
            note = garden.notes[target.slug]
            url = garden.url_of(target.slug) + (f"#{target.anchor}" if target.anchor else "")
            result.setdefault(path, []).append(LinkView(heading or note.title, url, note.description))
    return result


def _tree(garden: Garden, listing: Listing) -> list[dict]:
    members, planned = listing.members, listing.planned_in

    def node_view(node: Section) -> dict:
        notes = [_note_link(garden, slug) for slug in members.get(node.path, [])]
        notes += listing.elsewhere.get(node.path, [])
        return {
            "title": node.title,
            "url": garden.urls.page(node.path) if node.path else "",
            "description": node.description,
            "notes": notes[:HOME_LIMIT],
            "more": max(len(notes) - HOME_LIMIT, 0),
            "planned": [_planned_link(garden, key) for key in planned.get(node.path, [])[:HOME_LIMIT]],
            "children": [node_view(child) for child in node.children],
        }

    return [node_view(root) for root in garden.taxonomy.roots]


def _tags(garden: Garden) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for slug, note in garden.notes.items():
        if slug in garden.section_text or slug == "":
            continue
        for tag in note.tags:
            parts = tag.split("/")
            for depth in range(1, len(parts) + 1):  # nested tags: a/b is also under a
                tags.setdefault("/".join(parts[:depth]), []).append(slug)
    return {
        tag: sorted(set(slugs), key=lambda s: _sort_key(garden.notes[s]))
        for tag, slugs in sorted(tags.items())
    }


def _toc(garden: Garden, slug: str) -> list[dict]:
    note = garden.notes[slug]
    headings = garden.headings.get(slug, [])
    if note.title_from_h1 and headings and headings[0].level == 1:  # the title, not a section
        headings = headings[1:]
    top = min((h.level for h in headings), default=2)  # the outermost listed as level 2
    return [
        {
            "level": h.level - top + 2,
            "text": markup(garden.filler.heading_html(slug, h.html)) if h.html else h.text,
            "url": "#" + h.anchor,
        }
        for h in headings
    ]


def _paper(note: Any) -> dict | None:
    paper = note.paper
    if paper is None:
        return None
    arxiv_url = f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else ""
    return {
        "title": paper.title or note.title,
        "authors": paper.authors,
        "year": paper.year,
        "venue": paper.venue,
        "arxiv": paper.arxiv,
        "arxiv_url": arxiv_url,
        "url": paper.url or arxiv_url,
    }


def _citation(garden: Garden, slug: str) -> dict | None:
    citation = garden.citations.get(slug)
    if citation is None:
        return None
    return {
        "key": citation.key,
        "bibtex": citation.bibtex,
        "all_url": garden.urls.file(addresses.BIBLIOGRAPHY),
        "script": garden.urls.file(addresses.CITATION_JS),
    }


def _note_context(garden: Garden, slug: str, tag_url: Any) -> dict:
    note = garden.notes[slug]
    section = garden.section_of.get(slug)
    neighbours = garden.neighbours(slug)
    backlinks = [_note_link(garden, b.source, b.context) for b in neighbours.incoming]
    backlinks.sort(key=lambda link: (link.title.casefold(), link.url))
    return {
        "kind": "note",
        "title": note.title,
        "description": note.description,
        "url": garden.urls.page(slug),
        "html": garden.body(slug),
        "breadcrumbs": _breadcrumbs(garden, section, include_self=True),
        "section": LinkView(section.title, garden.urls.page(section.path)) if section else None,
        "tags": [LinkView("#" + tag, tag_url(tag)) for tag in note.tags],
        "date": note.date,
        "updated": note.updated,
        "status": note.status,
        "toc": _toc(garden, slug),
        "backlinks": backlinks,
        "outlinks": [_note_link(garden, target) for target in neighbours.outgoing],
        "planned": [_planned_link(garden, key) for key in neighbours.planned],
        "paper": _paper(note),
        "citation": _citation(garden, slug),
        "extra": note.extra,
    }


def not_found_index(garden: Garden) -> list[dict[str, str]]:
    """Title, slug and URL of every note and section: what the 404 page suggests from."""
    items: dict[str, dict[str, str]] = {}
    for section in garden.taxonomy.sections():
        items[section.path] = {"t": section.title, "s": section.path, "u": garden.urls.page(section.path)}
    for slug in garden.notes:
        if slug:
            items[slug] = {"t": garden.title_of(slug), "s": slug, "u": garden.urls.page(slug)}
    return [items[key] for key in sorted(items)]


def site_data(garden: Garden) -> dict[str, Any]:
    """What every template sees as ``site``."""
    urls = garden.urls
    css = [
        urls.file(path)
        for path in (addresses.GARDEN_CSS, addresses.READER_CSS, addresses.HIGHLIGHT_CSS, addresses.KATEX_CSS)
    ]
    site = site_context(garden.config, urls, _tree(garden, Listing.of(garden)), css)
    site.update(site_extras(urls))
    site["bibliography_url"] = bibliography_url(garden)
    return site


@dataclass
class Listing:
    """What several page emitters list: each section's notes and planned notes."""

    members: dict[str, list[str]]  # section path -> slugs of its notes, in order
    planned_in: dict[str, list[str]]  # section path -> planned keys wanted there
    elsewhere: dict[str, list[LinkView]]  # section path -> notes its reading list adds

    @classmethod
    def of(cls, garden: Garden) -> Listing:
        return cls(_notes_in(garden), _planned_in(garden), _listed_elsewhere(garden))

    def tag_url(self, garden: Garden, tag: str) -> str:
        return garden.urls.page(tag_page(tag))


def note_pages(garden: Garden, listing: Listing, only: set[str] | None) -> list[Page]:
    result: list[Page] = []
    for slug in sorted(garden.notes):
        if slug in garden.section_text or slug == "":
            continue
        if only is not None and page_file(slug) not in only:
            continue
        context = _note_context(garden, slug, lambda tag: listing.tag_url(garden, tag))
        result.append(Page(page_file(slug), "note.html", context | note_extras(garden, slug)))
    return result


def section_pages(garden: Garden, listing: Listing, only: set[str] | None) -> list[Page]:
    urls, members = garden.urls, listing.members
    result: list[Page] = []
    for section in garden.taxonomy.sections():
        text = garden.section_text.get(section.path)
        notes = members.get(section.path, [])
        context = {
            "kind": "section",
            "title": section.title,
            "description": section.description,
            "url": urls.page(section.path),
            "breadcrumbs": _breadcrumbs(garden, section, include_self=False),
            "html": garden.body(text.slug) if text else "",
            "children": [
                LinkView(child.title, urls.page(child.path), count=len(members.get(child.path, [])))
                for child in section.children
            ],
            "notes": [
                LinkView(garden.notes[s].title, urls.page(s), garden.notes[s].description) for s in notes
            ]
            + listing.elsewhere.get(section.path, []),
            "planned": [_planned_link(garden, key) for key in listing.planned_in.get(section.path, [])],
            "backlinks": [
                _note_link(garden, b.source, b.context) for b in garden.links.backlinks.get(section.path, [])
            ],
        }
        result.append(Page(page_file(section.path), "section.html", context))
    return result


def home_page(garden: Garden, listing: Listing, only: set[str] | None) -> list[Page]:
    home = garden.notes.get("")
    unfiled = sorted(
        (
            s
            for s, sec in garden.section_of.items()
            if sec is None and s != "" and s not in garden.section_text
        ),
        key=lambda s: _sort_key(garden.notes[s]),
    )
    context = {
        "kind": "home",
        "title": home.title if home else garden.config.title,
        "description": (home.description if home else "") or garden.config.description,
        "url": garden.urls.page(""),
        "html": garden.body("") if home else "",
        "unfiled": [_note_link(garden, s) for s in unfiled],
    }
    return [Page(addresses.HOME_PAGE, "home.html", context)]


def tag_pages(garden: Garden, listing: Listing, only: set[str] | None) -> list[Page]:
    urls = garden.urls
    tags = _tags(garden)
    result: list[Page] = []
    for tag, slugs in tags.items():
        context = {
            "kind": "tag",
            "title": f"#{tag}",
            "description": f"Notes tagged {tag}",
            "url": listing.tag_url(garden, tag),
            "breadcrumbs": [
                LinkView("Home", urls.page("")),
                LinkView("Tags", urls.page(addresses.TAGS)),
            ],
            "notes": [
                LinkView(garden.notes[s].title, urls.page(s), garden.notes[s].description) for s in slugs
            ],
        }
        result.append(Page(page_file(tag_page(tag)), "tag.html", context))
    index = {
        "kind": "tags",
        "title": "Tags",
        "description": "Every tag of the garden",
        "url": urls.page(addresses.TAGS),
        "breadcrumbs": [LinkView("Home", urls.page(""))],
        "tags": [
            LinkView("#" + tag, listing.tag_url(garden, tag), count=len(slugs)) for tag, slugs in tags.items()
        ],
    }
    result.append(Page(page_file(addresses.TAGS), "tags.html", index))
    return result


def planned_page(garden: Garden, listing: Listing, only: set[str] | None) -> list[Page]:
    planned = [
        {
            "name": entry.name,
            "anchor": entry.anchor,
            "wanted_by": [_note_link(garden, b.source, b.context) for b in entry.wanted_by],
        }
        for _, entry in sorted(garden.links.planned.items(), key=lambda item: item[1].name.casefold())
    ]
    context = {
        "kind": "planned",
        "title": "Planned notes",
        "description": "Notes that are linked to but not written yet",
        "url": garden.urls.page(addresses.PLANNED),
        "breadcrumbs": [LinkView("Home", garden.urls.page(""))],
        "planned": planned,
    }
    return [Page(page_file(addresses.PLANNED), "planned.html", context)]


def not_found_page(garden: Garden, listing: Listing, only: set[str] | None) -> list[Page]:
    urls = garden.urls
    context = {
        "kind": "404",
        "title": "Page not found",
        "description": "",
        "url": urls.file(addresses.NOT_FOUND_PAGE),
        "base": urls.base_path,
        "pages": not_found_index(garden),
        "script": urls.file(addresses.NOT_FOUND_JS),
    }
    return [Page(addresses.NOT_FOUND_PAGE, "404.html", context)]


def graph_page(garden: Garden, listing: Listing, only: set[str] | None) -> list[Page]:
    return graph_pages(garden)


# Every kind of page, in the order the site lists them.
PAGE_EMITTERS: list[Callable[[Garden, Listing, set[str] | None], list[Page]]] = [
    note_pages,
    section_pages,
    home_page,
    tag_pages,
    planned_page,
    not_found_page,
    graph_page,
    bibliography_page,
]


def all_pages(garden: Garden, only: set[str] | None = None) -> list[Page]:
    """Every page of the site (or those at the ``only`` paths), with what its template sees.

    Bodies are filled lazily: a page whose fingerprint has not changed is never filled. With
    ``only``, the emitters stop as soon as every page asked for is made (an edit usually
    touches note pages only, the first kind).
    """
    listing = Listing.of(garden)
    result: list[Page] = []
    for emit in PAGE_EMITTERS:
        if only is not None and not only - {page.path for page in result}:
            break
        result.extend(emit(garden, listing, only))
    if only is not None:
        result = [page for page in result if page.path in only]
    add_meta(garden, result)
    return result
