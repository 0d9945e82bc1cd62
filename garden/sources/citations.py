"""BibTeX for notes on papers: one entry per ``paper:``, with keys that do not change between builds.

A key is the first author's last name, the year and the first significant word of the title
(``jacot2018neural``), in ASCII. Two papers that would share a key get ``b``, ``c``... in the
order their notes were created (then by URL), so a paper added later never takes an older
paper's key; ``paper.key`` in the front-matter pins a key by hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from garden.sources.notes import Note, Paper

_STOPWORDS = "a an the on of in for to and with from by at as is are via towards toward what why how"
STOPWORDS = frozenset(_STOPWORDS.split(" "))
CONFERENCES = re.compile(
    r"\b(neurips|nips|icml|iclr|colt|aistats|uai|cvpr|iccv|eccv|acl|emnlp|naacl|aaai|ijcai|kdd|"
    r"conference|proceedings|workshop|symposium)\b",
    re.IGNORECASE,
)
_KEY_UNSAFE = re.compile(r"[^a-z0-9]+")
_KEY_PINNED = re.compile(r"[^A-Za-z0-9_:.\-]+")
_SPECIAL = re.compile(r"(?<!\\)([&%#_])")


@dataclass(frozen=True)
class Citation:
    """A paper's BibTeX key and entry."""

    key: str
    bibtex: str


def ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits only: ``Clément`` → ``clement``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _KEY_UNSAFE.sub("", folded.lower())


def last_name(author: str) -> str:
    """``Arthur Jacot`` and ``Jacot, Arthur`` both give ``Jacot``."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0].strip()
    words = author.split()
    return words[-1] if words else ""


def base_key(paper: Paper, fallback: str) -> str:
    author = ascii_word(last_name(paper.authors[0])) if paper.authors else ""
    year = str(paper.year) if paper.year else ""
    words = [ascii_word(word) for word in re.split(r"[\s\-:/]+", paper.title or fallback)]
    first = next((w for w in words if w and w not in STOPWORDS), "")
    return (author + year + first) or ascii_word(fallback) or "paper"


def _field(text: str) -> str:
    """A BibTeX field value: LaTeX specials escaped, braces kept only when they balance."""
    text = " ".join(text.split())
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            break
    if depth != 0:
        text = text.replace("{", "").replace("}", "")
    if text.count("$") % 2:
        text = text.replace("$", r"\$")
    return _SPECIAL.sub(r"\\\1", text)


def entry(key: str, paper: Paper, title: str) -> str:
    """One BibTeX entry: @inproceedings for conferences, @article for journals, else @misc."""
    venue = paper.venue.strip()
    kind = "misc"
    if venue:
        kind = "inproceedings" if CONFERENCES.search(venue) else "article"
    fields: list[tuple[str, str]] = [("title", "{" + _field(paper.title or title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_field(a) for a in paper.authors)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if venue:
        fields.append(("booktitle" if kind == "inproceedings" else "journal", _field(venue)))
    if paper.arxiv:
        fields += [("eprint", _field(paper.arxiv)), ("archiveprefix", "arXiv")]
    if paper.doi:
        fields.append(("doi", _field(paper.doi)))
    url = paper.url or (f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else "")
    if url:
        fields.append(("url", url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def bibliography(notes: dict[str, Note]) -> dict[str, Citation]:
    """Note slug -> its paper's citation, keys unique across the garden (pinned keys first)."""
    # the oldest note first: a paper added later never takes the key an earlier one had
    papers = sorted(
        ((slug, note) for slug, note in notes.items() if note.paper is not None),
        key=lambda item: (item[1].date or date.max, item[0]),
    )
    keys: dict[str, str] = {}
    for slug, note in papers:
        pinned = _KEY_PINNED.sub("", note.paper.key) if note.paper else ""
        if pinned and pinned not in keys.values():
            keys[slug] = pinned
    for slug, note in papers:
        if slug in keys or note.paper is None:
            continue
        stem = base_key(note.paper, note.title)
        key, suffix = stem, 1
        while key in keys.values():
            key = stem + (chr(ord("a") + suffix) if suffix < 26 else str(suffix))
            suffix += 1
        keys[slug] = key
    return {
        slug: Citation(keys[slug], entry(keys[slug], note.paper, note.title))
        for slug, note in papers
        if note.paper is not None
    }


def references_bib(citations: dict[str, Citation]) -> str:
    """Every entry, sorted by key: the garden's ``references.bib``."""
    entries = sorted(citations.values(), key=lambda c: c.key)
    return "\n".join(c.bibtex for c in entries)
