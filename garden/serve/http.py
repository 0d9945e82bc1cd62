"""The preview's HTTP side: files under the site folder only, the live-reload script added to
served pages (never written to disk), and the Server-Sent Events stream."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import posixpath
import queue
import socket
import sys
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from garden.core.paths import base_path_of
from garden.serve.connections import DeadlineWriter, Lobby, PrefixedReader
from garden.serve.events import EventHub
from garden.serve.hosts import WILDCARDS, AllowedHosts, address_family

EVENTS_PATH = "/__garden/events"
KEEPALIVE_SECONDS = 15.0
SEND_TIMEOUT = 30.0  # seconds a client may take to accept more of a response
RESPONSE_TIMEOUT = 60.0  # seconds a whole response may take (the event stream excepted)

LIVE_SCRIPT = """<script id="garden-live">(() => {
  const key = "garden-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const y = Number(saved);
    window.scrollTo(0, y);
    addEventListener("load", () => window.scrollTo(0, y));
  }
  let box = null;
  function hide() { if (box) { box.remove(); box = null; } }
  function show(problems) {
    hide();
    box = document.createElement("div");
    box.id = "garden-problems";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;" +
      "z-index:2147483647;background:#2b0d0d;color:#ffe4e4;border:2px solid #e5484d;border-radius:8px;" +
      "padding:1rem 1.2rem;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 8px 30px #0008";
    const title = document.createElement("strong");
    title.textContent = "The last change did not build; this page is the last good version.";
    const list = document.createElement("pre");
    // the page's own pre style (background, colour, padding) must not reach the overlay
    list.style.cssText = "white-space:pre-wrap;margin:.6rem 0 0;padding:0;background:none;color:inherit;" +
      "font:inherit;border:0;overflow:visible";
    list.textContent = problems.join("\\n");
    box.append(title, list);
    document.body.append(box);
  }
  const source = new EventSource(%(events)s);
  source.addEventListener("reload", () => {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  });
  source.addEventListener("css", () => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("garden-reload", String(Date.now()));
      link.href = url.href;
    }
  });
  source.addEventListener("problems", (event) => show(JSON.parse(event.data)));
  source.addEventListener("ok", hide);
})();</script>
"""


def resolve_request(site_root: Path, base_path: str, raw_path: str) -> Path | None:
    """The file a request path names, or None when it is outside the site or the base path."""
    path = urlsplit(raw_path).path
    if "\x00" in path or "\\" in path:
        return None
    path = unquote(path)
    if "\x00" in path or "\\" in path or "//" in path.lstrip("/")[:1]:
        return None
    if not path.startswith(base_path) and path + "/" != base_path:
        return None
    relative = path[len(base_path) :] if path.startswith(base_path) else ""
    parts = [p for p in relative.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None
    normalized = posixpath.normpath("/" + "/".join(parts)).lstrip("/")
    candidate = (site_root / normalized) if normalized else site_root
    try:
        real = candidate.resolve(strict=True)
        real.relative_to(site_root.resolve())
    except (OSError, ValueError):
        return None
    return real


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves files under the site folder only (anything else is a 404) and the event stream,
    to requests whose ``Host`` is one the server answers to."""

    server: _Server
    timeout = SEND_TIMEOUT  # the request head is already in (the lobby waited for it)

    def __init__(
        self, *args: Any, site_root: Path, base_path: str, hub: EventHub | None, **kwargs: Any
    ) -> None:
        self.site_root = site_root
        self.base_path = base_path
        self.hub = hub
        super().__init__(*args, directory=str(site_root), **kwargs)

    def setup(self) -> None:
        super().setup()
        # a request is in: its response has RESPONSE_TIMEOUT seconds, however the client reads
        self.wfile = DeadlineWriter(self.connection, self.timeout, time.monotonic() + RESPONSE_TIMEOUT)
        head = self.server.heads.pop(self.connection, b"")
        if head:  # read by the lobby while it waited for the whole head
            self.rfile.close()
            raw = PrefixedReader(head, self.connection.makefile("rb", buffering=0))  # type: ignore[arg-type]
            self.rfile = io.BufferedReader(raw)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the terminal shows build results, not every request

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        if not self._host_allowed():
            return
        if self.hub is not None and urlsplit(self.path).path == EVENTS_PATH:
            self._events()
            return
        resolved = self._resolve()
        if resolved is not None and resolved.suffix == ".html" and self.hub is not None:
            self._send_html(resolved, HTTPStatus.OK)
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        """The headers GET would send (the same length: the live-reload script counts)."""
        if not self._host_allowed():
            return
        if self.hub is not None and urlsplit(self.path).path == EVENTS_PATH:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            return
        resolved = self._resolve()
        if resolved is not None and resolved.suffix == ".html" and self.hub is not None:
            self._send_html(resolved, HTTPStatus.OK)
            return
        super().do_HEAD()

    def _host_allowed(self) -> bool:
        """Refuse a request for another name (a page on another site that had its name point
        here, DNS rebinding, must not read the notes)."""
        port = self.server.server_address[1]
        host = self.headers.get("Host")
        if self.server.allowed.allows(host, port):
            return True
        body = self.server.allowed.refusal(host, port).encode()
        self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", body)
        self.close_connection = True
        return False

    def translate_path(self, path: str) -> str:
        resolved = resolve_request(self.site_root, self.base_path, path)
        return str(resolved) if resolved else str(self.site_root / "\x00missing")

    def _resolve(self) -> Path | None:
        resolved = resolve_request(self.site_root, self.base_path, self.path)
        if resolved is not None and resolved.is_dir():
            index = resolved / "index.html"
            return index if index.is_file() and urlsplit(self.path).path.endswith("/") else None
        return resolved

    def send_head(self):  # type: ignore[no-untyped-def]
        resolved = resolve_request(self.site_root, self.base_path, self.path)
        if resolved is None:
            return self._not_found()
        if resolved.is_dir():
            parts = urlsplit(self.path)
            if not parts.path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", parts.path + "/" + (f"?{parts.query}" if parts.query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if not (resolved / "index.html").is_file():
                return self._not_found()
        return super().send_head()

    def _not_found(self) -> None:
        page = self.site_root / "404.html"
        if page.is_file() and self.hub is not None:
            self._send_html(page, HTTPStatus.NOT_FOUND)
            return None
        body = page.read_bytes() if page.is_file() else b"<h1>Not found</h1>"
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body)
        return None

    def _send_html(self, path: Path, status: HTTPStatus) -> None:
        try:
            body = path.read_bytes()
        except OSError:
            self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", b"<h1>Not found</h1>")
            return
        self._send(status, "text/html; charset=utf-8", inject_live_script(body))

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _events(self) -> None:
        assert self.hub is not None
        self.wfile.deadline = None  # type: ignore[attr-defined]  # as long as the page is open
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "keep-alive")
        self.end_headers()
        client = self.hub.connect()
        try:
            self.wfile.write(b"retry: 500\n: connected\n\n")
            self.wfile.flush()
            quiet_since = time.monotonic()
            while True:
                try:
                    item = client.get(timeout=1.0)
                except queue.Empty:
                    if self._peer_closed():
                        break
                    if time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                        quiet_since = time.monotonic()
                    continue
                quiet_since = time.monotonic()
                if item is None:
                    break
                event, data = item
                lines = "".join(f"data: {line}\n" for line in (data or "").split("\n"))
                self.wfile.write(f"event: {event}\n{lines}\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            self.hub.disconnect(client)
            self.close_connection = True

    def _peer_closed(self) -> bool:
        """True when the page went away: its socket reads end-of-file (an SSE client never sends)."""
        self.connection.settimeout(0.0)
        try:
            return not self.connection.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            self.connection.settimeout(self.timeout)


def inject_live_script(html: bytes) -> bytes:
    """The live-reload script, added to a served page (never to the files on disk)."""
    script = (LIVE_SCRIPT % {"events": json.dumps(EVENTS_PATH)}).encode()
    marker = html.rfind(b"</body>")
    return html[:marker] + script + html[marker:] if marker >= 0 else html + script


class _Server(ThreadingHTTPServer):
    """A thread per request, not per connection: connections wait in the lobby (no thread)
    until their request has arrived."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # many tabs and their assets connect at once; 5 would drop SYNs

    def __init__(self, address: tuple[str, int], handler: Any, allowed: AllowedHosts) -> None:
        self.address_family = address_family(address[0])  # read by the socket made below
        super().__init__(address, handler)
        self.allowed = allowed
        self.heads: dict[socket.socket, bytes] = {}
        self.serving: set[socket.socket] = set()  # handed over by the lobby, not yet closed
        self.lobby = Lobby(self._serve)

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6 and self.server_address[0] in WILDCARDS:
            # every interface means IPv4 too (as `python -m http.server --bind ::` does)
            with contextlib.suppress(OSError):
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()

    def get_request(self) -> tuple[socket.socket, Any]:
        try:
            return super().get_request()
        except OSError as exc:
            out_of_files = exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
            if out_of_files and not self.lobby.make_room():  # free the idlest connection
                time.sleep(0.05)  # none to free: do not spin on the waiting connection
            raise

    def process_request(self, request: Any, client_address: Any) -> None:
        self.lobby.admit(request, client_address)

    def _serve(self, sock: socket.socket, address: tuple, head: bytes) -> None:
        self.heads[sock] = head
        self.serving.add(sock)
        try:
            super().process_request(sock, address)  # a thread of its own
        except BaseException:
            self.heads.pop(sock, None)
            self.serving.discard(sock)
            raise

    def shutdown_request(self, request: Any) -> None:
        self.heads.pop(request, None)
        super().shutdown_request(request)
        if request in self.serving:  # not one refused before the lobby took it
            self.serving.discard(request)
            self.lobby.finished()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing of clients that went away; one line for anything else."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError) or (
            isinstance(error, OSError) and error.errno in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN)
        ):
            return
        print(f"error: a request failed: {type(error).__name__}: {error}", file=sys.stderr)

    def shutdown(self) -> None:
        self.lobby.close()  # first: a connection waiting for a slot holds up the accepting loop
        super().shutdown()

    def server_close(self) -> None:
        if hasattr(self, "lobby"):  # not when binding failed
            self.lobby.close()
        super().server_close()


def make_server(
    site_root: Path, host: str, port: int, base_url: str, hub: EventHub | None = None
) -> tuple[ThreadingHTTPServer, bool]:
    """A server on ``port``, or on a free port if that one is taken (second value says so)."""
    handler = partial(SiteHandler, site_root=site_root, base_path=base_path_of(base_url), hub=hub)
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host  # [::1] as in a URL
    allowed = AllowedHosts.serving(host)
    try:
        server = _Server((host, port), handler, allowed)
        moved = False
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        server, moved = _Server((host, 0), handler, allowed), True
    if hub is not None:
        hub.max_clients = max(1, server.lobby.cap // 2)  # live pages never take every slot
    return server, moved
