"""Issue 4, point 6: Open Graph and Twitter meta on every page; a cached 1200×630 card per note."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

from PIL import Image

from garden.publish.cards import CardSpec, Fonts, render_cards

BASE = "https://user.github.io/garden/"


class MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.canonical = ""

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and (values.get("property") or values.get("name")):
            self.meta.setdefault(values.get("property") or values["name"], values.get("content") or "")
        if tag == "link" and values.get("rel") == "canonical":
            self.canonical = values["href"]


def meta_of(html: str) -> MetaParser:
    parser = MetaParser()
    parser.feed(html)
    return parser


def test_every_page_has_open_graph_and_twitter_meta(basic, cli):
    assert cli(basic, "--base-url", BASE).code == 0
    pages = [p for p in basic.site.rglob("index.html") if "http-equiv" not in p.read_text()]
    assert len(pages) > 10
    for page in pages:
        parsed = meta_of(page.read_text())
        for key in (
            "og:title",
            "og:type",
            "og:url",
            "og:image",
            "twitter:card",
            "twitter:title",
            "twitter:image",
        ):
            assert parsed.meta.get(key), (page, key)
        url = parsed.meta["og:url"]
        assert parsed.canonical == url and url.startswith(BASE), page
        relative = page.relative_to(basic.site).parent.as_posix()
        assert unquote(url) == BASE + ("" if relative == "." else relative + "/"), page
        assert parsed.meta["twitter:card"] == "summary_large_image"
        image = parsed.meta["og:image"].removeprefix(BASE)
        assert (basic.site / image).is_file(), (page, image)


def test_description_from_front_matter_else_first_paragraph(garden, cli):
    garden.note("a.md", "---\ndescription: Written by hand.\n---\nFirst paragraph of a.\n")
    garden.note(
        "b.md",
        "# B title\n\n![an image](https://example.org/x.png)\n\n"
        "The first *real* paragraph, with [[a|a link]] and $x^2$.\n\nSecond paragraph.\n",
    )
    garden.note("c.md", "word " * 120 + "\n")
    assert cli(garden).code == 0
    a, b, c = (meta_of(garden.page(slug)).meta for slug in "abc")
    assert a["og:description"] == a["description"] == "Written by hand."
    assert b["og:description"] == "The first real paragraph, with a link and $x^2$."
    assert b["description"] == b["twitter:description"] == b["og:description"]
    assert len(c["og:description"]) <= 200 and c["og:description"].endswith("word…")


def test_note_meta_carries_type_dates_and_tags(basic, cli):
    assert cli(basic, "--base-url", BASE).code == 0
    meta = meta_of(basic.page("models/nngp-ntk/ntk")).meta
    assert meta["og:type"] == "article"
    assert meta["article:published_time"] == "2024-05-01"
    assert meta["og:image"] == BASE + "cards/models/nngp-ntk/ntk.png"
    assert meta["og:image:width"] == "1200" and meta["og:image:height"] == "630"
    assert meta["article:tag"] == "kernels"
    home = meta_of(basic.page("")).meta
    assert home["og:type"] == "website" and home["og:image"] == BASE + "cards/_garden.png"
    assert '<link rel="alternate" type="application/atom+xml"' in basic.page("")
    # the home card's alt text says what the card shows, not the site's name twice
    site = re.search(r"<title>(.*?)</title>", basic.page("")).group(1)
    assert home["og:image:alt"] != site and home["og:image:alt"].count(site) <= 1
    assert meta["og:image:alt"].startswith("Neural Tangent Kernel")


def test_without_a_host_the_build_says_which_urls_are_relative(basic, cli):
    result = cli(basic)  # base_url: / in its garden.yaml
    assert (
        result.code == 0
        and "note: the base URL has no host" in result.err
        and "--base-url https://" in result.err
    )
    assert 'og:url" content="/models/' in basic.page("models")
    assert "base URL has no host" not in cli(basic, "--base-url", BASE).err
    published = cli(basic, "--base-url", BASE)
    assert 'og:url" content="https://user.github.io/garden/models/' in basic.page("models")
    assert "<loc>https://user.github.io/garden/" in (basic.site / "sitemap.xml").read_text()
    assert "base URL has no host" not in published.err


def test_cname_gives_the_host_when_the_base_url_has_none(basic, cli):
    """base_url: / with cname: example.org: the site is served at https://example.org/, so every
    URL a standard wants absolute uses that host, and the build does not say it has none."""
    with (basic.root / "garden.yaml").open("a") as config:
        config.write("cname: Example.org\n")
    result = cli(basic)
    assert result.code == 0 and "base URL has no host" not in result.err, result.err
    models = basic.page("models")
    meta = meta_of(models).meta
    assert meta["og:url"] == "https://example.org/models/"
    assert meta["og:image"].startswith("https://example.org/cards/")
    assert '<link rel="canonical" href="https://example.org/models/">' in models
    assert 'href="/models/nngp-ntk/' in models  # links inside the site stay relative
    sitemap = (basic.site / "sitemap.xml").read_text()
    assert "<loc>https://example.org/models/</loc>" in sitemap and "<loc>/" not in sitemap
    feed = (basic.site / "feed.xml").read_text()
    assert 'href="https://example.org/' in feed and 'href="/' not in feed
    assert "Sitemap: https://example.org/sitemap.xml" in (basic.site / "robots.txt").read_text()
    assert (basic.site / "CNAME").read_text() == "example.org\n"
    # a base URL with a host is used as it is
    assert cli(basic, "--base-url", BASE).code == 0
    assert meta_of(basic.page("models")).meta["og:url"] == BASE + "models/"


def test_a_card_per_note_1200_by_630(basic, cli):
    assert cli(basic).code == 0
    notes = ["digitalgarden/nngp", "models/mup", "models/nngp-ntk/ntk", "unfiled-thought"]
    for slug in notes:
        with Image.open(basic.site / "cards" / f"{slug}.png") as card:
            assert card.format == "PNG" and card.size == (1200, 630), slug
    for section in ("models", "models/nngp-ntk", "optimization"):
        assert (basic.site / "cards" / f"{section}.png").is_file()


def test_cards_are_cached_and_only_changed_notes_redrawn(basic, cli):
    from garden.build.builder import build_site
    from garden.build.inputs import BuildOptions

    first = build_site(BuildOptions(root=basic.root))
    assert first.written and first.cards_drawn >= 10
    cache = basic.root / ".garden-cache" / "cards"
    before = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.png")}
    assert len(before) == first.cards_drawn
    again = build_site(BuildOptions(root=basic.root))
    assert again.cards_drawn == 0
    assert {p.name: p.stat().st_mtime_ns for p in cache.glob("*.png")} == before
    mup = basic.notes / "models" / "mup.md"
    mup.write_text(mup.read_text().replace("title: µP", "title: Maximal update (µP)"))
    changed = build_site(BuildOptions(root=basic.root))
    assert changed.cards_drawn == 1
    after = {p.name for p in cache.glob("*.png")}
    assert len(after) == len(before) and len(after - set(before)) == 1  # the old card is pruned
    body = mup.read_text() + "\nMore text: the card does not show it.\n"
    mup.write_text(body)
    assert build_site(BuildOptions(root=basic.root)).cards_drawn == 0


def test_cards_that_cannot_be_stored_are_a_warning_and_leave_no_stale_card(basic, cli, monkeypatch):
    """Cards are drawn while the pages are written and stored in the cache at the end: if that
    fails, the site is still written, without the changed note's card (never the old one)."""
    from garden.publish import cards

    assert cli(basic).code == 0
    card = basic.site / "cards" / "models" / "mup.png"
    assert card.is_file()
    mup = basic.notes / "models" / "mup.md"
    mup.write_text(mup.read_text().replace("title: µP", "title: Maximal update (µP)"))
    real = cards.Path.write_bytes

    def full_disk(self, data):
        if self.suffix == ".tmp":
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(cards.Path, "write_bytes", full_disk)
    result = cli(basic)
    assert result.code == 0, result.output
    assert "warning: social cards were not drawn: No space left on device" in result.err
    assert "Maximal update (µP)" in basic.page("models/mup") and not card.exists()
    assert (basic.site / "cards" / "models" / "linear-regression.png").is_file()  # unchanged: kept
    monkeypatch.undo()
    assert cli(basic).code == 0 and card.is_file()  # the next build draws it


