"""Every kind of page in Chromium at 1280x900 light and dark and 390x844, measured from its
rendered geometry: no sideways scrolling, wide formulas in a scroll box with a cue, tags clear
of their rows, figure labels clear of each other and of nodes, node colours from the legend,
graph labels apart and the graph on the first screen, no serious axe violations, no console errors.

The garden is tests/gardens/screens (very wide formulas, long titles, both figures) plus a
cluster of generated notes that crowds the graph. Screenshots go to the test's temporary
folder (``GARDEN_SHOTS=DIR`` keeps them in DIR to look at).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from screens import VIEWPORTS, inspect

from garden.build.builder import build_site
from garden.build.inputs import BuildOptions
from garden.serve.events import EventHub
from garden.serve.http import make_server

pytestmark = pytest.mark.browser

GARDENS = Path(__file__).resolve().parent / "gardens"
BASE = "/screens/"
PAGES = {
    "home": "",
    "note": "models/wide/",
    "section": "models/",
    "tag": "tags/kernels/",
    "tags": "tags/",
    "graph": "graph/",
    "planned": "planned/",
    "404": "404.html",
    "overlay": "models/kernel/",
}
CLUSTER = 36  # generated notes that crowd the graph figure and the graph page


def crowd(notes: Path) -> None:
    """Notes with long, similar titles, densely linked: labels that would pile up."""
    for i in range(CLUSTER):
        links = " ".join(
            f"[[Crowded note {(i * 7 + j) % CLUSTER:02d} on kernels and features]]" for j in (1, 2, 5)
        )
        section = ("models", "optimization", "understanding")[i % 3]
        (notes / section).mkdir(exist_ok=True)
        (notes / section / f"crowd-{i:02d}.md").write_text(
            f"---\ntitle: Crowded note {i:02d} on kernels and features\n---\n"
            f"Links to {links} and [[Wide formulas]].\n",
            encoding="utf-8",
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("screens") / "garden"
    shutil.copytree(GARDENS / "screens", root)
    crowd(root / "notes")
    result = build_site(BuildOptions(root=root, base_url=BASE))
    assert result.written, [p.format() for p in result.problems.items]
    plain, _ = make_server(root / "_site", "127.0.0.1", 0, BASE)
    hub = EventHub()
    hub.publish(
        "problems",
        json.dumps(["notes/models/kernel.md:2: error: front-matter: invalid YAML\n  hint: " + "x" * 200]),
    )
    server, _ = make_server(root / "_site", "127.0.0.1", 0, BASE, hub)
    for running in (plain, server):
        running.handle_error = lambda request, address: None
        threading.Thread(target=running.serve_forever, daemon=True).start()
    shots = Path(os.environ.get("GARDEN_SHOTS") or root.parent / "shots")
    yield Served(origin(plain), origin(server), shots)
    hub.close()
    for running in (plain, server):
        running.shutdown()
        running.server_close()


@dataclass
class Served:
    site: str  # the site as published
    preview: str  # the same site in the preview, whose last change did not build (the overlay)
    shots: Path


def origin(server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}{BASE}"


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_every_kind_of_page_looks_right(browser, served, view):
    context = browser.new_context(**VIEWPORTS[view])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(f"{m.text} on {page.url}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    found: dict[str, list[str]] = {}
    for name, path in PAGES.items():
        overlay = name == "overlay"
        url = (served.preview if overlay else served.site) + path
        shot = inspect(page, url, name, view, served.shots, "#garden-problems" if overlay else "")
        if shot.problems:
            found[name] = shot.problems
    context.close()
    found.update({"console": errors} if errors else {})
    assert not found, json.dumps(found, indent=1)
