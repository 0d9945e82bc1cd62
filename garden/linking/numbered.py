"""How links to numbered equations and theorem blocks read: ``[[Note#name]]`` with no text of
its own prints the block's number ("Kernel regime › Theorem 2 (Constancy)", "(3)").

Those blocks are in every note's block registry (``markdown/blocks.py``) with a ``label``;
``linking/anchors.py`` points links at them, this index gives their link text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from garden.markdown.blocks import Block


@dataclass
class NumberedBlocks:
    """Slug -> element id -> how a link to that block reads."""

    by_slug: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, blocks: Mapping[str, list[Block]]) -> NumberedBlocks:
        found: dict[str, dict[str, str]] = {}
        for slug, named in blocks.items():
            labelled = {block.anchor: block.label for block in named if block.label}
            if labelled:
                found[slug] = labelled
        return cls(found)

    def text(self, slug: str, anchor: str) -> str | None:
        """How a link to the block with this id reads, if it is a numbered block."""
        return self.by_slug.get(slug, {}).get(anchor)