def test_an_unusable_card_cache_is_a_warning_and_the_next_build_draws_the_cards(basic, cli):
    (basic.root / ".garden-cache").mkdir()
    (basic.root / ".garden-cache" / "cards").write_text("a file where the card folder goes")
    result = cli(basic)
    assert result.code == 0 and "warning: social cards were not drawn" in result.err
    assert not (basic.site / "cards").exists()
    (basic.root / ".garden-cache" / "cards").unlink()
    again = cli(basic)  # nothing changed in the notes, but the last site was incomplete
    assert again.code == 0 and "not drawn" not in again.err
    assert (basic.site / "cards" / "models" / "mup.png").is_file()


def test_check_draws_no_cards(basic, cli):
    assert cli(basic, "check").code == 0
    assert not (basic.root / ".garden-cache" / "cards").exists()  # the compile cache may exist


def test_card_shows_what_it_says(tmp_path):
    """Long titles shrink and wrap; a card with more text differs from one with less."""
    from pathlib import Path

    fonts = Fonts.find(Path(__file__).resolve().parent.parent)
    specs = {
        "short.png": CardSpec("Garden", "NTK"),
        "long.png": CardSpec("Garden", "A very long title " * 8, "Models › NNGP / NTK", ("a", "b", "c", "d")),
    }
    run = render_cards(specs, tmp_path, fonts)
    assert run.drawn == 2
    short, long = (Image.open(run.copies[name]).convert("L") for name in ("short.png", "long.png"))
    dark_long, dark_short = (sum(image.histogram()[:128]) for image in (long, short))
    assert dark_long > 2 * dark_short
    assert re.fullmatch(r"[0-9a-f]{32}\.png", run.copies["short.png"].name)
