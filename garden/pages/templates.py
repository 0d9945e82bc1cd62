"""Jinja environment and the page emitters. Templates display; they never compute."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from garden.core import addresses
from garden.core.boundary import LeavesTheGarden, outside
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


class TemplateFailed(Exception):
    """A page's template cannot be rendered: ``path:line`` of the template and what is wrong."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message


def make_environment(templates_dir: Path) -> Any:
    """Autoescaping Jinja, the project's templates first, then the package's own.

    No bytecode cache: Jinja's is marshalled code, run as it is loaded, so a crafted cache
    folder would run code; compiling the templates afresh costs about 0.1 s a build.
    A template whose real path leaves its folder (a symlink to /etc/passwd, included or
    extended) is never read: the loader raises :class:`LeavesTheGarden`.
    """
    import jinja2
    from jinja2.loaders import split_template_path

    class InsideLoader(jinja2.FileSystemLoader):
        def get_source(self, environment: Any, template: str) -> Any:
            pieces = split_template_path(template)
            for root in self.searchpath:
                filename = posixpath.join(root, *pieces)
                if os.path.isfile(filename):  # the one FileSystemLoader reads: checked first
                    real = outside(filename, (root,))
                    if real is not None:
                        raise LeavesTheGarden(os.path.normpath(filename), real)
                    break
            return super().get_source(environment, template)

    search = [str(templates_dir)]
    if PACKAGE_TEMPLATES.is_dir() and PACKAGE_TEMPLATES.resolve() != templates_dir.resolve():
        search.append(str(PACKAGE_TEMPLATES))
    env = jinja2.Environment(
        loader=InsideLoader(search),
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
    """The page's bytes; :class:`TemplateFailed` (naming the template's file and line) for a
    template that does not parse, includes what is not there, leaves the garden, or raises."""
    import jinja2

    try:
        template = env.get_template(page.template)
        return template.render(site=site, page=page.context).encode("utf-8")
    except LeavesTheGarden as exc:
        path, line = _template_frame(exc, env) or (exc.link, 0)
        raise TemplateFailed(path, line, str(exc)) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailed(exc.filename or page.template, exc.lineno, exc.message or str(exc)) from None
    except jinja2.TemplateNotFound as exc:  # an include of a file that is not there (or "../")
        path, line = _template_frame(exc, env) or (page.template, 0)
        message = f"template {exc.name!r} not found inside the templates folder or the built-in ones"
        raise TemplateFailed(path, line, message) from None
    except jinja2.TemplateError as exc:  # a value that is not there
        path, line = _template_frame(exc, env) or (page.template, 0)
        raise TemplateFailed(path, line, exc.message or str(exc)) from None
    except Exception as exc:  # raised by the template's own code ("x" in a number, 1 / 0)
        frame = _template_frame(exc, env)
        if frame is None:
            raise  # not the template's doing
        raise TemplateFailed(*frame, f"{type(exc).__name__}: {exc}") from None


def _template_frame(exc: BaseException, env: Any) -> tuple[str, int] | None:
    """The innermost template file and line the error passed through (Jinja rewrites its
    tracebacks so that template frames carry the template's file name and line)."""
    roots = [os.path.join(os.path.normpath(root), "") for root in env.loader.searchpath]
    found = None
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if any(filename.startswith(root) for root in roots):
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


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
