"""Issue 6 in a real browser: search, hover previews, graph views, theme, accessibility.

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright, against the fixture garden
tests/gardens/reader built once under the sub-path ``/garden/`` and served by garden's own
preview server. Without Chromium these tests skip, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from garden.build.builder import build_site
from garden.build.inputs import BuildOptions
from garden.serve.http import make_server

pytestmark = pytest.mark.browser

GARDENS = Path(__file__).resolve().parent / "gardens"
BASE = "/garden/"
XSS_TITLE = "</script><script>alert(1)</script> & <b>bold</b>"
PAGES = {
    "home": "",
    "note": "models/ntk/",
    "section": "models/",
    "tag": "tags/kernels/",
    "graph": "graph/",
    "planned": "planned/",
}


@dataclass
class Site:
    root: Path
    origin: str

    def url(self, path: str = "") -> str:
        return f"{self.origin}{BASE}{path}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The reader garden, built once under /garden/ and served on a free local port."""
    root = tmp_path_factory.mktemp("reader") / "garden"
    shutil.copytree(GARDENS / "reader", root)
    result = build_site(BuildOptions(root=root, base_url=BASE))
    assert result.written, [p.format() for p in result.problems.items]
    assert not result.problems.items, [p.format() for p in result.problems.items]
    server, _ = make_server(root / "_site", "127.0.0.1", 0, BASE)
    server.handle_error = lambda request, address: None  # the browser cancels requests it no longer needs
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield Site(root / "_site", f"http://{host}:{port}")
    server.shutdown()
    server.server_close()


