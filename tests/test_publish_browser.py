"""Issue 4 in a real browser: the 404 page's suggestions and the "Copy BibTeX" button.

Drives Debian's chromium with Playwright (no browser is downloaded).
"""

from __future__ import annotations

import threading

import pytest

from garden.serve.http import make_server

BASE = "https://user.github.io/garden/"

pytestmark = pytest.mark.browser


@pytest.fixture
def site(basic, cli):
    """The basic garden built for /garden/ and served there; yields its local origin."""
    assert cli(basic, "--base-url", BASE).code == 0
    server, _ = make_server(basic.site, "127.0.0.1", 0, BASE)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def _suggestions(page) -> list[str]:
    return page.locator("#suggestions li a").all_inner_texts()


def test_404_suggests_notes_close_to_the_missing_path(browser, site):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    answer = page.goto(f"{site}/garden/models/nngp-ntk/neural-tangent-kernal/")
    assert answer is not None and answer.status == 404
    page.wait_for_selector("#suggestions:not([hidden])")
    assert _suggestions(page)[0] == "Neural Tangent Kernel"
    href = page.locator("#suggestions li a").first.get_attribute("href")
    assert href == "/garden/models/nngp-ntk/ntk/"
    assert "/garden/models/nngp-ntk/neural-tangent-kernal/" in page.locator("#missing-path").inner_text()

    page.goto(f"{site}/garden/modles/nngp-ntk/ntk/")  # a mistyped folder
    page.wait_for_selector("#suggestions:not([hidden])")
    assert _suggestions(page)[0] == "Neural Tangent Kernel"

    page.goto(f"{site}/garden/linear-regresion.html")
    page.wait_for_selector("#suggestions:not([hidden])")
    assert "Linear regression" in _suggestions(page)

    page.goto(f"{site}/garden/zzqqxx/")  # nothing close: no list, the links home remain
    # the script names the missing path just before it lists (or not) the suggestions
    page.wait_for_function("document.getElementById('missing-path').textContent.includes('zzqqxx')")
    assert page.locator("#suggestions").is_hidden()
    assert page.locator("#suggestions li").count() == 0
    assert page.locator("a", has_text="Go to the home page").get_attribute("href") == "/garden/"
    assert not errors


def test_404_without_javascript_still_links_home(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/garden/nowhere/")
    assert page.locator("#suggestions").is_hidden()
    assert page.locator("a", has_text="the tags").get_attribute("href") == "/garden/tags/"
    context.close()


def test_copy_bibtex_button(browser, site):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{site}/garden/models/nngp-ntk/ntk/")
    button = page.locator("button.copy-bibtex")
    button.wait_for(state="visible")
    button.click()
    page.wait_for_function("document.querySelector('.copy-status').textContent.length > 0")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{jacot2018neural,")
    assert "Clément Hongler" in copied
    assert page.locator(".copy-status").inner_text() == "BibTeX copied to the clipboard"
    context.close()


def test_without_javascript_bibtex_is_readable_and_no_dead_button(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/garden/models/nngp-ntk/ntk/")
    assert page.locator("button.copy-bibtex").is_hidden()
    page.locator("details.bibtex summary").click()
    assert "@misc{jacot2018neural," in page.locator("details.bibtex pre").inner_text()
    context.close()
