"""Incremental equals clean: random edit sequences through the preview server's rebuild path.

Hypothesis writes sequences of adds, edits (body, title, aliases, section, tags), renames,
deletes and changes of the math settings (``math.macros``, ``math.preamble`` and its file).
Each step goes to disk, then through ``Preview.build`` (the very call the watcher makes, quick
path included); the site it leaves must be byte for byte the site a clean
``--no-cache`` build of the same notes writes, and so must the list of problems.

Profiles, as in test_fuzz.py: ``ci`` (default, a fixed seed) and ``long`` (by hand):

    GARDEN_FUZZ=long python -m pytest tests/test_incremental_property.py
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from conftest import FIXTURE_CONFIG, snapshot
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from garden.build.builder import build_site
from garden.build.inputs import BuildOptions
from garden.cli import make_preview

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "incremental-ci",
    max_examples=12,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=_QUIET,
)
settings.register_profile("incremental-long", max_examples=400, deadline=None, suppress_health_check=_QUIET)
PROFILE = settings.get_profile(
    "incremental-long" if os.environ.get("GARDEN_FUZZ") == "long" else "incremental-ci"
)

PROSE = ["Reals $\\R$.", "More words.", "A formula $z^2$ here.", "Broken $\\frac{$ again.", "## Another part"]
# The math settings of garden.yaml a step may switch to: none, a site macro two ways, a preamble.
MATH = [
    "",
    "math:\n  macros:\n    \\R: \\mathbb{R}\n",
    "math:\n  macros:\n    \\R: \\mathbf{R}\n",
    "math:\n  preamble: macros.sty\n",
]
PREAMBLES = ["\\newcommand{\\R}{\\mathcal{R}}\n", "\\def\\R{\\mathfrak{R}}\n"]
NAMES = ["alpha", "beta", "gamma", "delta", "epsilon"]
FOLDERS = ["", "models/", "models/nngp-ntk/", "optimization/"]
TITLES = ["Alpha", "Beta", "Gamma", "Kernel", "Lazy Regime", "µP"]
SECTIONS = [None, "models", "optimization", "nngp-ntk"]
TAGS = ["theory", "scaling", "Kernels"]


@dataclass(frozen=True)
class Note:
    """What the sequence knows about one note: enough to write it again with one field changed."""

    folder: str
    title: str | None
    aliases: tuple[str, ...]
    section: str | None
    tags: tuple[str, ...]
    body: str

    def text(self) -> str:
        front = []
        if self.title is not None:
            front.append(f"title: {self.title!r}")
        if self.aliases:
            front.append(f"aliases: [{', '.join(repr(a) for a in self.aliases)}]")
        if self.section is not None:
            front.append(f"section: {self.section}")
        if self.tags:
            front.append(f"tags: [{', '.join(self.tags)}]")
        head = "---\n" + "\n".join(front) + "\n---\n" if front else ""
        return head + self.body


# ------------------------------------------------------------------ strategies

link = st.sampled_from(NAMES + TITLES + ["Nowhere", "Alpha#Part", "models/beta"])
sentence = st.one_of(
    st.sampled_from(
        ["Plain words.", "Width goes to infinity.", "$x^2 + y$", "$$\\frac{1}{n}$$", "$x \\in \\R$"]
    ),
    link.map(lambda name: f"See [[{name}]]."),
    link.map(lambda name: f"Embedded:\n\n![[{name}]]\n"),
    link.map(lambda name: f"A [[{name}|label]] here."),
    st.just("## Part\n\nSection text."),
    st.just("Broken $\\frac{1}{$ formula."),
)
body = st.lists(sentence, min_size=1, max_size=4).map(lambda parts: "\n\n".join(parts) + "\n")
note = st.builds(
    Note,
    folder=st.sampled_from(FOLDERS),
    title=st.none() | st.sampled_from(TITLES),
    aliases=st.lists(st.sampled_from(TITLES), max_size=2, unique=True).map(tuple),
    section=st.sampled_from(SECTIONS),
    tags=st.lists(st.sampled_from(TAGS), max_size=2, unique=True).map(tuple),
    body=body,
)
which = st.integers(0, 9)  # which existing note: taken modulo their number when applied
step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(NAMES), note),
    st.tuples(st.just("body"), which, body),
    st.tuples(st.just("body"), which, body),  # the common case, twice as likely
    st.tuples(st.just("prose"), which, st.sampled_from(PROSE)),  # links kept: the quick path
    st.tuples(st.just("title"), which, st.none() | st.sampled_from(TITLES)),
    st.tuples(st.just("aliases"), which, st.lists(st.sampled_from(TITLES), max_size=2).map(tuple)),
    st.tuples(st.just("section"), which, st.sampled_from(SECTIONS)),
    st.tuples(st.just("tags"), which, st.lists(st.sampled_from(TAGS), max_size=2).map(tuple)),
    st.tuples(st.just("rename"), which, st.tuples(st.sampled_from(FOLDERS), st.sampled_from(NAMES))),
    st.tuples(st.just("delete"), which, st.none()),
    st.tuples(st.just("math"), st.integers(0, len(MATH) - 1), st.integers(0, len(PREAMBLES) - 1)),
    st.tuples(st.just("math"), st.just(len(MATH) - 1), st.integers(0, len(PREAMBLES) - 1)),  # preamble
)
CHECKED: dict[str, int] = {}  # steps compared with a clean build, by kind (shown with -s)
FIELDS = {"body": "body", "title": "title", "aliases": "aliases", "section": "section", "tags": "tags"}


# ------------------------------------------------------------------ the garden on disk


class Sequence:
    """A garden whose notes follow the generated steps."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.notes: dict[str, Note] = {}  # name -> note; the file is notes/<folder><name>.md
        (root / "notes").mkdir(parents=True)
        (root / "garden.yaml").write_text(FIXTURE_CONFIG)

    def path(self, name: str) -> Path:
        return self.root / "notes" / f"{self.notes[name].folder}{name}.md"

    def write(self, name: str, value: Note) -> None:
        self.notes[name] = value
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value.text(), encoding="utf-8")

    def apply(self, kind: str, name: str | int, value: object) -> str:
        """Apply one step; returns what was done (for Hypothesis' statistics)."""
        if kind == "math":  # garden.yaml's math settings, or the preamble's text, change
            (self.root / "garden.yaml").write_text(FIXTURE_CONFIG + MATH[name])  # type: ignore[index]
            (self.root / "macros.sty").write_text(PREAMBLES[value])  # type: ignore[index]
            return "math"
        if kind == "add":
            if name in self.notes:
                self.path(name).unlink()
            self.write(name, value)  # type: ignore[arg-type]
            return "add"
        if not self.notes:
            return "skip"
        name = sorted(self.notes)[name % len(self.notes)]  # type: ignore[operator]
        old = self.notes[name]
        if kind == "delete":
            self.path(name).unlink()
            del self.notes[name]
        elif kind == "rename":
            folder, new_name = value  # type: ignore[misc]
            if new_name != name and new_name in self.notes:
                return "skip"
            self.path(name).unlink()
            del self.notes[name]
            self.write(new_name, Note(folder, old.title, old.aliases, old.section, old.tags, old.body))
        elif kind == "prose":
            self.write(name, replace(old, body=f"{old.body}\n{value}\n"))
        else:
            fields = {f: getattr(old, f) for f in ("folder", "title", "aliases", "section", "tags", "body")}
            fields[FIELDS[kind]] = value
            self.write(name, Note(**fields))
        return kind


