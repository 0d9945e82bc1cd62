"""Preview server: build, then serve the site on 127.0.0.1 (only files inside the site)."""

from __future__ import annotations

import argparse
import errno
import posixpath
import sys
import threading
import webbrowser
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .paths import base_path_of


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves files under the site folder only; anything else is a 404."""

    site_root: Path
    base_path: str = "/"

    def __init__(self, *args, site_root: Path, base_path: str, **kwargs) -> None:
        self.site_root = site_root
        self.base_path = base_path
        super().__init__(*args, directory=str(site_root), **kwargs)

    def log_message(self, format: str, *args) -> None:
        pass  # quiet: the terminal shows build results, not every request

    def translate_path(self, path: str) -> str:
        resolved = resolve_request(self.site_root, self.base_path, path)
        return str(resolved) if resolved else str(self.site_root / "\x00missing")

    def send_head(self):  # type: ignore[override]
        resolved = resolve_request(self.site_root, self.base_path, self.path)
        if resolved is None:
            return self._not_found()
        if resolved.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                parts = urlsplit(self.path)
                self.send_header("Location", parts.path + "/" + (f"?{parts.query}" if parts.query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if not (resolved / "index.html").is_file():
                return self._not_found()
        return super().send_head()

    def _not_found(self):
        page = self.site_root / "404.html"
        body = page.read_bytes() if page.is_file() else b"<h1>Not found</h1>"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


def resolve_request(site_root: Path, base_path: str, raw_path: str) -> Path | None:
    """The file a request path names, or None when it is outside the site or the base path."""
    path = urlsplit(raw_path).path
    if "\x00" in path or "\\" in path:
        return None
    path = unquote(path)
    if "\x00" in path or "\\" in path:
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


def make_server(site_root: Path, host: str, port: int, base_url: str) -> tuple[ThreadingHTTPServer, bool]:
    """A server on ``port``, or on a free port if that one is taken (second value says so)."""
    handler = partial(SiteHandler, site_root=site_root, base_path=base_path_of(base_url))
    try:
        return ThreadingHTTPServer((host, port), handler), False
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        return ThreadingHTTPServer((host, 0), handler), True


def run_serve(args: argparse.Namespace) -> int:
    from .cli import run_build

    code = run_build(args, write=True)
    from .fastpath import BuildOptions, config_for
    from .problems import Problems

    config = config_for(
        BuildOptions(config_path=args.config, out_dir=args.out, base_url=args.base_url), Problems()
    )
    site_root = config.out_dir
    if code != 0 and not (site_root / "index.html").is_file():
        print("error: the build failed and there is no earlier site to serve", file=sys.stderr)
        return code
    server, moved = make_server(site_root, args.host, args.port, config.base_url)
    host, port = server.server_address[:2]
    url = f"http://{'localhost' if host == '127.0.0.1' else host}:{port}{base_path_of(config.base_url)}"
    if moved:
        print(f"port {args.port} is taken; using {port} instead")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: serving on {args.host}: other machines on the network can read the site",
            file=sys.stderr,
        )
    print(f"Serving {site_root} at {url}  (Ctrl-C stops)")
    if args.open:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped")
    finally:
        server.server_close()
    return 0
