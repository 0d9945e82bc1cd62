"""When the search index is built: before the swap for a site written beside the old one (a
deploy never ships a stale index), in the background after the reload for a served site
rewritten in place (a reload never waits for Pagefind)."""

from __future__ import annotations

from pathlib import Path

from garden.core.problems import Problems
from garden.publish.search import BackgroundIndexer, IndexRun


class SearchIndexing:
    def __init__(self) -> None:
        self.indexer: BackgroundIndexer | None = None  # the served site's, when in place

    def start(self, root: Path, out_dir: Path, where: Path, in_place: bool) -> IndexRun | None:
        """Start Pagefind on a site written beside the old one (it must be indexed before the
        swap); None for a served site rewritten in place (see ``finish``)."""
        if in_place and root.resolve() == out_dir.resolve():
            return None
        return IndexRun(root, where)

    def finish(
        self, indexing: IndexRun | None, root: Path, problems: Problems, where: Path, in_place: bool
    ) -> None:
        """Wait for the index ``start`` began; a served site rewritten in place is indexed in
        the background, after the live reload."""
        if indexing is None and not in_place:
            indexing = IndexRun(root, where)
        if indexing is not None:
            indexing.finish(problems)
            return
        if self.indexer is None:
            self.indexer = BackgroundIndexer()
        self.indexer.request(root, where)

    def settle(self, timeout: float | None = 120) -> None:
        """Wait until the background index has caught up with the site."""
        if self.indexer is not None:
            self.indexer.wait(timeout)
