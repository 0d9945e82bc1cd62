#!/usr/bin/env python3
"""Time from saving a note to the reload event reaching a client of ``serve`` (a script).

    python bench/serve_latency.py [--notes 1000] [--edits 15] [--pause 4] [--shared ../shared/bench]

Makes a synthetic garden with ``make_garden.py``, starts ``python build.py serve`` on it as a
real process, connects to its event stream like an open page does, then edits one note's
body again and again and prints the median (and spread) of write-to-event latency.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from synthetic import make_notes

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument(
        "--pause",
        type=float,
        default=4.0,
        help="seconds between a reload and the next save (the search index catches up meanwhile)",
    )
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "garden-serve-bench")
    args = parser.parse_args()
    garden = args.work / f"garden-{args.notes}"
    if not garden.exists():
        make_notes(args.shared, garden / "notes", args.notes)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "-q"],
        cwd=garden,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        port = None
        assert server.stdout is not None
        for line in server.stdout:
            found = re.search(r"http://[^:]+:(\d+)/", line)
            if found:
                port = int(found.group(1))
                break
        if port is None:
            raise SystemExit("serve did not start")
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        arrived: list[float] = []
        event = threading.Event()

        def listen() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/__garden/events")
            for raw in connection.getresponse():
                if raw.startswith(b"event: reload"):
                    arrived.append(time.perf_counter())
                    event.set()

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(1.0)
        note = sorted((garden / "notes" / "models").glob("*.md"))[0]
        latencies = []
        for number in range(args.edits):
            event.clear()
            text = note.read_text()
            started = time.perf_counter()
            note.write_text(text + f"\nEdit number {number}.\n")
            if not event.wait(30):
                raise SystemExit("no reload event within 30 s")
            latencies.append(arrived[-1] - started)
            time.sleep(args.pause)
        ms = sorted(1000 * x for x in latencies)
        print(
            f"{args.notes} notes, {len(ms)} edits: median {statistics.median(ms):.0f} ms "
            f"(min {ms[0]:.0f}, max {ms[-1]:.0f}) from file write to reload event, "
            f"{args.pause:g} s between edits"
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
