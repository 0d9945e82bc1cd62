"""The preview server against idle, slow and hostile clients, other sites' pages (the ``Host``
header), and a garden whose folders are replaced, deleted or made read-only while it serves.

Real servers on free ports, real sockets, real files; one test runs ``build.py serve`` as a
process with a file limit of 256.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import resource
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT, snapshot, unavailable, wait_until
from test_faults import read_only
from test_serve import EventClient, get, raw_request

from garden.build.inputs import BuildOptions
from garden.cli import make_parser, make_preview
from garden.serve import connections
from garden.serve import http as serve_http
from garden.serve.http import SiteHandler
from garden.serve.preview import Preview, PreviewSite


@pytest.fixture
def preview(garden, monkeypatch, request):
    """A running preview; parametrized indirectly with True, it watches by polling."""
    monkeypatch.chdir(garden.root)
    garden.note("index.md", "# Home\n\nSee [[Alpha]].\n")
    garden.note("models/alpha.md", "---\ntitle: Alpha\n---\nFirst version of alpha. $x^2$\n")
    garden.note("models/beta.md", "---\ntitle: Beta\n---\nBeta links [[Alpha]].\n")
    running = make_preview(BuildOptions(), "127.0.0.1", 0, poll=getattr(request, "param", False))
    assert running.build().written
    running.start()
    yield running
    running.stop()


def _request(port: int, data: bytes, timeout: float = 10) -> bytes:
    """Send ``data`` as it is; everything the server answers before it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        reply = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                reply += chunk
    return reply


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """True if the server closes ``sock`` (end of file or a reset) within ``within`` seconds."""
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


def _handler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request" in t.name]


def _quiet(capfd) -> None:
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "Exception occurred" not in out + err, out + err


# --------------------------------------------------------------------------- idle and hostile clients


def _serve_process(garden, limit: int) -> tuple[subprocess.Popen, int]:
    def lower_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    server = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "-q"],
        cwd=garden.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lower_limit,
    )
    assert server.stdout is not None
    for line in server.stdout:
        if found := re.search(r"http://localhost:(\d+)/", line):
            return server, int(found.group(1))
    server.kill()
    pytest.fail("serve did not start")


