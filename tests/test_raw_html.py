"""Site-absolute addresses in raw HTML (`<a href="/…">`, `<img src="/…">`) are links like
Markdown ones: they get the base path and the garden's own address, and a broken one is
reported with its line. Relative and external ones, and code, are left as written."""

from __future__ import annotations

import shutil

from conftest import GARDENS


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
