"""Issue 3 in a real browser: Debian's Chromium, driven by Playwright."""

from __future__ import annotations

import pytest
from conftest import wait_until

from garden.build.inputs import BuildOptions
from garden.cli import make_preview

pytestmark = pytest.mark.browser


def test_edit_appears_without_manual_reload_and_errors_show_in_page(browser, garden, monkeypatch):
    monkeypatch.chdir(garden.root)
    garden.note(
        "models/alpha.md", "---\ntitle: Alpha\n---\n" + "Filler paragraph.\n\n" * 80 + "Old ending.\n"
    )
    running = make_preview(BuildOptions(), "127.0.0.1", 0)
    running.build()
    running.start()
    try:
        page = browser.new_page(viewport={"width": 900, "height": 600})
        page.goto(f"http://127.0.0.1:{running.port}/models/alpha/")
        page.wait_for_function("document.getElementById('garden-live')")
        wait_until(lambda: running.hub.clients, what="the page's live-reload connection")
        page.evaluate("window.scrollTo(0, 900)")
        page.wait_for_function("window.scrollY >= 900")
        garden.note(
            "models/alpha.md", "---\ntitle: Alpha\n---\n" + "Filler paragraph.\n\n" * 80 + "New ending.\n"
        )
        page.wait_for_selector("text=New ending.", timeout=20000)
        page.wait_for_load_state("load")
        page.wait_for_function("window.scrollY > 500", timeout=5000)  # scroll position kept

        garden.note("models/alpha.md", "---\ntitle: [broken\n---\nBroken.\n")
        overlay = page.wait_for_selector("#garden-problems", timeout=20000)
        assert "notes/models/alpha.md:2: error: front-matter: invalid YAML" in overlay.inner_text()
        assert page.locator("text=New ending.").count() == 1  # the last good page stays

        garden.note("models/alpha.md", "---\ntitle: Alpha\n---\nRepaired.\n")
        page.wait_for_selector("text=Repaired.", timeout=20000)
        assert page.locator("#garden-problems").count() == 0
    finally:
        running.stop()
