"""``garden import SRC [--from sveltekit|obsidian] [--into DIR]``: bring a SvelteKit site's mdsvex
pages or an Obsidian vault into a garden, print what changed and what is left for the author.

Nothing in ``DIR`` is ever replaced: a file that exists is kept and said so. The new garden's
``garden.yaml`` says what the import chose (``urls: keep-case`` for a site whose addresses had
capitals); then ``garden init`` adds what every garden has (.gitignore, the Pages workflow).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from garden.core.config import CONFIG_NAME, load_config
from garden.core.problems import Problems
from garden.sources.files import discover
from garden.sources.folders import folder_taxonomy
from garden.sources.importing.obsidian import is_obsidian, plan_obsidian
from garden.sources.importing.plan import Plan, write_plan
from garden.sources.importing.sveltekit import is_sveltekit, plan_sveltekit
from garden.sources.scaffold import init_garden
from garden.sources.starter import config_text

KINDS = ("sveltekit", "obsidian")
NAMES = {"sveltekit": "SvelteKit site", "obsidian": "Obsidian vault"}


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("import", help="bring a SvelteKit (mdsvex) site or an Obsidian vault in")
    parser.add_argument(
        "source", type=Path, metavar="SRC", help="the site's folder (or a route folder in it), or the vault"
    )
    parser.add_argument("--from", dest="kind", choices=KINDS, help="what SRC is (default: found out)")
    parser.add_argument(
        "--into", type=Path, default=Path("."), metavar="DIR", help="the garden (default: here)"
    )
    parser.add_argument(
        "--route", default="", help="SvelteKit: only the pages under this route, e.g. /digitalGarden"
    )
    parser.add_argument(
        "--site-url", default="", metavar="URL", help="SvelteKit: the old site, for links to its other pages"
    )


def detect(source: Path) -> str | None:
    if is_obsidian(source):
        return "obsidian"
    if is_sveltekit(source):
        return "sveltekit"
    return None


def run_import(args: argparse.Namespace) -> int:
    source: Path = args.source
    if not source.is_dir():
        print(f"error: {source} is not a folder: pass the site's or the vault's folder", file=sys.stderr)
        return 2
    kind = args.kind or detect(source.resolve())
    if kind is None:
        print(
            f"error: {source} is neither a SvelteKit site (no src/routes/) nor an Obsidian vault "
            "(no .obsidian/)\n    hint: pass --from sveltekit or --from obsidian",
            file=sys.stderr,
        )
        return 2
    if kind == "sveltekit" and not is_sveltekit(source.resolve()):
        print(f"error: {source} has no src/routes/ folder: it is not a SvelteKit site", file=sys.stderr)
        return 2
    into = args.into.resolve()
    if into == source.resolve():
        print("error: import into another folder than the source (--into DIR)", file=sys.stderr)
        return 2
    plan = plan_sveltekit(source, args.route, args.site_url) if kind == "sveltekit" else plan_obsidian(source)
    if not plan.notes:
        print(f"error: no notes found in {source} to import", file=sys.stderr)
        return 1
    notes = _into_existing_garden(plan, into)
    written = write_plan(plan, into)
    config = _write_config(plan, into)
    init = init_garden(into, notes, str(plan.settings.get("title") or "") or None)
    _report(plan, into, written.written, written.kept, written.failed, config, init)
    return 0


def _into_existing_garden(plan: Plan, into: Path) -> str:
    """A garden whose garden.yaml names other notes or static folders gets the files there;
    the notes folder's name is returned."""
    if not (into / CONFIG_NAME).is_file():
        return "notes"
    config = load_config(into / CONFIG_NAME, Problems(), root=into)
    moved = {"notes/": config.notes_dir, "static/": config.static_dir}
    for prefix, folder in moved.items():
        try:
            new = folder.resolve().relative_to(into).as_posix().rstrip("/") + "/"
        except ValueError:
            continue  # outside the garden's folder: keep the usual place
        if new == prefix or new == "./":
            continue
        for table in (plan.texts, plan.copies, plan.changes):
            for key in [k for k in table if k.startswith(prefix)]:
                table[new + key[len(prefix) :]] = table.pop(key)  # type: ignore[index]
    try:
        return config.notes_dir.resolve().relative_to(into).as_posix()
    except ValueError:
        return "notes"


