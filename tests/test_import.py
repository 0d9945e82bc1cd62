"""`garden import`: a SvelteKit/mdsvex site shaped like the author's and Obsidian vaults become
gardens that build with --strict, keep their old addresses, and never lose a file."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from conftest import GARDENS, Garden
from test_publish_crawl import Crawl

from garden.serve.http import make_server
from garden.sources.importing.mdsvex import convert_mdsvex, js_string

BASE = "https://user.github.io/sub/"
# Every address the old site served for its garden (SvelteKit: no trailing slash).
OLD_ADDRESSES = [
    "/digitalGarden",
    "/digitalGarden/NNGP",
    "/digitalGarden/NTK",
    "/digitalGarden/meanField",
    "/images/digitalGarden/kernel.png",
    "/images/digitalGarden/paretoFrontier.png",
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "old-site"
    shutil.copytree(GARDENS / "sveltekit-site", target)
    return target


def imported(site: Path, tmp_path: Path, cli, *extra: str) -> tuple[Garden, str]:
    garden = Garden(tmp_path / "garden")
    garden.root.mkdir()
    run = cli(garden, "import", str(site / "src/routes/digitalGarden"), "--into", str(garden.root), *extra)
    assert run.code == 0, run.output
    return garden, run.output


def serve(folder: Path, base_url: str):
    server, _ = make_server(folder, "127.0.0.1", 0, base_url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}"


# ------------------------------------------------------------------ SvelteKit


def test_sveltekit_site_imports_and_builds_strict(site, tmp_path, cli):
    garden, output = imported(site, tmp_path, cli)
    nngp = (garden.notes / "digitalGarden/NNGP.md").read_text(encoding="utf-8")
    assert "<script" not in nngp and "svelte-math" not in nngp
    assert "$K(x, x') = \\sigma_w^2 \\, \\mathbb{E}[\\phi(u)\\phi(v)]$" in nngp
    assert "$$\nK^{(l+1)}(x, x') = \\sigma_b^2" in nngp
    assert "<Math latex={'kept as code'} />" in nngp  # code is never touched
    assert "<Plot" not in nngp
    # what was left out is reported where it was, as path:line
    assert "src/routes/digitalGarden/NNGP/+page.md:16: <Plot> component left out" in output
    assert "src/routes/digitalGarden/NNGP/+page.md:14: link to /blog (not in the garden)" in output
    assert "src/routes/digitalGarden/meanField/+page.md:15: Svelte block syntax" in output
    # raw HTML: event handlers dropped, a link outside the garden loses its href (both reported);
    # the build gives the rest the base path
    mean_field_page = "src/routes/digitalGarden/meanField/+page.md:26"
    assert f'{mean_field_page}: event handler onclick="zoom(this)" dropped' in output
    assert f"{mean_field_page}: link to /blog (not in the garden, raw HTML) lost its href" in output
    assert "meanField/+page.md:35: link to /search (not in the garden, raw HTML) lost its action" in output
    # a title only where the page has no single top heading
    assert (garden.notes / "digitalGarden/NTK.md").read_text(encoding="utf-8").startswith("---\ntitle: NTK\n")
    assert "title:" not in nngp
    mean_field = (garden.notes / "digitalGarden/meanField.md").read_text(encoding="utf-8")
    assert mean_field.startswith("---\ntitle: Mean Field\ndate: 2024-03-01  # first written\n---\n")
    assert "urls: keep-case" in (garden.root / "garden.yaml").read_text(encoding="utf-8")
    assert (garden.root / "static/images/digitalGarden/kernel.png").is_file()
    assert not (garden.root / "static/images/blog").exists()  # not under the route imported

    built = cli(garden, "build", "--strict", "--base-url", BASE)
    assert built.code == 0, built.output
    page = garden.page("digitalGarden/NNGP")
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert page.count('class="katex') >= 3
    cards = garden.page("digitalGarden/meanField").split('<div class="cards">', 1)[1].split("</div>", 1)[0]
    assert '<a href="/sub/digitalGarden/NTK/#training-dynamics">The NTK</a>' in cards
    assert '<img src="/sub/images/digitalGarden/kernel.png" alt="The kernel" class="thumb">' in cards
    assert "<a>my blog</a>" in cards and "onclick" not in cards
    media = garden.page("digitalGarden/meanField").split('<div class="cards">', 1)[1]
    images = "/sub/images/digitalGarden"
    assert f'srcset="{images}/kernel.png 1x, {images}/paretoFrontier.png 2x"' in media
    assert f'<video poster="{images}/paretoFrontier.png" controls>' in media
    assert f'style="background-image: url({images}/kernel.png)"' in media
    assert '<form><input name="q"></form>' in media  # its action was a page the garden lacks
    details = page.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "<img" in details and "<pre" not in details  # the indented image is an image
    assert "/sub/images/digitalGarden/kernel.png" in details
    assert 'href="/sub/digitalGarden/NTK/"' in page


@pytest.mark.parametrize("urls", ["keep-case", "lowercase"])
def test_every_old_address_resolves_under_a_sub_path(site, tmp_path, cli, urls):
    garden, _ = imported(site, tmp_path, cli)
    config = garden.root / "garden.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("urls: keep-case", f"urls: {urls}"))
    assert cli(garden, "build", "--strict", "--base-url", BASE).code == 0
    server, origin = serve(garden.site, BASE)
    try:
        crawl = Crawl(origin, "/sub/")
        crawl.run(["/sub/", *(f"/sub{address}" for address in OLD_ADDRESSES)])
        assert not crawl.broken, "\n".join(crawl.broken)
        for address in OLD_ADDRESSES:
            assert crawl.status[f"{origin}/sub{address}"] == 200
        cased = (garden.site / "digitalGarden/NNGP/index.html").read_text(encoding="utf-8")
        if urls == "lowercase":  # the old spelling is a redirect to the page's new address
            assert 'http-equiv="refresh" content="0; url=/sub/digitalgarden/nngp/"' in cased
        else:
            assert "Neural Network Gaussian Process</h1>" in cased
            lower = (garden.site / "digitalgarden/nngp/index.html").read_text(encoding="utf-8")
            assert 'url=/sub/digitalGarden/NNGP/"' in lower
            # the folder's section page is at the folder's own spelling, as its notes are
            section = (garden.site / "digitalGarden/index.html").read_text(encoding="utf-8")
            assert "http-equiv" not in section and 'href="/sub/digitalGarden/NNGP/"' in section
            lower = (garden.site / "digitalgarden/index.html").read_text(encoding="utf-8")
            assert 'http-equiv="refresh" content="0; url=/sub/digitalGarden/"' in lower
    finally:
        server.shutdown()
        server.server_close()


def test_raw_html_files_the_garden_lacks_are_reported_with_their_line(site, tmp_path, cli):
    page = site / "src/routes/digitalGarden/Media/+page.md"
    page.parent.mkdir()
    page.write_text(
        "# Media\n\n"
        '<img srcset="/images/digitalGarden/kernel.png 1x, /images/gone-2x.png 2x" alt="k">\n\n'
        '<video poster="/images/gone.jpg"></video>\n\n'
        '<object data="/files/gone.pdf"></object>\n\n'
        "<p style=\"background: url('/images/gone-bg.png')\">x</p>\n\n"
        '```html\n<video poster="/in/code.jpg"></video>\n```\n',
        encoding="utf-8",
    )
    garden, output = imported(site, tmp_path, cli)
    where = "src/routes/digitalGarden/Media/+page.md"
    for line, address in [(3, "/images/gone-2x.png"), (5, "/images/gone.jpg"), (7, "/files/gone.pdf")]:
        assert f"{where}:{line}: {address} (raw HTML) is not in static/: copy it there" in output
    assert f"{where}:9: /images/gone-bg.png (raw HTML) is not in static/: copy it there" in output
    assert "/images/digitalGarden/kernel.png (raw HTML)" not in output and "/in/code.jpg" not in output
    built = cli(garden, "build", "--base-url", BASE)
    assert built.code == 0, built.output
    assert "digitalGarden/Media.md:9: warning: link to /images/gone-bg.png does not match" in built.err


def test_import_never_replaces_a_file(site, tmp_path, cli):
    garden = Garden(tmp_path / "garden")
    mine = garden.note("digitalGarden/NNGP.md", "My own version.\n")
    garden.write("garden.yaml", "title: Mine\n")
    run = cli(garden, "import", str(site), "--route", "/digitalGarden", "--into", str(garden.root))
    assert run.code == 0, run.output
    assert mine.read_text(encoding="utf-8") == "My own version.\n"
    assert (garden.root / "garden.yaml").read_text(encoding="utf-8") == "title: Mine\n"
    assert "kept  notes/digitalGarden/NNGP.md: it exists already" in run.output
    assert "garden.yaml: add `urls: keep-case`" in run.output
    assert (garden.notes / "digitalGarden/NTK.md").is_file()
    again = cli(garden, "import", str(site), "--route", "/digitalGarden", "--into", str(garden.root))
    assert "wrote notes/" not in again.output


def test_site_url_keeps_links_to_the_old_sites_other_pages(site, tmp_path, cli):
    garden, _ = imported(site, tmp_path, cli, "--site-url", "https://me.example.org")
    nngp = (garden.notes / "digitalGarden/NNGP.md").read_text(encoding="utf-8")
    assert "[my blog](https://me.example.org/blog)" in nngp
    mean_field = (garden.notes / "digitalGarden/meanField.md").read_text(encoding="utf-8")
    assert '<form action="https://me.example.org/search">' in mean_field
    assert "[about page](https://me.example.org/about#contact)" in nngp
    ntk = (garden.notes / "digitalGarden/NTK.md").read_text(encoding="utf-8")
    assert "[NNGP](/digitalGarden/NNGP)" in ntk  # a relative link, made the address it reached


def test_a_folder_that_is_no_site_or_vault_is_an_error(tmp_path, cli):
    garden = Garden(tmp_path / "garden")
    garden.root.mkdir()
    (tmp_path / "plain").mkdir()
    run = cli(garden, "import", str(tmp_path / "plain"))
    assert run.code == 2
    assert "neither a SvelteKit site" in run.err and "--from" in run.err


@pytest.mark.browser
def test_imported_pages_have_no_console_errors(site, tmp_path, cli, browser):
    garden, _ = imported(site, tmp_path, cli)
    assert cli(garden, "build", "--strict", "--base-url", BASE).code == 0
    server, origin = serve(garden.site, BASE)
    try:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        answer = page.goto(f"{origin}/sub/digitalGarden")  # the folder's old address: its section
        assert answer is not None and answer.ok
        page.wait_for_url(f"{origin}/sub/digitalGarden/")
        page.wait_for_load_state("load")
        for address in OLD_ADDRESSES[1:4]:
            answer = page.goto(f"{origin}/sub{address}")
            assert answer is not None and answer.ok, address
            assert page.url == f"{origin}/sub{address}/"  # the page itself, no redirect
        page.goto(f"{origin}/sub/digitalGarden/NNGP")
        page.locator("details summary").click()
        size = page.locator("details img").evaluate("img => img.naturalWidth")
        assert size > 0  # the image inside <details> loads
        assert not errors, errors
        page.close()
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------ mdsvex, piece by piece


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("'\\\\frac{a}{b}'", "\\frac{a}{b}"),
        ('"x\\\'s"', "x's"),
        ("`\\\\alpha`", "\\alpha"),
        ("String.raw`\\alpha`", "\\alpha"),
        ("'\\u03b1'", "α"),
        ("`${x}`", None),
        ("formula", None),
        ("'a' + 'b'", None),
    ],
)
def test_javascript_strings_read_as_the_browser_did(literal, value):
    assert js_string(literal) == value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a <Math latex={'x^2'} /> b", "a $x^2$ b"),
        ('a <Math latex="x^2"/> b', "a $x^2$ b"),
        ("a <Katex math={'x'} displayMode={false} /> b", "a $x$ b"),
        ("<Math latex={'x'} display />", "$$\nx\n$$"),
        ("<BlockMath>{'y'}</BlockMath>", "$$\ny\n$$"),
        ("a <Math>z</Math> b", "a $z$ b"),
        ("`<Math latex={'x'} />`", "`<Math latex={'x'} />`"),
        ("```\n<Math latex={'x'} />\n```", "```\n<Math latex={'x'} />\n```"),
        ("<script>\nlet x = 1;\n</script>\ntext", "text"),
        ("<style>\np { color: red }\n</style>\ntext", "text"),
    ],
)
def test_math_components_become_dollars_and_code_is_untouched(source, expected):
    assert convert_mdsvex(source).text == expected


def test_other_components_are_left_out_and_reported_with_their_line():
    converted = convert_mdsvex("one\n\n<Chart data={d} />\n\n<Note>kept text</Note>\n<Math latex={f} />\n")
    assert "<Chart" not in converted.text and "<Note" not in converted.text
    assert "kept text" in converted.text
    assert [line for line, _ in converted.left] == [3, 5, 6]
    assert "variable" in converted.left[2][1]


def test_an_indented_image_in_details_is_not_code():
    converted = convert_mdsvex("<details>\n  <summary>S</summary>\n\n      ![x](/x.png)\n</details>\n")
    assert "\n![x](/x.png)" in converted.text or "\n  ![x](/x.png)" in converted.text
    assert "    ![x]" not in converted.text


# ------------------------------------------------------------------ Obsidian


def test_obsidian_vault_imports_and_builds_with_sections_from_its_folders(tmp_path, cli):
    garden = Garden(tmp_path / "garden")
    garden.root.mkdir()
    run = cli(garden, "import", str(GARDENS / "vault"), "--into", str(garden.root))
    assert run.code == 0, run.output
    assert (garden.notes / "attachments/eigen diagram.png").is_file()
    assert (garden.notes / "Linear Algebra/_index.md").is_file()
    built = cli(garden, "build", "--strict")
    assert built.code == 0, built.output
    section = garden.page("linear-algebra")
    assert "Linear map" in section and "Vector space" in section
    assert (garden.site / "linear-algebra/eigen-stuff/index.html").is_file()
    assert "eigen%20diagram.png" in garden.page("linear-algebra/eigen-stuff/eigenvalue")


def test_obsidian_settings_attachments_links_and_preamble(tmp_path, cli):
    garden = Garden(tmp_path / "garden")
    garden.root.mkdir()
    vault = str(GARDENS / "vault-dotted")
    run = cli(garden, "import", vault, "--from", "obsidian", "--into", str(garden.root))
    assert run.code == 0, run.output
    config = (garden.root / "garden.yaml").read_text(encoding="utf-8")
    assert "preamble: preamble.sty" in config and (garden.root / "preamble.sty").is_file()
    assert "- Private/**" in config  # Obsidian's excluded files
    assert (garden.notes / "assets/ball.png").is_file()  # a dot-folder would be skipped
    open_set = (garden.notes / "Topology/Spaces/Open set.md").read_text(encoding="utf-8")
    assert "[metric space](/Analysis/Metric%20space)" in open_set  # vault-absolute, made /path
    assert "![A ball](/assets/ball.png)" in open_set
    built = cli(garden, "build", "--strict")
    assert built.code == 0, built.output
    assert not (garden.site / "private").exists()  # neither the note nor a section for its folder
    page = garden.page("topology/spaces/open-set")
    assert 'href="/analysis/metric-space/"' in page and 'src="/assets/ball.png"' in page


def test_indented_markdown_in_html_wrappers_and_kept_component_text_is_not_code():
    source = (
        '<div class="page">\n<main>\n\nTitle\n\n        Some text with $x$.\n\n'
        '    <!-- <div class="note">\n    </div> -->\n\n'
        "    - a list\n\n      still the item\n</main>\n</div>\n\n"
        "<Problem>\n\n        Find $v$.\n\n</Problem>\n\n```\n        code stays\n```\n"
    )
    text = convert_mdsvex(source).text
    assert "\nSome text with $x$." in text
    assert "\n<!-- <div" in text  # a comment's <div> opens nothing
    assert "\n- a list\n\n  still the item" in text  # a list item's paragraph keeps its place
    assert "\nFind $v$." in text
    assert "\n        code stays\n" in text


def test_front_matter_that_is_not_yaml_is_kept_and_reported(site, tmp_path, cli):
    page = site / "src/routes/digitalGarden/NTK/+page.md"
    page.write_text("---\ntitle: [unclosed\n---\n" + page.read_text(encoding="utf-8"), encoding="utf-8")
    garden, output = imported(site, tmp_path, cli)
    assert "src/routes/digitalGarden/NTK/+page.md:2: the front-matter is not a YAML mapping" in output
    assert (
        (garden.notes / "digitalGarden/NTK.md")
        .read_text(encoding="utf-8")
        .startswith("---\ntitle: [unclosed\n---\n")
    )


def test_a_link_out_of_the_source_is_never_followed(tmp_path, cli):
    vault = tmp_path / "vault"
    shutil.copytree(GARDENS / "vault", vault)
    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    (vault / "attachments" / "linked.txt").symlink_to(secret)
    (vault / "macros.sty").write_text("\\newcommand{\\R}{\\mathbb{R}}\n", encoding="utf-8")
    garden = Garden(tmp_path / "garden")
    garden.root.mkdir()
    run = cli(garden, "import", str(vault), "--into", str(garden.root))
    assert run.code == 0, run.output
    assert not (garden.notes / "attachments/linked.txt").exists()
    assert "attachments/linked.txt: a link to a file outside the vault: not copied" in run.output
    # no plugin names a preamble: a lone macros.sty is taken, and said so
    assert "macros.sty: taken as the math preamble" in run.output
    assert (garden.root / "preamble.sty").read_text(encoding="utf-8").startswith("\\newcommand")


def test_into_a_garden_whose_config_names_other_folders(site, tmp_path, cli):
    garden = Garden(tmp_path / "garden")
    garden.write("garden.yaml", "title: Mine\nnotes: content\nstatic: assets\nurls: keep-case\n")
    run = cli(garden, "import", str(site / "src/routes/digitalGarden"), "--into", str(garden.root))
    assert run.code == 0, run.output
    assert (garden.root / "content/digitalGarden/NNGP.md").is_file()
    assert (garden.root / "assets/images/digitalGarden/kernel.png").is_file()
    assert not (garden.root / "notes").exists() or not any((garden.root / "notes").rglob("*.md"))
    assert cli(garden, "build", "--strict").code == 0


def test_raw_html_images_and_links_become_markdown_so_the_base_url_reaches_them():
    source = (
        '<figure>\n  <img src="/images/x.png" alt="A plot" width="300">\n</figure>\n\n'
        'See <a href="/garden/NNGP">the NNGP</a>, <a href="https://e.org">there</a>.\n\n'
        '<img src="/images/y.png" onclick="go()">\n'
    )
    converted = convert_mdsvex(source)
    assert "<figure>\n\n![A plot](/images/x.png)\n\n</figure>" in converted.text
    assert 'See [the NNGP](/garden/NNGP), <a href="https://e.org">there</a>.' in converted.text
    assert '<img src="/images/y.png">' in converted.text  # the handler dropped, and reported
    assert [line for line, message in converted.left if 'event handler onclick="go()"' in message] == [7]


def test_event_handlers_are_dropped_outside_code_only():
    source = (
        '<div onclick="a()" class="x" on:click={b}>\n<img src="/i.png" onmouseover=\'c()\'>\n</div>\n\n'
        'In code: `<img onclick="d()">`.\n\n```html\n<img onclick="e()">\n```\n'
    )
    converted = convert_mdsvex(source)
    assert '<div class="x">' in converted.text and '<img src="/i.png">' in converted.text
    assert '`<img onclick="d()">`' in converted.text and '<img onclick="e()">' in converted.text
    assert sorted(line for line, message in converted.left if "event handler" in message) == [1, 1, 2]
