"""An Obsidian vault, planned as a garden: notes and attachments at the same paths under
``notes/``, the vault's settings (``.obsidian/app.json``) read, and its LaTeX preamble kept.

What the garden already reads as Obsidian does (``[[wikilinks]]``, ``![[embeds]]`` found by
name, callouts, ``%%comments%%``) is left as it is. What it would read differently is changed:
- Markdown links written as Obsidian resolves them, vault-absolute (``newLinkFormat:
  absolute``) or by bare name (``shortest``), become ``/path`` links the garden resolves;
- an attachment folder whose name starts with a dot (the garden skips dot-folders) is copied
  under its name without the dot;
- Obsidian's excluded files (``userIgnoreFilters``) become the garden's ``ignore`` globs.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

import yaml

from garden.sources.frontmatter import split_front_matter
from garden.sources.importing.plan import Plan

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*(<[^>]*>|[^\s)]+)((?:\s+\"[^\"]*\")?)\s*\)")
# Where LaTeX plugins keep a vault's macros: Extended MathJax reads preamble.sty at the root.
PREAMBLE_NAMES = ("preamble.sty", "preamble.tex", "preamble.md")


def is_obsidian(source: Path) -> bool:
    return (source / ".obsidian").is_dir()


def plan_obsidian(source: Path) -> Plan:
    source = source.resolve()
    plan = Plan("obsidian", source)
    settings = _app_settings(source, plan)
    attachments = str(settings.get("attachmentFolderPath") or "").strip().strip("/")
    renamed: dict[str, str] = {}  # a dot-folder -> its name in the garden
    if attachments and not attachments.startswith("./"):
        first = attachments.split("/", 1)[0]
        if first.startswith("."):
            renamed[first] = first.lstrip(".") or "attachments"
            plan.changed(
                f"notes/{renamed[first]}/",
                f"attachments from {first}/ (the garden skips folders whose name starts with a dot)",
            )
    ignored = _ignore_filters(settings, plan)
    files = _vault_files(source, renamed, plan)
    notes = {rel for rel in files if rel.lower().endswith(".md")}
    by_name: dict[str, list[str]] = {}
    for rel in sorted(files, key=lambda r: (r.count("/"), r)):
        by_name.setdefault(PurePosixPath(rel).name.lower(), []).append(rel)
        stem = PurePosixPath(rel).stem.lower() if rel.lower().endswith(".md") else None
        if stem:
            by_name.setdefault(stem, []).append(rel)
    for rel, path in sorted(files.items()):
        target = "notes/" + _garden_path(rel, renamed)
        if rel in notes:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            if not _front_matter_reads(text):
                plan.leave(
                    rel, 2, "the front-matter is not a YAML mapping: the build stops at it (fix or ignore it)"
                )
            plan.texts[target] = _links(text, rel, files, by_name, renamed, plan, target)
            plan.notes += 1
        else:
            plan.copies[target] = path
    if ignored:
        plan.settings["ignore"] = ignored
    preamble = _preamble(source, plan)
    if preamble:
        plan.copies["preamble.sty"] = preamble
        plan.settings["math"] = {"preamble": "preamble.sty"}
        plan.changed(
            "preamble.sty", f"the vault's LaTeX preamble ({preamble.relative_to(source).as_posix()})"
        )
    plan.settings["title"] = source.name
    return plan


def _front_matter_reads(text: str) -> bool:
    front = split_front_matter(text)[0]
    if front is None or not front.strip():
        return True
    try:
        return isinstance(yaml.safe_load(front), dict | None)
    except yaml.YAMLError:
        return False


def _app_settings(source: Path, plan: Plan) -> dict:
    path = source / ".obsidian" / "app.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        plan.leave(".obsidian/app.json", 0, f"unreadable ({exc}); the vault's defaults are used")
        return {}
    return data if isinstance(data, dict) else {}


def _ignore_filters(settings: dict, plan: Plan) -> list[str]:
    globs: list[str] = []
    for value in settings.get("userIgnoreFilters") or []:
        if not isinstance(value, str) or not value.strip():
            continue
        if value.startswith("/") and value.endswith("/") and len(value) > 1:
            plan.leave(
                ".obsidian/app.json",
                0,
                f"excluded-files pattern {value} is a regular expression: not carried",
            )
            continue
        clean = value.strip().strip("/")
        globs += [clean, f"{clean}/**"] if not clean.lower().endswith(".md") else [clean]
    return globs


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def _vault_files(source: Path, renamed: dict[str, str], plan: Plan) -> dict[str, Path]:
    """Every file of the vault by its path: dot-folders (.obsidian, .trash) left out, except an
    attachment folder named with a dot."""
    found: dict[str, Path] = {}
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        parts = path.relative_to(source).parts
        if any(part.startswith(".") for part in parts) and parts[0] not in renamed:
            continue
        if any(part.startswith(".") for part in parts[1:]):
            continue
        if not _inside(path, source):
            plan.leave(PurePosixPath(*parts).as_posix(), 0, "a link to a file outside the vault: not copied")
            continue
        found[PurePosixPath(*parts).as_posix()] = path
    return found


def _garden_path(rel: str, renamed: dict[str, str]) -> str:
    first, _, rest = rel.partition("/")
    return f"{renamed[first]}/{rest}" if first in renamed and rest else rel


def _links(
    text: str,
    rel: str,
    files: dict[str, Path],
    by_name: dict[str, list[str]],
    renamed: dict[str, str],
    plan: Plan,
    target: str,
) -> str:
    """Markdown links that only Obsidian resolves (vault-absolute, bare names) as ``/path``."""
    folder = posixpath.dirname(rel)
    lines, in_fence, changed = text.split("\n"), False, 0
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or "](" not in line:
            continue

        def replace(match: re.Match[str], line_number: int = index + 1) -> str:
            nonlocal changed
            bang, label, raw, title = match.groups()
            href = raw.strip("<>")
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("#", "/")) or not parts.path:
                return match.group(0)
            path = unquote(parts.path)
            relative = posixpath.normpath(posixpath.join(folder, path))
            found_here = relative in files or f"{relative}.md" in files
            if found_here and relative.split("/", 1)[0] not in renamed:
                return match.group(0)
            found = _find(path, files, by_name)
            if found is None:
                plan.leave(rel, line_number, f"link to {href} matches no file of the vault: left as it is")
                return match.group(0)
            changed += 1
            new = "/" + quote(_garden_path(found, renamed).removesuffix(".md"), safe="/")
            anchor = f"#{parts.fragment}" if parts.fragment else ""
            return f"{bang}[{label}]({new}{anchor}{title})"

        lines[index] = _LINK.sub(replace, line)
        for block in re.findall(r"\[\[[^\]]*#\^[^\]]*\]\]", lines[index]):
            plan.leave(rel, index + 1, f"{block}: links to a block (#^id) reach the note, not the block")
    if changed:
        plan.changed(target, f"Markdown links as Obsidian resolves them made /paths ({changed})")
    return "\n".join(lines)


def _find(path: str, files: dict[str, Path], by_name: dict[str, list[str]]) -> str | None:
    clean = path.strip("/")
    for candidate in (clean, f"{clean}.md"):
        if candidate in files:
            return candidate  # vault-absolute
    matches = by_name.get(PurePosixPath(clean).name.lower(), [])
    return matches[0] if matches else None  # the shortest path: what Obsidian picks


def _preamble(source: Path, plan: Plan) -> Path | None:
    """The LaTeX preamble a math plugin of the vault loads, if any."""
    plugins = source / ".obsidian" / "plugins"
    if plugins.is_dir():
        for data in sorted(plugins.glob("*/data.json")):
            try:
                settings = json.loads(data.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(settings, dict):
                continue
            for key, value in sorted(settings.items()):
                if "preamble" in key.lower() and isinstance(value, str) and value.strip():
                    candidate = (source / value.strip().lstrip("/")).resolve()
                    if candidate.is_file() and candidate.is_relative_to(source):
                        return candidate
    for name in PREAMBLE_NAMES:
        if (source / name).is_file():
            return source / name
    stray = sorted(
        p.relative_to(source).as_posix()
        for p in source.rglob("*.sty")
        if ".obsidian" not in p.parts and p.is_file() and _inside(p, source)
    )
    named = [p for p in stray if PurePosixPath(p).stem.lower() in ("macros", "preamble")]
    if named and len({(source / p).read_bytes() for p in named}) == 1:
        plan.leave(
            named[0], 0, "taken as the math preamble (no vault plugin names one): check it is the notes'"
        )
        return source / named[0]
    for found in stray[:5]:
        plan.leave(
            found,
            0,
            "a LaTeX style file no vault plugin loads: add its macros to math.macros if notes use them",
        )
    return None
