"""Links to numbered equations and theorem blocks of any note: ``[[Note#name]]``, ``[[#name]]``.

A note's labels (``\\label{name}``, compiled with it) are its numbered blocks. A wikilink whose
heading names one points at that block's id, and, when it has no text of its own, reads as
the block does ("Theorem 2 (Universality)", "(3)"), prefixed by the note's name when it is
another note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from garden.core.paths import heading_anchor
from garden.linking.resolve import Target
from garden.markdown.links import Heading, LinkRef
from garden.markdown.scholarly import Label


@dataclass
class NumberedBlocks:
    """Every note's labels: slug -> the name's anchor form -> its label."""

    by_slug: dict[str, dict[str, Label]] = field(default_factory=dict)

    @classmethod
    def of(cls, labels: Mapping[str, list[Label]]) -> NumberedBlocks:
        return cls(
            {
                slug: {heading_anchor(label.name): label for label in found}
                for slug, found in labels.items()
                if found
            }
        )

    def with_notes(self, labels: Mapping[str, list[Label]]) -> NumberedBlocks:
        return NumberedBlocks({**self.by_slug, **NumberedBlocks.of(labels).by_slug})

    def headings(self, headings: Mapping[str, list[Heading]]) -> dict[str, list[Heading]]:
        """``headings`` with each label as one more anchor a link may name (for link checks)."""
        merged = dict(headings)
        for slug, found in self.by_slug.items():
            merged[slug] = [
                *headings.get(slug, []),
                *(Heading(0, lab.text, key, lab.line) for key, lab in found.items()),
            ]
        return merged

    def retarget(self, source: str, ref: LinkRef, target: Target) -> Target:
        """A link to a label points at its block's id."""
        if not ref.heading or target.kind not in ("note", "anchor"):
            return target
        slug = source if target.kind == "anchor" else target.slug
        label = self.by_slug.get(slug, {}).get(target.anchor)
        return replace(target, anchor=label.anchor) if label is not None else target

    def text(self, slug: str, anchor: str) -> str | None:
        """How a link to the block with this id reads, if it is a numbered block."""
        for label in self.by_slug.get(slug, {}).values():
            if label.anchor == anchor:
                return label.text
        return None
