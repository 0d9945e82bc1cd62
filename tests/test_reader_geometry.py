"""Reader behaviours measured in Chromium: a figure that opens a list item leaves no bullet,
hover previews stay inside the viewport and off the table of contents and the link, a tap on
the graph page highlights and a second tap opens, and search shows results beyond the first ten.

The garden is tests/gardens/reader plus generated notes (a long note with a table of contents,
a list item that starts with the graph figure, thirteen notes sharing a rare word), built once
under /garden/ with Pagefind and served by garden's own server.
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

pytestmark = pytest.mark.browser

GARDENS = Path(__file__).resolve().parent / "gardens"
BASE = "/garden/"
RARE = "quokkafrond"
HITS = 13  # notes with the rare word: ten shown, then a button for the other three
FILLER = "The kernel regime keeps the features fixed while the width grows without bound"


def long_note() -> str:
    """Sections (a table of contents) whose paragraphs end in links at many line positions."""
    parts = ["---\ntitle: A Long Read\n---\n"]
    for section in range(6):
        parts.append(f"## Part {section + 1}\n")
        for paragraph in range(4):
            words = " ".join(FILLER.split()[: 3 + (section * 4 + paragraph) % 11])
            parts.append(f"{words} and so on, as in [[Neural Tangent Kernel]].\n")
            parts.append(f"{FILLER}. {FILLER}, see [[Adam Optimizer]] and {words}.\n")
    parts.append("- ![The Graph](/images/graph.png)\n- a plain item with its bullet\n")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("geometry") / "garden"
    shutil.copytree(GARDENS / "reader", root)
    with (root / "garden.yaml").open("a", encoding="utf-8") as config:
        config.write("figures:\n  graph:\n    output: images/graph\n")
    (root / "notes" / "models" / "long.md").write_text(long_note(), encoding="utf-8")
    for i in range(HITS):
        (root / "notes" / f"rare-{i:02d}.md").write_text(
            f"---\ntitle: Rare word {i:02d}\n---\nA note that mentions {RARE} once.\n", encoding="utf-8"
        )
    result = build_site(BuildOptions(root=root, base_url=BASE))
    assert result.written, [p.format() for p in result.problems.items]
    assert (root / "_site" / "pagefind").is_dir(), "Pagefind did not run"
    server, _ = make_server(root / "_site", "127.0.0.1", 0, BASE)
    server.handle_error = lambda request, address: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}{BASE}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def errors() -> Iterator[list[str]]:
    seen: list[str] = []
    yield seen
    assert not seen, seen


def new_page(browser, errors: list[str], **options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(f"{m.text} on {page.url}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page


def test_a_figure_that_opens_a_list_item_leaves_no_bullet(browser, site, errors):
    context, page = new_page(browser, errors, viewport={"width": 1280, "height": 900})
    page.goto(site + "models/long/")
    items = page.evaluate(
        """() => [...document.querySelectorAll('.note-body li')].map((li) => ({
            figure: !!li.querySelector('.figure'),
            marker: getComputedStyle(li).listStyleType,
            shown: getComputedStyle(li).display,
        }))"""
    )
    context.close()
    with_figure = [item for item in items if item["figure"]]
    plain = [item for item in items if not item["figure"]]
    assert len(with_figure) == 1 and plain, items
    assert with_figure[0]["marker"] == "none", with_figure  # no bullet beside the figure's top
    assert plain[0]["marker"] != "none" and plain[0]["shown"] == "list-item", plain  # the rule is not global


# --------------------------------------------------------------------------- hover previews

MEASURE = """link => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const toc = document.querySelector('.toc');
  return {
    preview: box(document.querySelector('.preview')),
    link: box(link),
    toc: toc && toc.offsetWidth ? box(toc) : null,
    width: document.documentElement.clientWidth,
    height: innerHeight,
  };
}"""


def _meets(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def _links(page) -> list[dict]:
    """The body's links to other notes, with their places on the page."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.note-body a.internal')].map((a, i) => {
            a.dataset.probe = i;
            const r = a.getBoundingClientRect();
            return {i, right: r.right + scrollX, top: r.top + scrollY, bottom: r.bottom + scrollY};
        })"""
    )


def _preview_of(page, probe: int, place: str) -> dict:
    """Scroll the link to the top or the bottom of the viewport, hover it, measure the preview."""
    page.mouse.move(1, 1)
    page.wait_for_function("!document.querySelector('.preview')")
    link = page.locator(f'[data-probe="{probe}"]')
    page.evaluate(
        """([el, place]) => {
            const r = el.getBoundingClientRect();
            scrollBy(0, place === 'bottom' ? r.bottom - innerHeight + 12 : r.top - 80);
        }""",
        [link.element_handle(), place],
    )
    box = link.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(".preview").wait_for()
    page.wait_for_timeout(50)  # its content lays out, then place() sizes it
    return link.evaluate(MEASURE)


@pytest.mark.parametrize("viewport", [(1280, 900), (1000, 640)])
def test_previews_stay_inside_the_viewport_off_the_toc_and_the_link(browser, site, errors, viewport):
    context, page = new_page(browser, errors, viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(site + "models/long/")
    links = _links(page)
    rightmost = max(links, key=lambda link: (round(link["right"]), -link["top"]))
    leftish = min(links, key=lambda link: (round(link["right"]), link["top"]))
    last = max(links, key=lambda link: link["bottom"])
    problems = []
    tocs = 0
    for link, place in ((rightmost, "top"), (rightmost, "bottom"), (leftish, "bottom"), (last, "bottom")):
        seen = _preview_of(page, link["i"], place)
        preview, width, height = seen["preview"], seen["width"], seen["height"]
        where = f"link {link['i']} at the {place}: {preview}"
        if (
            preview["left"] < 0
            or preview["top"] < 0
            or preview["right"] > width
            or preview["bottom"] > height
        ):
            problems.append(f"outside the {width}x{height} viewport: {where}")
        if _meets(preview, seen["link"]):
            problems.append(f"over its link {seen['link']}: {where}")
        if seen["toc"] is not None:
            tocs += 1
            if _meets(preview, seen["toc"]):
                problems.append(f"over the table of contents {seen['toc']}: {where}")
    context.close()
    assert not problems, problems
    assert tocs == (4 if viewport[0] >= 1200 else 0)  # the TOC is shown beside wide pages only


# --------------------------------------------------------------------------- graph by touch


def test_on_a_touch_screen_the_first_tap_highlights_and_the_second_opens(browser, site, errors):
    context, page = new_page(
        browser, errors, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page.goto(site + "graph/")
    page.wait_for_selector("#graph-canvas[data-ready]")
    index = page.evaluate("gardenGraph.find('Adam Optimizer')")
    assert index >= 0
    x, y = page.evaluate(f"gardenGraph.position({index})")
    frame = page.locator("#graph-canvas").bounding_box()
    page.touchscreen.tap(frame["x"] + x, frame["y"] + y)
    page.wait_for_selector(".graph-tip:not([hidden])")
    assert page.locator(".graph-tip").inner_text() == "Adam Optimizer"
    assert page.url == site + "graph/"  # the first tap only shows the note and its neighbours
    x, y = page.evaluate(f"gardenGraph.position({index})")
    page.touchscreen.tap(frame["x"] + x, frame["y"] + y)
    page.wait_for_url(site + "optimization/adam/")
    context.close()


# --------------------------------------------------------------------------- search beyond ten


def test_search_shows_more_results_on_request(browser, site, errors):
    context, page = new_page(browser, errors, viewport={"width": 1280, "height": 900})
    page.goto(site)
    page.keyboard.press("/")
    page.locator("#search-input").fill(RARE)
    page.wait_for_function(
        "n => document.querySelector('#search-status').textContent.includes(n + ' notes found')", arg=HITS
    )
    results = page.locator(".search-results a")
    assert results.count() == 10
    more = page.locator(".search-more button")
    assert more.inner_text() == f"Show more results ({HITS - 10} left)"
    more.click()
    page.wait_for_function(f"document.querySelectorAll('.search-results a').length === {HITS}")
    titles = sorted(results.nth(i).locator(".result-title").inner_text() for i in range(HITS))
    assert titles == [f"Rare word {i:02d}" for i in range(HITS)]
    assert page.locator(".search-more").count() == 0
    # the first new result has the focus, so a keyboard reader goes on from there
    assert page.evaluate("document.activeElement.textContent").startswith("Rare word")
    assert (
        page.evaluate("[...document.querySelectorAll('.search-results a')].indexOf(document.activeElement)")
        == 10
    )
    context.close()
