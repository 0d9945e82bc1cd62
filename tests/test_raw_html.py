"""Site-absolute addresses in raw HTML (`<a href="/…">`, `<img src="/…">`) are links like
Markdown ones: they get the base path and the garden's own address, and a broken one is
reported with its line. Relative and external ones, and code, are left as written."""

from __future__ import annotations

import re
import shutil
import threading
import urllib.request
from html.parser import HTMLParser

from conftest import GARDENS

from garden.serve.http import make_server


def test_raw_html_addresses_get_the_base_path_and_the_gardens_address(garden, cli):
    (garden.root / "static" / "images").mkdir(parents=True, exist_ok=True)
    image = GARDENS / "sveltekit-site/static/images/digitalGarden/kernel.png"
    shutil.copyfile(image, garden.root / "static/images/k.png")
    garden.note("Kernels/NTK.md", "# NTK\n\n## Training dynamics\n")
    garden.note(
        "Kernels/NNGP.md",
        "# NNGP\n\n"
        '<div class="cards">\n'
        "  <a href='/Kernels/NTK#training-dynamics'>NTK</a> ·"
        ' <img src="/images/k.png" alt="k" class="thumb" width="40">\n'
        '  <a href="https://example.org/x">out</a> <a href="ntk">relative</a> <a href="#top">top</a>\n'
        "</div>\n\n"
        'Inline <a href="/kernels/ntk/">here</a> and <a href=/Kernels/NTK>bare</a>.\n\n'
        '```html\n<a href="/Kernels/NTK">code</a>\n```\n\n'
        '`<a href="/x">span</a>`\n',
    )
    run = cli(garden, "--strict", "--base-url", "/sub/")
    assert run.code == 0, run.output
    body = garden.page("kernels/nngp").split('<div class="note-body">', 1)[1].split("<footer", 1)[0]
    assert "<a href='/sub/kernels/ntk/#training-dynamics'" not in body  # quotes made double
    assert '<a href="/sub/kernels/ntk/#training-dynamics">NTK</a>' in body
    assert '<img src="/sub/images/k.png" alt="k" class="thumb" width="40">' in body
    assert '<a href="https://example.org/x">out</a> <a href="ntk">relative</a> <a href="#top">' in body
    assert '<a href="/sub/kernels/ntk/">here</a> and <a href="/sub/kernels/ntk/">bare</a>' in body
    assert "&quot;/Kernels/NTK&quot;" in body and "&lt;a href=&quot;/x&quot;&gt;span" in body  # code
    assert (garden.site / "images/k.png").is_file()
    assert "/sub/kernels/nngp/" in garden.page("kernels/ntk")  # a raw link is a backlink too


def test_a_broken_raw_html_address_is_reported_with_its_line(garden, cli):
    garden.note("a.md", '# A\n\ntext\n\n<p>\n<a href="/nowhere">x</a>\n<img src="/missing.png">\n</p>\n')
    run = cli(garden, "--base-url", "/sub/")
    assert run.code == 0, run.output
    assert "notes/a.md:6: warning: link to /nowhere does not match any note or file" in run.err
    assert "notes/a.md:7: warning: link to /missing.png does not match any note or file" in run.err
    body = garden.page("a")
    assert '<a href="/sub/nowhere">x</a>' in body and '<img src="/sub/missing.png">' in body
    assert cli(garden, "--strict", "--base-url", "/sub/").code == 1


class _Addresses(HTMLParser):
    """Every address a browser fetches or follows from the page's raw HTML, read independently
    of the build's own code: attributes, srcset candidates, CSS url()/@import."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src", "poster", "data", "action", "formaction"):
                self.found.append(value)
            elif name == "srcset":
                self.found += [candidate.split()[0] for candidate in value.split(", ")]
            elif name == "style":
                self.found += _css(value)

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += _css(data)


def _css(text: str) -> list[str]:
    return [
        a or b or c or d
        for a, b, c, d in re.findall(r"""url\((?:"([^"]*)"|'([^']*)'|([^)]*))\)|@import "([^"]*)\"""", text)
    ]


_RICH = (
    "# Media\n\n"
    '<picture><source srcset="/images/k.png 1x, /images/k2.png 2x" type="image/png">\n'
    '<img src="/images/k.png" srcset="/images/k.png 480w,/images/k2.png 960w, k.png 3x,'
    ' https://example.org/x.png 4x" sizes="50vw" alt="k"></picture>\n\n'
    '<video poster="/images/k.png" controls><source src="/media/clip.webm" type="video/webm"></video>\n\n'
    '<object data="/files/doc.pdf" type="application/pdf"></object>\n\n'
    '<form action="/Kernels/NTK"><button formaction="/kernels/ntk/#training-dynamics">go</button></form>\n\n'
    "<div style=\"background: url('/images/k.png') no-repeat; border-image: url(/images/k2.png)\">x</div>\n\n"
    '<style>\n@import "/css/extra.css";\n.hero { background: url("/images/k2.png"); }\n'
    ".rel { background: url(k.png); }\n</style>\n"
)


