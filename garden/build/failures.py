"""Why writing the site failed, as problems: the full build and the preview's quick rebuild
report the same ``path:line`` errors for the same failure (so the preview's overlay shows
them, never a traceback)."""

from __future__ import annotations

from pathlib import Path

from garden.core.problems import Problems
from garden.pages.templates import TemplateFailed

TEMPLATE_HINT = "fix the template, or remove it from templates/ to use the built-in one"
WRITE_HINT = "free some disk space or check permissions; the previous site is untouched"
WRITE_FAILURES = (TemplateFailed, OSError)  # what ``report_write_failure`` turns into problems


def report_write_failure(exc: TemplateFailed | OSError, out_dir: Path, problems: Problems) -> None:
    """One error for a template that cannot be rendered (at its file and line) or a site that
    cannot be written (at the output folder)."""
    if isinstance(exc, TemplateFailed):
        problems.error(Path(exc.path), exc.line, exc.message, TEMPLATE_HINT)
    else:
        problems.error(out_dir, 0, f"could not write the site: {exc.strerror or exc}", WRITE_HINT)
