"""What the screenshot tests measure on a rendered page, from its real geometry in Chromium.

Shared by tests/test_screens.py (a fixture garden of wide formulas and long titles) and
tests/test_garden_notes.py (the garden's own notes). Each check returns a list of readable
problems, empty when the page is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VIEWPORTS = {
    "light": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"},
    "dark": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "dark"},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "color_scheme": "light",
        "is_mobile": True,
        "has_touch": True,
    },
}

_SCRIPT = (Path(__file__).parent / "screens.js").read_text(encoding="utf-8")
GEOMETRY = _SCRIPT[_SCRIPT.index("() =>") :]  # the function, without the comments above it


@dataclass
class Shot:
    """One page at one viewport: what was wrong, and where its screenshot is."""

    name: str
    view: str
    problems: list[str]


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"axe {v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def inspect(page, url: str, name: str, view: str, shots: Path | None, ready: str = "") -> Shot:
    """Open ``url`` (waiting for the ``ready`` selector) and measure it; a full-page screenshot
    goes to ``shots`` when given."""
    page.goto(url)
    page.wait_for_load_state("load")
    if ready:
        page.wait_for_selector(ready)
    if page.locator("#graph-canvas").count():
        page.wait_for_selector("#graph-canvas[data-ready]")
    page.evaluate("document.fonts.ready")
    problems = page.evaluate(GEOMETRY)
    problems += serious_violations(page)
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"{name}-{view}.png"), full_page=True)
    return Shot(name, view, problems)
