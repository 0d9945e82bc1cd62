"""Full-text search: Pagefind indexes the finished site before it is swapped in.

Pagefind reads the built HTML: only elements under ``data-pagefind-body`` are indexed (note and
section pages), titles carry ``data-pagefind-weight`` so they rank above body text, and the
section each note sits in is stored as ``data-pagefind-meta``. The browser side is our own small
UI in ``static/js/garden.js``; Pagefind's own UI bundles are deleted to keep the site small.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .problems import Problems

OUTPUT_SUBDIR = "pagefind"
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
# the "#" beside headings, and math (KaTeX markup is no searchable text and clutters excerpts).
EXCLUDE = ".note-links, .heading-link, .katex"
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
    """Write ``site/pagefind/``; a failure is a warning (the site still reads without search)."""
    binary = pagefind_binary()
    if binary is None:
        problems.warning(
            where,
            0,
            "search index not built: the Pagefind binary is missing",
            "pip install 'pagefind[bin]' (it is a dependency of garden)",
        )
        return False
    command = [str(binary), "--site", str(site), "--output-subdir", OUTPUT_SUBDIR, "--silent"]
    command += ["--exclude-selectors", EXCLUDE]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        problems.warning(where, 0, f"search index not built: {exc}", "run the build again")
        return False
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        problems.warning(
            where,
            0,
            f"search index not built: Pagefind exited with {done.returncode}",
            detail[-1] if detail else "run `python -m pagefind --site _site` to see why",
        )
        return False
    bundle = site / OUTPUT_SUBDIR
    for name in UNUSED_BUNDLES:
        (bundle / name).unlink(missing_ok=True)
    return True
