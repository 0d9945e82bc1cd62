"""Bringing your own notes: which config a build uses, `garden init`, a vault without a config,
`--version` and unknown commands."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from conftest import GARDENS, Garden, snapshot

from garden.core.version import DISTRIBUTION, VERSION

OTHER_CONFIG = """\
title: Other Garden
taxonomy:
  - {slug: topics, title: Topics}
"""


def _other_notes(folder: Path) -> Path:
    """A garden that is not the one in the working folder: a note, an `_index.md`, a picture
    named like the basic garden's figure."""
    notes = folder / "notes"
    (notes / "topics").mkdir(parents=True)
    (notes / "topics" / "_index.md").write_text("The topics folder's own text.\n")
    (notes / "topics" / "first.md").write_text("# First\n\nA note.\n")
    (notes / "plain.md").write_text("No heading at all.\n")
    return notes


def test_notes_elsewhere_never_borrow_the_working_folders_config(basic, cli, tmp_path):
    """The basic garden's garden.yaml (title, taxonomy, `drafts/**` ignored) is not the other
    notes' config: they get neutral defaults, and the summary says so."""
    notes = _other_notes(tmp_path / "my-vault")
    (notes / "drafts").mkdir()
    (notes / "drafts" / "kept.md").write_text("# Kept\n")
    result = cli(basic, "build", "--notes", str(notes), "--out", str(tmp_path / "out"))
    assert result.code == 0, result.output
    assert "no garden.yaml found: default settings" in result.out
    home = (tmp_path / "out" / "index.html").read_text()
    assert "<title>My vault</title>" in home and "Test Garden" not in home
    assert "Linear regression" not in home and "/models/" not in home  # basic's taxonomy
    assert (tmp_path / "out" / "drafts" / "kept" / "index.html").is_file()  # basic's ignore
    section = (tmp_path / "out" / "topics" / "index.html").read_text()
    assert "The topics folder’s own text." in section or "The topics folder's own text." in section


def test_config_beside_the_notes_is_found_from_any_folder(basic, cli, tmp_path):
    notes = _other_notes(tmp_path / "other")
    (tmp_path / "other" / "garden.yaml").write_text(OTHER_CONFIG)
    result = cli(basic, "build", "--notes", str(notes), "--out", str(tmp_path / "out"))
    assert result.code == 0, result.output
    assert f"config: {tmp_path / 'other' / 'garden.yaml'}" in result.out
    assert "<title>Other Garden</title>" in (tmp_path / "out" / "index.html").read_text()


def test_config_is_looked_up_to_the_repository_root_only(basic, cli, tmp_path):
    repo = tmp_path / "repo"
    notes = _other_notes(repo / "site")
    (repo / "garden.yaml").write_text(OTHER_CONFIG + "notes: site/notes\n")
    out = tmp_path / "out"
    # not a repository: only beside the notes (repo/site) and in them; repo/ is too far up
    first = cli(basic, "build", "--notes", str(notes), "--out", str(out))
    assert first.code == 0, first.output
    assert "default settings" in first.out
    (repo / ".git").mkdir()  # now repo/ is the repository's root: its config is found
    second = cli(basic, "build", "--notes", str(notes), "--out", str(out))
    assert second.code == 0, second.output
    assert "config:" in second.out and "<title>Other Garden</title>" in (out / "index.html").read_text()


def test_another_gardens_config_on_the_way_is_passed_by(basic, cli, tmp_path):
    """repo/garden.yaml publishes repo/notes: repo/drafts is not its garden."""
    repo = tmp_path / "repo"
    _other_notes(repo)
    (repo / ".git").mkdir()
    (repo / "garden.yaml").write_text(OTHER_CONFIG)
    drafts = repo / "drafts"
    drafts.mkdir()
    (drafts / "idea.md").write_text("# Idea\n")
    result = cli(basic, "build", "--notes", str(drafts), "--out", str(tmp_path / "out"))
    assert result.code == 0, result.output
    assert "default settings" in result.out
    assert "Other Garden" not in (tmp_path / "out" / "index.html").read_text()
    # a sub-folder of the garden's notes is still that garden
    sub = cli(basic, "build", "--notes", str(repo / "notes" / "topics"), "--out", str(tmp_path / "o2"))
    assert sub.code == 0, sub.output
    assert "<title>Other Garden</title>" in (tmp_path / "o2" / "index.html").read_text()


