"""Issue 4, points 1, 3 and 5: the workflow, the files GitHub Pages needs, drafts and aliases."""

from __future__ import annotations

import json
import re
import shlex
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml

from garden.cli import main

ROOT = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
BASE = "https://user.github.io/garden/"
PUBLISHED = {  # every published note of tests/gardens/basic but the home page's text
    "digitalgarden/nngp/",
    "models/linear-regression/",
    "models/mup/",
    "models/nngp-ntk/ntk/",
    "unfiled-thought/",
}


# --------------------------------------------------------------------------- 1. the workflow


def _workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))


def test_workflow_is_valid_yaml_with_the_documented_steps():
    flow = _workflow()
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert flow["permissions"]["pages"] == "write"
    assert flow["permissions"]["id-token"] == "write"
    assert flow["concurrency"]["group"] == "pages"
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    order = [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
    ]
    assert [u for u in uses if u in order] == order
    checkout = build["steps"][uses.index("actions/checkout")]
    assert checkout["with"]["fetch-depth"] == 0
    runs = "\n".join(step.get("run", "") for step in build["steps"])
    assert "pip install -e ." in runs and "npm ci" in runs
    pages = build["steps"][uses.index("actions/configure-pages")]
    assert pages["id"] == "pages"
    assert "${{ steps.pages.outputs.base_url }}" in runs
    upload = build["steps"][uses.index("actions/upload-pages-artifact")]
    assert upload["with"]["path"] == "_site"
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_workflow_build_command_runs(basic, capsys, monkeypatch):
    """The workflow's own build line, with the base URL configure-pages gives (no trailing /)."""
    line = next(s["run"] for s in _workflow()["jobs"]["build"]["steps"] if "build.py" in s.get("run", ""))
    line = line.replace("${{ steps.pages.outputs.base_url }}", "https://user.github.io/garden")
    argv = shlex.split(line)
    assert argv[:2] == ["python", "build.py"]
    monkeypatch.chdir(basic.root)
    assert main(argv[2:]) == 0, capsys.readouterr()
    assert 'href="/garden/models/"' in basic.page("models/nngp-ntk/ntk")


def test_readme_says_how_to_turn_pages_on():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Source: GitHub Actions" in readme
    assert "cname:" in readme and "CNAME" in readme


# --------------------------------------------------------------------------- 3. files for Pages