@dataclass
class Watch:
    """What a page did that it must not: console errors, uncaught errors, dialogs, other hosts."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.errors, self.errors
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.dialogs, f"a script opened a dialog: {self.dialogs}"


def open_context(browser, site: Site, watch: Watch, **options):
    """A fresh context whose pages are watched. Requests are observed, not intercepted: routing
    every request through Python can deadlock when a context closes mid-request."""
    context = browser.new_context(**options)
    context.on("page", lambda page: _watch_page(page, watch, urlsplit(site.origin).netloc))
    return context


def _watch_page(page, watch: Watch, local: str) -> None:
    def request(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob") and parts.netloc != local:
            watch.foreign.append(request.url)

    page.on("request", request)

    def console(message) -> None:
        if message.type == "error":  # with where it happened: "Failed to load resource" names no URL
            watch.errors.append(f"{message.text} ({message.location.get('url')} on {page.url})")

    page.on("console", console)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("dialog", lambda dialog: (watch.dialogs.append(dialog.message), dialog.dismiss()))


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


# --------------------------------------------------------------------------- search


def search(page, query: str) -> list[tuple[str, str]]:
    page.keyboard.press("/")
    box = page.locator("#search-input")
    box.fill(query)
    page.wait_for_function(
        "q => document.querySelector('#search-status').textContent.includes('note')"
        " && document.querySelector('#search-input').value === q",
        arg=query,
    )
    links = page.locator(".search-results a")
    return [
        (links.nth(i).locator(".result-title").inner_text(), links.nth(i).get_attribute("href"))
        for i in range(links.count())
    ]


def test_search_finds_a_word_only_in_a_body(page, site):
    page.goto(site.url())
    assert page.locator(".search-open").is_visible()
    results = search(page, "zyxtomorphic")
    assert results == [("Neural Network Gaussian Process", f"{BASE}models/nngp/")]
    result = page.locator(".search-results a").first
    assert "zyxtomorphic" in result.locator("mark").first.inner_text().lower()
    assert result.locator(".result-section").inner_text() == "Models"
    result.click()
    page.wait_for_url(site.url("models/nngp/"))


def test_titles_and_aliases_rank_above_body_text(page, site):
    page.goto(site.url("models/"))
    assert search(page, "adam")[0] == ("Adam Optimizer", f"{BASE}optimization/adam/")
    page.keyboard.press("Escape")
    assert search(page, "ntk")[0] == ("Neural Tangent Kernel", f"{BASE}models/ntk/")


def test_search_by_keyboard(page, site):
    page.goto(site.url("tags/"))
    page.keyboard.press("Control+k")
    assert page.locator(".search-dialog").is_visible()
    page.keyboard.type("momentum")
    page.wait_for_selector(".search-results a")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == page.locator(".search-results a").first.get_attribute("href")
    assert focused != f"{BASE}tags/"
    page.keyboard.press("Enter")
    page.wait_for_url(site.origin + focused)  # the page we are on is a different one
    page.wait_for_load_state("load")


# --------------------------------------------------------------------------- hover previews


def test_hover_shows_a_preview_with_math(page, site):
    page.goto(site.url("models/nngp/"))
    page.locator('.note-body a.internal[href$="/models/ntk/"]').first.hover()
    preview = page.locator(".preview")
    preview.wait_for()
    assert preview.locator(".preview-title").inner_text() == "Neural Tangent Kernel"
    assert "governs training" in preview.inner_text()
    assert preview.locator(".katex").count() > 0
    assert preview.locator("[id]").count() == 0


def test_hover_on_a_heading_link_previews_that_section(page, site):
    page.goto(site.url("models/nngp/"))
    page.locator('.note-body a.internal[href$="#training-dynamics"]').hover()
    preview = page.locator(".preview")
    preview.wait_for()
    text = preview.inner_text()
    assert "Under gradient flow" in text and "governs training" not in text


def test_keyboard_focus_shows_the_preview_too(page, site):
    page.goto(site.url("models/nngp/"))
    page.locator('.note-body a.internal[href$="/optimization/adam/"]').first.focus()
    page.locator(".preview").wait_for()
    assert "Adaptive moment estimation" in page.locator(".preview").inner_text()
    page.keyboard.press("Escape")
    assert page.locator(".preview").count() == 0


# Records every fetch() a page starts (and lets it through): a preview starts by fetching the
# page it shows, so "no preview" can be checked at once, not by waiting for one not to appear.
FETCHES = """(() => {
  const real = window.fetch;
  window.gardenFetches = [];
  window.fetch = function (resource, options) {
    window.gardenFetches.push(String(resource));
    return real.call(this, resource, options);
  };
})();"""


def hover_and_let_timers_run(page, selector: str) -> list[str]:
    """Hover ``selector``, move the page's clock past every delay the hover may start (the
    preview's), and return the fetches started meanwhile."""
    started = page.evaluate("window.gardenFetches.length")
    page.locator(selector).first.hover()
    page.clock.run_for(2000)
    return page.evaluate(f"window.gardenFetches.slice({started})")


def test_no_preview_for_planned_or_external_links(page, site):
    page.add_init_script(FETCHES)
    page.clock.install()  # the page's timers run on a clock the test moves: no guessed waits
    page.goto(site.url("models/nngp/"))
    for selector in (".note-body .planned-link", ".note-body a.external"):
        assert hover_and_let_timers_run(page, selector) == [], selector
        assert page.locator(".preview").count() == 0, selector
    # the same hover and clock do start an internal link's preview: the checks above can fail
    assert hover_and_let_timers_run(page, '.note-body a.internal[href$="/models/ntk/"]') == [
        f"{BASE}models/ntk/"
    ]
    page.locator(".preview").wait_for()


def test_link_still_navigates_while_previewing(page, site):
    page.goto(site.url("models/nngp/"))
    link = page.locator('.note-body a.internal[href$="/optimization/adam/"]').first
    link.hover()
    page.locator(".preview").wait_for()
    link.click()
    page.wait_for_url(site.url("optimization/adam/"))


# --------------------------------------------------------------------------- graph views


def test_global_graph_draws_and_a_click_opens_the_note(page, site):
    page.goto(site.url("graph/"))
    page.wait_for_selector("#graph-canvas[data-ready]")
    painted = page.evaluate(
        """() => {
            const c = document.getElementById('graph-canvas');
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i]) n++;
            return n;
        }"""
    )
    assert painted > 500
    index = page.evaluate("gardenGraph.find('Adam Optimizer')")
    assert index >= 0
    x, y = page.evaluate(f"gardenGraph.position({index})")
    box = page.locator("#graph-canvas").bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_selector(".graph-tip:not([hidden])")
    assert page.locator(".graph-tip").inner_text() == "Adam Optimizer"
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(site.url("optimization/adam/"))


