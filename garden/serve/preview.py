"""Preview server: build, serve on 127.0.0.1, watch the files, rebuild what changed, reload.

The preview is given a build callable and never has a build of its own: after every
(debounced) burst of file events it calls it and tells the open pages what happened through
Server-Sent Events: ``reload`` (keeping the scroll position), ``css`` (style sheets swapped
without a reload) and ``problems`` (an overlay listing them; the last good site stays served
until the next good build clears it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from garden.core.paths import base_path_of
from garden.serve.events import EventHub
from garden.serve.hosts import url_host
from garden.serve.http import make_server
from garden.serve.watch import Debouncer, rewatch, watch


@dataclass(frozen=True)
class PreviewSite:
    """What the preview serves and watches: the site folder under its base URL, the folders
    whose changes rebuild it, and the garden's config file."""

    root: Path
    base_url: str
    watched: tuple[Path, ...]  # notes/, templates/, static/, the math preamble's files
    config_file: Path | None
    ignored: tuple[Path, ...]  # never a reason to rebuild: the site itself, the build cache


class Preview:
    """A build callable, a server, a watcher and the event hub that ties them together.

    It knows nothing of the build but ``build()`` (which returns a result with ``problems``,
    ``written`` and ``changed_paths``), ``settle()`` (wait for background work after a build)
    and ``close()``.
    """

    def __init__(
        self,
        build: Callable[[], Any],
        site: PreviewSite,
        host: str = "127.0.0.1",
        port: int = 8000,
        poll: bool = False,
        settle: Callable[[], None] = lambda: None,
        close: Callable[[], None] = lambda: None,
    ) -> None:
        self._build, self.settle, self._close = build, settle, close
        self.site = site
        self.hub = EventHub()
        self.host, self.port, self.poll = host, port, poll
        self.server: ThreadingHTTPServer | None = None
        self.observer: Any = None
        self.debouncer: Debouncer | None = None
        self.site_root = site.root
        self.base_url = site.base_url
        self.builds = 0
        self.last_result: Any = None
        self.build_lock = threading.Lock()
        self.on_built: Callable[[Any], None] | None = None

    def build(self, changed: list[str] | None = None) -> Any:
        """Rebuild through the normal pipeline and tell the open pages what happened (a build
        that breaks off with an exception too: the pages show it, the last good site stays)."""
        with self.build_lock:
            try:
                result = self._build()
            except Exception as exc:
                self.builds += 1
                where = _shown(self.site_root)
                message = f"{where}: error: the rebuild failed: {type(exc).__name__}: {exc}"
                self.hub.publish("problems", json.dumps([message]))
                raise
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
        self.site_root.mkdir(parents=True, exist_ok=True)
        self.server, moved = make_server(self.site_root, self.host, self.port, self.base_url, self.hub)
        host, port = self.server.server_address[:2]
        self.port = port
        threading.Thread(target=self.server.serve_forever, name="garden-http", daemon=True).start()
        self.debouncer = Debouncer(lambda paths: self.build(paths))
        # notes/, templates/ and static/ recursively; the folders around them and the site
        # only for those appearing (or being replaced) and the site vanishing; the config's
        # folder for garden.yaml: never the site or the cache inside it
        self.watched = list(self.site.watched)
        folders = [(p, True) for p in self.watched if p.is_dir()]
        around = [p.parent for p in [*self.watched, self.site_root]]
        folders += [(p, False) for p in around if p.is_dir()]
        if self.site.config_file is not None:
            folders.append((self.site.config_file.parent, False))
        self.observer = watch(folders, self._changed(), self.poll)
        self.moved = moved
        return f"http://{url_host(host)}:{port}{base_path_of(self.base_url)}"

    def _changed(self) -> Callable[[str], None]:
        ignored = tuple(str(p.resolve()) for p in self.site.ignored)
        config_path = self.site.config_file
        config_file = str(config_path.resolve()) if config_path else ""
        config_folder = str(config_path.parent.resolve()) if config_path else ""
        inside = [str(p.resolve()) for p in self.site.watched]
        site = str(self.site_root.resolve())

        def changed(path: str) -> None:
            real = str(Path(path).resolve())
            for folder in self.watched:
                if real == str(folder.resolve()) and folder.is_dir():  # appeared, or made again
                    rewatch(self.observer, folder)
            if real == site and not self.site_root.is_dir():  # deleted: build it again, whole
                assert self.debouncer is not None
                self.debouncer.touch(real)
                return
            if real.startswith(ignored) or "/." in real.replace(config_folder, "", 1):
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
        self._close()


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
