"""Preview server: build, serve on 127.0.0.1, watch the files, rebuild what changed, reload.

The server never has a build of its own: it keeps one ``Builder`` alive and calls the same
pipeline as ``build`` after every (debounced) burst of file events; only changed pages are
rendered and rewritten. Open pages get a small script, injected here and never written to
disk, that listens for Server-Sent Events: ``reload`` (keeping the scroll position), ``css``
(style sheets swapped without a reload) and ``problems`` (an overlay listing them; the last
good site stays served until the next good build clears it).
"""

from __future__ import annotations

import argparse
import errno
import json
import posixpath
import queue
import select
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from garden.core.paths import base_path_of

EVENTS_PATH = "/__garden/events"
DEBOUNCE_SECONDS = 0.05  # quiet time that ends a burst of file events
KEEPALIVE_SECONDS = 15.0

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
    list.style.cssText = "white-space:pre-wrap;margin:.6rem 0 0";
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


# --------------------------------------------------------------------------- events


@dataclass
class EventHub:
    """Fans events out to every connected page; remembers the problems of a failed build."""

    clients: list[queue.Queue[tuple[str, str] | None]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0  # events sent, for tests and the benchmark

    def connect(self) -> queue.Queue[tuple[str, str] | None]:
        client: queue.Queue[tuple[str, str] | None] = queue.Queue()
        with self.lock:
            self.clients.append(client)
            if self.problems:
                client.put(("problems", json.dumps(self.problems)))
        return client

    def disconnect(self, client: queue.Queue[tuple[str, str] | None]) -> None:
        with self.lock:
            if client in self.clients:
                self.clients.remove(client)

    def publish(self, event: str, data: str = "") -> None:
        with self.lock:
            if event == "problems":
                self.problems = json.loads(data)
            elif event == "ok":
                self.problems = []
            for client in self.clients:
                client.put((event, data))
            self.sent += 1

    def close(self) -> None:
        with self.lock:
            for client in self.clients:
                client.put(None)
            self.clients.clear()


# --------------------------------------------------------------------------- HTTP


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
    """Serves files under the site folder only (anything else is a 404) and the event stream."""

    def __init__(
        self, *args: Any, site_root: Path, base_path: str, hub: EventHub | None, **kwargs: Any
    ) -> None:
        self.site_root = site_root
        self.base_path = base_path
        self.hub = hub
        super().__init__(*args, directory=str(site_root), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the terminal shows build results, not every request

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        if self.hub is not None and urlsplit(self.path).path == EVENTS_PATH:
            self._events()
            return
        resolved = self._resolve()
        if resolved is not None and resolved.suffix == ".html" and self.hub is not None:
            self._send_html(resolved, HTTPStatus.OK)
            return
        super().do_GET()

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
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)
        except OSError:
            return True


def inject_live_script(html: bytes) -> bytes:
    """The live-reload script, added to a served page (never to the files on disk)."""
    script = (LIVE_SCRIPT % {"events": json.dumps(EVENTS_PATH)}).encode()
    marker = html.rfind(b"</body>")
    return html[:marker] + script + html[marker:] if marker >= 0 else html + script


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # many tabs and their assets connect at once; 5 would drop SYNs


def make_server(
    site_root: Path, host: str, port: int, base_url: str, hub: EventHub | None = None
) -> tuple[ThreadingHTTPServer, bool]:
    """A server on ``port``, or on a free port if that one is taken (second value says so)."""
    handler = partial(SiteHandler, site_root=site_root, base_path=base_path_of(base_url), hub=hub)
    try:
        return _Server((host, port), handler), False
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        return _Server((host, 0), handler), True


# --------------------------------------------------------------------------- watching


class Debouncer:
    """Collects file events; calls ``action`` once a burst has been quiet for a moment."""

    def __init__(self, action: Callable[[list[str]], None], quiet: float = DEBOUNCE_SECONDS) -> None:
        self.action = action
        self.quiet = quiet
        self.paths: list[str] = []
        self.last = 0.0
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="garden-debounce", daemon=True)
        self.thread.start()

    def touch(self, path: str) -> None:
        with self.lock:
            self.paths.append(path)
            self.last = time.monotonic()
        self.wake.set()

    def _run(self) -> None:
        while not self.stopped:
            self.wake.wait()
            self.wake.clear()
            while not self.stopped:
                with self.lock:
                    left = self.last + self.quiet - time.monotonic()
                if left <= 0:
                    break
                time.sleep(left)
            if self.stopped:
                return
            with self.lock:
                paths, self.paths = self.paths, []
            if paths:
                try:
                    self.action(paths)
                except Exception as exc:  # the server must never die of a rebuild
                    print(f"error: rebuild failed unexpectedly: {exc!r}", file=sys.stderr)

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()


