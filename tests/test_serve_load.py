"""The preview server under load: 200 HTTP clients and 50 live-reload pages while notes change.

A real server on a free port, real sockets, real edits on disk picked up by the watcher. While
the load runs, every request must succeed (or be the 404 a traversal trick deserves), every
live-reload connection must hear about the edits, and nothing outside the site may be opened
(a Python audit hook watches every ``open``). Afterwards the threads and file descriptors are
back where they started and memory has not grown with time.
"""

from __future__ import annotations

import contextlib
import gc
import http.client
import os
import random
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import wait_until
from test_serve import EventClient, raw_request

from garden.build.inputs import BuildOptions
from garden.cli import make_preview

LOAD_SECONDS = float(os.environ.get("GARDEN_LOAD_SECONDS", "10"))
HTTP_CLIENTS = 200
LIVE_CLIENTS = 50
TRICKS = [
    "/../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/models/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "/..%5c..%5csecret.txt",
    "/%00index.html",
    "/index.html%00.txt",
    "//etc/passwd",
    "http://example.com/../../secret.txt",
    "/outside-link/secret.txt",
]

_opened: list[str] = []
_watching = threading.Event()


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _watching.is_set() and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # cannot be removed; it records only while ``_watching`` is set


def _status(port: int, path: str) -> int:
    status, body = raw_request(port, path, timeout=30)
    assert b"top secret" not in body
    return status


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _fd_targets() -> dict[str, str]:
    """What each open descriptor points at: named in a failure, so a leak says what leaked."""
    targets = {}
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the listing's own descriptor is gone by now
            targets[fd] = os.readlink(f"/proc/self/fd/{fd}")
    return targets


@pytest.fixture
def loaded_garden(garden, monkeypatch, tmp_path):
    monkeypatch.chdir(garden.root)
    garden.note("index.md", "# Home\n\nSee [[Note 0]].\n")
    for number in range(30):
        garden.note(
            f"models/note-{number}.md",
            f"---\ntitle: Note {number}\n---\nLinks [[Note {(number + 1) % 30}]]. $x_{number}$\n",
        )
    (tmp_path / "secret.txt").write_text("top secret")
    return garden


def test_two_hundred_clients_and_fifty_live_pages_while_notes_change(loaded_garden, tmp_path):
    garden = loaded_garden
    threads_before, fds_before, targets_before = threading.active_count(), _fds(), _fd_targets()
    preview = make_preview(BuildOptions(), "127.0.0.1", 0)
    assert preview.build().written
    preview.start()
    threads_serving = threading.active_count()  # the server, watcher and debouncer threads
    (garden.site / "outside-link").symlink_to(tmp_path)  # a symlink out of the site
    port = preview.port
    pages = ["/", "/models/", "/planned/", "/css/garden.css", "/missing/"] + [
        f"/models/note-{n}/" for n in range(30)
    ]
    failures: list[str] = []
    counts = {"ok": 0, "tricks": 0}
    count_lock = threading.Lock()
    stop = threading.Event()

    def http_client(seed: int) -> None:
        rng = random.Random(seed)
        done = tricks = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not stop.is_set():
            try:
                if rng.random() < 0.1:
                    path = rng.choice(TRICKS)
                    if (status := _status(port, path)) != 404:
                        failures.append(f"{path}: {status}")
                    tricks += 1
                    continue
                path = rng.choice(pages)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                expected = 404 if path == "/missing/" else 200
                if response.status != expected:
                    failures.append(f"{path}: {response.status}")
                if response.will_close:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                done += 1
            except Exception as exc:  # any error at all is a failure of the server
                failures.append(f"{path}: {type(exc).__name__}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()
        with count_lock:
            counts["ok"] += done
            counts["tricks"] += tricks

    try:
        live = [EventClient(port) for _ in range(LIVE_CLIENTS)]
        clients = [threading.Thread(target=http_client, args=(n,)) for n in range(HTTP_CLIENTS)]
        _opened.clear()
        _watching.set()
        for thread in clients:
            thread.start()
        started = time.monotonic()
        memory: list[int] = []
        edits = 0
        while time.monotonic() - started < LOAD_SECONDS:
            number = edits % 30
            garden.note(
                f"models/note-{number}.md",
                f"---\ntitle: Note {number}\n---\nEdit {edits}: [[Note {(number + 7) % 30}]]. $y_{edits}$\n",
            )
            edits += 1
            time.sleep(0.5)  # the scenario: a writer saving a note every half second under load
            memory.append(_rss_kb())
        stop.set()
        for thread in clients:
            thread.join(timeout=60)
        _watching.clear()
        for client in live:
            client.wait_for("reload", timeout=30)
        last = f"Edit {edits - 1}:".encode()  # the last edit is served once its rebuild is done
        wait_until(lambda: last in _body(port, f"/models/note-{(edits - 1) % 30}/"), what="the last edit")
        for client in live:
            client.close()
        assert not [c.ended for c in live if c.reader.is_alive()], "a live page's reader is still reading"
        # while the server still runs, closed pages must let go of their connections and threads
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (
            preview.hub.clients or threading.active_count() > threads_serving
        ):
            time.sleep(0.1)
        assert not preview.hub.clients, f"{len(preview.hub.clients)} live-reload connections leaked"
        assert threading.active_count() <= threads_serving, [t.name for t in threading.enumerate()]
    finally:
        stop.set()
        _watching.clear()
        for client in live:
            client.close()
        preview.stop()

    assert not failures, f"{len(failures)} failed requests, first: {failures[:5]}"
    assert counts["ok"] > HTTP_CLIENTS and counts["tricks"] > 0
    assert preview.builds > 2 and edits > 5
    assert not [p for p in _opened if "secret" in p], "a file outside the site was opened"
    # a sliding window: the second half of the run holds no more memory than the first did
    half = len(memory) // 2
    assert max(memory[half:]) - max(memory[:half]) < 40_000, memory
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (threading.active_count() > threads_before or _fds() > fds_before):
        gc.collect()  # a socket only garbage still holds (a closed client's cycle) is no leak
        time.sleep(0.1)
    assert threading.active_count() <= threads_before, [t.name for t in threading.enumerate()]
    assert _fds() <= fds_before, _leaked(
        {fd for fd, t in _fd_targets().items() if targets_before.get(fd) != t}
    )
    print(  # the figures for the note (pytest -s)
        f"\nload: {counts['ok']} requests + {counts['tricks']} traversal tricks from {HTTP_CLIENTS} clients, "
        f"{LIVE_CLIENTS} live pages, {edits} edits, {preview.builds} builds in {LOAD_SECONDS:.0f} s; "
        f"RSS {memory[0] // 1024}→{memory[-1] // 1024} MB"
    )


def _leaked(fds: set[str]) -> list[str]:
    """Each new descriptor: what it points at, the socket object holding it and who holds that."""
    import socket

    described = []
    for obj in gc.get_objects():
        if isinstance(obj, socket.socket) and str(obj.fileno()) in fds:
            holders = [type(h).__name__ for h in gc.get_referrers(obj)][:6]
            described.append(f"{obj!r} held by {holders}")
    for fd in sorted(fds):
        with contextlib.suppress(OSError):
            described.append(f"{fd} -> {os.readlink(f'/proc/self/fd/{fd}')}")
    return described


def _body(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    body = connection.getresponse().read()
    connection.close()
    return body
