"""Issue 3: the preview server: real server, real file edits, real event stream."""

from __future__ import annotations

import contextlib
import http.client
import queue
import socket
import threading
import time
from pathlib import Path

import pytest
from conftest import snapshot, wait_until

from garden.build.inputs import BuildOptions
from garden.cli import make_preview
from garden.serve.preview import Preview


class EventClient:
    """Reads the server's Server-Sent Events in a thread."""

    def __init__(self, port: int) -> None:
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.request("GET", "/__garden/events")
        self.socket = self.connection.sock  # the response's reader keeps it open after close()
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"
        self.ended = ""  # how the stream ended: "end of stream", or the error that ended it
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        event, data = "message", []
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if not line:
                    if data or event != "message":
                        self.events.put((event, "\n".join(data)))
                    event, data = "message", []
                elif line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
            self.ended = "end of stream"
        except (OSError, ValueError) as exc:
            self.ended = repr(exc)

    def wait_for(self, name: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event, data = self.events.get(timeout=0.2)
            except queue.Empty:
                continue
            if event == name:
                return data
        raise AssertionError(f"no {name!r} event within {timeout} s")

    def close(self) -> None:
        """Hang up as a closed tab does: the server sees the end of the stream. The socket's
        descriptor is released once the reader is done with the response too (a reader that
        ended with an error leaves the response open, and with it the socket)."""
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        self.reader.join(timeout=10)
        self.response.close()
        self.connection.close()


class Builds:
    """The preview's rebuilds as they happen: wraps the real ``Preview.build`` (which the watcher
    calls with the paths that changed) to note what each one saw and when it is done."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        self.done: list[list[str]] = []
        self.running = 0
        self.lock = threading.Lock()
        real = preview.build

        def build(changed: list[str] | None = None):
            with self.lock:
                self.running += 1
            try:
                return real(changed)
            finally:
                with self.lock:
                    self.running -= 1
                    self.done.append(list(changed or []))

        preview.build = build

    def settled_after(self, path: Path) -> bool:
        """True once a rebuild that saw ``path`` change has finished, and no other is running or
        waiting for its burst of events to end. Make ``path`` the last change of a test's edits:
        file events arrive in order, so every earlier change has been seen by then."""
        seen = str(path.resolve())
        with self.lock:
            finished = any(seen in changed for changed in self.done)
            running = self.running
        assert self.preview.debouncer is not None
        return finished and not running and not self.preview.debouncer.paths


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def raw_request(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    """Status and body of a request with the path sent exactly as given (no normalisation)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def raw_get(port: int, path: str) -> int:
    return raw_request(port, path)[0]


@pytest.fixture
def preview(garden, monkeypatch):
    monkeypatch.chdir(garden.root)
    garden.note("index.md", "# Home\n\nSee [[Alpha]].\n")
    garden.note("models/alpha.md", "---\ntitle: Alpha\n---\nFirst version of alpha. $x^2$\n")
    garden.note("models/beta.md", "---\ntitle: Beta\n---\nBeta links [[Alpha]].\n")
    running = make_preview(BuildOptions(), "127.0.0.1", 0)
    result = running.build()
    assert result.written, result.problems.items
    running.start()
    yield running
    running.stop()


def test_edit_sends_reload_and_serves_new_page(preview, garden):
    client = EventClient(preview.port)
    garden.note("models/alpha.md", "---\ntitle: Alpha\n---\nSecond version of alpha. $x^3$\n")
    changed = client.wait_for("reload")
    assert "models/alpha/index.html" in changed
    status, body = get(preview.port, "/models/alpha/")
    assert status == 200 and b"Second version of alpha." in body
    assert b'id="garden-live"' in body  # injected when served...
    on_disk = (garden.site / "models" / "alpha" / "index.html").read_bytes()
    assert b"garden-live" not in on_disk  # ...never written
    client.close()


def test_broken_edit_shows_problems_and_keeps_last_good_page(preview, garden):
    client = EventClient(preview.port)
    garden.note("models/alpha.md", "---\ntitle: [unclosed\n---\nBroken.\n")
    problems = client.wait_for("problems")
    assert "notes/models/alpha.md:2: error: front-matter: invalid YAML" in problems
    status, body = get(preview.port, "/models/alpha/")
    assert status == 200 and b"First version of alpha." in body
    late = EventClient(preview.port)  # a page opened now sees the problems at once
    assert "invalid YAML" in late.wait_for("problems")
    garden.note("models/alpha.md", "---\ntitle: Alpha\n---\nFixed version.\n")
    client.wait_for("ok")
    client.wait_for("reload")
    assert b"Fixed version." in get(preview.port, "/models/alpha/")[1]
    client.close()
    late.close()


def test_saving_the_math_preamble_rebuilds(garden, monkeypatch):
    """The preamble's files are watched like garden.yaml: a changed definition reaches the page."""
    monkeypatch.chdir(garden.root)
    config = garden.root / "garden.yaml"
    config.write_text(config.read_text() + "math:\n  preamble: tex/macros.sty\n")
    preamble = garden.write("tex/macros.sty", "\\newcommand{\\R}{\\mathbb{R}}\n")
    garden.note("models/alpha.md", "---\ntitle: Alpha\n---\nReals $\\R$.\n")
    running = make_preview(BuildOptions(), "127.0.0.1", 0)
    try:
        assert running.build().written
        running.start()
        client = EventClient(running.port)
        preamble.write_text("\\newcommand{\\R}{\\mathcal{R}}\n")
        client.wait_for("reload")
        assert b'mathvariant="script">R' in get(running.port, "/models/alpha/")[1]
        client.close()
    finally:
        running.stop()


def test_css_only_change_swaps_style_sheets(preview, garden):
    client = EventClient(preview.port)
    css = garden.root / "static" / "css" / "extra.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text("body { color: red; }\n")
    assert "css/extra.css" in client.wait_for("css")
    client.close()


def test_burst_of_events_is_one_rebuild(preview, garden):
    client = EventClient(preview.port)
    builds = Builds(preview)
    before = preview.builds
    for i in range(59):  # like a `git checkout` touching many files at once
        garden.note(f"models/burst-{i}.md", f"---\ntitle: Burst {i}\n---\nLinks [[Alpha]].\n")
    # the last one is saved as editors do (a hidden file renamed into place): one event, the last
    last = garden.notes / "models" / "burst-59.md"
    garden.note("models/.burst-59.md", "---\ntitle: Burst 59\n---\nLinks [[Alpha]].\n").rename(last)
    client.wait_for("reload")
    wait_until(lambda: builds.settled_after(last), what="the rebuilds of the burst")
    assert preview.builds - before <= 3, builds.done
    assert b"Burst 59" in get(preview.port, "/models/burst-59/")[1]
    client.close()


def test_adds_deletes_and_renames_update_backlinks(preview, garden):
    client = EventClient(preview.port)
    builds = Builds(preview)
    gamma = garden.notes / "models" / "gamma.md"
    (garden.notes / "models" / "beta.md").rename(gamma)
    client.wait_for("reload")
    wait_until(lambda: builds.settled_after(gamma), what="the rebuild after the rename")
    page = get(preview.port, "/models/alpha/")[1].decode()
    assert 'href="/models/gamma/"' in page and 'href="/models/beta/"' not in page
    assert get(preview.port, "/models/beta/")[0] == 404


def test_incremental_serve_equals_clean_build(preview, garden, cli, tmp_path):
    steps = [
        lambda: garden.note("models/delta.md", "---\ntitle: Delta\ntags: [t]\n---\nDelta ![[Alpha]].\n"),
        lambda: garden.note("models/alpha.md", "---\ntitle: Alpha Prime\naliases: [Alpha]\n---\nNew.\n"),
        lambda: (garden.notes / "models" / "beta.md").rename(garden.notes / "optimization-beta.md"),
        lambda: garden.note("models/delta.md", "---\ntitle: Delta\nsection: optimization\n---\nMoved.\n"),
        lambda: (garden.notes / "models" / "alpha.md").unlink(),
        lambda: (garden.root / "garden.yaml").write_text(
            (garden.root / "garden.yaml").read_text().replace("title: Fixture", "title: Renamed Site")
        ),
    ]
    for number, step in enumerate(steps):
        step()
        preview.build()  # the server's rebuild path, called directly to compare at each step
        out = tmp_path / f"clean-{number}"
        result = cli(garden, "--no-cache", "--out", str(out))
        assert result.code == 0, result.output
        preview.settle()  # the search index catches up in the background
        assert snapshot(garden.site, marker=False) == snapshot(out, marker=False), f"step {number}"


@pytest.mark.parametrize(
    "path",
    [
        "/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2Fetc%2Fpasswd",
        "/models/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/%00index.html",
        "//etc/passwd",
        "http://example.com/../../etc/passwd",
        "/outside-link/secret.txt",
    ],
)
def test_traversal_and_escapes_get_404(preview, garden, tmp_path, path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    (garden.site / "outside-link").symlink_to(tmp_path)
    assert raw_get(preview.port, path) == 404


def test_base_url_path_is_served_under_it(garden, monkeypatch):
    monkeypatch.chdir(garden.root)
    garden.note("a.md", "Hello\n")
    running = make_preview(BuildOptions(base_url="https://user.github.io/garden/"), "127.0.0.1", 0)
    running.build()
    running.start()
    try:
        assert get(running.port, "/garden/a/")[0] == 200
        assert get(running.port, "/garden/css/garden.css")[0] == 200
        assert get(running.port, "/a/")[0] == 404
    finally:
        running.stop()


def test_taken_port_moves_to_a_free_one(garden, monkeypatch):
    monkeypatch.chdir(garden.root)
    garden.note("a.md", "Hello\n")
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    running = make_preview(BuildOptions(), "127.0.0.1", taken)
    running.build()
    running.start()
    try:
        assert running.moved and running.port != taken
        assert get(running.port, "/a/")[0] == 200
    finally:
        running.stop()
        blocker.close()


def test_server_binds_loopback_by_default():
    from garden.cli import make_parser

    args = make_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"


@pytest.fixture
def builder_only(garden, monkeypatch):
    """The preview's builder without its watcher, so the test decides when to rebuild."""
    monkeypatch.chdir(garden.root)
    garden.note("index.md", "# Home\n\nSee [[Alpha]].\n")
    garden.note("models/beta.md", "---\ntitle: Beta\n---\nBeta links [[Alpha]].\n")
    garden.note("models/embedder.md", "---\ntitle: Embedder\n---\nIt embeds:\n\n![[Alpha]]\n")
    garden.note(
        "models/alpha.md", "---\ntitle: Alpha\n---\nFirst version, see [[Nowhere]]. $x^2$\n\n## Part\n"
    )
    running = make_preview(BuildOptions(), "127.0.0.1", 0)
    assert running.build().written
    yield running
    running.stop()


def _problem_lines(text: str) -> list[str]:
    return sorted(line for line in text.split("\n") if ": warning: " in line or ": error: " in line)


def test_quick_rebuilds_of_body_edits_equal_clean_builds(builder_only, garden, cli, tmp_path):
    edits = [
        "---\ntitle: Alpha\n---\nEdited alpha body, see [[Nowhere]]. $y^2$\n\n## Part\n",
        "---\ntitle: Alpha\n---\nA new first line.\n\nEdited again, see [[Nowhere]]. $\\frac{1}{$"
        "\n\n## Part\n",
        "---\ntitle: Alpha\n---\nBack to calm. See [[Nowhere]].\n\n## Part\n\nMore text.\n",
    ]
    beta = "---\ntitle: Beta\n---\nA different sentence that links [[Alpha]] now.\n"
    for number, text in enumerate(edits):
        garden.note("models/alpha.md", text)
        if number == 1:
            garden.note("models/beta.md", beta)  # its backlink sentence on Alpha's page changes
        result = builder_only.build()
        assert result.quick, f"edit {number} took the full path"
        out = tmp_path / f"clean-{number}"
        clean = cli(garden, "--no-cache", "--out", str(out))
        assert clean.code == 0, clean.output
        builder_only.settle()
        assert snapshot(garden.site, marker=False) == snapshot(out, marker=False), f"edit {number}"
        assert _problem_lines("\n".join(p.format() for p in result.problems.items)) == _problem_lines(
            clean.err
        )
    embedder = (garden.site / "models" / "embedder" / "index.html").read_text()
    assert "Back to calm." in embedder


def test_title_change_takes_the_full_path(builder_only, garden):
    garden.note("models/alpha.md", "---\ntitle: Alpha Renamed\n---\nBody.\n")
    result = builder_only.build()
    assert result.written and not result.quick
