#!/usr/bin/env python3
"""Measure what publishing adds to a build: git dates, cards (cold and cached), feed and sitemap.

Usage: python bench/publish.py [NOTES]   (default 300). Makes a throwaway garden in a git
repository under a temporary folder, builds it twice, and prints the timings.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from garden.build.builder import build_site
from garden.build.inputs import BuildOptions
from garden.core.problems import Problems
from garden.sources.dates import git_dates

CONFIG = """title: Bench Garden
taxonomy:
  - title: Core
    children:
      - {slug: models, title: Models, children: [{slug: kernels, title: Kernels}]}
      - {slug: optimization, title: Optimization}
"""


def make_garden(root: Path, count: int) -> None:
    (root / "garden.yaml").write_text(CONFIG)
    sections = ["models", "models/kernels", "optimization"]
    for index in range(count):
        folder = root / "notes" / sections[index % 3]
        folder.mkdir(parents=True, exist_ok=True)
        links = " ".join(f"[[Note {j}]]" for j in (index - 1, index + 7) if 0 <= j < count)
        paper = (
            f"paper:\n  title: Paper number {index}\n  authors: [Ann Writer]\n  year: 2020\n"
            if index % 10 == 0
            else ""
        )
        (folder / f"note-{index}.md").write_text(
            f"---\ntitle: Note {index}\ntags: [t{index % 7}, theory]\naliases: [N{index}]\n{paper}---\n"
            f"A note about $x_{index}$ and {links}.\n\n## Part\n\nMore text.\n"
        )
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b"}
    env["GIT_COMMITTER_EMAIL"] = "b@b"
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "notes"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_garden(root, count)
        started = time.perf_counter()
        git_dates(root / "notes", Problems())
        print(f"git dates for {count} notes: {time.perf_counter() - started:.3f} s")
        for label in ("cold (cards drawn)", "warm (cards cached)"):
            result = build_site(BuildOptions(root=root, base_url="https://user.github.io/garden/"))
            assert result.written, [p.format() for p in result.problems.errors]
            drawn = f"{result.cards_drawn} cards drawn"
            print(f"build, {label}: {result.seconds:.2f} s, {drawn}, {result.pages} pages")
        site = root / "_site"
        print(
            f"feed.xml {(site / 'feed.xml').stat().st_size // 1024} KiB, "
            f"sitemap.xml {(site / 'sitemap.xml').stat().st_size // 1024} KiB, "
            f"cards {sum(p.stat().st_size for p in (site / 'cards').rglob('*.png')) // 1024} KiB"
        )


if __name__ == "__main__":
    main()
