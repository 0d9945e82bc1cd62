"""Load and validate garden.yaml: site settings and the taxonomy tree."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from garden.core.boundary import outside
from garden.core.controls import without_controls
from garden.core.problems import Problems
from garden.core.scholarly import KEYS as SCHOLARLY_KEYS
from garden.core.scholarly import Scholarly, scholarly_settings
from garden.core.yamlutil import YamlError, load_yaml

CONFIG_NAME = "garden.yaml"


@dataclass
class Config:
    """Site settings. Paths are absolute; the base URL may carry a sub-path."""

    root: Path
    path: Path | None = None
    title: str = "Digital Garden"
    description: str = ""
    author: str = ""
    base_url: str = "/"
    language: str = "en"
    notes_dir: Path = field(default_factory=Path)
    out_dir: Path = field(default_factory=Path)
    static_dir: Path = field(default_factory=Path)
    templates_dir: Path = field(default_factory=Path)
    ignore: list[str] = field(default_factory=list)
    math_macros: dict[str, str] = field(default_factory=dict)
    math_preamble: list[Path] = field(default_factory=list)  # files of macro definitions
    math_definitions: tuple[str, ...] = ()  # read from them (build/inputs.py), run before any formula
    math_origins: tuple[tuple[Path, int], ...] = ()  # the file and line of each definition
    math_key: str = ""  # fingerprint of all a formula's rendering depends on: part of each cache key
    taxonomy: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    urls: str = "lowercase"  # or "keep-case": see URL_STYLES
    drafts: bool = False
    strict: bool = False
    scholarly: Scholarly = field(default_factory=Scholarly)  # citations, equations, theorems

    @property
    def compile_options(self) -> dict[str, str]:
        """The settings besides the math that change how a note compiles: part of its compile
        context (``cache.compile_context``), so a change to one compiles every note again."""
        return {"theorem_numbering": self.scholarly.theorem_numbering}

    @property
    def keep_case(self) -> bool:
        """Whether note URLs keep the capitals of their file and folder names."""
        return self.urls == "keep-case"


# ``urls:`` in garden.yaml: how a note's path becomes its address.
URL_STYLES = ("lowercase", "keep-case")


_STRING_KEYS = ("title", "description", "author", "base_url", "language")


def load_config(path: Path | None, problems: Problems, root: Path | None = None) -> Config:
    """Read garden.yaml (if any). Missing file: defaults, rooted at ``root``."""
    root = (path.parent if path else root or Path.cwd()).resolve()
    config = Config(root=root, path=path)
    data: Any = {}
    text = ""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            problems.error(path, 0, "config file not found", "pass --config FILE or create garden.yaml")
            text = ""
        except (OSError, UnicodeDecodeError) as exc:
            problems.error(path, 0, f"cannot read config: {exc}", "save it as UTF-8 text")
            text = ""
        try:
            data = load_yaml(text) or {}
        except YamlError as exc:
            problems.error(path, exc.line, exc.message, exc.hint)
            data = {}
        if not isinstance(data, dict):
            problems.error(path, 1, "config must be a mapping of keys to values", "see README")
            data = {}
        data = without_controls(data)  # YAML escapes such as "\e" never reach the pages
    where = path or root / CONFIG_NAME
    for key in _STRING_KEYS:
        if key in data:
            value = data[key]
            if value is None:
                continue
            if not isinstance(value, str | int | float):
                problems.error(where, 0, f"'{key}' must be text", f'write {key}: "..."')
                continue
            setattr(config, key, str(value))
    config.notes_dir = root / str(data.get("notes") or "notes")
    config.out_dir = root / str(data.get("out") or "_site")
    config.static_dir = root / str(data.get("static") or "static")
    config.templates_dir = root / str(data.get("templates") or "templates")
    ignore = data.get("ignore") or []
    if isinstance(ignore, str):
        ignore = [ignore]
    if not isinstance(ignore, list) or not all(isinstance(g, str) for g in ignore):
        problems.error(where, 0, "'ignore' must be a list of glob patterns", 'ignore: ["drafts/**"]')
        ignore = []
    config.ignore = ignore
    math = data.get("math") or {}
    macros = math.get("macros", {}) if isinstance(math, dict) else {}
    if not isinstance(macros, dict):
        problems.error(where, 0, "'math.macros' must map macro names to definitions", "\\R: \\mathbb{R}")
        macros = {}
    config.math_macros = {str(k): str(v) for k, v in sorted(macros.items())}
    preamble = math.get("preamble") if isinstance(math, dict) else None
    if isinstance(preamble, str):
        preamble = [preamble]
    if preamble is not None and not (
        isinstance(preamble, list) and all(isinstance(p, str) for p in preamble)
    ):
        problems.error(
            where, 0, "'math.preamble' must be a file or a list of files", "preamble: preamble.sty"
        )
        preamble = []
    config.math_preamble = [root / p for p in preamble or []]
    taxonomy = data.get("taxonomy") or []
    if not isinstance(taxonomy, list):
        problems.error(where, 0, "'taxonomy' must be a list of nodes", "see garden.yaml in the README")
        taxonomy = []
    config.taxonomy = taxonomy
    urls = data.get("urls")
    if urls is not None:
        if str(urls).strip().lower() in URL_STYLES:
            config.urls = str(urls).strip().lower()
        else:
            problems.error(
                where,
                0,
                f"'urls' must be one of {', '.join(URL_STYLES)}, not {urls!r}",
                "urls: keep-case keeps /digitalGarden/NNGP/; lowercase (the default): /digitalgarden/nngp/",
            )
    figures = data.get("figures") or {}
    config.figures = figures if isinstance(figures, dict) else {}
    config.scholarly = scholarly_settings(data, where, root, problems)
    if path is not None:
        _check_inside(config, where, text, problems)
    known = {
        *_STRING_KEYS,
        "notes",
        "out",
        "static",
        "templates",
        "ignore",
        "math",
        "taxonomy",
        "figures",
        "urls",
    }
    known |= set(SCHOLARLY_KEYS)
    config.extra = {k: v for k, v in data.items() if k not in known}
    return config


def _check_inside(config: Config, where: Path, text: str, problems: Problems) -> None:
    """Every folder and file garden.yaml names must lie inside the repository (the config's
    folder), also through symlinks: ``static: /etc`` would publish /etc, ``templates:`` or a
    linked ``notes`` folder would read anything. (``out:`` is written, not read: see
    ``check_output_dir``.)"""
    named = [
        ("notes", "notes", config.notes_dir, "keep the notes in a folder of the repository"),
        ("static", "static", config.static_dir, "keep the static files in a folder of the repository"),
        ("templates", "templates", config.templates_dir, "keep the templates in the repository"),
        *(("math", "math.preamble", p, "keep the preamble in the repository") for p in config.math_preamble),
        *(
            ("bibliography", "bibliography", p, "keep the BibTeX files in the repository")
            for p in config.scholarly.bibliography
        ),
    ]
    for key, name, folder, hint in named:
        real = outside(folder, (config.root,))
        if real is None:
            continue
        shown = os.path.abspath(folder)
        linked = f", a symlink to {real}" if real != shown else ""
        message = f"'{name}' names {shown}{linked}, outside the repository"
        problems.error(where, _key_line(text, key), message, hint)


def _key_line(text: str, key: str) -> int:
    """The line of a top-level key in the config's text (0 when it is not found)."""
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith(f"{key}:"):
            return number
    return 0


def find_config(start: Path) -> Path | None:
    """garden.yaml in ``start``, if there is one."""
    candidate = start / CONFIG_NAME
    return candidate if candidate.is_file() else None
