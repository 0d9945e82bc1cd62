"""Resolve link targets to notes, sections, files or planned notes.

Resolution order for ``[[Target]]`` (the first level that matches wins):
exact path, exact title or alias, exact file name, exact title read from the first heading,
case-folded path/title/alias/file name, then slug and shortest unique path suffix. Several
matches at one level are ambiguous: a warning names the candidates and the shortest path is
taken, so the build stays deterministic.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from garden.core.boundary import outside
from garden.core.paths import normalize, slug_key, slugify, slugify_path
from garden.sources.images import image_problem, image_size
from garden.sources.notes import Note

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
UNSAFE_SCHEMES = ("javascript", "vbscript", "data", "file")  # never an href or src in the site
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".bmp"}
FILE_SUFFIXES = IMAGE_SUFFIXES | {".pdf", ".mp4", ".webm", ".mp3", ".csv", ".txt", ".zip"}


@dataclass(frozen=True)
class Target:
    """What a link points at."""

    # "note" | "section" | "file" | "planned" | "external" | "anchor" | "unsafe" | "missing", or
    # "outside": a file that is a symlink out of the garden, never published
    kind: str
    slug: str = ""  # note or section slug, file path under the output folder, or planned name
    anchor: str = ""
    ambiguous: tuple[str, ...] = ()


def _key(text: str) -> str:
    return normalize(text)


def _without_md(path: str) -> str:
    return path[:-3] if path.lower().endswith(".md") else path


@dataclass
class Resolver:
    """Indexes of the published notes, built once per build."""

    notes: list[Note]
    notes_dir: Path
    static_dir: Path
    section_paths: dict[str, str] = field(default_factory=dict)  # slug_key -> the section's path
    generated_files: set[str] = field(default_factory=set)
    find_section: Callable[[str], str | None] = lambda _name: None

    def __post_init__(self) -> None:
        # by the lower-case form of the slug: a link finds ``/digitalGarden/NNGP/`` (urls: keep-case)
        # by ``digitalgarden/nngp`` too
        self.by_slug: dict[str, Note] = {slug_key(n.slug): n for n in self.notes}
        self.exact_path: dict[str, list[Note]] = {}
        self.exact_name: dict[str, list[Note]] = {}
        self.exact_stem: dict[str, list[Note]] = {}
        self.exact_heading_title: dict[str, list[Note]] = {}
        self.folded_path: dict[str, list[Note]] = {}
        self.folded: dict[str, list[Note]] = {}
        self.by_stem_slug: dict[str, list[Note]] = {}
        for note in self.notes:
            path = _without_md(note.relative.as_posix())
            self.exact_path.setdefault(path, []).append(note)
            # A title read from the note's first heading names it less surely than its file
            # name does (Obsidian links by file name): it comes after file names.
            for name in [note.title, *note.aliases] if not note.title_from_h1 else note.aliases:
                self.exact_name.setdefault(name, []).append(note)
            self.exact_stem.setdefault(note.stem, []).append(note)
            if note.title_from_h1:
                self.exact_heading_title.setdefault(note.title, []).append(note)
            self.folded_path.setdefault(_key(path), []).append(note)
            for name in {note.title, note.stem, *note.aliases}:
                bucket = self.folded.setdefault(_key(name), [])
                if note not in bucket:
                    bucket.append(note)
            for name in {note.stem, note.title, *note.aliases}:
                bucket = self.by_stem_slug.setdefault(slugify(name), [])
                if note not in bucket:
                    bucket.append(note)
        self._files_by_name: dict[str, list[str]] | None = None
        self._memo: dict[tuple[str, str], Target] = {}
        self._image_checks: dict[str, str | None] = {}
        self._image_sizes: dict[str, tuple[int, int] | None] = {}
        self._leaves: dict[str, str | None] = {}

    # ------------------------------------------------------------------ wikilinks

    def wikilink(self, target: str, heading: str = "") -> Target:
        key = (target, heading)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._wikilink(target, heading)
        return found

    def _wikilink(self, target: str, heading: str) -> Target:
        target = target.strip()
        anchor = heading if heading.startswith("^") else slugify_heading(heading) if heading else ""
        if not target:
            return Target("anchor", anchor=anchor)
        found = self.find_note(target)
        if found is not None:
            notes, ambiguous = found
            return Target("note", notes.slug, anchor, ambiguous)
        file_path = self.find_file_by_name(target)
        if file_path:
            return self._file_target(file_path)
        if PurePosixPath(target).suffix.lower() in FILE_SUFFIXES:
            return Target("missing", target)
        section = self.find_section(target)
        if section is not None:
            return Target("section", section, anchor)
        return Target("planned", target)

    def find_note(self, target: str) -> tuple[Note, tuple[str, ...]] | None:
        path = _without_md(target.lstrip("/"))
        levels = [
            self.exact_path.get(path, []),
            self.exact_name.get(target, []),
            self.exact_stem.get(target, []),
            self.exact_heading_title.get(target, []),
            self.folded_path.get(_key(path), []),
            self.folded.get(_key(target), []),
            self._by_slug_or_suffix(path),
        ]
        for candidates in levels:
            if not candidates:
                continue
            ordered = sorted(candidates, key=lambda n: (len(n.relative.parts), n.relative.as_posix()))
            ambiguous = tuple(n.relative.as_posix() for n in ordered) if len(ordered) > 1 else ()
            return ordered[0], ambiguous
        return None

    def _by_slug_or_suffix(self, path: str) -> list[Note]:
        slug = slugify_path(path)
        if not slug:
            return []
        if slug in self.by_slug:
            return [self.by_slug[slug]]
        if "/" in slug:
            return [n for n in self.notes if slug_key(n.slug).endswith("/" + slug)]
        return list(self.by_stem_slug.get(slug, []))

    # ------------------------------------------------------------------ Markdown links

    def href(self, note: Note, href: str, image: bool = False) -> Target:
        """A Markdown link or image target, relative to ``note``."""
        href = href.strip()
        if not href:
            return Target("missing", href)
        if href.startswith("#"):
            return Target("anchor", anchor=unquote(href[1:]))
        if href.startswith("//"):
            return Target("external", href)
        scheme = _SCHEME.match(href)
        if scheme:
            name = scheme.group(0)[:-1].lower()
            compact = re.sub(r"[\s\x00-\x1f]", "", href).lower()
            if name in UNSAFE_SCHEMES or compact.startswith(UNSAFE_SCHEMES):
                return Target("unsafe", href)
            return Target("external", href)
        parts = urlsplit(href)
        path = unquote(parts.path)
        anchor = unquote(parts.fragment)
        if path.startswith("/"):
            joined = posixpath.normpath(path).lstrip("/")  # "/x/../secret.md" is "secret.md"
            candidates = [joined if joined != "." else ""]
        else:
            folder = note.relative.parent.as_posix()
            joined = posixpath.normpath(posixpath.join("" if folder == "." else folder, path))
            candidates = [joined]
            if joined.startswith("../"):
                return Target("missing", path)
        for candidate in candidates:
            if not image:
                found = self._note_at(candidate)
                if found is not None:
                    return Target("note", found.slug, anchor)
                section = slugify_path(_without_md(candidate).strip("/"))
                if section in self.section_paths or candidate.strip("/") == "":
                    return Target("section", self.section_paths.get(section, section), anchor)
            file_path = self.file_at(candidate)
            if file_path:
                return self._file_target(file_path, anchor)
        if not image and (path.lower().endswith(".md") or not PurePosixPath(path).suffix):
            name = PurePosixPath(_without_md(path)).name
            if path.lower().endswith(".md"):
                return Target("planned", name)
        return Target("missing", path)

    def _note_at(self, path: str) -> Note | None:
        path = _without_md(path.strip("/"))
        for key in (path, path.removesuffix("/index")):
            if key in self.exact_path:
                return self.exact_path[key][0]
        folded = self.folded_path.get(_key(path))
        if folded:
            return folded[0]
        slug = slugify_path(path)
        return self.by_slug.get(slug)

    # ------------------------------------------------------------------ files

    def file_at(self, path: str) -> str:
        """Output path of a file at ``path`` under notes/ or static/, or ''. Never a note's
        source (``.md``: notes are published as pages, drafts not at all) nor a dot-file.
        Whether the file may be published is :meth:`leaves`'s question."""
        clean = posixpath.normpath(path.strip("/"))
        if clean.startswith("..") or clean in ("", "."):
            return ""
        if clean in self.generated_files:
            return clean
        if clean.lower().endswith(".md") or any(part.startswith(".") for part in clean.split("/")):
            return ""
        for root in (self.notes_dir, self.static_dir):
            if (root / clean).is_file():
                return clean
        return ""

    def _file_target(self, path: str, anchor: str = "") -> Target:
        """A linked file, or ``outside`` when it is a symlink that leaves the garden."""
        if self.leaves(path) is not None:
            return Target("outside", path, anchor)
        return Target("file", path, anchor)

    def leaves(self, output_path: str) -> str | None:
        """Where a linked file really is, when it is a symlink out of the garden; else None."""
        if output_path in self.generated_files:
            return None
        if output_path not in self._leaves:
            source = self._source(output_path)
            roots = (self.notes_dir, self.static_dir)
            self._leaves[output_path] = outside(source, roots) if source is not None else None
        return self._leaves[output_path]

    def find_file_by_name(self, name: str) -> str:
        """``![[image.png]]``: a file by path or by bare file name anywhere in the garden."""
        suffix = os.path.splitext(name)[1]
        if not suffix or suffix.lower() == ".md" or " " in suffix:
            return ""
        direct = self.file_at(name)
        if direct:
            return direct
        matches = self._file_index().get(PurePosixPath(name).name.lower(), [])
        return sorted(matches, key=lambda p: (p.count("/"), p))[0] if matches else ""

    def _file_index(self) -> dict[str, list[str]]:
        if self._files_by_name is None:
            index: dict[str, list[str]] = {}
            for generated in self.generated_files:
                index.setdefault(PurePosixPath(generated).name.lower(), []).append(generated)
            for root in (self.notes_dir, self.static_dir):
                if not root.is_dir():
                    continue
                for folder, dirs, files in os.walk(root):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for name in files:
                        if name.startswith(".") or name.lower().endswith(".md"):
                            continue
                        relative = Path(folder, name).relative_to(root).as_posix()
                        index.setdefault(name.lower(), []).append(relative)
            self._files_by_name = index
        return self._files_by_name

    def image_problem(self, output_path: str) -> str | None:
        """Why a linked image file cannot be shown (checked once per build); None when fine."""
        if output_path not in self._image_checks:
            source = self.source_of_file(output_path)  # None for figures the build draws itself
            self._image_checks[output_path] = image_problem(source) if source else None
        return self._image_checks[output_path]

    def image_size(self, output_path: str) -> tuple[int, int] | None:
        """Pixel size of a linked raster image (read once per build), None when unknown."""
        if output_path not in self._image_sizes:
            source = self.source_of_file(output_path)
            self._image_sizes[output_path] = image_size(source) if source else None
        return self._image_sizes[output_path]

    def source_of_file(self, output_path: str) -> Path | None:
        """The file on disk that a linked asset is copied from (notes/ wins over static/);
        None for a symlink that leaves the garden."""
        if self.leaves(output_path) is not None:
            return None
        return self._source(output_path)

    def _source(self, output_path: str) -> Path | None:
        for root in (self.notes_dir, self.static_dir):
            candidate = root / output_path
            if candidate.is_file():
                return candidate
        return None


def slugify_heading(heading: str) -> str:
    from garden.core.paths import heading_anchor

    return heading_anchor(heading)
