"""Files a site has besides its pages: our static files, KaTeX's style sheet and fonts, the
files notes link to, and the code highlighting style sheet."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from garden.core import addresses
from garden.core.boundary import LEAVES_HINT, leaves_message, links_leaving, outside
from garden.core.locations import PACKAGE_STATIC
from garden.core.problems import Problems
from garden.linking.resolve import Resolver
from garden.markdown.highlight import pygments_css

if TYPE_CHECKING:
    from garden.model import Garden


@lru_cache(maxsize=1)
def _highlight_bytes() -> bytes:
    return _highlight_css().encode("utf-8")


def generated_files() -> dict[str, tuple[str, Callable[[], bytes]]]:
    """Files the build generates from no note: path -> (fingerprint, how to make the bytes)."""
    from importlib.metadata import version

    return {addresses.HIGHLIGHT_CSS: (f"pygments-{version('pygments')}-2", _highlight_bytes)}


def _highlight_css() -> str:
    """Light token colours; dark ones follow the system unless the reader chose a theme."""
    light = pygments_css("default", ".highlight")
    dark = pygments_css("monokai", ':root:not([data-theme="light"]) .highlight')
    dark_block = "\n".join("  " + line for line in dark.splitlines())
    chosen = pygments_css("monokai", ':root[data-theme="dark"] .highlight')
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark_block}\n}}\n{chosen}\n"


def asset_copies(
    garden: Garden, resolver: Resolver, katex_dist: Path, problems: Problems | None = None
) -> dict[str, Path]:
    """Files copied as they are: static/, KaTeX's style sheet and fonts, linked files.
    A symlink in static/ that leaves the garden is an error (``problems``), never copied."""
    copies: dict[str, Path] = {}
    for root in dict.fromkeys([PACKAGE_STATIC, garden.config.static_dir]):
        if not root.is_dir():
            continue
        if root != PACKAGE_STATIC and problems is not None:
            for link, real in links_leaving(root):  # a linked folder: rglob would skip it unsaid
                if link.is_dir():
                    problems.error(link, 0, leaves_message(real), LEAVES_HINT)
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                real = outside(path, (root,)) if root != PACKAGE_STATIC else None
                if real is not None:
                    if problems is not None:
                        problems.error(path, 0, leaves_message(real), LEAVES_HINT)
                    continue
                copies[relative.as_posix()] = path
    copies[addresses.KATEX_CSS] = katex_dist / "katex.min.css"
    for font in sorted((katex_dist / "fonts").glob("*.woff2")):
        copies[f"{addresses.KATEX_FONTS}/{font.name}"] = font
    for path in sorted(_linked_files(garden)):
        source = resolver.source_of_file(path)
        if source is not None:
            copies[path] = source
    return copies


def _linked_files(garden: Garden) -> set[str]:
    """Files that notes link to or embed, as the link stage recorded them."""
    return {
        edge.target.slug for edges in garden.edges.values() for edge in edges if edge.target.kind == "file"
    }
