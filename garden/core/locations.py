"""Where garden's own files are: the project folder, its templates and static files, and the
packages installed from the npm registry (`npm ci`): KaTeX and the figure font.

The one place that knows the package's place on disk; nothing else looks at ``__file__``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_CODE = Path(__file__).resolve().parents[1]  # garden/
PACKAGE_ROOT = PACKAGE_CODE.parent  # a checkout: garden/, templates/, static/, node_modules/
# An installed wheel carries templates and static files inside the package (see setup.py).
_INSTALLED = (PACKAGE_CODE / "templates").is_dir()
PACKAGE_TEMPLATES = PACKAGE_CODE / "templates" if _INSTALLED else PACKAGE_ROOT / "templates"
PACKAGE_STATIC = PACKAGE_CODE / "static" if _INSTALLED else PACKAGE_ROOT / "static"
PACKAGE_LOCK = PACKAGE_ROOT / "package-lock.json"
# ...and the npm packages it needs, under garden/vendor/ (name on npm -> folder there)
VENDORED = PACKAGE_CODE / "vendor"
_VENDOR_FOLDERS = {"katex": "katex", "dejavu-fonts-ttf": "dejavu"}


class AssetMissing(Exception):
    """An npm package the build needs is not installed."""


def find_node_file(project_root: Path, relative: str, what: str) -> Path:
    """``node_modules/<relative>`` beside the garden, in the working folder, or in garden's
    checkout; else the copy an installed garden carries. A garden's own ``npm install katex``
    thus pins its KaTeX; without one, the installed package's works."""
    for root in (project_root, Path.cwd(), PACKAGE_ROOT):
        candidate = root / "node_modules" / relative
        if candidate.exists():
            return candidate
    package, _, rest = relative.partition("/")
    if package in _VENDOR_FOLDERS:
        candidate = VENDORED / _VENDOR_FOLDERS[package] / rest
        if candidate.exists():
            return candidate
    if PACKAGE_LOCK.is_file():  # a checkout of garden
        fix = f"run `npm ci` in the project folder ({PACKAGE_ROOT}) to install it from package.json"
    else:  # an installed garden whose copy is gone
        fix = "reinstall garden (its package carries it), or run `npm install katex` beside garden.yaml"
    raise AssetMissing(f"{what} is not installed: {fix}")