def test_default_build_in_a_folder_without_config(cli, tmp_path):
    g = Garden(tmp_path / "deep-notes")
    g.note("a.md", "# A\n\ntext\n")
    result = cli(g, "build")
    assert result.code == 0, result.output
    assert "<title>Deep notes</title>" in g.page("")


# ---------------------------------------------------------------------------- garden init


def test_init_writes_a_garden_that_builds(cli, tmp_path):
    g = Garden(tmp_path / "thesis")
    g.note("Linear Algebra/Eigen/Eigenvalue.md", "# Eigenvalue\n")
    g.note("Analysis/Limit.md", "# Limit\n")
    (g.notes / "attachments").mkdir()
    (g.notes / "attachments" / "x.png").write_bytes(b"")
    result = cli(g, "init")
    assert result.code == 0, result.output
    for name in (
        "garden.yaml",
        ".gitignore",
        ".github/workflows/pages.yml",
        "requirements.txt",
        "notes/index.md",
    ):
        assert (g.root / name).is_file(), name
        assert f"wrote {name}" in result.out
    config = yaml.safe_load((g.root / "garden.yaml").read_text())
    assert config["title"] == "Thesis" and config["notes"] == "notes"
    assert config["taxonomy"] == [
        {"slug": "analysis", "title": "Analysis"},
        {
            "slug": "linear-algebra",
            "title": "Linear Algebra",
            "children": [{"slug": "eigen", "title": "Eigen"}],
        },
    ]  # no section for the attachments folder: it holds no note
    ignored = (g.root / ".gitignore").read_text().split()
    assert "_site/" in ignored and ".garden-cache/" in ignored
    built = cli(g, "build")
    assert built.code == 0, built.output
    assert "config: garden.yaml" in built.out
    assert 'href="/linear-algebra/eigen/eigenvalue/"' in g.page("linear-algebra/eigen")


def test_init_never_overwrites(cli, tmp_path):
    g = Garden(tmp_path / "mine")
    g.write(".gitignore", "my-own-line\n")
    g.note("index.md", "---\ntitle: My home\n---\n")
    g.write("garden.yaml", "title: Mine\n")
    before = snapshot(g.root)
    result = cli(g, "init")
    assert result.code == 0, result.output
    assert "kept  .gitignore: it exists already" in result.out
    assert "kept  garden.yaml" in result.out and "kept  notes/index.md" in result.out
    assert "wrote .github/workflows/pages.yml" in result.out
    after = snapshot(g.root)
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(after) - set(before) == {".github/workflows/pages.yml", "requirements.txt"}


def test_init_into_a_new_folder_with_a_title(cli, tmp_path):
    g = Garden(tmp_path / "here")
    g.root.mkdir()
    result = cli(g, "init", "new-garden", "--title", "Notes: on things")
    assert result.code == 0, result.output
    made = g.root / "new-garden"
    assert yaml.safe_load((made / "garden.yaml").read_text())["title"] == "Notes: on things"
    assert yaml.safe_load((made / "notes" / "index.md").read_text().split("---")[1]) == {
        "title": "Notes: on things"
    }
    assert "cd new-garden && garden serve" in result.out


def test_init_workflow_is_the_repositorys_in_its_actions(tmp_path):
    """Both Pages workflows run on Node 24 with the same (current) major versions of each action."""
    from garden.sources.starter import pages_workflow

    repository = (Path(__file__).resolve().parent.parent / ".github/workflows/pages.yml").read_text()
    written = pages_workflow()
    uses = re.compile(r"uses: (actions/[\w-]+)@(v\d+)")
    assert dict(uses.findall(written)) == dict(uses.findall(repository))
    assert dict(uses.findall(written)) == {
        "actions/checkout": "v7",
        "actions/setup-python": "v7",
        "actions/setup-node": "v7",
        "actions/configure-pages": "v6",
        "actions/cache": "v6",
        "actions/upload-pages-artifact": "v5",
        "actions/deploy-pages": "v5",
    }
    for text in (written, repository):
        assert re.findall(r'node-version: "(\d+)"', text) == ["24"]
        assert yaml.safe_load(text)["jobs"]["deploy"]["needs"] == "build"
    install = next(
        s["run"] for s in yaml.safe_load(written)["jobs"]["build"]["steps"] if "pip" in s.get("run", "")
    )
    assert "pip install -r requirements.txt" in install


