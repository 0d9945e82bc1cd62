"""Locate packages installed from the npm registry (`npm ci`): KaTeX and the figure font."""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


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
