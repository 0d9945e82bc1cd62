#!/usr/bin/env python3
"""Do citations slow builds down? The same synthetic garden built with and without a citation
in every paragraph (a script, not a test).

    python bench/citations.py [--notes 1000] [--runs 3] [--shared ../shared/bench]

It makes a garden with ``make_garden.py``, copies it, and in the copy ends every prose
paragraph with a Pandoc citation (``[@key]``, ``[@a; @b, p. 3]``, or narrative ``@key``) of 60
BibTeX entries in ``references.bib``. Each garden is built as a whole process: cold
(``--no-cache``), and again from a warm cache into an empty output folder (every page filled
and written; the notes' compiled forms come from the cache). Wall and CPU seconds, medians of
``--runs``; the two gardens alternate, and the difference is the median of the runs' own
ratios (with-citations over the without-citations build just before it), so that a machine
whose speed drifts between runs weighs on both sides of each ratio alike.

``bench/bench.py`` has these rows too (``make_pair`` and ``measure`` are shared).
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import make_notes

ROOT = Path(__file__).resolve().parent.parent
PROSE = re.compile(r"^[A-Z][^\n]*\.$")
SURNAMES = ["Lee", "Jacot", "Yang", "Hu", "Cho", "Saul", "Neal", "Matthews", "Novak", "Bahri", "Arora", "Du"]


# One title in this many has a formula: a harder case than the garden's own references.bib (1 of
# its 69), since each References list then carries KaTeX's HTML for one or two titles and a
# cached build, which mostly writes and indexes pages, pays for those bytes.
MATH_EVERY = 5


def bibliography(count: int, math_every: int) -> str:
    """``count`` entries; every ``math_every``-th title has a formula (KaTeX in each References)."""
    rng = random.Random(7)
    entries = []
    for index in range(count):
        authors = " and ".join(f"{rng.choice(SURNAMES)}, A{index % 7}." for _ in range(rng.randint(1, 4)))
        width = f"$n_{{{index}}}$" if index % math_every == 0 else "n"
        title = f'On the {{NTK}} of width {width} and Schr{{\\"o}}dinger maps'
        entries.append(
            f"@article{{key{index},\n  title = {{{title}}},\n  author = {{{authors}}},\n"
            f"  journal = {{Journal {index % 5}}},\n  year = {{{2000 + index % 25}}},\n"
            f"  doi = {{10.1000/{index}}}\n}}\n"
        )
    return "\n".join(entries)


def cite_everywhere(notes: Path, keys: int) -> int:
    """End every prose paragraph of every note with a citation; how many were added."""
    rng = random.Random(11)
    added = 0
    for path in sorted(notes.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for i, line in enumerate(lines):
            if PROSE.match(line):
                a, b = rng.randrange(keys), rng.randrange(keys)
                form = rng.choice([f" [@key{a}]", f" [@key{a}; @key{b}, p. {i}]", f" As @key{a} show."])
                lines[i] = line + form
                added += 1
        path.write_text("\n".join(lines), encoding="utf-8")
    return added


def make_pair(shared: Path, folder: Path, notes: int, math_every: int = MATH_EVERY) -> tuple[Path, Path, int]:
    """Two gardens in ``folder``, the same notes without and with a citation per paragraph;
    and how many citations there are. Made once: an existing pair is used as it is."""
    plain, cited = folder / "plain", folder / "cited"
    marker = folder / "citations.txt"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        make_notes(shared, plain / "notes", notes)
        (plain / "garden.yaml").write_text("title: Bench\n", encoding="utf-8")
        shutil.copytree(plain, cited)
        (cited / "references.bib").write_text(bibliography(60, math_every), encoding="utf-8")
        marker.write_text(str(cite_everywhere(cited / "notes", 60)), encoding="utf-8")
    return plain, cited, int(marker.read_text(encoding="utf-8"))


def difference(without: list[float], with_: list[float]) -> float:
    """Percent more, the median of run-by-run ratios."""
    return 100 * (statistics.median(b / a for a, b in zip(without, with_, strict=True)) - 1)


def build(root: Path, cache: bool) -> tuple[float, float]:
    """Wall and CPU seconds (the build and every process it waited for, Pagefind included)."""
    shutil.rmtree(root / "_site", ignore_errors=True)
    command = [sys.executable, str(ROOT / "build.py"), "-q"]
    command += ["--cache-dir", str(root / ".cache")] if cache else ["--no-cache"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=root, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


KINDS = (("cold", False), ("cached", True))
Pair = tuple[float, float]  # wall and CPU seconds, or percents


def measure(plain: Path, cited: Path, runs: int) -> dict[tuple[str, str], list[Pair]]:
    """Wall and CPU seconds of each build, by (kind, "without" | "with"): the two gardens in
    turn, cold and then from a warm cache into an empty output folder, ``runs`` times."""
    times: dict[tuple[str, str], list[Pair]] = {}
    for root in (plain, cited):  # warm the caches the cached builds read
        build(root, cache=True)
    for _ in range(runs):
        for kind, cache in KINDS:
            for name, root in (("without", plain), ("with", cited)):
                times.setdefault((kind, name), []).append(build(root, cache))
    return times


def summary(times: dict[tuple[str, str], list[Pair]], kind: str) -> tuple[Pair, Pair, Pair]:
    """One kind of build: the medians without and with citations, and the differences."""
    without, with_ = times[(kind, "without")], times[(kind, "with")]
    medians = [
        (statistics.median(t[0] for t in runs), statistics.median(t[1] for t in runs))
        for runs in (without, with_)
    ]
    wall, cpu = (difference([t[i] for t in without], [t[i] for t in with_]) for i in (0, 1))
    return medians[0], medians[1], (wall, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--math-every", type=int, default=MATH_EVERY, help="every Nth title has a formula")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "bench")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="garden-cite-bench-") as folder:
        plain, cited, added = make_pair(args.shared, Path(folder), args.notes, args.math_every)
        times = measure(plain, cited, args.runs)
        print(
            f"{args.notes} notes, {added} citations (one per paragraph), a formula in every "
            f"{args.math_every}th title; median of {args.runs} runs\n"
        )
        print("| build | without citations | with citations | difference (wall) | difference (CPU) |")
        print("|---|---|---|---|---|")
        for kind, _ in KINDS:
            without, with_, (wall, cpu) = summary(times, kind)
            cells = [f"{median[0]:.2f} s wall, {median[1]:.1f} s CPU" for median in (without, with_)]
            print(f"| {kind} | {cells[0]} | {cells[1]} | {wall:+.1f} % | {cpu:+.1f} % |")


if __name__ == "__main__":
    main()