def _hold_idle(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that send half a request and then nothing."""
    held = []
    for _ in range(count):
        sock = socket.socket()
        sock.settimeout(3)
        with contextlib.suppress(OSError):
            sock.connect(("127.0.0.1", port))
            sock.sendall(f"GET / HTTP/1.1\r\nHost: localhost:{port}\r\nX-Slow: ".encode())
        held.append(sock)
    return held


def test_idle_connections_beyond_the_file_limit_do_not_stop_requests(garden):
    """More idle connections than the server has file descriptors: it keeps answering."""
    garden.note("index.md", "# Home\n\nHello.\n")
    server, port = _serve_process(garden, limit=256)
    held: list[socket.socket] = []
    try:
        held = _hold_idle(port, 400)
        time.sleep(0.5)
        answered = [raw_request(port, "/", timeout=10)[0] for _ in range(10)]
        assert answered == [200] * 10
        for sock in held:
            sock.close()
        held = []
        assert [raw_request(port, "/", timeout=10)[0] for _ in range(10)] == [200] * 10
    finally:
        for sock in held:
            sock.close()
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output and "Exception occurred" not in output, output


def test_silent_connection_is_closed(preview, monkeypatch):
    monkeypatch.setattr(connections, "HEAD_TIMEOUT", 0.5)
    with socket.create_connection(("127.0.0.1", preview.port)) as silent:
        assert _closed_by_server(silent, within=5)
    assert raw_request(preview.port, "/")[0] == 200


def test_slowloris_is_cut_off(preview, monkeypatch, capfd):
    """Headers dripped a byte at a time, each in time for a per-read timeout: the whole head
    has a deadline."""
    monkeypatch.setattr(connections, "HEAD_TIMEOUT", 1.0)
    with socket.create_connection(("127.0.0.1", preview.port)) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 6:
            try:
                slow.sendall(b"X")
            except OSError:
                closed = True
                break
            slow.settimeout(0.2)
            try:
                if not slow.recv(1024):
                    closed = True
                    break
            except TimeoutError:
                pass
            except ConnectionResetError:
                closed = True
                break
        assert closed, "the server waited more than 6 s for a head dripped byte by byte"
    assert raw_request(preview.port, "/")[0] == 200
    _quiet(capfd)


def test_huge_headers_are_refused(preview, capfd):
    huge = b"GET / HTTP/1.1\r\nHost: localhost\r\n" + b"X-Big: " + b"a" * 200_000 + b"\r\n\r\n"
    reply = b""
    with socket.create_connection(("127.0.0.1", preview.port), timeout=10) as sock:
        with contextlib.suppress(OSError):  # the server may close while we still send
            sock.sendall(huge)
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                reply += chunk
    assert reply.startswith(b"HTTP/1.0 431 ") or reply == b""
    assert raw_request(preview.port, "/")[0] == 200
    _quiet(capfd)


@pytest.mark.parametrize(
    "garbage",
    [
        b"GARBAGE\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\r\n\r\n",  # TLS hello
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
        b"\xff\xfe\xfd\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: localhost\r\nBad header without colon\r\n\r\n",
        b"\r\n\r\n",
    ],
)
def test_garbage_requests_get_an_error_and_the_server_goes_on(preview, capfd, garbage):
    reply = _request(preview.port, garbage)
    status = re.match(rb"HTTP/1\.[01] (\d+) ", reply) or re.search(rb"Error code: (\d+)", reply)  # or 0.9
    assert reply == b"" or (status and status.group(1) in (b"400", b"403", b"414", b"431", b"501", b"505")), (
        reply[:200]
    )
    assert raw_request(preview.port, "/")[0] == 200
    _quiet(capfd)


def test_client_that_resets_mid_response_is_not_reported(preview, garden, capfd):
    (garden.site / "big.html").write_bytes(b"<html><body>" + b"x" * 8_000_000 + b"</body></html>")
    (garden.site / "big.bin").write_bytes(b"y" * 8_000_000)
    for path in ("/big.html", "/big.bin"):
        with socket.create_connection(("127.0.0.1", preview.port), timeout=10) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost:{preview.port}\r\n\r\n".encode())
            assert sock.recv(100).startswith(b"HTTP/1.0 200")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
    wait_until(lambda: not _handler_threads(), what="the server to notice the resets")
    assert raw_request(preview.port, "/")[0] == 200
    _quiet(capfd)


def test_slow_reader_cannot_keep_a_slot(preview, garden, monkeypatch, capfd):
    """A client that reads just enough for every send to go on within the per-send timeout
    (here 64 KiB every 0.2 s, with sends timed out after 1 s) is cut off once the response as a
    whole has taken its deadline, and its slot is free again."""
    monkeypatch.setattr(serve_http, "RESPONSE_TIMEOUT", 2.0)
    monkeypatch.setattr(SiteHandler, "timeout", 1.0)
    size = 64_000_000  # 200 s at this pace
    (garden.site / "big.bin").write_bytes(b"y" * size)
    lobby = preview.server.lobby
    received, closed = 0, False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        sock.settimeout(5)
        sock.connect(("127.0.0.1", preview.port))
        sock.sendall(f"GET /big.bin HTTP/1.1\r\nHost: localhost:{preview.port}\r\n\r\n".encode())
        started = time.monotonic()
        while time.monotonic() - started < 10:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += len(chunk)
            time.sleep(0.2)
        assert closed, f"still sending after {time.monotonic() - started:.1f} s ({received} bytes read)"
    assert received < size
    wait_until(lambda: lobby.active == 0 and not _handler_threads(), timeout=10, what="the slot to be freed")
    assert raw_request(preview.port, "/")[0] == 200
    _quiet(capfd)


def test_a_burst_larger_than_the_slots_waits_for_them(preview, garden):
    """Twenty-four requests at once against four slots, each response taking a while to read
    (as a page's parallel requests for its assets would): none is refused or dropped, the ones
    that find every slot busy wait for one."""
    port, clients = preview.port, 24
    preview.server.lobby.cap = 4
    size = 2_000_000
    (garden.site / "part.bin").write_bytes(b"z" * size)
    request = f"GET /part.bin HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n".encode()
    start = threading.Barrier(clients)
    results: list[object] = []

    def fetch() -> None:
        start.wait()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(request)
                reply = bytearray()
                while chunk := sock.recv(65536):
                    reply += chunk
                    time.sleep(0.01)  # busy with what came in: about 0.3 s per response
            head, _, body = bytes(reply).partition(b"\r\n\r\n")
            results.append((head.split(b" ", 2)[1].decode() if head else "no reply", len(body)))
        except OSError as exc:
            results.append(repr(exc))

    threads = [threading.Thread(target=fetch) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [("200", size)] * clients


def test_waiting_for_a_slot_is_brief(preview, garden, monkeypatch):
    """While the only slot stays busy, a new request waits ``QUEUE_WAIT``, then gets a 503 that
    says to come back; once the slot is free it is served."""
    monkeypatch.setattr(connections, "QUEUE_WAIT", 0.5)
    preview.server.lobby.cap = 1
    (garden.site / "big.bin").write_bytes(b"y" * 64_000_000)
    busy = socket.socket()
    busy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    busy.connect(("127.0.0.1", preview.port))
    busy.sendall(f"GET /big.bin HTTP/1.1\r\nHost: localhost:{preview.port}\r\n\r\n".encode())
    try:
        wait_until(lambda: preview.server.lobby.active == 1, what="the slow download to take the slot")
        status, body = raw_request(preview.port, "/")
        assert (status, body) == (503, b"Busy.\n")
    finally:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        busy.close()
    wait_until(lambda: raw_request(preview.port, "/")[0] == 200, what="the freed slot to serve")


# --------------------------------------------------------------------------- HEAD and Host


@pytest.mark.parametrize(
    "path", ["/", "/models/alpha/", "/models/", "/missing/", "/css/garden.css", "/404.html"]
)
def test_head_has_the_length_get_has(preview, path):
    lengths = {}
    for method in ("GET", "HEAD"):
        connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
        connection.request(method, path)
        response = connection.getresponse()
        body = response.read()
        lengths[method] = (
            response.status,
            response.getheader("Content-Length"),
            response.getheader("Content-Type"),
        )
        if method == "GET":
            assert int(response.getheader("Content-Length")) == len(body)
        else:
            assert body == b""
        connection.close()
    assert lengths["HEAD"] == lengths["GET"]


def _status_for_host(port: int, host: str | None) -> tuple[int, bytes]:
    header = f"Host: {host}\r\n" if host is not None else ""
    reply = _request(port, f"GET / HTTP/1.1\r\n{header}Connection: close\r\n\r\n".encode())
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.parametrize(
    "host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}", "LocalHost:{port}", None]
)
def test_loopback_names_are_answered(preview, host):
    assert _status_for_host(preview.port, host and host.format(port=preview.port))[0] == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:{port}",  # a page whose name was made to point at 127.0.0.1
        "evil.example",
        "localhost",  # port 80, not ours
        "localhost:1",
        "127.0.0.1.evil.example:{port}",
        "localhost.evil.example:{port}",
        "192.168.1.20:{port}",
        "localhost@evil.example:{port}",
        "",
        "\x1b[2J:{port}",
    ],
)
def test_other_names_are_refused(preview, host):
    status, body = _status_for_host(preview.port, host.format(port=preview.port))
    assert status == 403
    assert f"answers only to localhost:{preview.port}".encode() in body
    assert b"--host" in body and b"\x1b" not in body
    assert b"First version" not in body


def test_host_option_widens_the_names(garden, monkeypatch):
    monkeypatch.chdir(garden.root)
    garden.note("index.md", "# Home\n")
    running = make_preview(BuildOptions(), "0.0.0.0", 0)
    assert running.build().written
    running.start()
    try:
        port = running.port
        machine = socket.gethostname()
        for host in (f"192.168.1.20:{port}", f"{machine}:{port}", f"localhost:{port}", f"[fe80::1]:{port}"):
            assert _status_for_host(port, host)[0] == 200, host
        assert _status_for_host(port, f"evil.example:{port}")[0] == 403
    finally:
        running.stop()


def test_server_binds_loopback_unless_told(garden, monkeypatch):
    monkeypatch.chdir(garden.root)
    garden.note("index.md", "# Home\n")
    args = make_parser().parse_args(["serve", "--port", "0"])
    running = make_preview(BuildOptions(), args.host, args.port)
    assert running.build().written
    running.start()
    try:
        assert running.server is not None
        assert running.server.server_address[0] == "127.0.0.1"
    finally:
        running.stop()


def _ipv6_loopback() -> None:
    """Go on only where this machine has an IPv6 loopback (``conftest.unavailable`` otherwise)."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError as exc:
        unavailable(f"no IPv6 loopback here ({exc.strerror})")


def _status_over(address: str, port: int, host: str) -> int:
    with socket.create_connection((address, port), timeout=10) as sock:
        sock.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return int(reply.split(b" ", 2)[1])


@pytest.mark.parametrize("given", ["::1", "[::1]"])
def test_host_can_be_the_ipv6_loopback(garden, monkeypatch, given):
    """``--host ::1`` binds IPv6, prints the URL with brackets, and answers ``[::1]:PORT``."""
    _ipv6_loopback()
    monkeypatch.chdir(garden.root)
    garden.note("index.md", "# Home\n")
    args = make_parser().parse_args(["serve", "--host", given, "--port", "0"])
    running = make_preview(BuildOptions(), args.host, args.port)
    assert running.build().written
    url = running.start()
    try:
        port = running.port
        assert url == f"http://[::1]:{port}/"
        assert running.server is not None and running.server.server_address[0] == "::1"
        assert _status_over("::1", port, f"[::1]:{port}") == 200
        assert _status_over("::1", port, f"localhost:{port}") == 200
        assert _status_over("::1", port, f"evil.example:{port}") == 403
        with pytest.raises(OSError):  # loopback IPv6 only: not IPv4, not the network
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        running.stop()


def test_host_every_ipv6_interface_serves_ipv4_too(garden, monkeypatch):
    _ipv6_loopback()
    monkeypatch.chdir(garden.root)
    garden.note("index.md", "# Home\n")
    running = make_preview(BuildOptions(), "::", 0)
    assert running.build().written
    url = running.start()
    try:
        port = running.port
        assert url == f"http://localhost:{port}/"
        assert _status_over("::1", port, f"[::1]:{port}") == 200
        assert _status_over("127.0.0.1", port, f"127.0.0.1:{port}") == 200
        assert _status_over("::1", port, f"[fe80::1]:{port}") == 200  # any address, as 0.0.0.0
        assert _status_over("::1", port, f"evil.example:{port}") == 403
    finally:
        running.stop()


# --------------------------------------------------------------------------- folders replaced while serving


@pytest.mark.parametrize("preview", [False, True], indirect=True, ids=["events", "polling"])
@pytest.mark.parametrize("how", ["rename", "delete"])
def test_replaced_notes_folder_is_watched_again(preview, garden, how):
    if how == "rename":
        garden.notes.rename(garden.root / "notes-old")
        shutil.copytree(garden.root / "notes-old", garden.notes)
    else:
        saved = garden.root.parent / "saved-notes"
        shutil.copytree(garden.notes, saved)
        shutil.rmtree(garden.notes)
        shutil.copytree(saved, garden.notes)
    for number in range(2):  # the first edit after the copy, and every one after it
        text = f"---\ntitle: Alpha\n---\nEdit {number} after the folder was replaced.\n"
        garden.note("models/alpha.md", text)
        wait_until(
            lambda n=number: f"Edit {n} after".encode() in get(preview.port, "/models/alpha/")[1],
            what=f"edit {number} to be served",
        )


def test_deleted_site_is_rebuilt_whole(preview, garden, cli, tmp_path):
    preview.settle()
    shutil.rmtree(garden.site)
    wait_until(lambda: get(preview.port, "/")[0] == 200, what="the site to be rebuilt")
    wait_until(lambda: get(preview.port, "/models/beta/")[0] == 200, what="every page to be back")
    preview.settle()
    clean = cli(garden, "--no-cache", "--out", str(tmp_path / "clean"))
    assert clean.code == 0, clean.output
    assert snapshot(garden.site, marker=False) == snapshot(tmp_path / "clean", marker=False)


@pytest.mark.parametrize(
    "edit",
    [
        "---\ntitle: Alpha\n---\nSecond version of alpha.\n",  # a body: the quick rebuild
        "---\ntitle: Alpha Renamed\n---\nSecond version of alpha.\n",  # a title: the full one
    ],
)
def test_unwritable_site_is_shown_and_the_last_good_site_stays(preview, garden, edit):
    client = EventClient(preview.port)
    preview.settle()
    before = snapshot(garden.site)
    with read_only(garden.site):
        garden.note("models/alpha.md", edit)
        problems = client.wait_for("problems")
        assert re.search(
            r"_site: error: could not write the site: (Operation not permitted|Permission denied)", problems
        )
        assert "First version of alpha." in get(preview.port, "/models/alpha/")[1].decode()
        assert snapshot(garden.site) == before  # not one file changed, none left behind
    garden.note("models/alpha.md", edit.replace("Second", "Third"))
    client.wait_for("ok")
    wait_until(lambda: b"Third version" in get(preview.port, "/models/alpha/")[1], what="the fixed build")
    client.close()


def test_a_card_that_cannot_be_written_leaves_the_pages_as_they_were(preview, garden):
    """A new title redraws the note's social card: when the card cannot be put in the site,
    no page is changed either (not new pages with the old card), and the overlay says why."""
    client = EventClient(preview.port)
    preview.settle()
    cards = garden.site / "cards" / "models"
    assert (cards / "alpha.png").is_file()
    before = snapshot(garden.site)
    with read_only(cards):
        garden.note("models/alpha.md", "---\ntitle: Alpha Renamed\n---\nSecond version of alpha.\n")
        problems = client.wait_for("problems")
        assert re.search(
            r"_site: error: could not write the site: (Operation not permitted|Permission denied)", problems
        )
        assert "First version of alpha." in get(preview.port, "/models/alpha/")[1].decode()
        assert snapshot(garden.site) == before  # not one page changed, no file left behind
    garden.note("models/alpha.md", "---\ntitle: Alpha Renamed\n---\nThird version of alpha.\n")
    client.wait_for("ok")
    wait_until(lambda: b"Third version" in get(preview.port, "/models/alpha/")[1], what="the fixed build")
    assert snapshot(garden.site)["cards/models/alpha.png"] != before["cards/models/alpha.png"]
    client.close()


def test_a_build_that_breaks_off_is_shown_in_the_overlay(garden, monkeypatch):
    """Whatever a build raises reaches the open pages, and the server goes on."""
    monkeypatch.chdir(garden.root)
    (garden.site).mkdir()
    (garden.site / "index.html").write_text("<html><body>Last good.</body></html>")

    def build():
        raise RuntimeError("the disk caught fire")

    site = PreviewSite(garden.site, "/", (garden.notes,), None, (garden.site,))
    running = Preview(build, site, port=0)
    running.start()
    try:
        client = EventClient(running.port)
        garden.note("a.md", "Hello\n")
        problems = client.wait_for("problems")
        assert "_site: error: the rebuild failed: RuntimeError: the disk caught fire" in problems
        assert b"Last good." in get(running.port, "/")[1]
        client.close()
    finally:
        running.stop()


def test_the_live_pages_cannot_take_every_connection(preview):
    """Past the cap, the oldest live page's stream ends (its page reconnects)."""
    preview.hub.max_clients = 3
    clients = [EventClient(preview.port) for _ in range(5)]
    wait_until(lambda: len(preview.hub.clients) == 3, what="the oldest streams to end")
    assert raw_request(preview.port, "/")[0] == 200
    for client in clients:
        client.close()
