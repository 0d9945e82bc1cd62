"""Did you mean…? Names one typo away from a planned link's, so a misspelt link is caught."""

from __future__ import annotations

from garden.core.paths import normalize
from garden.core.problems import Problems
from garden.linking.check import Edge
from garden.sources.notes import Note


def one_typo_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


class DidYouMean:
    """Finds titles and aliases one typo away from a planned link's name."""

    def __init__(self, notes: list[Note]) -> None:
        self.names: dict[str, str] = {}
        for note in notes:
            for name in (note.title, *note.aliases):
                self.names.setdefault(normalize(name), name)
        self.by_length: dict[int, list[str]] = {}
        for key in self.names:
            self.by_length.setdefault(len(key), []).append(key)

    def check(self, note: Note, edges: list[Edge], problems: Problems) -> None:
        for edge in edges:
            if edge.target.kind != "planned":
                continue
            wanted = normalize(edge.target.slug)
            size = len(wanted)
            candidates = [k for n in (size - 1, size, size + 1) for k in self.by_length.get(n, [])]
            close = sorted(self.names[key] for key in candidates if one_typo_apart(wanted, key))
            if close:
                problems.warning(
                    note.source,
                    edge.line,
                    f"[[{edge.target.slug}]] is a planned note (no such note yet)",
                    f"did you mean [[{close[0]}]]?",
                )
