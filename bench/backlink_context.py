"""Time to compile one note whose paragraph holds N wikilinks (backlink context per link).

Each link's backlink context is the sentence around it; finding it must cost the same per
link whatever the paragraph's length. Prints the time per link for each N and the ratio of
the largest N's to the smallest's (want: within 2x).

    python bench/backlink_context.py [N ...]     (default: 1000 2000 4000 8000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from garden.markdown.compile import Compiler


def per_link(count: int, sentences: bool) -> float:
    """Seconds per link to compile a note of ``count`` links in one paragraph (one sentence,
    or a sentence per link)."""
    end = ". " if sentences else " "
    body = "# Links\n\n" + "".join(f"See [[Note {i}|the note {i}]]{end}" for i in range(count)) + "\n"
    with tempfile.TemporaryDirectory() as folder:
        notes = Path(folder)
        path = notes / "links.md"
        path.write_text(body, encoding="utf-8")
        compiler = Compiler(notes, {})
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            artifact, _problems = compiler.compile(path, notes)
            best = min(best, time.perf_counter() - started)
        assert artifact is not None and len(artifact.links) == count
        compiler.close()
    return best / count


def main() -> None:
    counts = [int(arg) for arg in sys.argv[1:]] or [1000, 2000, 4000, 8000]
    for sentences in (False, True):
        shape = "a sentence per link" if sentences else "one sentence"
        times = {count: per_link(count, sentences) for count in counts}
        for count, seconds in times.items():
            print(f"{shape:20} {count:6} links: {seconds * 1e6:8.1f} µs per link")
        ratio = times[counts[-1]] / times[counts[0]]
        print(f"{shape:20} ratio {counts[-1]} / {counts[0]}: {ratio:.2f}x (want <= 2)\n")


if __name__ == "__main__":
    main()
