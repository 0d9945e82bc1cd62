"""Sections drawn from the notes' folders, for a garden whose config declares no taxonomy.

Every folder that holds a note (directly or further down) becomes a section at its own path,
titled by its name (its ``index.md`` or ``_index.md``, if any, is the section's text); folders
that hold only images or attachments become none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from garden.core.discovery import readable_name
from garden.core.paths import slugify


def folder_taxonomy(notes_dir: Path, note_paths: list[Path]) -> list[dict[str, Any]]:
    """Taxonomy nodes (in garden.yaml's form) for the folders that hold ``note_paths``."""
    tree: dict[str, dict] = {}
    for path in note_paths:
        try:
            folders = path.relative_to(notes_dir).parts[:-1]
        except ValueError:
            continue
        node = tree
        for name in folders:
            node = node.setdefault(name, {})
    return _nodes(tree)


def _nodes(tree: dict[str, dict]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name in sorted(tree, key=lambda n: (n.casefold(), n)):
        slug = slugify(name)
        if not slug or slug in seen:  # a name without letters, or one spelled twice (A b, a-b)
            continue
        seen.add(slug)
        node: dict[str, Any] = {"slug": slug, "title": readable_name(name)}
        children = _nodes(tree[name])
        if children:
            node["children"] = children
        nodes.append(node)
    return nodes