def test_init_install_names_the_garden_the_workflow_installs(cli, tmp_path):
    """--install SPEC goes to requirements.txt, the one place the written workflow installs from."""
    g = Garden(tmp_path / "mine")
    g.note("a.md", "# A\n")
    spec = "garden-ssg @ git+https://github.com/someone/garden@0123456789abcdef0123456789abcdef01234567"
    result = cli(g, "init", "--install", spec)
    assert result.code == 0, result.output
    assert "wrote requirements.txt" in result.out and "note:" not in result.out
    lines = (g.root / "requirements.txt").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [spec]
    flow = yaml.safe_load((g.root / ".github/workflows/pages.yml").read_text())
    python = next(s for s in flow["jobs"]["build"]["steps"] if "setup-python" in s.get("uses", ""))
    assert python["with"]["cache-dependency-path"] == "requirements.txt"


def test_init_from_a_checkout_says_the_workflow_needs_a_reachable_source(cli, tmp_path, monkeypatch):
    """This garden runs from a checkout (PYTHONPATH or `pip install -e .`): GitHub cannot reach
    that, so requirements.txt gets the release pin and init says what to do. The
    ``garden_ssg.egg-info`` an editable install leaves in the checkout (first on sys.path when
    run from there, as in CI) has no install record: it must not pass for an index install."""
    egg = tmp_path / "path" / "garden_ssg.egg-info"
    egg.mkdir(parents=True)
    (egg / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: {DISTRIBUTION}\nVersion: {VERSION}\n")
    monkeypatch.syspath_prepend(str(egg.parent))
    g = Garden(tmp_path / "mine")
    g.note("a.md", "# A\n")
    result = cli(g, "init")
    assert result.code == 0, result.output
    assert f"{DISTRIBUTION}=={VERSION}" in (g.root / "requirements.txt").read_text().splitlines()
    assert "note: the Pages workflow installs" in result.out
    assert "cannot reach" in result.out and "garden init --install SPEC" in result.out


def test_init_keeps_a_requirements_file_and_says_when_it_lacks_garden(cli, tmp_path):
    g = Garden(tmp_path / "mine")
    g.note("a.md", "# A\n")
    g.write("requirements.txt", "numpy\n")
    result = cli(g, "init", "--install", "garden-ssg==9.9")
    assert result.code == 0, result.output
    assert (g.root / "requirements.txt").read_text() == "numpy\n"
    assert "kept  requirements.txt" in result.out
    assert "pip install -r requirements.txt`, which does not name garden" in result.out


def test_install_record_becomes_a_requirement():
    """PEP 610 records as pip writes them (direct_url.json) for each way of installing."""
    from garden.core.origin import origin_from_direct_url

    commit = "0123456789abcdef0123456789abcdef01234567"
    git = origin_from_direct_url(
        {"url": "https://github.com/o/garden", "vcs_info": {"vcs": "git", "commit_id": commit}}
    )
    assert git.requirement == f"garden-ssg @ git+https://github.com/o/garden@{commit}" and not git.unreachable
    local_git = origin_from_direct_url(
        {"url": "file:///tmp/r", "vcs_info": {"vcs": "git", "commit_id": commit}}
    )
    assert local_git.requirement == f"garden-ssg @ git+file:///tmp/r@{commit}" and local_git.unreachable
    url = "https://example.org/garden_ssg-0.1.0-py3-none-any.whl"
    archive = origin_from_direct_url({"url": url, "archive_info": {"hashes": {"sha256": "ab"}}})
    assert archive.requirement == f"garden-ssg @ {url}" and not archive.unreachable
    wheel = origin_from_direct_url(
        {"url": "file:///tmp/garden_ssg-0.1.0-py3-none-any.whl", "archive_info": {}}
    )
    assert wheel.requirement == f"{DISTRIBUTION}=={VERSION}" and "file on this machine" in wheel.unreachable
    editable = origin_from_direct_url({"url": "file:///src/garden", "dir_info": {"editable": True}})
    assert (
        editable.requirement == f"{DISTRIBUTION}=={VERSION}" and "editable checkout" in editable.unreachable
    )


# ---------------------------------------------------------------------------- a vault as it is


def test_obsidian_vault_without_config_builds_with_sections_from_its_folders(cli, tmp_path):
    vault = tmp_path / "vault"
    shutil.copytree(GARDENS / "vault", vault)
    here = Garden(tmp_path / "work")
    here.root.mkdir()
    result = cli(here, "build", "--notes", str(vault), "--out", str(tmp_path / "site"), "--strict")
    assert result.code == 0, result.output
    site = tmp_path / "site"
    home = (site / "index.html").read_text()
    sections = re.findall(r'<h2><a href="/([^"]+)/">([^<]+)</a></h2>', home)
    assert sections == [("analysis", "Analysis"), ("daily", "Daily"), ("linear-algebra", "Linear Algebra")]
    assert "Unfiled" not in home and "attachments" not in home
    algebra = (site / "linear-algebra" / "index.html").read_text()
    assert "from vector spaces to the spectral theorem" in algebra  # its _index.md
    assert 'href="/linear-algebra/eigen-stuff/"' in algebra
    eigen = (site / "linear-algebra" / "eigen-stuff" / "eigenvalue" / "index.html").read_text()
    assert "<title>Eigenvalue · Vault</title>" in eigen
    assert re.search(r'<img[^>]+src="/attachments/eigen(%20| )diagram.png"', eigen)
    assert (site / "attachments" / "eigen diagram.png").is_file()


def test_version_and_unknown_command(cli, tmp_path, capsys):
    g = Garden(tmp_path / "g")
    g.note("a.md", "# A\n")
    import pytest

    with pytest.raises(SystemExit) as done:
        cli(g, "--version")
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"garden {VERSION} ({DISTRIBUTION})"
    result = cli(g, "biuld")
    assert result.code == 2
    assert "unknown command 'biuld'; did you mean `garden build`?" in result.err
    assert not g.site.exists()


def test_without_config_nothing_above_the_notes_is_published_from_within_them(cli, tmp_path):
    """Built from inside a vault (`--notes .`), the folder above it is not the garden's: its
    static/ stays out. Built from beside the notes, static/ beside them is the garden's."""
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "private.txt").write_text("not for the site\n")
    vault = Garden(tmp_path / "vault")
    vault.root.mkdir()
    (vault.root / "a.md").write_text("# A\n")
    inside = cli(vault, "build", "--notes", ".", "--out", str(tmp_path / "site-a"))
    assert inside.code == 0, inside.output
    assert not (tmp_path / "site-a" / "private.txt").exists()
    beside = Garden(tmp_path)
    outside = cli(beside, "build", "--notes", "vault", "--out", str(tmp_path / "site-b"))
    assert outside.code == 0, outside.output
    assert (tmp_path / "site-b" / "private.txt").is_file()


def test_a_missing_notes_folder_names_it_and_points_to_init(cli, tmp_path):
    g = Garden(tmp_path / "empty")
    g.root.mkdir()
    result = cli(g, "build", "--notes", "essays")
    assert result.code == 1
    assert "essays: error: notes folder not found" in result.err
    assert "run `garden init` to start a garden here" in result.err and "create notes/" not in result.err


def test_init_in_a_vault_says_where_its_notes_must_go(cli, tmp_path):
    g = Garden(tmp_path / "vault")
    g.write("Alpha.md", "# Alpha\n")
    g.write("Beta.md", "# Beta\n")
    result = cli(g, "init")
    assert result.code == 0, result.output
    assert "note: 2 notes (Alpha.md, Beta.md) lie beside garden.yaml, outside notes/" in result.out
    assert (g.root / "Alpha.md").read_text() == "# Alpha\n"  # nothing moved by init itself
