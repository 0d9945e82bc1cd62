"""Packaging beyond what pyproject.toml can say: garden's own files that live outside garden/
travel in the wheel as package data, so an installed garden builds in any folder.

- templates/ and static/ become garden/templates and garden/static;
- from node_modules/ (run `npm ci` before building a wheel): KaTeX's script, style sheet and
  WOFF2 fonts, and the DejaVu fonts the figures and social cards are drawn with, each with its
  licence, become garden/vendor/katex and garden/vendor/dejavu.

garden/core/locations.py finds them there. An editable install (`pip install -e .`) before
`npm ci` still works: it reads node_modules/ in the checkout instead.
"""

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
present = {name: spec for name, spec in DATA.items() if (HERE / spec[0]).is_dir()}

setup(
    packages=find_packages(include=["garden", "garden.*"]) + sorted(present),
    package_dir={name: folder for name, (folder, _) in present.items()},
    package_data={name: patterns for name, (_, patterns) in present.items()},
)
