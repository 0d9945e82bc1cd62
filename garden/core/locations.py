"""Where garden's own files are: the project folder, its templates and static files, and the
packages installed from the npm registry (`npm ci`): KaTeX and the figure font.

The one place that knows the package's place on disk; nothing else looks at ``__file__``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the project: garden/, templates/, static/
PACKAGE_CODE = PACKAGE_ROOT / "garden"
PACKAGE_TEMPLATES = PACKAGE_ROOT / "templates"
PACKAGE_STATIC = PACKAGE_ROOT / "static"
PACKAGE_LOCK = PACKAGE_ROOT / "package-lock.json"


class AssetMissing(Exception):
    """An npm package the build needs is not installed."""


def find_node_file(project_root: Path, relative: str, what: str) -> Path:
    """``node_modules/<relative>`` beside the garden, the working folder, or this package."""
    for root in (project_root, Path.cwd(), PACKAGE_ROOT):
        candidate = root / "node_modules" / relative
        if candidate.exists():
            return candidate
    raise AssetMissing(
        f"{what} is not installed: run `npm ci` in the project folder ({PACKAGE_ROOT}) "
        "to install it from package.json"
    )
