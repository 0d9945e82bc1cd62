"""What a build does to the process around it: the garbage collector is left as it was found,
and the social cards are drawn behind the build's own work."""

from __future__ import annotations

import gc
import multiprocessing
import os

from garden.publish import cards


def test_a_build_leaves_nothing_frozen_for_the_collector(garden, cli):
    """A build freezes what each stage keeps (the collector skips it); the preview builds again
    and again in one process, so a build must unfreeze it all, even one that fails."""
    garden.note("index.md", "# Home\n\nSee [[Alpha]].\n")
    garden.note("models/alpha.md", "---\ntitle: Alpha\n---\nAlpha. $x^2$\n")
    assert gc.get_freeze_count() == 0
    assert cli(garden).code == 0
    assert gc.get_freeze_count() == 0
    garden.note("models/broken.md", "---\ntitle: [unclosed\n---\nBody.\n")
    assert cli(garden).code != 0
    assert gc.get_freeze_count() == 0


def _niceness_of_a_card_worker(parent: int, answer: multiprocessing.Queue) -> None:
    cards._background_worker(parent)
    answer.put(os.nice(0))


def test_card_workers_run_behind_the_build():
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    worker = context.Process(target=_niceness_of_a_card_worker, args=(os.getpid(), answer))
    worker.start()
    niceness = answer.get(timeout=60)
    worker.join(timeout=60)
    assert niceness == min(19, os.nice(0) + cards.CARD_NICENESS)
