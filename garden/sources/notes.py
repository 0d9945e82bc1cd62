"""A note: its front-matter validated into a Note, its title found, its URL checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from garden.core.addresses import RESERVED
from garden.core.controls import has_controls, without_controls
from garden.core.discovery import readable_name
from garden.core.paths import (
    address_problem,
    normalize,
    shorten_for_message,
    slug_key,
    slugify,
    slugify_path,
    source_slug,
)
from garden.core.plaindata import plain
from garden.core.problems import Problems
from garden.core.yamlutil import YamlError, load_yaml
from garden.sources.files import read_text
from garden.sources.frontmatter import key_lines, parse_date, split_front_matter, string_list

STATUSES = ("seedling", "budding", "evergreen")


@plain
@dataclass
class Paper:
    """Bibliographic metadata for a note on a paper."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    arxiv: str = ""
    url: str = ""
    doi: str = ""
    key: str = ""  # BibTeX key, when the writer pins one


@plain
@dataclass
class Note:
    """One Markdown file of the garden, with its validated front-matter."""

    source: Path  # absolute path on disk
    relative: PurePosixPath  # path under the notes folder
    slug: str
    title: str
    body: str
    body_line: int  # 1-based line of the file where the body starts
    aliases: list[str] = field(default_factory=list)
    aliases_line: int = 1
    tags: list[str] = field(default_factory=list)
    section: str | None = None
    section_line: int = 0
    date: date | None = None
    updated: date | None = None
    draft: bool = False
    status: str | None = None
    description: str = ""
    weight: int | None = None
    paper: Paper | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    title_from_h1: bool = False  # the title is the note's one top-level heading, which opens it
    titled: bool = False  # the front-matter gives the title

    @property
    def stem(self) -> str:
        return self.relative.stem

    def file_line(self, body_line: int) -> int:
        """1-based line in the file for a 0-based line in the body."""
        return self.body_line + body_line


def _paper(value: Any, path: Path, line: int, problems: Problems) -> Paper | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.error(path, line, "'paper' must be a mapping", "paper: {title: ..., year: 2018}")
        return None
    authors = string_list(value.get("authors"))
    if authors is None:
        problems.error(path, line, "'paper.authors' must be a list of names", 'authors: ["A. B", "C. D"]')
        authors = []
    year = value.get("year")
    if year is not None and not (isinstance(year, int) and not isinstance(year, bool)):
        try:
            year = int(str(year))
        except ValueError:
            problems.error(path, line, f"'paper.year' must be a year, not {year!r}", "year: 2018")
            year = None
    url = str(value.get("url") or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        problems.warning(
            path, line, f"'paper.url' is not an http(s) URL: {url[:60]!r}; left out", "url: https://..."
        )
        url = ""
    return Paper(
        title=str(value.get("title") or ""),
        authors=authors,
        year=year,
        venue=str(value.get("venue") or ""),
        arxiv=str(value.get("arxiv") or ""),
        url=url,
        doi=str(value.get("doi") or ""),
        key=str(value.get("key") or ""),
    )


KNOWN_KEYS = {
    "title",
    "aliases",
    "alias",
    "tags",
    "tag",
    "section",
    "date",
    "created",
    "updated",
    "modified",
    "draft",
    "status",
    "description",
    "weight",
    "paper",
}


def load_note(path: Path, notes_dir: Path, problems: Problems, data: bytes | None = None) -> Note | None:
    """Read (unless ``data`` holds its bytes) and validate one note. Problems are collected;
    None only if unreadable."""
    text = read_text(path, problems, data)
    if text is None:
        return None
    relative = PurePosixPath(path.relative_to(notes_dir).as_posix())
    front, body, body_line, unclosed = split_front_matter(text)
    if unclosed:
        problems.error(
            path,
            unclosed,
            "front-matter starts with '---' but is never closed",
            "add a line '---' after the front-matter (or remove the first line)",
        )
    data: Any = {}
    if front is not None:
        try:
            data = load_yaml(front)
        except YamlError as exc:
            problems.error(path, exc.line + 1, f"front-matter: {exc.message}", exc.hint)
            data = {}
        if data is None:
            data = {}
        if has_controls(data):  # YAML escapes ("\e", "\x07") make what the file may not hold
            problems.warning(
                path,
                2,
                "front-matter holds control characters (from YAML escapes); replaced by \ufffd",
                "remove the escapes such as \\e or \\x1b",
            )
            data = without_controls(data)
        if not isinstance(data, dict):
            kind = "a list" if isinstance(data, list) else "a single value"
            problems.error(
                path,
                2,
                f"front-matter must be a mapping of keys to values, not {kind}",
                "write 'title: My note'",
            )
            data = {}
    lines, repeated = key_lines(front or "")
    for key, line in repeated if isinstance(data, dict) and data else ():
        problems.warning(
            path,
            line,
            f"'{key}' is set twice in the front-matter (also on line {lines[key]}); the last one wins",
            "remove one of them",
        )

    def line_of(key: str) -> int:
        return lines.get(key, 1)

    title_value = data.get("title")
    title = ""
    if title_value is not None:
        if isinstance(title_value, str | int | float) and not isinstance(title_value, bool):
            title = str(title_value).strip()
            if not title:
                problems.warning(path, line_of("title"), "empty title", "write a title or remove the key")
        else:
            problems.error(path, line_of("title"), "'title' must be text", 'quote it: title: "..."')
    titled = bool(title)  # else a single opening `# Title` may give it (markdown/compile.py)
    if not title:
        title = without_controls(name_title(relative))  # a file name may hold anything but '/' and NUL

    aliases = string_list(data.get("aliases", data.get("alias")))
    if aliases is None:
        problems.error(path, line_of("aliases"), "'aliases' must be a list of names", "aliases: [NTK]")
        aliases = []
    for alias in list(aliases):
        unusable = address_problem(slugify_path(alias))  # each alias gets a redirect page
        if unusable:
            problems.error(
                path,
                line_of("aliases" if "aliases" in lines else "alias"),
                f"alias {shorten_for_message(alias)!r} cannot be a page: {unusable}",
                "use a shorter alias",
            )
            aliases.remove(alias)
    raw_tags = string_list(data.get("tags", data.get("tag")))
    if raw_tags is None:
        problems.error(path, line_of("tags"), "'tags' must be a list of words", "tags: [kernels, theory]")
        raw_tags = []
    tags: list[str] = []
    for tag in raw_tags:
        for part in tag.split() if " " in tag.strip() and "," not in tag else [tag]:
            clean = "/".join(slugify(p) for p in part.strip().lstrip("#").split("/") if slugify(p))
            unusable = address_problem(clean) if clean else None
            if unusable:
                problems.error(
                    path,
                    line_of("tags" if "tags" in lines else "tag"),
                    f"tag {shorten_for_message(clean)!r} cannot be a page: {unusable}",
                    "use a shorter tag with fewer levels",
                )
            elif clean and clean not in tags:
                tags.append(clean)

    section = data.get("section")
    if section is not None and not isinstance(section, str):
        problems.error(
            path, line_of("section"), "'section' must be a taxonomy path", "section: models/nngp-ntk"
        )
        section = None

    dates: dict[str, date | None] = {}
    for key, fallback in (("date", "created"), ("updated", "modified")):
        used = key if key in data else fallback
        value = data.get(used)
        if value is None:
            dates[key] = None
            continue
        parsed = parse_date(value)
        if parsed is None:
            problems.error(
                path,
                line_of(used),
                f"'{used}' is not a date: {value!r}",
                f"write it as YYYY-MM-DD, e.g. {used}: 2024-05-31",
            )
        dates[key] = parsed

    draft = data.get("draft", False)
    if isinstance(draft, str) and draft.lower() in ("true", "false", "yes", "no"):
        draft = draft.lower() in ("true", "yes")
    if not isinstance(draft, bool):
        problems.error(path, line_of("draft"), "'draft' must be true or false", "draft: true")
        draft = False

    status = data.get("status")
    if status is not None:
        status = str(status).strip().lower()
        if status not in STATUSES:
            problems.warning(
                path, line_of("status"), f"unknown status {status!r}", f"use one of: {', '.join(STATUSES)}"
            )

    description = data.get("description") or ""
    if not isinstance(description, str):
        problems.error(path, line_of("description"), "'description' must be text", 'description: "..."')
        description = ""

    weight = data.get("weight")
    if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int | float)):
        problems.error(path, line_of("weight"), "'weight' must be a number", "weight: 10")
        weight = None

    slug = source_slug(relative)
    unusable = address_problem(slug)
    if unusable:
        problems.error(path, 1, f"this note cannot be a page: {unusable}", "rename it or move it up")
    return Note(
        source=path,
        relative=relative,
        slug=slug,
        title=title,
        body=body,
        body_line=body_line,
        aliases=aliases,
        aliases_line=line_of("aliases" if "aliases" in lines else "alias"),
        tags=tags,
        section=section.strip() if isinstance(section, str) else None,
        section_line=line_of("section"),
        date=dates["date"],
        updated=dates["updated"],
        draft=draft,
        status=status,
        description=description.strip(),
        weight=int(weight) if weight is not None else None,
        paper=_paper(data.get("paper"), path, line_of("paper"), problems),
        extra={k: v for k, v in data.items() if k not in KNOWN_KEYS},
        titled=titled,
    )


