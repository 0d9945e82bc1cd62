"""Jinja environment and the page emitters. Templates display; they never compute."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from garden.core import addresses
from garden.core.locations import PACKAGE_TEMPLATES
from garden.core.paths import Urls


@dataclass(frozen=True)
class LinkView:
    """A link as a template shows it."""

    title: str
    url: str = ""  # empty for planned notes
    context: str = ""
    planned: bool = False
    count: int = 0


@dataclass
class Page:
    """One output file: where it goes, which template, and what the template sees."""

    path: str  # relative to the output folder
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def make_environment(templates_dir: Path) -> Any:
    """Autoescaping Jinja, the project's templates first, then the package's own.

    No bytecode cache: Jinja's is marshalled code, run as it is loaded, so a crafted cache
    folder would run code; compiling the templates afresh costs about 0.1 s a build.
    """
    import jinja2

    search = [str(templates_dir)]
    if PACKAGE_TEMPLATES.is_dir() and PACKAGE_TEMPLATES.resolve() != templates_dir.resolve():
        search.append(str(PACKAGE_TEMPLATES))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["isodate"] = lambda d: d.isoformat() if d else ""
    env.filters["longdate"] = lambda d: f"{d.day} {d:%B %Y}" if d else ""
    return env


def render_page(env: Any, page: Page, site: dict[str, Any]) -> bytes:
    template = env.get_template(page.template)
    return template.render(site=site, page=page.context).encode("utf-8")


def markup(html: str) -> Markup:
    """HTML we generated ourselves (escaped where it came from data), for templates."""
    return Markup(html)


def site_context(config: Any, urls: Urls, tree: list[Any], css: list[str]) -> dict[str, Any]:
    return {
        "title": config.title,
        "description": config.description,
        "author": config.author,
        "language": config.language,
        "home_url": urls.page(""),
        "tags_url": urls.page(addresses.TAGS),
        "planned_url": urls.page(addresses.PLANNED),
        "css": css,
        "tree": tree,
        "extra": config.extra,
    }
