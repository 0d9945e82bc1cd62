"""Citations, numbered equations and theorem blocks in a real browser: hover previews, no
overflow on a phone, accessibility in light and dark, readable without JavaScript, searchable.

The fixture garden tests/gardens/paper, built once under ``/garden/`` and served by garden's
own server; Debian's Chromium driven by Playwright (see tests/test_browser.py).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from garden.build.builder import build_site
from garden.build.inputs import BuildOptions
from garden.serve.http import make_server
from tests.test_browser import BASE, Site, Watch, open_context, search

pytestmark = pytest.mark.browser

GARDENS = Path(__file__).resolve().parent / "gardens"
PAGES = ("kernel-regime/", "training/", "bibliography/", "ntk-paper/")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("paper") / "garden"
    shutil.copytree(GARDENS / "paper", root)
    result = build_site(BuildOptions(root=root, base_url=BASE))
    assert result.written, [p.format() for p in result.problems.items]
    assert not result.problems.items, [p.format() for p in result.problems.items]
    server, _ = make_server(root / "_site", "127.0.0.1", 0, BASE)
    server.handle_error = lambda request, address: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield Site(root / "_site", f"http://{host}:{port}")
    server.shutdown()
    server.server_close()


@pytest.fixture
def watch() -> Iterator[Watch]:
    seen = Watch()
    yield seen
    seen.check()


@pytest.fixture
def page(browser, site, watch):
    context = open_context(browser, site, watch, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_citation_preview_shows_the_full_reference(page, site):
    page.goto(site.url("kernel-regime/"))
    page.locator('.note-body a.cite[data-ref="ref-m2020scaling"]').first.hover()
    preview = page.locator(".preview")
    preview.wait_for()
    text = preview.inner_text()
    assert "Jörg Müller and Wei Zhang" in text and "Journal of Imaginary Results" in text
    assert preview.locator(".katex").count() == 1  # the title's $\ell_2$
    assert preview.locator("[id]").count() == 0


def test_equation_and_theorem_links_preview_their_block(page, site):
    page.goto(site.url("training/"))
    page.locator('.note-body a[href$="#eq-ntk-flow"]').hover()
    preview = page.locator(".preview")
    preview.wait_for()
    assert preview.locator(".katex-display").count() == 1 and "(1)" in preview.inner_text()
    page.mouse.move(0, 0)
    preview.wait_for(state="detached")
    page.locator('.note-body a[href$="#thm-constancy"]').hover()
    preview.wait_for()
    assert "Theorem 2" in preview.inner_text() and "stays at its initial value" in preview.inner_text()


def test_eqref_jumps_to_its_equation(page, site):
    page.goto(site.url("kernel-regime/"))
    page.locator('.note-body a.ref[href="#eq-interpolation"]').click()
    page.wait_for_url("**#eq-interpolation")
    assert page.evaluate("document.querySelector(':target').id") == "eq-interpolation"


def test_search_finds_a_theorem_by_its_name(page, site):
    page.goto(site.url())
    results = search(page, "Constancy")
    assert ("Kernel regime", f"{BASE}kernel-regime/") in results


def test_readable_without_javascript(browser, site, watch):
    context = open_context(browser, site, watch, java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url("kernel-regime/"))
    assert page.locator(".theorem-head", has_text="Theorem 2").is_visible()
    assert page.locator(".callout-proof .qed").is_visible()
    assert page.locator("#eq-ntk-flow .katex-display").is_visible()
    assert page.locator(".references-list li").count() == 4
    context.close()


def test_phone_layout_does_not_overflow(browser, site, watch):
    context = open_context(browser, site, watch, viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    for path in PAGES:
        page.goto(site.url(path))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    page.goto(site.url("kernel-regime/"))
    box = page.locator("#eq-long .math-display")  # the long numbered formula scrolls in its box
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(browser, site, watch, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = open_context(browser, site, watch, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    found = {}
    for path in PAGES:
        page.goto(site.url(path))
        results = axe.run(page)
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']}: "
            f"{v['nodes'][0].get('failureSummary', '')})"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        if serious:
            found[path] = serious
    context.close()
    assert not found, found