def test_graph_titles_are_text_not_markup(page, site):
    page.goto(site.url("graph/"))
    page.wait_for_selector("#graph-canvas[data-ready]")
    assert page.evaluate(f"gardenGraph.find({XSS_TITLE!r})") >= 0


def test_local_graph_and_pages_read_without_javascript(browser, site, watch):
    context = open_context(browser, site, watch, java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url("models/ntk/"))
    graph = page.locator("svg.local-graph")
    assert graph.is_visible()
    hrefs = graph.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert f"{BASE}models/nngp/" in hrefs and f"{BASE}planned/#lazy-and-rich-regimes" in hrefs
    assert page.locator(".search-open").is_hidden()
    assert page.locator(".theme-toggle").is_hidden()
    assert page.locator(".search-dialog").is_hidden()
    page.goto(site.url("graph/"))
    assert page.locator(".graph-noscript").is_visible()
    context.close()


# --------------------------------------------------------------------------- theme, TOC, layout


def test_theme_toggle_persists_across_pages(page, site):
    page.emulate_media(color_scheme="light")
    page.goto(site.url("models/ntk/"))
    toggle = page.locator(".theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.goto(site.url("tags/"))
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light
    page.locator(".theme-toggle").click()
    page.goto(site.url())
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == light


def test_theme_defaults_to_the_system_setting(browser, site, watch):
    context = open_context(browser, site, watch, color_scheme="dark")
    page = context.new_page()
    page.goto(site.url("models/ntk/"))
    assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(22, 24, 29)"
    context.close()


def test_toc_marks_the_current_section(page, site):
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(site.url("models/ntk/"))
    page.locator("#limitations").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('limitations').scrollIntoView({block: 'start'})")
    page.wait_for_selector('.toc a[aria-current="true"]')
    assert page.locator('.toc a[aria-current="true"]').inner_text() == "Limitations"


def test_phone_layout_does_not_overflow(browser, site, watch):
    context = open_context(browser, site, watch, viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    page.add_init_script(FETCHES)
    page.clock.install()  # the page's timers run on a clock the test moves (see the hover below)
    for path in [*PAGES.values(), "models/nngp/"]:
        page.goto(site.url(path))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
    # the long formula scrolls inside its own box
    box = page.locator(".math-display").last
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    # no hover previews on touch screens
    assert hover_and_let_timers_run(page, '.note-body a.internal[href$="/models/ntk/"]') == []
    assert page.locator(".preview").count() == 0
    context.close()


def test_no_console_errors_and_no_injection_on_any_page(page, site):
    paths = sorted(p.relative_to(site.root).parent.as_posix() for p in site.root.rglob("index.html"))
    assert len(paths) >= 15
    for path in paths:
        page.goto(site.url("" if path == "." else path + "/"))
        page.wait_for_load_state("load")
        moved = re.search(
            r'http-equiv="refresh" content="0; url=([^"]+)"', (site.root / path / "index.html").read_text()
        )
        if moved:  # an alias: let its redirect finish, or it interrupts the next page's load
            page.wait_for_url("**" + moved.group(1))
            page.wait_for_load_state("load")
    sneaky = site.url("optimization/sneaky/")
    page.goto(sneaky)
    assert page.locator("h1").inner_text() == XSS_TITLE
    assert page.locator("h1 b").count() == 0


# --------------------------------------------------------------------------- accessibility


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(browser, site, watch, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = open_context(browser, site, watch, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    found = {}
    for name, path in PAGES.items():
        page.goto(site.url(path))
        if name == "graph":
            page.wait_for_selector("#graph-canvas[data-ready]")
        results = axe.run(page)
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        if serious:
            found[name] = serious
    context.close()
    assert not found, found
