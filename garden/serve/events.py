"""Live-reload events: fanned out to every open page, remembering a failed build's problems."""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass, field


@dataclass
class EventHub:
    """Fans events out to every connected page; remembers the problems of a failed build."""

    clients: list[queue.Queue[tuple[str, str] | None]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0  # events sent, for tests and the benchmark
    max_clients: int = 512  # more open pages than this: the oldest one's stream ends (it reconnects)

    def connect(self) -> queue.Queue[tuple[str, str] | None]:
        client: queue.Queue[tuple[str, str] | None] = queue.Queue()
        with self.lock:
            while len(self.clients) >= self.max_clients:
                self.clients.pop(0).put(None)
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
