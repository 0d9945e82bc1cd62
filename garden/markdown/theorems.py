"""Theorem blocks: callouts of the kinds mathematicians number (``> [!theorem] Universality``).

Each is numbered per note ("Theorem 2 (Universality)"), with one counter for every kind or
one per kind (``theorems.numbering`` in garden.yaml); a proof is not numbered and ends with ∎.
The head is real text in the page, so it reads without JavaScript and is found by search.
"""

from __future__ import annotations

from dataclasses import dataclass

from garden.core.paths import heading_anchor

THEOREM_KINDS = ("theorem", "lemma", "proposition", "corollary", "definition", "example", "remark", "proof")
NUMBERED_KINDS = frozenset(THEOREM_KINDS) - {"proof"}


@dataclass
class TheoremHead:
    """What a theorem block's title shows, and where links to it point."""

    kind: str
    number: str  # "" for a proof
    name: str  # the optional title: "Universality"
    anchor: str = ""
    labelled: bool = False  # a \label named it

    @property
    def head(self) -> str:
        word = self.kind.capitalize()
        return f"{word} {self.number}" if self.number else word

    @property
    def text(self) -> str:
        """How a link to it reads: "Theorem 2 (Universality)"."""
        return f"{self.head} ({self.name})" if self.name else self.head


def theorem_anchor(name: str) -> str:
    return "thm-" + (heading_anchor(name) or "label")


class TheoremCounter:
    """Numbers a note's theorem blocks in order: one shared counter or one per kind."""

    def __init__(self, per_kind: bool) -> None:
        self.per_kind = per_kind
        self.counts: dict[str, int] = {}

    def next(self, kind: str) -> str:
        if kind not in NUMBERED_KINDS:
            return ""
        bucket = kind if self.per_kind else ""
        self.counts[bucket] = self.counts.get(bucket, 0) + 1
        return str(self.counts[bucket])
