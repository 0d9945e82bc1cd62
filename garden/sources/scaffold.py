"""`garden new "Title" --section models/nngp-ntk`: write a new note with front-matter; and
`garden init [DIR]`: make a folder a garden (``init_garden`` is also what importers call)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from garden.core.config import CONFIG_NAME, load_config
from garden.core.discovery import default_title, locate_config
from garden.core.origin import Origin, installed_origin
from garden.core.paths import slugify
from garden.core.problems import Problems
from garden.sources.files import discover
from garden.sources.folders import folder_taxonomy
from garden.sources.starter import GITIGNORE, config_text, home_note, pages_workflow, requirements_text
from garden.sources.taxonomy import build_taxonomy


def run_new(args: argparse.Namespace) -> int:
    problems = Problems()
    config_path = locate_config(args.config, args.notes, Path.cwd())
    config = load_config(config_path, problems, root=Path.cwd())
    notes_dir = (args.notes or config.notes_dir).resolve()
    title = args.title.strip()
    slug = slugify(title)
    if not slug:
        print(f"error: the title {title!r} has no letters or digits to name a file with", file=sys.stderr)
        return 2
    folder = notes_dir
    front: dict = {"title": title}
    if args.section:
        declared = config.taxonomy or folder_taxonomy(notes_dir, discover(notes_dir, config.ignore, problems))
        taxonomy = build_taxonomy(declared, config.path, problems)
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


@dataclass
class Written:
    """One file ``garden init`` meant to write, and whether it did (it never overwrites)."""

    path: Path
    what: str
    written: bool
    note: str = ""  # what the author still has to do about this file


def init_garden(
    folder: Path, notes: str = "notes", title: str | None = None, install: str | None = None
) -> list[Written]:
    """Make ``folder`` a garden: garden.yaml (title, the sections of the notes' folders),
    .gitignore, the GitHub Pages workflow with the requirements.txt it installs garden from
    (``install``, else where this garden came from), and a home note when there is none. A file
    that exists already is left as it is. Returns what was written and what was left alone."""
    folder = folder.resolve()
    origin = Origin(install) if install else installed_origin()
    notes_dir = folder / notes
    note_paths = discover(notes_dir, [], Problems()) if notes_dir.is_dir() else []
    title = title or default_title(notes_dir)
    home_names = ("index.md", "_index.md", "README.md", "readme.md")
    homes = [notes_dir / name for name in home_names if (notes_dir / name).is_file()]
    files = [
        (
            folder / CONFIG_NAME,
            "site config",
            config_text(title, notes, folder_taxonomy(notes_dir, note_paths)),
        ),
        (folder / ".gitignore", "ignores the built site and the cache", GITIGNORE),
        (folder / ".github" / "workflows" / "pages.yml", "publishes on GitHub Pages", pages_workflow()),
        (folder / REQUIREMENTS, "the garden the workflow installs", requirements_text(origin.requirement)),
    ]
    home = homes[0] if homes else notes_dir / "index.md"
    files.append((home, "the home page's text", home_note(title)))
    done: list[Written] = []
    for path, what, text in files:
        if path.exists():
            note = _kept_requirements_note(path) if path.name == REQUIREMENTS else ""
            done.append(Written(path, what, False, note))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
            handle.write(text)
        note = _unreachable_note(origin) if path.name == REQUIREMENTS else ""
        done.append(Written(path, what, True, note))
    return done


REQUIREMENTS = "requirements.txt"
GIT_EXAMPLE = "garden-ssg @ git+https://github.com/OWNER/REPO@COMMIT"


def _unreachable_note(origin: Origin) -> str:
    """Why the written requirement may not install on GitHub's runners, and how to fix it."""
    if not origin.unreachable:
        return ""
    pin = "; a release pin works only once that release is on PyPI" if "==" in origin.requirement else ""
    return (
        f"the Pages workflow installs `{origin.requirement}` (from {REQUIREMENTS}{pin}), but GitHub's "
        f"runners cannot reach where this garden came from: {origin.unreachable}. Edit {REQUIREMENTS} "
        f"to name a source they can reach, e.g. `{GIT_EXAMPLE}`, or pass it to `garden init --install SPEC`"
    )


def _kept_requirements_note(path: Path) -> str:
    """An existing requirements.txt is kept: the workflow installs it, so it must name garden."""
    text = path.read_text(encoding="utf-8", errors="replace").lower()
    if "garden-ssg" in text or "garden_ssg" in text:
        return ""
    return (
        f"the Pages workflow runs `pip install -r {REQUIREMENTS}`, which does not name garden: add a "
        f"line such as `{installed_origin().requirement}` to it"
    )


def run_init(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    if folder.exists() and not folder.is_dir():
        print(f"error: {folder} is a file; pass a folder to make into a garden", file=sys.stderr)
        return 2
    base = folder.resolve()
    loose = sorted(p.name for p in base.glob("*.md")) if not (base / args.notes).is_dir() else []
    install = (args.install or "").strip() or None
    if install and "\n" in install:
        print("error: --install takes one pip requirement (one line)", file=sys.stderr)
        return 2
    done = init_garden(folder, args.notes, args.title, install)
    for item in done:
        shown = item.path.relative_to(base).as_posix()
        if item.written:
            print(f"wrote {shown}: {item.what}")
        else:
            print(f"kept  {shown}: it exists already (not changed)")
    for item in done:
        if item.note:
            print(f"note: {item.note}")
    if loose:  # a vault at the top of the folder: garden reads notes from the notes folder only
        print(
            f"note: {len(loose)} notes ({', '.join(loose[:3])}{', …' if len(loose) > 3 else ''}) lie "
            f"beside garden.yaml, outside {args.notes}/: move them into {args.notes}/ to publish them"
        )
    if (base / CONFIG_NAME).is_file():
        where = "" if base == Path.cwd().resolve() else f"cd {folder} && "
        print(f"next: {where}garden serve   (preview), then push to GitHub (see README: Publishing)")
    return 0
