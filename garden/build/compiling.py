"""The compile stage: each note compiled once per content, kept in memory and in the cache.

A compiled note depends only on its file's bytes (and the math macros), so it is found again
by a hash of those; the index remembers each file's size and time so unchanged files are not
even read. A long-lived builder (the preview) keeps every note in memory between rebuilds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from garden.core.cache import Cache, IndexEntry, compile_context, content_key
from garden.core.config import Config
from garden.core.paths import source_slug
from garden.core.problems import Problem, Problems

if TYPE_CHECKING:
    from garden.markdown.compile import NoteArtifact

Progress = Callable[[int, int], None]
Compiled = tuple["NoteArtifact | None", list[Problem]]


def _compiled(value: object) -> bool:
    """Whether a value read from the cache has the shape of a compiled note."""
    from garden.markdown.compile import NoteArtifact

    return (
        isinstance(value, tuple)
        and len(value) == 2
        and (value[0] is None or isinstance(value[0], NoteArtifact))
        and isinstance(value[1], list)
        and all(isinstance(p, Problem) for p in value[1])
    )


class NoteStore:
    """Compiled notes by cache key, in memory, with their body HTML."""

    def __init__(self, jobs: int | None) -> None:
        self.jobs = jobs
        self.memory: dict[str, tuple[NoteArtifact | None, list[Problem]]] = {}
        self.html: dict[str, str] = {}  # artifact key -> body template, for notes in memory
        self.index: dict[str, IndexEntry] | None = None
        self._config: Config | None = None  # of the last compile_all: to compile a note again

    def compile_all(
        self,
        config: Config,
        paths: list[Path],
        cache: Cache,
        problems: Problems,
        progress: Progress | None,
    ) -> tuple[dict[str, NoteArtifact], dict[str, str], int]:
        """Artifacts by relative path, their keys, and how many were compiled afresh."""
        macros_key = compile_context(
            config.math_key or config.math_macros, config.notes_dir, config.compile_options
        )
        self._config = config
        if self.index is None:
            stored = cache.load_named("index")
            self.index = (
                stored
                if isinstance(stored, dict) and all(type(e) is IndexEntry for e in stored.values())
                else {}
            )
            wanted = sorted({entry.key for entry in self.index.values()} - set(self.memory))
            loaded = cache.load_many("notes", wanted)
            self.memory.update({key: value for key, value in loaded.items() if _compiled(value)})
        index = self.index
        new_index: dict[str, IndexEntry] = {}
        keys: dict[str, str] = {}
        results: dict[str, tuple[NoteArtifact | None, list[Problem]]] = {}
        to_compile: list[Path] = []
        # each file's size and time as they were before it was read: an index entry pairs
        # them with the hash of bytes read after, so a file saved meanwhile is read again
        # next time (a stat taken after compiling would pair the new file with the old hash)
        before: dict[Path, tuple[int, int]] = {}
        for path in paths:
            relative = path.relative_to(config.notes_dir).as_posix()
            try:
                info = path.stat()
            except OSError:
                to_compile.append(path)
                continue
            before[path] = (info.st_size, info.st_mtime_ns)
            entry = index.get(str(path))  # by absolute path: a copied garden is another garden
            if (
                entry
                and entry.size == info.st_size
                and entry.mtime_ns == info.st_mtime_ns
                and entry.macros == macros_key
            ):
                key = entry.key
            else:
                try:
                    key = content_key(path.read_bytes(), path, macros_key)
                except OSError:
                    to_compile.append(path)
                    continue
            found = self.memory.get(key)
            if found is None:
                found = cache.load("notes", key)
                if not _compiled(found):
                    found = None
                if found is not None:
                    self.memory[key] = found
            if found is None or (found[0] is not None and key not in self.html and not cache.enabled):
                to_compile.append(path)
                continue
            keys[relative] = key
            results[relative] = found
            new_index[str(path)] = IndexEntry(info.st_size, info.st_mtime_ns, key, macros_key)
        from garden.markdown.workers import compile_paths

        compiled = compile_paths(
            to_compile,
            config.notes_dir,
            config.root,
            config.math_macros,
            self.jobs,
            progress,
            config.math_definitions,
            macros_key,
            config.compile_options,
        )
        new_html: dict[str, str] = {}
        for path, (key, (artifact, found_problems), html) in compiled.items():
            relative = path.relative_to(config.notes_dir).as_posix()
            keys[relative] = key
            results[relative] = (artifact, found_problems)
            self.memory[key] = (artifact, found_problems)
            if artifact is not None:
                self.html[key] = new_html[key] = html
            if path in before:
                new_index[str(path)] = IndexEntry(*before[path], key, macros_key)
        live = set(keys.values())
        for key in [k for k in self.memory if k not in live]:
            self.memory.pop(key, None)
            self.html.pop(key, None)
        if compiled:
            cache.store_many("notes", {key: self.memory[key] for key in {c[0] for c in compiled.values()}})
            cache.store_many("html", new_html)
        if new_index != self.index:
            cache.store_named("index", new_index)
        if len(compiled) > 500:
            cache.prune("notes", live)
            cache.prune("html", live)
        self.index = new_index
        if config.math_definitions:
            check_preamble(config, cache, problems)
        artifacts: dict[str, NoteArtifact] = {}
        seen = set(problems.items)
        for relative in sorted(results):
            artifact, found_problems = results[relative]
            for problem in found_problems:
                if problem not in seen:
                    seen.add(problem)
                    problems.items.append(problem)
            if artifact is not None:
                artifacts[relative] = address(artifact, config)
        return artifacts, keys, len(compiled)

    def html_loader(self, cache: Cache, keys: dict[str, str]) -> Callable[[str], str]:
        def load(key: str) -> str:
            if key in self.html:
                return self.html[key]
            html = cache.load("html", key)
            if not isinstance(html, str):
                if html is not None:  # plain data, but not text: a crafted row
                    cache.drop(f"the body of note {key} is not text")
                html = self._compile_again(key, keys, cache)
            if html is None:
                raise RuntimeError(f"cache entry {key} vanished during the build; run with --no-cache")
            return html

        return load

    def _compile_again(self, key: str, keys: dict[str, str], cache: Cache) -> str | None:
        """The body of the note cached as ``key``, compiled afresh (its cached body is not
        usable); None if the file no longer gives that key."""
        from garden.markdown.workers import compile_paths

        config = self._config
        relative = next((r for r, k in keys.items() if k == key), None)
        if config is None or relative is None:
            return None
        path = config.notes_dir / relative
        macros_key = compile_context(
            config.math_key or config.math_macros, config.notes_dir, config.compile_options
        )
        compiled = compile_paths(
            [path],
            config.notes_dir,
            config.root,
            config.math_macros,
            1,
            None,
            config.math_definitions,
            macros_key,
            config.compile_options,
        )
        again, _, html = compiled[path]
        if again != key:
            return None
        self.html[key] = html
        cache.store("html", key, html)
        return html

    def remember(
        self,
        config: Config,
        updates: dict[str, tuple[str, NoteArtifact, list[Problem], str]],
        stats: dict[Path, tuple[int, int]],
        cache: Cache,
    ) -> None:
        """Keep notes recompiled by a quick rebuild (relative path -> key, artifact, problems,
        body) in memory and in the cache, and index their files."""
        notes_dir = config.notes_dir
        macros_key = compile_context(config.math_key or config.math_macros, notes_dir, config.compile_options)
        for key, artifact, found, html in updates.values():
            self.memory[key], self.html[key] = (artifact, found), html
        cache.store_many("notes", {key: self.memory[key] for key, *_ in updates.values()})
        cache.store_many("html", {key: html for key, _, _, html in updates.values()})
        self.index = {
            **(self.index or {}),
            **{
                str(notes_dir / relative): IndexEntry(*stats[notes_dir / relative], key, macros_key)
                for relative, (key, *_) in updates.items()
            },
        }
        cache.store_named("index", self.index)


def check_preamble(config: Config, cache: Cache, problems: Problems) -> None:
    """Warn of the preamble's definitions that garden read but KaTeX refuses when it runs them
    (``\\def\\x#2{…}``): they are left out, so each macro would fail in every formula using it.

    Whichever compiler ran the preamble this build says what it refused; the answer is kept in
    the cache with the math key, so a build that compiles no note starts no KaTeX for it."""
    from garden.markdown.workers import preamble_failures

    stored = cache.load_named("preamble-check")
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == config.math_key:
        failures = [(int(index), str(message)) for index, message in stored[1]]
    else:
        failures = preamble_failures(config.root, config.math_macros, config.math_definitions)
        cache.store_named("preamble-check", (config.math_key, failures))
    for index, message in failures:
        if 0 <= index < len(config.math_origins):
            path, line = config.math_origins[index]
            problems.warning(
                path,
                line,
                f"KaTeX refuses this definition: {message.removeprefix('KaTeX parse error: ')}",
                "it is left out: number a \\def's parameters #1, #2, … in order and balance its "
                "braces, or define the macro in math.macros",
            )


def address(artifact: NoteArtifact, config: Config) -> NoteArtifact:
    """Give the note the slug the config's ``urls:`` asks for. A compiled note depends only on
    its bytes (and is cached so); its address is settled here, after the cache."""
    artifact.note.slug = source_slug(artifact.note.relative, config.keep_case)
    return artifact
