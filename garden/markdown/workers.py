"""Compile notes in parallel: one process per core, each with its own V8 context.

Compiling is the expensive, independent part of a build (parsing, KaTeX), so a cold build of
many notes spreads it over worker processes; a few notes are compiled in this process, which
keeps its compiler (and V8 context) for the next rebuild.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from garden.core.cache import content_key
from garden.core.problems import Problem
from garden.markdown.compile import Compiler, NoteArtifact

PARALLEL_THRESHOLD = 64  # below this many notes, workers cost more than they save
CHUNK = 32

Compiled = tuple[str, tuple[NoteArtifact | None, list[Problem]], str]  # key, result, body HTML

_local: dict[tuple, Compiler] = {}
_v8_started = False
# KaTeX's refusals of a preamble's definitions, by (project root, definitions): what a compiler
# here or in a worker found when it ran them (each V8 context runs the preamble once anyway)
_preamble_checks: dict[tuple[str, tuple[str, ...]], list[tuple[int, str]]] = {}


def _compiler(
    root: Path, macros: dict[str, str], preamble: tuple[str, ...] = (), options: dict[str, str] | None = None
) -> Compiler:
    global _v8_started
    key = (str(root), tuple(sorted(macros.items())), preamble, tuple(sorted((options or {}).items())))
    compiler = _local.get(key)
    if compiler is None:
        for old in _local.values():
            old.close()
        _local.clear()
        compiler = _local[key] = Compiler(root, macros, preamble, options)
        _v8_started = True
    return compiler


def local_math(root: Path, macros: dict[str, str]) -> Callable[[list[str]], list[str]]:
    """Inline TeX to HTML with this process's KaTeX (started only if called): for math that is
    not in a note, such as a BibTeX title's."""

    def render(items: list[str]) -> list[str]:
        import html

        results = _compiler(root, macros).katex.render([(tex, False) for tex in items])
        return [
            out if ok else f'<code class="math-error">{html.escape(tex)}</code>'
            for tex, (ok, out) in zip(items, results, strict=True)
        ]

    return render


def _remember_check(root: str, preamble: tuple[str, ...], found: list[tuple[int, str]] | None) -> None:
    if found is not None and preamble:
        _preamble_checks[(root, preamble)] = found


def preamble_failures(root: Path, macros: dict[str, str], preamble: tuple[str, ...]) -> list[tuple[int, str]]:
    """KaTeX's refusals of the preamble's definitions (index, message): as a compiler that ran
    them found them (here or in a worker), else by running them in this process's KaTeX."""
    key = (str(root), preamble)
    if key not in _preamble_checks:
        compiler = _compiler(root, macros, preamble)
        compiler.katex  # noqa: B018  (started here: it runs the preamble)
        _preamble_checks[key] = compiler.preamble_failures or []
    return list(_preamble_checks[key])


def close_local() -> None:
    """Close this process's V8 context (an open one hangs the interpreter at exit)."""
    for compiler in _local.values():
        compiler.close()
    _local.clear()


atexit.register(close_local)


def _compile_batch(compiler: Compiler, paths: list[Path], notes_dir: Path, macros_key: str) -> list[Compiled]:
    """Compile ``paths`` together (one KaTeX call for all their formulas). Each file is read
    once: its cache key and its note come from the same bytes."""
    contents: list[bytes | None] = []
    for path in paths:
        try:
            contents.append(path.read_bytes())
        except OSError:
            contents.append(None)  # the compiler reads it again and says why it cannot
    keys = [content_key(data or b"", path, macros_key) for path, data in zip(paths, contents, strict=True)]
    compiled: list[Compiled] = []
    for key, (artifact, problems) in zip(
        keys, compiler.compile_many(paths, notes_dir, contents), strict=True
    ):
        html = ""
        if artifact is not None:
            html, artifact.html = artifact.html, ""
        compiled.append((key, (artifact, problems), html))
    return compiled


def _compile_chunk(
    args: tuple[list[str], str, str, dict[str, str], str, tuple[str, ...], dict[str, str]],
) -> tuple[list[tuple[str, Compiled]], list[tuple[int, str]] | None]:
    """A chunk's compiled notes, and what KaTeX said of the preamble if this worker ran it."""
    paths, notes_dir, root, macros, macros_key, preamble, options = args
    compiler = _compiler(Path(root), macros, preamble, options)
    compiled = list(
        zip(
            paths,
            _compile_batch(compiler, [Path(p) for p in paths], Path(notes_dir), macros_key),
            strict=True,
        )
    )
    return compiled, compiler.preamble_failures if preamble else None


def compile_paths(
    paths: list[Path],
    notes_dir: Path,
    root: Path,
    macros: dict[str, str],
    jobs: int | None,
    progress: Callable[[int, int], None] | None = None,
    preamble: tuple[str, ...] = (),
    math_key: str | None = None,
    options: dict[str, str] | None = None,
) -> dict[Path, Compiled]:
    """Compile ``paths``; in parallel when there are many of them. ``math_key``: the note's
    compile context (``compile_context`` of ``Config.math_key``, the notes folder and
    ``options``, the compile options such as theorem numbering)."""
    from garden.core.cache import compile_context, fingerprint

    options = dict(options or {})
    macros_key = math_key or compile_context(fingerprint(macros, preamble), notes_dir, options)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    results: dict[Path, Compiled] = {}
    total = len(paths)
    if workers <= 1 or total < PARALLEL_THRESHOLD:
        compiler = _compiler(root, macros, preamble, options)
        for start in range(0, total, CHUNK):
            batch = paths[start : start + CHUNK]
            results.update(zip(batch, _compile_batch(compiler, batch, notes_dir, macros_key), strict=True))
            if progress:
                progress(len(results), total)
        _remember_check(str(root), preamble, compiler.preamble_failures)
        return results
    chunks = [
        (
            [str(p) for p in paths[i : i + CHUNK]],
            str(notes_dir),
            str(root),
            macros,
            macros_key,
            preamble,
            options,
        )
        for i in range(0, total, CHUNK)
    ]
    # fork is fast, but V8 must not be running in the process that forks
    context = multiprocessing.get_context("spawn" if _v8_started else "fork")
    done = 0
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_worker_init, initargs=(os.getpid(),)
    ) as pool:
        for chunk, checked in pool.map(_compile_chunk, chunks):
            _remember_check(str(root), preamble, checked)
            for path, compiled in chunk:
                results[Path(path)] = compiled
            done += len(chunk)
            if progress:
                progress(done, total)
    return results


def _worker_init(parent: int) -> None:
    """Workers forked from a parent start with its compilers forgotten (they own no V8)."""
    die_with_parent(parent)
    _local.clear()


def die_with_parent(parent: int) -> None:
    """Make this worker process end when the build that started it does.

    A build killed outright (SIGKILL, no cleanup) would otherwise leave its workers waiting
    forever for work, holding the terminal's pipes open. Linux can kill them with their parent;
    elsewhere they end when their next read fails.
    """
    if sys.platform.startswith("linux"):
        import contextlib
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before we asked
        os._exit(1)