def _static(garden) -> None:
    image = GARDENS / "sveltekit-site/static/images/digitalGarden/kernel.png"
    for name in ("images/k.png", "images/k2.png", "media/clip.webm", "files/doc.pdf", "css/extra.css"):
        (garden.root / "static" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(image, garden.root / "static" / name)


def test_srcset_poster_data_action_and_css_urls_reach_files_under_a_sub_path(garden, cli):
    _static(garden)
    garden.note("Kernels/NTK.md", "# NTK\n\n## Training dynamics\n")
    garden.note("media.md", _RICH)
    run = cli(garden, "--strict", "--base-url", "/sub/")
    assert run.code == 0, run.output
    body = garden.page("media").split('<div class="note-body">', 1)[1].split("<footer", 1)[0]
    assert '<source srcset="/sub/images/k.png 1x, /sub/images/k2.png 2x" type="image/png">' in body
    assert (
        'srcset="/sub/images/k.png 480w,/sub/images/k2.png 960w, k.png 3x, https://example.org/x.png 4x"'
        in body
    )
    assert (
        '<video poster="/sub/images/k.png" controls><source src="/sub/media/clip.webm" type="video/webm">'
        in body
    )
    assert '<object data="/sub/files/doc.pdf"' in body
    assert (
        '<form action="/sub/kernels/ntk/"><button formaction="/sub/kernels/ntk/#training-dynamics">' in body
    )
    assert (
        "style=\"background: url('/sub/images/k.png') no-repeat; border-image: url(/sub/images/k2.png)\""
        in body
    )
    assert '@import "/sub/css/extra.css";' in body and 'url("/sub/images/k2.png")' in body
    assert "url(k.png)" in body  # relative: left as written
    parser = _Addresses()
    parser.feed(body)
    own = sorted({a for a in parser.found if a.startswith("/")})
    assert own and all(a.startswith("/sub/") for a in own), own
    assert len(own) == 7, own  # 2 images, clip, pdf, css, the NTK page and a heading
    server, _ = make_server(garden.site, "127.0.0.1", 0, "/sub/")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    try:
        for address in own:
            with urllib.request.urlopen(f"http://{host}:{port}{address}", timeout=10) as answer:
                assert answer.status == 200, address
    finally:
        server.shutdown()
        server.server_close()


def test_missing_srcset_poster_data_action_and_css_targets_are_reported_with_their_lines(garden, cli):
    garden.note(
        "a.md",
        "# A\n\n"
        '<img srcset="/gone-1x.png 1x, /gone-2x.png 2x">\n\n'
        '<video poster="/gone.jpg"></video>\n\n'
        '<object data="/gone.pdf"></object>\n\n'
        '<form action="/nowhere"></form>\n\n'
        '<p style="background:url(/gone-bg.png)">x</p>\n\n'
        "<style>\n.a { color: red; }\n.b { background: url('/gone-style.png'); }\n</style>\n",
    )
    run = cli(garden, "--base-url", "/sub/")
    assert run.code == 0, run.output
    for line, address in [
        (3, "/gone-1x.png"),
        (3, "/gone-2x.png"),
        (5, "/gone.jpg"),
        (7, "/gone.pdf"),
        (9, "/nowhere"),
        (11, "/gone-bg.png"),
        (15, "/gone-style.png"),
    ]:
        assert f"notes/a.md:{line}: warning: link to {address} does not match any note or file" in run.err
    body = garden.page("a")
    assert 'srcset="/sub/gone-1x.png 1x, /sub/gone-2x.png 2x"' in body and 'poster="/sub/gone.jpg"' in body
    assert "url('/sub/gone-style.png')" in body
    assert cli(garden, "--strict", "--base-url", "/sub/").code == 1


def test_an_address_with_commas_and_parentheses_stays_one_address_in_srcset_and_css(garden, cli):
    image = GARDENS / "sveltekit-site/static/images/digitalGarden/kernel.png"
    (garden.root / "static/images").mkdir(parents=True)
    shutil.copyfile(image, garden.root / "static/images/fig (1),v2.png")
    garden.note(
        "a.md",
        "# A\n\n"
        '<img srcset="/images/fig%20(1),v2.png 2x" alt="a">\n\n'
        "<p style='background: url(\"/images/fig (1),v2.png\")'>x</p>\n\n"
        '<style>\n.a { background: url("/images/fig (1),v2.png"); }\n</style>\n',
    )
    run = cli(garden, "--strict", "--base-url", "/sub/")
    assert run.code == 0, run.output
    body = garden.page("a")
    assert 'srcset="/sub/images/fig%20(1)%2Cv2.png 2x"' in body  # a bare comma would split it
    assert 'style="background: url(&quot;/sub/images/fig%20%281%29,v2.png&quot;)"' in body
    assert 'url("/sub/images/fig%20%281%29,v2.png")' in body
    server, _ = make_server(garden.site, "127.0.0.1", 0, "/sub/")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    try:
        for address in ("/sub/images/fig%20(1)%2Cv2.png", "/sub/images/fig%20%281%29,v2.png"):
            with urllib.request.urlopen(f"http://{host}:{port}{address}", timeout=10) as answer:
                assert answer.status == 200, address
    finally:
        server.shutdown()
        server.server_close()
