"""Which ``garden.yaml`` belongs to a notes folder: never one borrowed from another garden.

A config is looked up beside the notes folder, then in the folders above it up to the root of
the repository it lives in (the folder with ``.git``); outside a repository only beside it. A
``garden.yaml`` found on the way is used only if it claims the notes: its ``notes:`` folder is
the notes folder or contains it. Anything else is another garden's config, and is passed by.
"""

from __future__ import annotations

import re
from pathlib import Path

from garden.core.config import CONFIG_NAME, Config
from garden.core.yamlutil import YamlError, load_yaml

# Folder names too generic to title a garden: the folder above them names it instead.
_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])[-_]+(?=[^\W\d_])")
_GENERIC_NAMES = {"notes", "content", "docs", "src", "pages"}


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``.git``, if any."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def claimed_notes(config_path: Path) -> Path | None:
    """The notes folder a config names (``notes:``, default ``notes``); None if unreadable."""
    try:
        data = load_yaml(config_path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, UnicodeDecodeError, YamlError):
        return None
    notes = data.get("notes") if isinstance(data, dict) else None
    return (config_path.parent / str(notes or "notes")).resolve()


def claims(config_path: Path, notes_dir: Path) -> bool:
    """Whether a config's garden is ``notes_dir`` (or a garden that contains it).

    A config that cannot be read claims its neighbour anyway, so that its error is reported
    rather than silently passed by."""
    claimed = claimed_notes(config_path)
    if claimed is None:
        return config_path.parent in (notes_dir, notes_dir.parent)
    return notes_dir == claimed or claimed in notes_dir.parents


def config_for_notes(notes_dir: Path, cwd: Path | None = None) -> Path | None:
    """The garden.yaml of the garden ``notes_dir`` belongs to, or None (neutral defaults)."""
    notes_dir = notes_dir.resolve()
    top = repository_root(notes_dir)
    folders = [notes_dir, *notes_dir.parents]
    # up to the repository's root; outside a repository, the notes folder and the one holding it
    folders = folders[: folders.index(top) + 1] if top is not None else folders[:2]
    if cwd is not None and cwd.resolve() not in folders:
        folders.append(cwd.resolve())  # the working folder's config, when it names these notes
    for folder in folders:
        candidate = folder / CONFIG_NAME
        if candidate.is_file() and claims(candidate, notes_dir):
            return candidate
    return None


def readable_name(name: str) -> str:
    """A file or folder name as a reader would write it: a slug-like ``edge-of-stability`` or
    ``edge_of_stability`` becomes "Edge of stability". Only dashes between letters count
    (``2024-05-01`` and ``GPT-2`` stay), and a name written otherwise keeps its spelling."""
    text = name.strip()
    if " " in text or not _BETWEEN_LETTERS.search(text):
        return text or name
    text = _BETWEEN_LETTERS.sub(" ", text)
    first = text.split(" ", 1)[0]
    return text[0].upper() + text[1:] if first.islower() else text


def default_title(notes_dir: Path) -> str:
    """A garden's title when no config gives one: its folder's name (or the folder above a
    generically named one such as ``notes/``)."""
    folder = notes_dir.resolve()
    if folder.name.lower() in _GENERIC_NAMES and folder.parent != folder:
        folder = folder.parent
    title = readable_name(folder.name) or "Notes"
    return title[0].upper() + title[1:]


def locate_config(config_path: Path | None, notes_dir: Path | None, cwd: Path) -> Path | None:
    """The config a command uses: the one named with ``--config``; else the one that belongs
    to ``--notes``; else ``garden.yaml`` in the working folder."""
    if config_path is not None:
        return config_path
    if notes_dir is not None:
        return config_for_notes(notes_dir, cwd)
    candidate = cwd / CONFIG_NAME
    return candidate if candidate.is_file() else None


def neutral_defaults(config: Config, cwd: Path) -> None:
    """Settings for a garden without a config: its title from its folder, its static files and
    templates beside its notes (never the working folder's, which may be another garden's;
    inside the notes when the build runs from within them, so nothing from above them is
    published); no figures, no ignore globs, sections from its folders (an empty taxonomy)."""
    notes = config.notes_dir.resolve()
    config.title = default_title(notes)
    cwd = cwd.resolve()
    base = notes if cwd == notes or notes in cwd.parents else notes.parent
    config.static_dir = base / "static"
    config.templates_dir = base / "templates"


def describe_config(config: Config) -> str:
    """For the build's summary: which config it used."""
    if config.path is None:
        return "no garden.yaml found: default settings"
    try:
        shown = config.path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = config.path
    return f"config: {shown}"
