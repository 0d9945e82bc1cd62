"""The Core/Other tree from garden.yaml, and where each note sits in it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from garden.core.paths import normalize, slug_key, slugify, slugify_path
from garden.core.problems import Problems
from garden.sources.notes import Note


@dataclass
class Section:
    """A node of the taxonomy. A node without a path is a group heading (Core, Other)."""

    title: str
    path: str  # "models/nngp-ntk"; "" for a group
    description: str = ""
    children: list[Section] = field(default_factory=list)
    parent: Section | None = field(default=None, repr=False)
    order: int = 0  # position in a depth-first walk of the tree

    @property
    def is_group(self) -> bool:
        return not self.path

    def ancestors(self) -> list[Section]:
        """From the top of the tree down to this node's parent, groups left out."""
        chain: list[Section] = []
        node = self.parent
        while node is not None:
            if not node.is_group:
                chain.append(node)
            node = node.parent
        return chain[::-1]

    def area(self) -> Section:
        """The top-level section (or group) this node belongs to: what colours a graph."""
        node = self
        while node.parent is not None and not node.parent.is_group:
            node = node.parent
        return node


@dataclass
class Taxonomy:
    roots: list[Section] = field(default_factory=list)
    by_path: dict[str, Section] = field(default_factory=dict)
    by_key: dict[str, Section] = field(default_factory=dict)  # by slug_key(path): case forgiven

    def find(self, path: str) -> Section | None:
        """The section at ``path``, in any spelling of its case (``urls: keep-case`` paths have
        capitals; links and folders may spell them either way)."""
        return self.by_path.get(path) or self.by_key.get(slug_key(path))

    def walk(self) -> list[Section]:
        out: list[Section] = []

        def visit(node: Section) -> None:
            out.append(node)
            for child in node.children:
                visit(child)

        for root in self.roots:
            visit(root)
        return out

    def sections(self) -> list[Section]:
        return [node for node in self.walk() if not node.is_group]

    def lookup(self, value: str) -> Section | None:
        """A section by its path, case and spelling forgiven; a unique last segment also works."""
        key = slugify_path(value)
        if key in self.by_key:
            return self.by_key[key]
        tails = [node for path, node in self.by_key.items() if path.rsplit("/", 1)[-1] == key]
        if len(tails) == 1:
            return tails[0]
        titles = [node for node in self.by_path.values() if normalize(node.title) == normalize(value)]
        return titles[0] if len(titles) == 1 else None

    def suggest(self, value: str) -> list[str]:
        paths = list(self.by_path)
        key = slugify_path(value)
        close = difflib.get_close_matches(key, paths, n=3, cutoff=0.5)
        if not close:
            tail = key.rsplit("/", 1)[-1]
            close = [p for p in paths if tail and tail in p][:3]
        return close

    def for_folder(self, folder: str) -> Section | None:
        """The deepest section whose path is the note's folder or one of its parents."""
        key = slugify_path(folder)
        while key:
            if key in self.by_key:
                return self.by_key[key]
            key = key.rpartition("/")[0]
        return None


def build_taxonomy(raw: list[Any], config_path: Path | None, problems: Problems) -> Taxonomy:
    """Validate the tree declared in garden.yaml."""
    taxonomy = Taxonomy()
    where = config_path or Path("garden.yaml")
    counter = 0

    def build(item: Any, parent: Section | None, parent_path: str) -> Section | None:
        nonlocal counter
        if not isinstance(item, dict):
            problems.error(
                where, 0, f"taxonomy entry {item!r} must be a mapping", "- {slug: models, title: Models}"
            )
            return None
        title = str(item.get("title") or "").strip()
        raw_slug = item.get("slug")
        slug = slugify(str(raw_slug)) if raw_slug is not None else ""
        if raw_slug is not None and not slug:
            problems.error(where, 0, f"taxonomy slug {raw_slug!r} has no letters or digits", "slug: models")
        if not title:
            title = str(raw_slug or "Untitled")
        path = f"{parent_path}/{slug}".strip("/") if slug else ""
        node = Section(title=title, path=path, description=str(item.get("description") or "").strip())
        node.parent = parent
        node.order = counter
        counter += 1
        if path:
            if path in taxonomy.by_path:
                problems.error(
                    where, 0, f"taxonomy path '{path}' is declared twice", "give each node its own slug"
                )
            else:
                taxonomy.by_path[path] = node
                taxonomy.by_key[slug_key(path)] = node
        children = item.get("children") or []
        if not isinstance(children, list):
            problems.error(where, 0, f"children of '{title}' must be a list", "children: [...]")
            children = []
        for child in children:
            built = build(child, node, path or parent_path)
            if built is not None:
                node.children.append(built)
        return node

    for item in raw:
        node = build(item, None, "")
        if node is not None:
            taxonomy.roots.append(node)
    return taxonomy


def spell_as_folders(taxonomy: Taxonomy, notes_dir: Path, note_paths: list[Path]) -> None:
    """``urls: keep-case``: a section whose path names a folder of notes (case forgiven) takes
    that folder's own spelling (``digitalGarden/``, like its notes' ``/digitalGarden/NNGP/``);
    the sections below it follow. A section without such a folder keeps its declared path."""
    spelled: dict[str, str] = {}  # slug_key of each folder of notes -> its keep-case path
    for path in note_paths:
        try:
            folders = path.relative_to(notes_dir).parts[:-1]
        except ValueError:
            continue
        for depth in range(1, len(folders) + 1):
            folder = "/".join(folders[:depth])
            spelled.setdefault(slug_key(folder), slugify_path(folder, keep_case=True))
    declared = {id(node): node.path for node in taxonomy.sections()}
    for node in taxonomy.sections():  # parents before children
        own = spelled.get(slug_key(node.path))
        parents = node.ancestors()
        if own is not None:
            node.path = own
        elif parents and node.path.startswith(declared[id(parents[-1])] + "/"):
            node.path = parents[-1].path + node.path[len(declared[id(parents[-1])]) :]
    taxonomy.by_path = {node.path: node for node in taxonomy.sections()}
    taxonomy.by_key = {slug_key(path): node for path, node in taxonomy.by_path.items()}


def place_notes(
    notes: list[Note], taxonomy: Taxonomy, problems: Problems
) -> tuple[dict[str, Section | None], dict[str, Note]]:
    """Each note's section (front-matter, else folder); notes that are a section's own text."""
    section_of: dict[str, Section | None] = {}
    section_text: dict[str, Note] = {}
    for note in notes:
        own = taxonomy.find(note.slug)
        if own is not None:
            note.slug = own.path  # the section's own text: its address is the section's (urls: keep-case)
            section_text[note.slug] = note
            section_of[note.slug] = own
            continue
        if note.section:
            section = taxonomy.lookup(note.section)
            if section is None:
                close = taxonomy.suggest(note.section)
                hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                valid = ", ".join(sorted(taxonomy.by_path)[:12])
                fallback = (
                    f"use a taxonomy path from garden.yaml, e.g. {valid}"
                    if valid
                    else "garden.yaml declares no taxonomy: add one, or remove 'section:'"
                )
                problems.error(
                    note.source, note.section_line, f"unknown section {note.section!r}", hint or fallback
                )
            section_of[note.slug] = section
            continue
        folder = note.relative.parent.as_posix()
        section_of[note.slug] = taxonomy.for_folder(folder) if folder != "." else None
    return section_of, section_text