def test_feed_is_valid_atom_listing_every_note(basic, cli):
    assert cli(basic, "--base-url", BASE).code == 0
    feed = ET.parse(basic.site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    # RFC 4287 4.1.1: id, title, updated; an author (here on the feed); a self link
    for tag in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{tag}")) == 1, tag
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Test Garden"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == BASE + "feed.xml" and links["alternate"] == BASE
    entries = feed.findall(f"{ATOM}entry")
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(ids) == len(set(ids))
    assert {i.removeprefix(BASE) for i in ids} == PUBLISHED
    newest = max(entry.find(f"{ATOM}updated").text for entry in entries)
    assert feed.find(f"{ATOM}updated").text == newest
    for entry in entries:
        assert entry.find(f"{ATOM}title").text
        for tag in ("updated", "published"):
            stamp = entry.find(f"{ATOM}{tag}")
            assert stamp is None or RFC3339.match(stamp.text), stamp.text
        alternate = entry.find(f"{ATOM}link[@rel='alternate']")
        assert alternate.get("href") == entry.find(f"{ATOM}id").text
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html" and content.text
    ntk = next(e for e in entries if e.find(f"{ATOM}id").text.endswith("/ntk/"))
    body = ntk.find(f"{ATOM}content").text
    assert "Under gradient flow" in body  # the full text
    # math as MathML alone (readers have no KaTeX style sheet), each formula once
    assert "<math" in body and "katex" not in body and body.count("<math") == body.count("</math>")
    assert body.count("<math") == basic.page("models/nngp-ntk/ntk").count('<span class="katex">') > 0
    assert 'href="https://user.github.io/garden/models/nngp-ntk/ntk/#training-dynamics"' in body
    assert {c.get("term") for c in ntk.findall(f"{ATOM}category")} == {"kernels", "theory/infinite-width"}


def test_feed_updated_is_the_newest_note_not_now(garden, cli):
    garden.note("old.md", "---\ndate: 2001-02-03\nupdated: 2002-03-04\n---\nOld.\n")
    garden.note("older.md", "---\ndate: 1999-01-01\nupdated: 1999-01-02\n---\nOlder.\n")
    assert cli(garden).code == 0
    feed = ET.parse(garden.site / "feed.xml").getroot()
    assert feed.find(f"{ATOM}updated").text == "2002-03-04T00:00:00Z"
    assert str(datetime.now(UTC).year) not in (garden.site / "feed.xml").read_text()
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert titles == ["old", "older"]  # newest first
    # no host known: ids are still absolute IRIs
    assert all(e.find(f"{ATOM}id").text.startswith("urn:garden:") for e in feed.findall(f"{ATOM}entry"))


def test_feed_survives_hostile_text(garden, cli):
    garden.note(
        "x.md", '---\ntitle: "A <b>&</b> ]]> \\x0b title"\n---\nBody with ]]> and <script>x</script>.\n'
    )
    assert cli(garden).code == 0
    feed = ET.parse(garden.site / "feed.xml").getroot()  # still well-formed XML
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "A <b>&</b> ]]> \ufffd title"


def test_sitemap_lists_every_published_page(basic, cli):
    assert cli(basic, "--base-url", BASE).code == 0
    root = ET.parse(basic.site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    locs = [url.find(f"{SITEMAP}loc").text for url in root.findall(f"{SITEMAP}url")]
    assert len(locs) == len(set(locs))
    assert all(loc.startswith(BASE) for loc in locs)
    paths = {loc.removeprefix(BASE) for loc in locs}
    assert paths >= PUBLISHED
    assert {"", "models/", "tags/", "tags/kernels/"} <= paths
    assert not any(p.startswith(("drafts", "ntk", "404")) for p in paths)  # ignored, redirect, 404
    lastmods = {
        url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod") for url in root.findall(f"{SITEMAP}url")
    }
    assert lastmods[BASE + "models/nngp-ntk/ntk/"] is not None


def test_robots_nojekyll_and_404(basic, cli):
    assert cli(basic, "--base-url", BASE).code == 0
    robots = (basic.site / "robots.txt").read_text()
    assert "User-agent: *" in robots and f"Sitemap: {BASE}sitemap.xml" in robots
    assert (basic.site / ".nojekyll").read_bytes() == b""
    page = (basic.site / "404.html").read_text()
    # without JavaScript: links home and to the tags, under the sub-path (served at any depth)
    assert 'href="/garden/"' in page and 'href="/garden/tags/"' in page
    assert '<meta name="robots" content="noindex">' in page
    data = re.search(r'<script type="application/json" id="garden-pages">(.*?)</script>', page, re.S)
    pages = json.loads(data.group(1))
    assert {
        "t": "Neural Tangent Kernel",
        "s": "models/nngp-ntk/ntk",
        "u": "/garden/models/nngp-ntk/ntk/",
    } in pages
    assert 'src="/garden/js/not-found.js"' in page


def test_404_page_data_cannot_break_out_of_its_script(garden, cli):
    garden.note("x.md", '---\ntitle: "</script><script>alert(1)</script>"\n---\nx\n')
    assert cli(garden).code == 0
    page = (garden.site / "404.html").read_text()
    data = re.search(r'<script type="application/json" id="garden-pages">(.*?)</script>', page, re.S)
    assert "<" not in data.group(1)
    titles = [item["t"] for item in json.loads(data.group(1))]
    assert "</script><script>alert(1)</script>" in titles


def test_cname_from_garden_yaml(garden, cli):
    with (garden.root / "garden.yaml").open("a") as config:
        config.write("cname: Garden.Example.org\n")
    assert cli(garden, "--base-url", "https://garden.example.org/").code == 0
    assert (garden.site / "CNAME").read_text() == "garden.example.org\n"


def test_bad_cname_is_an_error_with_a_hint(garden, cli):
    with (garden.root / "garden.yaml").open("a") as config:
        config.write("cname: https://garden.example.org/x\n")
    result = cli(garden)
    assert result.code == 1
    assert "garden.yaml: error: 'cname' must be a bare domain name" in result.err
    assert "hint: write it without https://" in result.err


def test_no_cname_no_file(basic, cli):
    assert cli(basic).code == 0
    assert not (basic.site / "CNAME").exists()


# --------------------------------------------------------------------------- 5. publishing control


def test_drafts_are_left_out_everywhere_unless_asked(garden, cli):
    garden.note("secret.md", "---\ntitle: Secret plan\ndraft: true\naliases: [Old secret]\n---\nDraft.\n")
    garden.note("public.md", "Links to [[Secret plan]].\n")
    assert cli(garden).code == 0
    site = garden.site
    assert not (site / "secret").exists() and not (site / "old-secret").exists()
    assert 'class="planned-link"' in garden.page("public")
    for name in ("feed.xml", "sitemap.xml", "404.html"):
        text = (site / name).read_text()
        assert "/secret/" not in text and "Draft." not in text and '"Secret plan"' not in text, name
    assert not (site / "cards" / "secret.png").exists()
    assert cli(garden, "--drafts").code == 0
    assert (site / "secret" / "index.html").is_file()
    assert "/secret/" in (site / "feed.xml").read_text()


def test_ignore_globs_in_garden_yaml(basic, cli):
    assert (basic.notes / "drafts" / "ignored.md").is_file()
    assert cli(basic).code == 0
    assert not (basic.site / "drafts").exists()
    assert "Ignored by a glob" not in (basic.site / "feed.xml").read_text()


def test_aliases_write_redirect_pages(basic, cli):
    assert cli(basic, "--base-url", BASE).code == 0
    page = (basic.site / "ntk" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=/garden/models/nngp-ntk/ntk/">' in page
    assert f'<link rel="canonical" href="{BASE}models/nngp-ntk/ntk/">' in page
    assert '<a href="/garden/models/nngp-ntk/ntk/">Neural Tangent Kernel</a>' in page
    assert '<meta name="robots" content="noindex">' in page


def test_alias_never_replaces_a_page(garden, cli):
    garden.note("models/kernels.md", "---\ntitle: Kernels\n---\nThe real page.\n")
    garden.note("ntk.md", "---\ntitle: NTK\naliases:\n  - models/kernels\n  - tags\n  - Old NTK\n---\nx\n")
    garden.note("other.md", "---\ntitle: Other\naliases: [Old NTK]\n---\ny\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert "The real page." in garden.page("models/kernels")
    assert "Tags" in garden.page("tags")
    assert "notes/ntk.md:3: warning: alias 'models/kernels' would write /models/kernels/" in result.err
    assert "notes/ntk.md:3: warning: alias 'tags' would write /tags/" in result.err
    assert "notes/other.md:3: warning: alias 'Old NTK' would write /old-ntk/" in result.err
    assert "url=/ntk/" in garden.page("old-ntk")  # the first note (by URL) keeps it
    assert "--strict" not in result.err


def test_alias_equal_to_own_url_is_quietly_skipped(garden, cli):
    garden.note("ntk.md", "---\ntitle: NTK\naliases: [NTK, ntk]\n---\nx\n")
    result = cli(garden)
    assert result.code == 0 and "warning" not in result.err
    assert "Refresh" not in garden.page("ntk") and "refresh" not in garden.page("ntk")
