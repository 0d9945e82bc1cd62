"""Watching the garden's files: file events (or polling), bursts debounced into one rebuild."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEBOUNCE_SECONDS = 0.05  # quiet time that ends a burst of file events


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
    observer.garden_handler = Handler()
    observer.garden_watches = {}
    for path, recursive in dict.fromkeys(paths):
        if path.is_dir():
            rewatch(observer, path, recursive)
    observer.start()
    return observer


def rewatch(observer: Any, folder: Path, recursive: bool = True) -> None:
    """Watch ``folder`` afresh: a folder that was deleted or renamed and made again is a new
    folder, and the old watch (stopped, or following the old folder) sees nothing of it."""
    key = (str(folder), recursive)
    old = observer.garden_watches.pop(key, None)
    if old is not None:
        with contextlib.suppress(KeyError, OSError):
            observer.unschedule(old)
    try:
        observer.garden_watches[key] = observer.schedule(observer.garden_handler, key[0], recursive=recursive)
    except OSError as exc:  # gone again already: its next appearance brings us back
        print(f"warning: cannot watch {folder}: {exc.strerror or exc}", file=sys.stderr)


def _relevant(path: str) -> bool:
    name = Path(path).name
    if name.startswith(".") and name != ".garden-site":
        return False  # editor swap files, .garden-cache/, .git/
    return not (name.endswith("~") or name.endswith(".swp") or name.endswith(".tmp"))
