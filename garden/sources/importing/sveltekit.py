"""A SvelteKit site with mdsvex pages, planned as a garden at the same addresses.

``src/routes/digitalGarden/NNGP/+page.md`` is served at ``/digitalGarden/NNGP``: it becomes
``notes/digitalGarden/NNGP.md`` (a route with pages below it becomes ``…/index.md``), and the
garden keeps the capitals (``urls: keep-case``). Files under ``static/`` keep their addresses
in the garden's ``static/``. A link to a page of the old site that is not imported (``/blog``)
would break in the garden: it points at the old site when its address is known (``static/CNAME``
or ``--site-url``), else it becomes plain text; either way it is reported.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

import yaml

from garden.core.addresses import ASSET_FOLDERS, PAGE_FOLDERS
from garden.core.discovery import readable_name
from garden.core.rawaddresses import (
    ATTRIBUTE,
    LINK_ATTRIBUTES,
    SOURCE_ATTRIBUTES,
    SRCSET_ATTRIBUTES,
    STYLE_ATTRIBUTES,
    attribute_value,
    css_urls,
    site_absolute,
    srcset_urls,
)
from garden.sources.frontmatter import split_front_matter
from garden.sources.importing.mdsvex import convert_mdsvex, sub_outside_code
from garden.sources.importing.plan import Plan

PAGE_NAMES = ("+page.md", "+page.svx")
_GROUP = re.compile(r"^\(.*\)$")  # (group): a folder that is not part of the URL
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_H1 = re.compile(r"^#[ \t]+\S")
_SETEXT = re.compile(r"^=+[ \t]*$")
_RAW_TAG = re.compile(r"<[A-Za-z][\w:-]*\s[^<>]*>")  # an opening tag with attributes
_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*(<[^>]*>|[^\s)]+)((?:\s+\"[^\"]*\")?)\s*\)")


def is_sveltekit(source: Path) -> bool:
    return _project(source) is not None


def _project(source: Path) -> tuple[Path, Path] | None:
    """The project folder and its routes folder: ``src/routes`` at or above ``source``, or a
    folder named ``routes`` that ``source`` is (or is inside of), its project the folder above
    its ``src``-like parent."""
    for folder in [source, *source.parents]:
        if (folder / "src" / "routes").is_dir():
            return folder, folder / "src" / "routes"
        if folder.name == "routes" and any(folder.rglob("+page.*")):
            parent = folder.parent
            return (parent.parent if parent.name.startswith("src") else parent), folder
    return None


def plan_sveltekit(source: Path, route: str = "", site_url: str = "") -> Plan:
    """Plan the import of every mdsvex page (under ``route``, or under ``source`` when it is a
    folder inside ``src/routes``)."""
    source = source.resolve()
    project = _project(source)
    assert project is not None, "not a SvelteKit project"
    root, routes = project
    if not route and source != root and source.is_relative_to(routes):
        route = _route_of(source.relative_to(routes))
    route = route.strip("/")
    plan = Plan("sveltekit", root)
    plan.settings["urls"] = "keep-case"
    origin = site_url.rstrip("/") or _origin_from_cname(root)

    pages: dict[str, Path] = {}  # route -> its page file
    for path in sorted(routes.rglob("+page.*")):
        if path.name not in PAGE_NAMES:
            continue
        address = _route_of(path.parent.relative_to(routes))
        if route and address != route and not address.startswith(route + "/"):
            continue
        if "[" in address:
            plan.leave(
                _rel(path, root), 0, "a route with a parameter ([slug]) has no one address: not imported"
            )
            continue
        pages[address] = path
    parents = {posixpath.dirname(a) for a in pages} | {
        a.rsplit("/", i)[0] for a in pages for i in range(1, a.count("/") + 1)
    }
    targets = {
        address: ("notes/index.md" if not address else f"notes/{address}/index.md")
        if (not address or address in parents)
        else f"notes/{address}.md"
        for address in pages
    }
    static = root / "static"
    static_files = _static_files(static, pages, route)
    known_files = {f"/{relative}" for relative in _all_static(static)}
    for address, path in pages.items():
        target = targets[address]
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        front, body, body_line, _ = split_front_matter(text)
        converted = convert_mdsvex(body)
        where = _rel(path, root)
        for line, message in converted.left:
            plan.leave(where, body_line + line - 1, message)
        for what, count in sorted(converted.changes.items()):
            plan.changed(target, what if count == 1 else f"{what} ({count}×)")
        markdown = _links(
            converted.text, address, pages, known_files, origin, plan, where, body, body_line, target
        )
        front_data = _front(front)
        header = (front or "").strip("\n") + "\n" if (front or "").strip() else ""  # as written
        if front_data is None:  # not YAML the garden reads: kept, for the author
            plan.leave(
                where, 2, "the front-matter is not a YAML mapping: kept as it was; the build will say why"
            )
        elif "title" not in front_data and not _single_top_heading(markdown):
            title = readable(address.rsplit("/", 1)[-1]) if address else readable(root.name)
            header = yaml.safe_dump({"title": title}, allow_unicode=True) + header
            plan.changed(target, f"title from the route name: {title!r}")
        markdown = markdown.lstrip("\n")
        plan.texts[target] = (f"---\n{header}---\n\n" if header else "") + markdown.rstrip() + "\n"
        plan.notes += 1
    for relative, file in static_files.items():
        head = relative.split("/", 1)[0]
        if head in PAGE_FOLDERS + ASSET_FOLDERS:
            plan.leave(f"static/{relative}", 0, f"the garden's own /{head}/ is at this address: not copied")
            continue
        plan.copies[f"static/{relative}"] = file
    if (static / "CNAME").is_file():
        plan.leave("static/CNAME", 0, "the old site's custom domain: set cname: in garden.yaml to move it")
    plan.settings["title"] = _title(root)
    return plan


def readable(name: str) -> str:
    """A route name as a title: ``meanField`` → ``Mean Field``, ``deep-linear_networks`` →
    ``Deep linear networks``; ``NNGP`` and ``12-2`` stay as they are."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])", " ", unquote(name))
    words = readable_name(words)
    return words[:1].upper() + words[1:] if words else name


