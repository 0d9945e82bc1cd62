"""Citations filled in once the bibliography is known: each ``[@key]`` placeholder becomes the
citation in the garden's style, linked to the work, and a note that cites ends with its
References.

Author–year (the default): ``(Lee et al., 2018, p. 3)``, narrative ``Lee et al. (2018)``.
Numeric: ``[1, 2]``, narrative ``Lee et al. [1]``, numbered per note in order of first
citation. A citation links to the note about the work when there is one, else to the work's
DOI, arXiv page or URL, else to its entry in the References; its hover preview shows that entry.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from garden.core import addresses
from garden.core.paths import Urls
from garden.core.problems import Problems
from garden.markdown.citations import CiteItem, Cluster
from garden.markdown.references import Reference
from garden.sources.notes import Note

_TAG = re.compile(r"<[^>]*>")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def ref_anchor(key: str) -> str:
    """The id of a work's entry in a note's References (and on the bibliography page)."""
    return "ref-" + "".join(c if c.isalnum() or c in "-_.:" else "-" for c in key)


def cited_keys(clusters: Collection[Cluster]) -> list[str]:
    """The keys a note cites, in order of first citation."""
    return list(dict.fromkeys(item.key for cluster in clusters for item in cluster.items))


def check_citations(note: Note, clusters: list[Cluster], known: Collection[str], problems: Problems) -> None:
    """An unknown key is a ``path:line`` warning that names the closest keys."""
    for cluster in clusters:
        for item in cluster.items:
            if item.key in known:
                continue
            close = difflib.get_close_matches(item.key, list(known), n=3, cutoff=0.6)
            hint = (
                "did you mean " + ", ".join(f"@{k}" for k in close) + "?"
                if close
                else "add it to a BibTeX file named by 'bibliography:' in garden.yaml (references.bib)"
            )
            problems.warning(note.source, cluster.line, f"unknown citation key @{item.key}", hint)


@dataclass
class Citer:
    """Fills one build's citations: the formatted works and each note's citations."""

    urls: Urls
    references: dict[str, Reference]  # key -> formatted, for every cited key that exists
    clusters: dict[str, list[Cluster]]  # note slug -> its citations, in order
    style: str = "author-year"
    bibtex: dict[str, str] = field(default_factory=dict)  # cited key -> its BibTeX, from .bib files
    strings: list[str] = field(default_factory=list)  # the .bib files' @string macros they may use
    _numbers: dict[str, dict[str, int]] = field(default_factory=dict)
    _reprs: dict[str, str] = field(default_factory=dict)
    _cited: dict[str, list[str]] = field(default_factory=dict)  # slug -> cited_keys, made once
    _opens: dict[str, str] = field(default_factory=dict)  # key -> a citation's opening <a ...>
    _entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> its <li> around a number
    _lists: dict[frozenset[str], str] = field(default_factory=dict)  # author-year References by key set
    _groups: dict[tuple[tuple[CiteItem, ...], bool], str] = field(default_factory=dict)  # author-year HTML

    def with_clusters(self, changed: dict[str, list[Cluster]]) -> Citer:
        """The same citer with some notes' citations replaced (a quick rebuild)."""
        clusters = {**self.clusters, **changed}
        return Citer(self.urls, self.references, clusters, self.style, self.bibtex, self.strings)

    def cited_by(self) -> dict[str, list[str]]:
        """Key -> slugs of the notes that cite it (sorted)."""
        out: dict[str, list[str]] = {}
        for slug in sorted(self.clusters):
            for key in cited_keys(self.clusters[slug]):
                if key in self.references:
                    out.setdefault(key, []).append(slug)
        return out

    def key_parts(self, slug: str) -> list[str]:
        """What a note's filled citations depend on besides its body: the works it cites."""
        parts = [self.style]
        for key in self._cited_keys(slug):
            ref = self.references.get(key)
            if ref is None:
                parts.append(key)
                continue
            seen = self._reprs.get(key)
            if seen is None:  # once per work, not once per note that cites it
                seen = self._reprs[key] = f"{key}\x01{ref!r}"
            parts.append(seen)
        return parts

    def _cited_keys(self, slug: str) -> list[str]:
        """``cited_keys`` of a note, made once per build (pages ask several times)."""
        keys = self._cited.get(slug)
        if keys is None:
            keys = self._cited[slug] = cited_keys(self.clusters.get(slug, []))
        return keys

    def _number(self, slug: str, key: str) -> int:
        """The number of ``key`` in the References of page ``slug``: its own citations first, then
        those of the notes it embeds, as they come."""
        numbers = self._numbers.get(slug)
        if numbers is None:
            keys = [k for k in self._cited_keys(slug) if k in self.references]
            numbers = self._numbers[slug] = {k: i + 1 for i, k in enumerate(keys)}
        if key not in numbers and key in self.references:
            numbers[key] = len(numbers) + 1
        return numbers.get(key, 0)

    def keys_of(self, slug: str, index: int) -> list[str]:
        """The known keys of citation ``index`` of note ``slug``."""
        clusters = self.clusters.get(slug, [])
        if index >= len(clusters):
            return []
        return [item.key for item in clusters[index].items if item.key in self.references]

    def _href(self, ref: Reference) -> tuple[str, str]:
        if ref.home:
            return self.urls.page(ref.home), "internal"
        if ref.href:
            return ref.href, "external"
        return "#" + ref_anchor(ref.key), "internal"

    def _link(self, ref: Reference, text: str) -> str:
        opening = self._opens.get(ref.key)
        if opening is None:  # once per work: the same for every citation of it
            href, kind = self._href(ref)
            rel = ' rel="noopener"' if kind == "external" else ""
            anchor = _escape(ref_anchor(ref.key))
            opening = self._opens[ref.key] = (
                f'<a class="cite {kind}" href="{_escape(href)}"{rel} data-ref="{anchor}">'
            )
        return f"{opening}{text}</a>"

    def cluster(self, slug: str, index: int, host: str = "") -> str:
        """The HTML of citation ``index`` of note ``slug``, on the page of ``host`` (another note
        when ``slug`` is embedded in it: numbers and links are that page's)."""
        clusters = self.clusters.get(slug, [])
        if index >= len(clusters):
            return ""
        cluster = clusters[index]
        if any(item.key not in self.references for item in cluster.items):
            return f'<span class="cite broken-citation">{_escape(cluster.raw)}</span>'
        if self.style == "numeric":
            return self._numeric(host or slug, cluster)
        return self._author_year(cluster)

    def cluster_text(self, slug: str, index: int) -> str:
        """Citation ``index`` of note ``slug`` as text, HTML-escaped and without links: for
        places that hold no links, such as the table of contents ("Lee et al. (2018)")."""
        return _TAG.sub("", self.cluster(slug, index))

    def _author_year(self, cluster: Cluster) -> str:
        """Made once per citation as written: the same works, prefixes and locators give the
        same HTML on every page (a garden cites the same paper the same way many times)."""
        made = self._groups.get((cluster.items, cluster.narrative))
        if made is None:
            made = self._groups[(cluster.items, cluster.narrative)] = self._make_author_year(cluster)
        return made

    def _make_author_year(self, cluster: Cluster) -> str:
        if cluster.narrative:
            item = cluster.items[0]
            ref = self.references[item.key]
            inside = _escape(ref.year) + (", " + _escape(item.locator) if item.locator else "")
            return self._link(ref, f"{_escape(ref.names)} ({inside})")
        parts = []
        for item in cluster.items:
            ref = self.references[item.key]
            text = _escape(ref.year) if item.suppress_author else f"{_escape(ref.names)}, {_escape(ref.year)}"
            if item.locator:
                text += ", " + _escape(item.locator)
            prefix = _escape(item.prefix) + " " if item.prefix else ""
            parts.append(prefix + self._link(ref, text))
        return '<span class="citation-group">(' + "; ".join(parts) + ")</span>"

    def _numeric(self, slug: str, cluster: Cluster) -> str:
        parts = []
        for item in cluster.items:
            ref = self.references[item.key]
            text = str(self._number(slug, item.key)) + (", " + _escape(item.locator) if item.locator else "")
            prefix = _escape(item.prefix) + " " if item.prefix else ""
            parts.append(prefix + self._link(ref, text))
        group = '<span class="citation-group">[' + "; ".join(parts) + "]</span>"
        if cluster.narrative:
            return _escape(self.references[cluster.items[0].key].names) + " " + group
        return group

    def references_html(self, slug: str, embedded: Collection[str] = ()) -> str:
        """The References that end a note that cites (nothing when none of its keys is known):
        one list for the page, with the ``embedded`` keys its embedded notes cite."""
        own = self._cited_keys(slug)
        keys = [k for k in dict.fromkeys([*own, *embedded]) if k in self.references]
        if not keys:
            return ""
        numeric = self.style == "numeric"
        if not numeric:  # the same works give the same list on every page: made once
            known = frozenset(keys)
            made = self._lists.get(known)
            if made is None:
                made = self._lists[known] = self._references_list(keys, slug)
            return made
        return self._references_list(keys, slug)

    def _entry(self, ref: Reference) -> tuple[str, str]:
        """A work's ``<li>`` in References, before and after its number: made once per work."""
        entry = self._entries.get(ref.key)
        if entry is None:
            home = (
                f' <a class="internal reference-note" href="{_escape(self.urls.page(ref.home))}">Notes</a>'
                if ref.home
                else ""
            )
            entry = self._entries[ref.key] = (
                f'<li id="{_escape(ref_anchor(ref.key))}">',
                f"{ref.html}{home}</li>",
            )
        return entry

    def _references_list(self, keys: list[str], slug: str) -> str:
        refs = [self.references[k] for k in keys]
        numeric = self.style == "numeric"
        if not numeric:
            refs.sort(key=lambda ref: ref.sort_key)
        items = []
        for ref in refs:
            opening, rest = self._entry(ref)
            label = (
                f'<span class="reference-number">[{self._number(slug, ref.key)}]</span> ' if numeric else ""
            )
            items.append(f"{opening}{label}{rest}")
        everything = _escape(self.urls.page(addresses.BIBLIOGRAPHY_PAGE))
        return (
            # left out of the note's search text: each work is found on the bibliography page
            '<section class="references" aria-labelledby="references-title" data-pagefind-ignore>\n'
            '<h2 id="references-title">References</h2>\n'
            f'<ol class="references-list">\n{"".join(items)}\n</ol>\n'
            f'<p class="references-all"><a class="internal" href="{everything}">'
            "Every work cited in the garden</a></p>\n"
            "</section>\n"
        )
