"""`garden new "Title" --section models/nngp-ntk`: write a new note with front-matter."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import yaml

from garden.core.config import find_config, load_config
from garden.core.paths import slugify
from garden.core.problems import Problems
from garden.sources.taxonomy import build_taxonomy


def run_new(args: argparse.Namespace) -> int:
    problems = Problems()
    config = load_config(args.config or find_config(Path.cwd()), problems, root=Path.cwd())
    notes_dir = (args.notes or config.notes_dir).resolve()
    title = args.title.strip()
    slug = slugify(title)
    if not slug:
        print(f"error: the title {title!r} has no letters or digits to name a file with", file=sys.stderr)
        return 2
    folder = notes_dir
    front: dict = {"title": title}
    if args.section:
        taxonomy = build_taxonomy(config.taxonomy, config.path, problems)
        section = taxonomy.lookup(args.section)
        if section is None:
            close = taxonomy.suggest(args.section)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            print(f"error: unknown section {args.section!r}{hint}", file=sys.stderr)
            return 2
        folder = notes_dir / section.path
        front["section"] = section.path
    tags = [t.strip() for t in args.tags.split(",") if t.strip()]
    if tags:
        front["tags"] = tags
    front.update({"date": date.today(), "status": "seedling"})
    path = folder / f"{slug}.md"
    if path.exists():
        print(f"error: {path} already exists; choose another title or edit that note", file=sys.stderr)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{header}---\n\n", encoding="utf-8")  # the title once: the page shows it
    print(path)
    return 0