def _route_of(folder: PurePosixPath | Path) -> str:
    parts = [p for p in PurePosixPath(folder.as_posix()).parts if p != "." and not _GROUP.match(p)]
    return "/".join(parts)


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _origin_from_cname(root: Path) -> str:
    cname = root / "static" / "CNAME"
    if cname.is_file():
        domain = cname.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        if domain and re.fullmatch(r"[A-Za-z0-9.-]+", domain[0].strip()):
            return f"https://{domain[0].strip()}"
    return ""


def _title(root: Path) -> str:
    package = root / "package.json"
    if package.is_file():
        match = re.search(r'"name"\s*:\s*"([^"]+)"', package.read_text(encoding="utf-8", errors="replace"))
        if match:
            return readable(match.group(1).split("/")[-1])
    return readable(root.name)


def _all_static(static: Path) -> list[str]:
    if not static.is_dir():
        return []
    return sorted(
        p.relative_to(static).as_posix()
        for p in static.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(static).parts)
        and p.resolve().is_relative_to(static.resolve())  # a link out of the site is not followed
    )


def _static_files(static: Path, pages: dict[str, Path], route: str) -> dict[str, Path]:
    """All of ``static/`` for a whole site; for one route, the files its pages link to and the
    folders named after the route (``static/images/digitalGarden/``)."""
    everything = _all_static(static)
    if not route:
        return {relative: static / relative for relative in everything}
    name = route.rsplit("/", 1)[-1]
    linked = set()
    for path in pages.values():
        text = path.read_text(encoding="utf-8", errors="replace")
        linked.update(m.lstrip("/") for m in re.findall(r"""[("'](/[^)"'\s]+)""", text))
    chosen = [r for r in everything if r in linked or name in r.split("/")[:-1]]
    return {relative: static / relative for relative in chosen}


def _front(front: str | None) -> dict | None:
    """The page's front-matter as a mapping ({} without one); None when it is not one."""
    if front is None or not front.strip():
        return {}
    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _single_top_heading(markdown: str) -> bool:
    """Whether the page has exactly one top-level heading (``#`` or ``===``) and opens with it."""
    lines = markdown.split("\n")
    headings, first, in_fence = [], None, False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            first = index if first is None else first
            continue
        if in_fence or not line.strip():
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _H1.match(line) or (_SETEXT.match(following) and not _SETEXT.match(line)):
            headings.append(index)
        first = index if first is None else first
    return len(headings) == 1 and headings[0] == first