def problem_lines(problems: object) -> list[str]:
    return sorted(p.format() for p in problems.items)  # type: ignore[attr-defined]


@settings(PROFILE)
@given(
    start=st.lists(st.tuples(st.sampled_from(NAMES), note), min_size=2, max_size=4),
    steps=st.lists(step, min_size=3, max_size=7),
)
def test_random_edit_sequences_through_the_preview_equal_clean_builds(start, steps):
    root = Path(tempfile.mkdtemp(prefix="garden-incremental-"))
    try:
        garden = Sequence(root / "g")
        for name, value in start:
            garden.apply("add", name, value)
        with contextlib.chdir(garden.root):
            preview = make_preview(BuildOptions(), "127.0.0.1", 0)
            try:
                preview.build()
                for number, (kind, name, value) in enumerate(steps):
                    done = garden.apply(kind, name, value)
                    event(f"step: {done}")
                    result = preview.build()
                    event("quick path" if getattr(result, "quick", False) else "full path")
                    clean_out = root / f"clean-{number}"
                    clean = build_site(BuildOptions(out_dir=clean_out, no_cache=True))
                    assert problem_lines(result.problems) == problem_lines(clean.problems), f"step {number}"
                    assert result.written == clean.written, f"step {number}"
                    if clean.written:
                        preview.settle()  # the search index catches up in the background
                        assert snapshot(garden.root / "_site", marker=False) == snapshot(
                            clean_out, marker=False
                        ), f"step {number}: {kind}"
                    shutil.rmtree(clean_out, ignore_errors=True)
                    path = "quick" if getattr(result, "quick", False) else "full"
                    CHECKED[f"{done} ({path})"] = CHECKED.get(f"{done} ({path})", 0) + 1
                print(f"\nsteps checked so far: {sum(CHECKED.values())} {dict(sorted(CHECKED.items()))}")
            finally:
                preview.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