def check_slugs(notes: list[Note], problems: Problems) -> list[Note]:
    """Report notes that share a slug (names that differ only by case or accents included)."""
    by_slug: dict[str, Note] = {}  # by slug_key: two spellings of one address are one URL
    kept: list[Note] = []
    for note in notes:
        home = note.relative.stem.lower() in ("index", "_index", "readme")
        if not note.slug and not (home and str(note.relative.parent) == "."):
            problems.error(
                note.source, 1, "this file name gives an empty URL", "rename it with letters or digits"
            )
            continue
        other = by_slug.get(slug_key(note.slug))
        if other is not None:
            one, two = str(other.relative), str(note.relative)
            if normalize(one) == normalize(two) and one.casefold() != two.casefold():
                two += f" (the same name in two Unicode forms: {ascii(one)[1:-1]}, {ascii(two)[1:-1]})"
            problems.error(
                note.source,
                1,
                f"two notes share the URL '/{note.slug}/': {one} and {two}",
                "rename one of them (names that differ only by case or accents are the same URL)",
            )
            continue
        by_slug[slug_key(note.slug)] = note
        kept.append(note)
    return kept


def drop_reserved(notes: list[Note], problems: Problems) -> list[Note]:
    """Notes whose URL would overwrite one of the site's own pages or folders are errors."""
    kept: list[Note] = []
    for note in notes:
        head = slug_key(note.slug).split("/", 1)[0]
        if head in RESERVED:
            problems.error(
                note.source,
                1,
                f"the URL '/{note.slug}/' is reserved for the site's own pages",
                f"move the note out of a folder named '{head}' or rename it",
            )
            continue
        kept.append(note)
    return kept


def name_title(relative: PurePosixPath) -> str:
    """A title from the file's name, made readable: ``edge-of-stability.md`` → "Edge of
    stability"; an index file is titled by its folder (the garden's own is "Home")."""
    if relative.stem.lower() in ("index", "_index", "readme"):
        return readable_name(relative.parent.name) if relative.parent.name else "Home"
    return readable_name(relative.stem)
