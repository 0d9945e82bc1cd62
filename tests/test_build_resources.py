"""What a build does to the process around it: the garbage collector is left as it was found."""

from __future__ import annotations

import gc


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
