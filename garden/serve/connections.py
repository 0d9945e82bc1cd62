"""The preview's front door: connections wait here, without a thread, until their request has
arrived, so idle or slow clients cannot use up the server's threads or file descriptors.

A connection that has not sent its whole request head within ``HEAD_TIMEOUT`` seconds is
closed (slowloris), as is one whose head grows past ``MAX_HEAD`` bytes (with a 431). The
connections open at once (waiting and being served) are capped by the file limit: a new one
over the cap pushes out the connection that has waited longest (once it has waited
``PUSH_OUT_AFTER``: a request just sent is not an idle client), so a flood of idle clients
delays normal requests by a moment at most. When every slot is busy serving, a new connection
waits up to ``QUEUE_WAIT`` for one before it is told to come back (503): the rest wait in the
kernel's listen queue meanwhile, without a file descriptor, so a page's burst of parallel
requests is served in turn, never refused. A response has a deadline as a whole
(``DeadlineWriter``), so a client that reads a little now and then cannot keep its slot either.
"""

from __future__ import annotations

import contextlib
import io
import resource
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HEAD_TIMEOUT = 10.0  # seconds a client gets to send its request line and headers
MAX_HEAD = 64 * 1024  # bytes of request line and headers
PUSH_OUT_AFTER = 0.5  # seconds a connection may wait for its head before a newer one pushes it out
QUEUE_WAIT = 5.0  # seconds a new connection may wait for a slot when every one is busy
BUSY = b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n\r\nBusy.\n"
TOO_LARGE = (
    b"HTTP/1.0 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\n\r\nHeaders too large.\n"
)