def watch(paths: list[tuple[Path, bool]], on_change: Callable[[str], None], poll: bool) -> Any:
    """Start a watchdog observer over ``paths`` (folder, recursively?); returns it and its handler."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    if poll:
        from watchdog.observers.polling import PollingObserver as Observer
    else:
        from watchdog.observers import Observer

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                path = raw.decode() if isinstance(raw, bytes) else raw
                if path and _relevant(path):
                    on_change(path)

    observer = Observer(timeout=0.2) if poll else Observer()
    handler = Handler()
    for path, recursive in dict.fromkeys(paths):
        if path.is_dir():
            observer.schedule(handler, str(path), recursive=recursive)
    observer.start()
    observer.garden_handler = handler
    return observer


def _relevant(path: str) -> bool:
    name = Path(path).name
    if name.startswith(".") and name != ".garden-site":
        return False  # editor swap files, .garden-cache/, .git/
    return not (name.endswith("~") or name.endswith(".swp") or name.endswith(".tmp"))


# --------------------------------------------------------------------------- the preview


class Preview:
    """A builder kept alive, a server, a watcher and the event hub that ties them together."""

    def __init__(self, options: Any, host: str = "127.0.0.1", port: int = 8000, poll: bool = False) -> None:
        from garden.build.builder import Builder

        self.options = options
        self.builder = Builder(options)
        self.builder.in_place = True
        self.hub = EventHub()
        self.host, self.port, self.poll = host, port, poll
        self.server: ThreadingHTTPServer | None = None
        self.observer: Any = None
        self.debouncer: Debouncer | None = None
        self.site_root: Path | None = None
        self.base_url = "/"
        self.builds = 0
        self.last_result: Any = None
        self.build_lock = threading.Lock()
        self.on_built: Callable[[Any], None] | None = None

    def build(self, changed: list[str] | None = None) -> Any:
        """Rebuild through the normal pipeline and tell the open pages what happened."""
        with self.build_lock:
            result = self.builder.build(full=self.builds == 0)
            self.builds += 1
            self.last_result = result
        problems = result.problems.sorted()
        errors = [p for p in problems if p.severity == "error"]
        if errors or not result.written:
            self.hub.publish("problems", json.dumps([p.format() for p in problems if p.severity == "error"]))
        else:
            self.hub.publish("ok")
            changed_paths = result.changed_paths
            if changed_paths:
                only_css = all(p.endswith(".css") for p in changed_paths)
                self.hub.publish("css" if only_css else "reload", json.dumps(changed_paths[:50]))
        if self.on_built:
            self.on_built(result)
        return result

    def start(self) -> str:
        from garden.build.inputs import config_for
        from garden.core.problems import Problems

        config = config_for(self.options, Problems())
        self.site_root = config.out_dir
        self.base_url = config.base_url
        self.site_root.mkdir(parents=True, exist_ok=True)
        self.server, moved = make_server(self.site_root, self.host, self.port, self.base_url, self.hub)
        host, port = self.server.server_address[:2]
        self.port = port
        threading.Thread(target=self.server.serve_forever, name="garden-http", daemon=True).start()
        self.debouncer = Debouncer(lambda paths: self.build(paths))
        # notes/, templates/ and static/ recursively; the config's folder only for garden.yaml
        # (and for those folders appearing): never the site or the cache inside it
        self.watched = [config.notes_dir, config.templates_dir, config.static_dir]
        folders = [(p, True) for p in self.watched if p.is_dir()]
        folders += [(p.parent, False) for p in self.watched if not p.is_dir() and p.parent.is_dir()]
        if config.path is not None:
            folders.append((config.path.parent, False))
        self.observer = watch(folders, self._changed(config), self.poll)
        shown = "localhost" if host in ("127.0.0.1", "::1") else host
        self.moved = moved
        return f"http://{shown}:{port}{base_path_of(self.base_url)}"

    def _changed(self, config: Any) -> Callable[[str], None]:
        out = str(config.out_dir.resolve())
        cache = str((config.root / ".garden-cache").resolve())
        config_file = str(config.path.resolve()) if config.path else ""
        config_folder = str(config.path.parent.resolve()) if config.path else ""
        inside = [str(p.resolve()) for p in (config.notes_dir, config.templates_dir, config.static_dir)]

        def changed(path: str) -> None:
            real = str(Path(path).resolve())
            for folder in self.watched:
                if real == str(folder.resolve()) and folder.is_dir():  # a watched folder appeared
                    self.observer.schedule(self.observer.garden_handler, real, recursive=True)
            if real.startswith((out, cache)) or "/." in real.replace(config_folder, "", 1):
                return
            in_watched = any(real == p or real.startswith(p + "/") for p in inside)
            if in_watched or real == config_file:
                assert self.debouncer is not None
                self.debouncer.touch(real)

        return changed

    def stop(self) -> None:
        if self.debouncer:
            self.debouncer.stop()
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
        self.hub.close()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        self.builder.close()


def run_serve(args: argparse.Namespace) -> int:
    from garden.cli import _options, print_result

    options = _options(args, write=True)
    preview = Preview(options, args.host, args.port, args.poll)
    result = preview.build()
    print_result(args, result, write=True)
    if not result.written and not (preview.builder.manifest or result.unchanged):
        from garden.build.inputs import config_for
        from garden.core.problems import Problems

        out = config_for(options, Problems()).out_dir
        if not (out / "index.html").is_file():
            print("error: the build failed and there is no earlier site to serve", file=sys.stderr)
            preview.builder.close()
            return 1
    url = preview.start()
    if preview.moved:
        print(f"port {args.port} is taken; using {preview.port} instead")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: serving on {args.host}: other machines on the network can read the site",
            file=sys.stderr,
        )
    print(f"Serving {preview.site_root} at {url}  (watching for changes; Ctrl-C stops)", flush=True)

    def report(built: Any) -> None:
        print_result(args, built, write=True)

    preview.on_built = report
    if args.open:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nstopped")
    finally:
        preview.stop()
    return 0