def _write_config(plan: Plan, into: Path) -> tuple[str, list[str]]:
    """garden.yaml with what the import chose; an existing one is kept (what it lacks is said)."""
    path = into / CONFIG_NAME
    extra = {k: v for k, v in plan.settings.items() if k != "title"}
    if path.exists():
        text = path.read_text(encoding="utf-8", errors="replace")
        missing = [f"{key}: {_inline(value)}" for key, value in extra.items() if f"{key}:" not in text]
        return "kept", missing
    notes_dir = into / "notes"
    ignore = [str(glob) for glob in extra.get("ignore", [])]  # type: ignore[attr-defined]
    taxonomy = folder_taxonomy(notes_dir, discover(notes_dir, ignore, Problems()))
    text = config_text(str(plan.settings.get("title") or into.name), "notes", taxonomy)
    if "urls" in extra:
        text += (
            "\n# Addresses keep the capitals of file and folder names (/digitalGarden/NNGP/), as the\n"
            "# old site had them; `lowercase` would serve /digitalgarden/nngp/ (old spellings redirect).\n"
            f"urls: {extra.pop('urls')}\n"
        )
    if "math" in extra:
        text += "\n# The vault's LaTeX preamble: its macros are defined in every formula.\n"
        text += yaml.safe_dump({"math": extra.pop("math")}, sort_keys=False)
    if "ignore" in extra:
        text += "\n# Obsidian's excluded files.\n" + yaml.safe_dump(
            {"ignore": extra.pop("ignore")}, sort_keys=False
        )
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return "written", []


def _report(
    plan: Plan,
    into: Path,
    written: list[str],
    kept: list[str],
    failed: list[str],
    config: tuple[str, list[str]],
    init: list,
) -> None:
    where = into.as_posix()
    print(f"Imported {plan.notes} notes from {plan.source} ({NAMES[plan.kind]}) into {where}:")
    copied = [w for w in written if w not in plan.texts]
    for target in sorted(t for t in written if t in plan.texts):
        what = "; ".join(plan.changes.get(target, [])) or "as it was"
        print(f"  wrote {target}: {what}")
    if copied:
        folders = sorted({c.split("/", 1)[0] + "/" for c in copied})
        print(
            f"  copied {len(copied)} files (images, attachments) into {', '.join(folders)} at the same paths"
        )
    for target in sorted(t for t in plan.changes if t not in plan.texts):
        print(f"  {target}: {'; '.join(plan.changes[target])}")
    for item in kept:
        print(f"  kept  {item}: it exists already (not changed)")
    for item in failed:
        print(f"  not copied {item}")
    state, missing = config
    if state == "written":
        chosen = ", ".join(f"{k}: {v}" for k, v in plan.settings.items() if k in ("urls",))
        print(f"  wrote {CONFIG_NAME}" + (f" ({chosen}: the old addresses keep working)" if chosen else ""))
    else:
        print(f"  kept  {CONFIG_NAME}: it exists already (not changed)")
    for item in init:
        if item.written and item.path.name != CONFIG_NAME:
            print(f"  wrote {item.path.relative_to(into).as_posix()}: {item.what}")
    for item in init:
        if item.note:
            print(f"  note: {item.note}")
    left = [
        *(f"{CONFIG_NAME}: add `{line}` (what the import would have set)" for line in missing),
        *(item.format() for item in sorted(plan.left, key=lambda i: (i.path, i.line))),
    ]
    if left:
        print(f"Left for you ({len(left)}), in {plan.source}:")
        for line in left:
            print(f"  {line}")
    else:
        print("Nothing left for you to fix by hand.")
    go = "" if into == Path.cwd().resolve() else f"cd {where} && "
    print(f"next: {go}garden build --strict   (then garden serve to preview)")


def _inline(value: object) -> str:
    """A setting's value as one line of YAML (``keep-case``, ``{preamble: preamble.sty}``)."""
    return yaml.safe_dump(value, default_flow_style=True, width=1000).strip().removesuffix("...").strip()
