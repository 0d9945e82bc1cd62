"""The cheap part of a build: find the inputs and tell whether anything changed at all.

Kept free of heavy imports (no markdown-it, Jinja, networkx, pillow) so that running the build
again with nothing changed finishes in the time it takes Python to start.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from garden.build.output import MARKER
from garden.core.cache import COMPILER_VERSION, Cache, Manifest, fingerprint
from garden.core.config import Config, load_config
from garden.core.discovery import describe_config, locate_config, neutral_defaults
from garden.core.locations import (
    PACKAGE_CODE,
    PACKAGE_LOCK,
    PACKAGE_STATIC,
    PACKAGE_TEMPLATES,
    AssetMissing,
    find_node_file,
)
from garden.core.problems import Problems
from garden.sources.files import discover


@dataclass
class BuildOptions:
    config_path: Path | None = None
    notes_dir: Path | None = None
    out_dir: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False
    write: bool = True
    root: Path | None = None
    cache_dir: Path | None = None
    no_cache: bool = False
    jobs: int | None = None  # worker processes for compiling; None: one per core when worth it


@dataclass
class BuildResult:
    problems: Problems
    notes: int = 0
    pages: int = 0
    seconds: float = 0.0
    out_dir: Path | None = None
    written: bool = False
    planned: int = 0
    planned_notes: list[str] = field(default_factory=list)  # "Name (wanted by a.md, b.md)", for -v
    no_host: bool = False  # the base URL has no host: URLs that must be absolute could not be
    compiled: int = 0  # notes compiled this build (not from a cache)
    rendered: int = 0  # pages rendered this build (not reused)
    unchanged: bool = False  # nothing changed since the last build: nothing was done
    quick: bool = False  # only note bodies changed: a quick rebuild reused everything else
    cards_drawn: int = 0  # social cards drawn (not taken from the cache)
    changed_paths: list[str] = field(default_factory=list)  # output files written or removed
    config_used: str = ""  # which config the build read, for its summary

    @property
    def failed(self) -> bool:
        return bool(self.problems.errors)


def config_for(options: BuildOptions, problems: Problems) -> Config:
    root = (options.root or Path.cwd()).resolve()
    config_path = locate_config(options.config_path, options.notes_dir, root)
    config = load_config(config_path, problems, root=root)
    if options.notes_dir is not None:
        config.notes_dir = options.notes_dir.resolve()
    if config_path is None:
        neutral_defaults(config, root)
    if options.out_dir is not None:
        config.out_dir = options.out_dir.resolve()
    if options.base_url is not None:
        config.base_url = options.base_url
    host_from_cname(config)
    config.drafts = options.drafts
    config.strict = options.strict
    read_math_settings(config, problems)
    return config


def host_from_cname(config: Config) -> None:
    """A base URL without a host (``/``, the default) takes it from ``cname:``: the site is
    served at https://that-domain/, so canonical links, og:url, og:image, the sitemap and the
    feeds can be absolute. A base URL with a host is left as it is."""
    from garden.core.paths import base_path_of, custom_domain

    domain = custom_domain(config.extra.get("cname"))
    if domain is not None and "://" not in config.base_url and not config.base_url.startswith("//"):
        config.base_url = f"https://{domain}{base_path_of(config.base_url)}"


def read_math_settings(config: Config, problems: Problems) -> None:
    """Read the math preamble's definitions and fingerprint everything formulas depend on:
    the preamble's bytes, the macros and KaTeX's version (a note's cache key includes it)."""
    from garden.markdown.preamble import read_preamble

    definitions: list[str] = []
    origins: list[tuple[Path, int]] = []
    contents: list[bytes] = []
    for path in config.math_preamble:
        try:
            data = path.read_bytes()
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.warning(
                path, 0, f"cannot read the math preamble: {exc}", "fix math.preamble in garden.yaml"
            )
            continue
        contents.append(data)
        preamble = read_preamble(text)
        definitions.extend(preamble.definitions)
        origins.extend((path, line) for line in preamble.lines)
        for problem in preamble.problems:
            problems.warning(path, problem.line, problem.message, problem.hint)
    config.math_definitions = tuple(definitions)
    config.math_origins = tuple(origins)
    config.math_key = fingerprint(
        config.math_macros,
        contents,
        config.math_definitions,
        katex_version(config),
        COMPILER_VERSION,  # the index reuses a note's key while this one is unchanged: all must be in it
        str(Path.cwd()),
    )


def katex_version(config: Config) -> str:
    try:
        found = find_node_file(config.root, "katex/package.json", "KaTeX")
        return str(json.loads(found.read_text(encoding="utf-8")).get("version", ""))
    except (AssetMissing, OSError, ValueError):
        return ""  # the build says KaTeX is missing when it first needs it


def environment_fingerprint(config: Config, options: BuildOptions) -> str:
    """Every input but the notes: the config's bytes, templates, static files, code, options."""

    def tree(root: Path) -> list[tuple[str, int, int]]:
        if not root.is_dir():
            return []
        out = []
        for path in sorted(root.rglob("*")):
            if path.is_file():
                info = path.stat()
                out.append((str(path), info.st_size, info.st_mtime_ns))
        return out

    config_bytes = config.path.read_bytes() if config.path and config.path.is_file() else b""
    code = tree(PACKAGE_CODE) + tree(PACKAGE_TEMPLATES) + tree(PACKAGE_STATIC)
    project = tree(config.templates_dir) + tree(config.static_dir)
    project += [
        (str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in config.scholarly.bibliography if p.is_file()
    ]
    lock = PACKAGE_LOCK.stat().st_mtime_ns if PACKAGE_LOCK.is_file() else 0
    return fingerprint(
        config_bytes,
        config.math_key,  # the math preamble's bytes, KaTeX's version
        code,
        project,
        lock,
        str(config.out_dir),
        config.base_url,
        config.drafts,
        config.strict,
        str(options.cache_dir),
        options.no_cache,
    )


def marker_id(out: Path) -> str:
    try:
        text = (out / MARKER).read_text(encoding="utf-8")
    except OSError:
        return ""
    for line in text.splitlines():
        if line.startswith("build: "):
            return line.removeprefix("build: ").strip()
    return ""


@dataclass
class Inputs:
    """What a build starts from: the config, the note files, the cache and the last build."""

    config: Config
    problems: Problems
    cache: Cache
    paths: list[Path]
    stats: dict[Path, tuple[int, int]]  # note file -> (size, mtime_ns)
    environment: str  # fingerprint of every input but the notes
    fingerprint: str  # ...and of the notes too
    manifest: Manifest


def gather_inputs(options: BuildOptions, manifest: Manifest | None = None) -> Inputs:
    problems = Problems()
    config = config_for(options, problems)
    cache_dir = None if options.no_cache else (options.cache_dir or config.root / ".garden-cache")
    cache = Cache(cache_dir.resolve() if cache_dir else None, problems)
    paths = discover(config.notes_dir, config.ignore, problems)
    stats: dict[Path, tuple[int, int]] = {}
    for path in paths:
        try:
            info = path.stat()
            stats[path] = (info.st_size, info.st_mtime_ns)
        except OSError:
            stats[path] = (-1, -1)
    environment = environment_fingerprint(config, options)
    found = fingerprint(environment, [(str(p), *s) for p, s in stats.items()])
    return Inputs(
        config,
        problems,
        cache,
        paths,
        stats,
        environment,
        found,
        manifest if manifest is not None else cache.manifest(),
    )


def unchanged_result(inputs: Inputs, options: BuildOptions, started: float) -> BuildResult | None:
    """The last build's result when nothing it read has changed and its site is still there."""
    manifest, config = inputs.manifest, inputs.config
    if not options.write or inputs.problems.items or not manifest.inputs:
        return None
    if manifest.inputs != inputs.fingerprint or manifest.out_dir != str(config.out_dir):
        return None
    if marker_id(config.out_dir) != manifest.build_id:
        return None
    summary = manifest.summary  # plain data of any shape (a crafted cache): checked before use
    counts = [summary.get(name, 0) for name in ("notes", "pages", "planned")]
    planned_notes = summary.get("planned_notes", [])
    if not all(type(count) is int for count in counts) or not (
        type(planned_notes) is list and all(type(line) is str for line in planned_notes)
    ):
        return None
    result = BuildResult(
        Problems(list(manifest.problems)),
        out_dir=config.out_dir,
        unchanged=True,
        written=True,
        config_used=describe_config(config),
    )
    result.notes, result.pages, result.planned = counts
    result.planned_notes = list(planned_notes)
    result.no_host = bool(summary.get("no_host", False))
    result.seconds = time.perf_counter() - started
    return result
