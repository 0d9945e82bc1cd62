"""Full-text search: Pagefind indexes the finished site before it is swapped in (or, for a site
the preview rewrites in place, in a background thread right after the rebuild).

Pagefind reads the built HTML: only elements under ``data-pagefind-body`` are indexed (note and
section pages), titles carry ``data-pagefind-weight`` so they rank above body text, and the
section each note sits in is stored as ``data-pagefind-meta``. The browser side is our own small
UI in ``static/js/garden.js``; Pagefind's own UI bundles are deleted to keep the site small.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from garden.core.addresses import PAGEFIND
from garden.core.problems import Problems

# Pagefind writes the bundles of its own search UIs too; garden.js talks to pagefind.js directly.
UNUSED_BUNDLES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
# Not searchable: the lists of links under a note (their titles would match every neighbour),
# the "#" beside headings, and the typeset side of math: a formula is found and shown by its TeX
# source (the MathML annotation), "Let x_1 = y be", not as a blank.
EXCLUDE = ".note-links, .heading-link, .katex-html, .katex semantics > mrow"
TIMEOUT_SECONDS = 600


def pagefind_binary() -> Path | None:
    """The Pagefind executable shipped by the ``pagefind[bin]`` package, if installed."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    path = get_executable()
    return path if path is not None and path.is_file() else None


def index_site(site: Path, problems: Problems, where: Path) -> bool:
    """Write ``site/pagefind/`` afresh; a failure is a warning (the site still reads without search)."""
    return IndexRun(site, where).finish(problems)


class IndexRun:
    """Pagefind indexing a site in its own process, started as soon as every page is written
    (so it runs while the build finishes other work); ``finish`` waits and puts it in place.

    The index is written beside the site's own and swapped in, so a site being served never
    lacks one, and an old index never keeps stale words.
    """

    def __init__(self, site: Path, where: Path) -> None:
        self.site, self.where = site, where
        self.fresh = site / f".{PAGEFIND}.new"
        self.failure: tuple[str, str] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by finish or cancel)
        shutil.rmtree(self.fresh, ignore_errors=True)
        binary = pagefind_binary()
        if binary is None:
            message = "search index not built: the Pagefind binary is missing"
            self.failure = (message, "pip install 'pagefind[bin]' (it is a dependency of garden)")
            return
        command = [str(binary), "--site", str(site), "--output-path", str(self.fresh), "--silent"]
        command += ["--exclude-selectors", EXCLUDE]
        try:
            self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        except OSError as exc:
            self.failure = (f"search index not built: {exc}", "run the build again")

    def finish(self, problems: Problems) -> bool:
        """Wait for Pagefind; swap the new index in, or warn why there is none."""
        try:
            if self._process is not None and self.failure is None:
                self._wait()
            if self.failure is not None:
                problems.warning(self.where, 0, *self.failure)
                shutil.rmtree(self.fresh, ignore_errors=True)
                return False
        finally:
            self._log.close()
        for name in UNUSED_BUNDLES:
            (self.fresh / name).unlink(missing_ok=True)
        target, old = self.site / PAGEFIND, self.site / f".{PAGEFIND}.old"
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        self.fresh.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return True

    def _wait(self) -> None:
        assert self._process is not None
        try:
            code = self._process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            message = f"search index not built: Pagefind took over {TIMEOUT_SECONDS} s"
            self.failure = (message, "run the build again")
            return
        if code != 0:
            self._log.seek(0)
            detail = self._log.read().decode("utf-8", "replace").strip().splitlines()
            hint = detail[-1] if detail else "run `python -m pagefind --site _site` to see why"
            self.failure = (f"search index not built: Pagefind exited with {code}", hint)

    def cancel(self) -> None:
        """Stop an index that will not be used (the build failed before its swap)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._log.close()


class BackgroundIndexer:
    """Re-indexes a served site in a thread, so a live reload never waits for Pagefind.

    Requests that arrive while an index is being written are merged into one more run: the
    index catches up with the site a moment after each rebuild. ``wait`` blocks until it has.
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._pending: tuple[Path, Path] | None = None
        self._running = False

    def request(self, site: Path, where: Path) -> None:
        with self._lock:
            self._pending = (site, where)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="garden-search", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._pending is None:
                    self._running = False
                    self._lock.notify_all()
                    return
                (site, where), self._pending = self._pending, None
            problems = Problems()
            try:
                index_site(site, problems, where)
            except OSError as exc:  # the site folder went away under us: the next build redoes it
                problems.warning(where, 0, f"search index not built: {exc}", "save a note to rebuild")
            for problem in problems.items:
                print(problem.format(), file=sys.stderr)

    def wait(self, timeout: float | None = None) -> bool:
        """True once no index is being written or waiting to be."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._running, timeout)
