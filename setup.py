"""Packaging beyond what pyproject.toml can say: garden's own files that live outside garden/
travel in the wheel as package data, so an installed garden builds in any folder.

- templates/ and static/ become garden/templates and garden/static;
- from node_modules/ (run `npm ci` before building a wheel): KaTeX's script, style sheet and
  WOFF2 fonts, and the DejaVu fonts the figures and social cards are drawn with, each with its
  licence, become garden/vendor/katex and garden/vendor/dejavu.

garden/core/locations.py finds them there. An editable install (`pip install -e .`) before
`npm ci` still works: it reads node_modules/ in the checkout instead.

A wheel built from a fresh git checkout (`pip install 'garden-ssg @ git+URL'`, what `garden
init` writes for the Pages workflow) has no node_modules/: the build runs `npm ci` first when
npm is on PATH (the lock file pins the versions), so the wheel carries KaTeX and the fonts.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
DATA = {
    "garden.templates": ("templates", ["*.html", "**/*.html"]),
    "garden.static": ("static", ["css/*", "js/*", "images/*", "*.svg"]),
    "garden.vendor.katex": (
        "node_modules/katex",
        ["LICENSE", "dist/katex.min.js", "dist/katex.min.css", "dist/fonts/*.woff2"],
    ),
    "garden.vendor.dejavu": (
        "node_modules/dejavu-fonts-ttf",
        ["LICENSE", "ttf/DejaVuSans.ttf", "ttf/DejaVuSans-Bold.ttf"],
    ),
}


def fetch_vendored() -> None:
    """node_modules/ from the lock file, when a checkout has none (a wheel built from git)."""
    wanted = [HERE / folder for folder, _ in DATA.values() if folder.startswith("node_modules/")]
    if all(path.is_dir() for path in wanted) or not (HERE / "package-lock.json").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        print(
            "warning: npm not found: this garden has no KaTeX of its own (run `npm ci` first)",
            file=sys.stderr,
        )
        return
    # KaTeX and the fonts need no install scripts: none is run
    done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE, check=False)
    if done.returncode != 0:
        print("warning: `npm ci` failed: this garden has no KaTeX of its own", file=sys.stderr)


fetch_vendored()
present = {name: spec for name, spec in DATA.items() if (HERE / spec[0]).is_dir()}

setup(
    packages=find_packages(include=["garden", "garden.*"]) + sorted(present),
    package_dir={name: folder for name, (folder, _) in present.items()},
    package_data={name: patterns for name, (_, patterns) in present.items()},
)
