#!/usr/bin/env python3
"""Does ``serve`` keep answering while idle clients hold connections? (a script)

    python bench/serve_idle.py [--idle 1000] [--hold 20] [--limit 1024] [--mode partial]
                               [--released 4000] [--notes 100]

Starts ``python build.py serve`` on a synthetic garden as a real process whose file limit is
``--limit`` (as ``ulimit -n`` would), then:

1. opens ``--idle`` connections that never finish a request (``partial``: half a request line
   and headers, as slowloris does; ``silent``: nothing at all), timing normal requests
   meanwhile (ten a second, as below), and holds them ``--hold``
   seconds while a normal client asks for ``/`` ten times a second: how many are answered
   within 2 s, and the slowest;
2. releases them and times the next 20 normal requests (want: all within 1 s);
3. opens ``--released`` more (more than the server can hold at once), releases them at once,
   and times the next 20 normal requests again.

A request that gets no answer within 10 s counts as failed.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from synthetic import make_notes

ROOT = Path(__file__).resolve().parent.parent
GIVE_UP = 10.0  # seconds: a normal request without an answer by then has failed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--idle", type=int, default=1000, help="idle connections held")
    parser.add_argument("--hold", type=float, default=20.0, help="seconds they are held")
    parser.add_argument("--limit", type=int, default=1024, help="the server's file limit")
    parser.add_argument("--mode", choices=("partial", "silent"), default="partial")
    parser.add_argument("--released", type=int, default=4000, help="connections opened then dropped")
    parser.add_argument("--notes", type=int, default=100)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--log", type=Path, help="write the server's output here")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "garden-serve-bench")
    args = parser.parse_args()
    _raise_own_limit(args.idle + args.released + 256)
    garden = args.work / f"garden-{args.notes}"
    if not garden.exists():
        make_notes(args.shared, garden / "notes", args.notes)
    port = _free_port()
    limit = args.limit

    def lower_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    server = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port), "-q"],
        cwd=garden,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lower_limit,
    )
    output: list[str] = []
    try:
        assert server.stdout is not None
        for line in server.stdout:
            output.append(line)
            if "Serving " in line:
                break
        else:
            raise SystemExit("serve did not start:\n" + "".join(output))
        threading.Thread(target=lambda: output.extend(server.stdout or []), daemon=True).start()
        print(f"serve on port {port}, file limit {limit}; {args.idle} {args.mode} idle connections")
        opening: list[float | None] = []
        opened = threading.Event()
        prober = threading.Thread(target=lambda: opening.extend(_probe_until(port, opened)))
        prober.start()
        held = _open_idle(port, args.idle, args.mode)
        time.sleep(1.0)  # let the server take them in
        opened.set()
        prober.join()
        _report(f"while {len(held)} idle connections are opened", opening, 2.0)
        during = _probe_for(port, args.hold)
        _report(f"while {len(held)} idle connections are held for {args.hold:g} s", during, 2.0)
        _close_all(held)
        _report("right after they are released", _probe_count(port, 20), 1.0)
        many = _open_idle(port, args.released, args.mode)
        time.sleep(2.0)
        _close_all(many)
        _report(f"right after {len(many)} more are opened and released", _probe_count(port, 20), 1.0)
        lines = [line for line in output if "Traceback" in line or "Error" in line]
        print(f"server output: {len(output)} lines, {len(lines)} with a traceback or an error")
        if args.log:
            args.log.write_text("".join(output))
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(10)
        if server.poll() is None:
            server.kill()


def _raise_own_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _open_idle(port: int, count: int, mode: str) -> list[socket.socket]:
    """Connections that never finish a request, opened fifty at a time (each batch gets up to
    2 s to connect, so a full backlog delays us but never stalls us)."""
    held: list[socket.socket] = []
    for start in range(0, count, 50):
        batch = []
        for _ in range(min(50, count - start)):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            batch.append(sock)
        pending = {sock.fileno(): sock for sock in batch}
        deadline = time.monotonic() + 2.0
        while pending and time.monotonic() < deadline:
            poller = select.poll()
            for fd in pending:
                poller.register(fd, select.POLLOUT)
            for fd, _ in poller.poll(100):
                pending.pop(fd, None)
        held += batch
    if mode == "partial":
        for sock in held:
            with contextlib.suppress(OSError):
                sock.send(f"GET / HTTP/1.1\r\nHost: localhost:{port}\r\nX-Slow: ".encode())
    return held


def _close_all(held: list[socket.socket]) -> None:
    for sock in held:
        sock.close()


def _request(port: int) -> float | None:
    """Seconds until ``GET /`` is answered in full, or None if it failed."""
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=GIVE_UP) as sock:
            sock.sendall(f"GET / HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n".encode())
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
                if time.perf_counter() - started > GIVE_UP:
                    return None
    except OSError:
        return None
    return time.perf_counter() - started if reply.startswith(b"HTTP/1.") and b" 200 " in reply[:20] else None


def _probe_for(port: int, seconds: float) -> list[float | None]:
    """Ten requests a second for ``seconds``."""
    done = threading.Event()
    threading.Timer(seconds, done.set).start()
    return _probe_until(port, done)


def _probe_until(port: int, done: threading.Event) -> list[float | None]:
    """Ten requests a second until ``done`` is set, each in its own thread (a slow one blocks
    no other)."""
    results: list[float | None] = []
    threads = []
    while not done.is_set():
        thread = threading.Thread(target=lambda: results.append(_request(port)))
        thread.start()
        threads.append(thread)
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    return results


def _probe_count(port: int, count: int) -> list[float | None]:
    return [_request(port) for _ in range(count)]


def _report(what: str, results: list[float | None], within: float) -> None:
    answered = [r for r in results if r is not None]
    fast = sum(1 for r in answered if r <= within)
    share = 100 * fast / len(results) if results else 0
    spread = (
        f"median {1000 * statistics.median(answered):.0f} ms, slowest {1000 * max(answered):.0f} ms"
        if answered
        else "none answered"
    )
    print(
        f"{what}: {fast}/{len(results)} ({share:.0f} %) answered within {within:g} s; "
        f"{len(results) - len(answered)} failed; {spread}"
    )


if __name__ == "__main__":
    main()