def _links(
    markdown: str,
    address: str,
    pages: dict[str, Path],
    known_files: set[str],
    origin: str,
    plan: Plan,
    where: str,
    body: str,
    body_line: int,
    target: str,
) -> str:
    """Links to pages of the old site that the garden will not have: to the old site, or text."""
    lines, in_fence, changed = markdown.split("\n"), False, 0
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or "](" not in line:
            continue

        def replace(match: re.Match[str]) -> str:
            nonlocal changed
            bang, label, href = match.group(1), match.group(2), match.group(3).strip("<>")
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("#") or not parts.path:
                return match.group(0)
            found = _resolve(unquote(parts.path), address, pages, known_files)
            if found is not None:
                if found == parts.path:
                    return match.group(0)
                changed += 1  # relative: made absolute, as the old site's reader reached it
                fragment = f"#{parts.fragment}" if parts.fragment else ""
                return f"{bang}[{label}]({quote(found, safe='/')}{fragment}{match.group(4)})"
            folder = posixpath.dirname("/" + address) if address else "/"
            path = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
            line_number = _line_of(body, match.group(0), body_line)
            if bang:
                plan.leave(where, line_number, f"image {href} is not in static/: copy it there")
                return match.group(0)
            changed += 1
            if origin:
                plan.leave(
                    where, line_number, f"link to {href} (not in the garden) now points at {origin}{path}"
                )
                return f"[{label}]({origin}{path}{'#' + parts.fragment if parts.fragment else ''})"
            plan.leave(
                where,
                line_number,
                f"link to {href} (not in the garden) made plain text; "
                "pass --site-url https://your.old.site to keep it as a link there",
            )
            return label

        lines[index] = _LINK.sub(replace, line)

    def in_garden(url: str) -> bool:
        return _resolve(unquote(urlsplit(url).path), address, pages, known_files) is not None

    def raw(found: re.Match[str]) -> str:
        """A site-absolute address in raw HTML (``href``, ``src``, ``srcset``, ``poster``,
        ``data``, ``action``, CSS ``url()`` in ``style``; the build adds the base path to those the
        garden has): a file the garden lacks is reported; a link to a page outside the garden goes
        to the old site, or the attribute is dropped (both reported)."""
        nonlocal changed
        name = found.group("name").lower()
        value = html.unescape(attribute_value(found))
        if name in LINK_ATTRIBUTES or name in SOURCE_ATTRIBUTES:
            written = [value]
        elif name in SRCSET_ATTRIBUTES:
            written = [value[a:b] for a, b in srcset_urls(value)]
        elif name in STYLE_ATTRIBUTES:
            written = [value[a:b] for a, b in css_urls(value)]
        else:
            return found.group(0)
        outside = [url for url in written if site_absolute(url) and not in_garden(url)]
        if not outside:
            return found.group(0)
        line_number = _line_of(body, found.group(0).strip(), body_line)
        if name not in LINK_ATTRIBUTES:
            for url in outside:
                plan.leave(where, line_number, f"{url} (raw HTML) is not in static/: copy it there")
            return found.group(0)
        changed += 1
        path = urlsplit(value).path
        if origin:
            message = f"link to {value} (not in the garden) now points at {origin}{path}"
            plan.leave(where, line_number, message)
            return f'{found.group("lead")}"{html.escape(origin + value)}"'
        stays = ", its text stays" if name == "href" else ""
        plan.leave(
            where,
            line_number,
            f"link to {value} (not in the garden, raw HTML) lost its {name}{stays}; "
            "pass --site-url https://your.old.site to keep it as a link there",
        )
        return ""

    def tag(match: re.Match[str]) -> str:
        return ATTRIBUTE.sub(raw, match.group(0))

    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or "<" not in line:
            continue
        lines[index] = sub_outside_code(_RAW_TAG, line, tag)
    if changed:
        plan.changed(target, f"links to pages outside the garden rewritten ({changed})")
    return "\n".join(lines)


def _resolve(href: str, address: str, pages: dict[str, Path], known_files: set[str]) -> str | None:
    """The absolute address a link reaches in the old site, if it is a page or file the garden
    will have. A relative link is read both ways a reader may have met it: from the page's
    folder (``/a/b`` → ``/a/``) and from the page as a folder (``/a/b/``)."""
    bases = ["/"] if href.startswith("/") else [posixpath.dirname("/" + address) or "/", "/" + address]
    for base in bases:
        path = posixpath.normpath(posixpath.join(base, href))
        if path.strip("/") in pages or path in known_files:
            return href if href.startswith("/") else path
    return None


def _line_of(body: str, snippet: str, body_line: int) -> int:
    index = body.find(snippet)
    return body_line + (body.count("\n", 0, index) if index >= 0 else 0)