def connection_cap() -> int:
    """How many connections may be open at once: a third of the file limit (a connection being
    served may hold a file open too, and the build needs some), between 64 and 1,024."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 1 << 16
    return max(64, min(1024, soft // 3))


def head_complete(data: bytes | bytearray) -> bool:
    return b"\r\n\r\n" in data or b"\n\n" in data


@dataclass
class Waiting:
    address: tuple
    since: float
    head: bytearray = field(default_factory=bytearray)


class Lobby:
    """Holds accepted connections until their request head is in, then hands each to ``serve``
    (with the bytes read so far) to be handled on a thread of its own."""

    def __init__(self, serve: Callable[[socket.socket, tuple, bytes], None], cap: int | None = None) -> None:
        self.serve = serve
        self.cap = cap if cap is not None else connection_cap()
        self.waiting: dict[socket.socket, Waiting] = {}  # oldest first
        self.active = 0  # connections handed over and not yet closed
        self.dropped = 0  # closed here (timed out, pushed out, too large, gone): for tests
        self.lock = threading.Lock()
        self.room = threading.Condition(self.lock)  # notified whenever a connection closes
        self.selector = selectors.DefaultSelector()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        self.selector.register(self._wake_reader, selectors.EVENT_READ)
        self.closed = False
        self.thread = threading.Thread(target=self._run, name="garden-lobby", daemon=True)
        self.thread.start()

    def admit(self, sock: socket.socket, address: tuple) -> None:
        """Take a freshly accepted connection, making room for it when at the cap: push out the
        longest-waiting connection, or wait (briefly) for a slot. Runs on the accepting thread,
        so while it waits, later connections wait in the listen queue."""
        give_up = time.monotonic() + QUEUE_WAIT
        with self.lock:
            while not self.closed and len(self.waiting) + self.active >= self.cap:
                now = time.monotonic()
                oldest = next(iter(self.waiting.values()), None)
                if oldest is not None and now - oldest.since >= PUSH_OUT_AFTER:
                    self._push_out_oldest()
                    continue
                if now >= give_up:
                    self._refuse(sock, BUSY)  # every slot is still serving a request: try again
                    return
                until = give_up if oldest is None else min(give_up, oldest.since + PUSH_OUT_AFTER)
                self.room.wait(until - now)  # a slot freed, or the oldest may be pushed out
            if self.closed:
                _close(sock)
                return
            try:
                sock.setblocking(False)
                self.selector.register(sock, selectors.EVENT_READ)
            except (OSError, ValueError):
                self.dropped += 1
                _close(sock)
                return
            self.waiting[sock] = Waiting(address, time.monotonic())
        self._wake()

    def make_room(self) -> bool:
        """Close the longest-waiting connection (the process ran out of file descriptors)."""
        with self.lock:
            return self._push_out_oldest()

    def finished(self) -> None:
        """A handed-over connection was closed."""
        with self.lock:
            self.active -= 1
            self.room.notify()

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            for sock in list(self.waiting):
                self._drop(sock)
            self.room.notify_all()
        self._wake()
        self.thread.join(timeout=5)
        self.selector.close()
        self._wake_reader.close()
        self._wake_writer.close()

    # ------------------------------------------------------------------ the lobby's thread

    def _run(self) -> None:
        while not self.closed:
            with self.lock:
                oldest = next(iter(self.waiting.values()), None)
            wait = 1.0 if oldest is None else max(0.0, oldest.since + HEAD_TIMEOUT - time.monotonic())
            try:
                events = self.selector.select(min(wait, 1.0))
            except OSError:
                events = []
            for key, _mask in events:
                if key.fileobj is self._wake_reader:
                    with contextlib.suppress(OSError):
                        while self._wake_reader.recv(4096):
                            pass
                    continue
                self._read(key.fileobj)  # type: ignore[arg-type]
            self._expire()

    def _read(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(MAX_HEAD)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        with self.lock:
            waiting = self.waiting.get(sock)
            if waiting is None:
                return  # pushed out meanwhile
            if not data:
                self._drop(sock)  # the client left before asking anything
                return
            waiting.head += data
            if len(waiting.head) > MAX_HEAD:
                self._unregister(sock)
                self._refuse(sock, TOO_LARGE)
                return
            if not head_complete(waiting.head):
                return
            self._unregister(sock)
            self.active += 1
        try:
            sock.setblocking(True)
            self.serve(sock, waiting.address, bytes(waiting.head))
        except Exception:  # no thread to be had: let the client retry
            with self.lock:
                self.active -= 1
                self.dropped += 1
                self.room.notify()
            _close(sock)

    def _expire(self) -> None:
        now = time.monotonic()
        with self.lock:
            for sock, waiting in list(self.waiting.items()):
                if waiting.since + HEAD_TIMEOUT > now:
                    break  # the rest came later
                self._drop(sock)

    # ------------------------------------------------------------------ with the lock held

    def _push_out_oldest(self) -> bool:
        oldest = next(iter(self.waiting), None)
        if oldest is None:
            return False
        self._drop(oldest)
        return True

    def _unregister(self, sock: socket.socket) -> None:
        del self.waiting[sock]
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.selector.unregister(sock)
        self.room.notify()

    def _drop(self, sock: socket.socket) -> None:
        self._unregister(sock)
        self.dropped += 1
        _close(sock)

    def _refuse(self, sock: socket.socket, reply: bytes) -> None:
        self.dropped += 1
        with contextlib.suppress(OSError):
            sock.setblocking(False)
            sock.send(reply)
        _close(sock)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class PrefixedReader(io.RawIOBase):
    """A connection's input: the bytes the lobby already read, then the socket's."""

    def __init__(self, prefix: bytes, rest: io.RawIOBase) -> None:
        self.prefix = memoryview(prefix)
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.prefix:
            count = min(len(buffer), len(self.prefix))
            buffer[:count] = self.prefix[:count]
            self.prefix = self.prefix[count:]
            return count
        return self.rest.readinto(buffer) or 0

    def close(self) -> None:
        self.rest.close()
        super().close()


class DeadlineWriter(io.BufferedIOBase):
    """A connection's output with a deadline for the whole response. The socket's timeout
    bounds one send only, so a client reading a few bytes just before each would run out could
    hold its connection (and a slot) for as long as it liked; here every send gets at most what
    is left until ``deadline`` (None: no deadline, for the event stream)."""

    def __init__(self, sock: socket.socket, send_timeout: float | None, deadline: float | None) -> None:
        self.sock = sock
        self.send_timeout = send_timeout
        self.deadline = deadline

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        timeout = self.send_timeout
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self._reset()
                raise TimeoutError("the response took longer than its deadline")
            timeout = left if timeout is None else min(timeout, left)
        self.sock.settimeout(timeout)
        try:
            self.sock.sendall(data)
        except TimeoutError:
            self._reset()
            raise
        with memoryview(data) as view:
            return view.nbytes

    def _reset(self) -> None:
        """Close with a reset when the client stopped reading: what it has not read is dropped
        at once, not kept in the kernel while it trickles out."""
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
