"""Figures that need no notes, started while the notes compile.

The line plots depend only on ``garden.yaml`` and their tables, and the graph's layout needs
numpy, whose import alone takes a tenth of a second. A cold build of many notes compiles in
worker processes while this process waits: a thread uses that wait to draw the plots and
import numpy, and the figures stage only collects them. Reading the tables, checking them and
the cache stay on the build's own thread (the cache's connection belongs to it), so problems
and cached figures come out exactly as when everything ran in the figures stage.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from garden.core.cache import Cache


@dataclass
class FiguresAhead:
    """Work handed to one thread, and its results in the order it was added."""

    jobs: list[Callable[[], Any]] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)
    failure: BaseException | None = None
    thread: threading.Thread | None = None

    def add(self, job: Callable[[], Any]) -> int:
        """Queue ``job``; its result's index for ``result``."""
        self.jobs.append(job)
        return len(self.jobs) - 1

    def start(self) -> None:
        if self.jobs and self.thread is None:
            self.thread = threading.Thread(target=self._run, name="garden-figures", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        try:
            for job in self.jobs:
                self.results.append(job())
        except BaseException as exc:  # raised again on the build's thread, where it is reported
            self.failure = exc

    def result(self, index: int) -> Any:
        """The result of job ``index`` once the thread is done (the jobs run here, once, if it
        never started)."""
        if self.thread is not None:
            self.thread.join()
        elif not self.results and self.failure is None:
            self._run()
        if self.failure is not None:
            raise self.failure
        return self.results[index]


def numpy_needed(cache: Cache | None) -> bool:
    """Whether this build may lay the graph out: no layout of an earlier build to reuse."""
    return cache is None or not cache.enabled or cache.load_named("layout") is None


def import_layout() -> None:
    """Import the layout (and numpy) and the graph's drawing on the figures thread, ahead of
    the graph's need."""
    import garden.figures.layout
    import garden.figures.linkgraph  # noqa: F401
