"""Issue 4, point 4: created and updated dates from front-matter, then git, then the file's time.

Each test makes a real git repository with commits at chosen dates.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import unavailable

from garden.sources.dates import parse_log


@pytest.fixture(autouse=True)
def _git_installed() -> None:
    if shutil.which("git") is None:
        unavailable("git is not installed: apt-get install git to test dates from git")


def git(root: Path, *args: str, when: str = "2020-01-01T12:00:00+00:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Writer",
        "GIT_AUTHOR_EMAIL": "writer@example.org",
        "GIT_COMMITTER_NAME": "Writer",
        "GIT_COMMITTER_EMAIL": "writer@example.org",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(root),
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def commit(root: Path, message: str, when: str) -> None:
    git(root, "add", "-A", when=when)
    git(root, "commit", "-q", "-m", message, when=when)


def dates_of(html: str) -> tuple[str | None, str | None]:
    created = re.search(r'Created <time datetime="([\d-]+)"', html)
    updated = re.search(r'Updated <time datetime="([\d-]+)"', html)
    return (created.group(1) if created else None, updated.group(1) if updated else None)


LONG_TEXT = "\n".join(f"Line {i} of a note long enough for git to see a rename." for i in range(30))


@pytest.fixture
def repo(garden):
    git(garden.root, "init", "-q", "-b", "main")
    garden.note("kernels.md", "---\ntitle: Kernels\n---\n" + LONG_TEXT + "\n")
    garden.note("pinned.md", "---\ntitle: Pinned\ndate: 2019-05-05\n---\nWritten long ago.\n")
    garden.note("both.md", "---\ntitle: Both\ndate: 2018-01-01\nupdated: 2018-02-02\n---\nx\n")
    commit(garden.root, "first notes", "2021-03-04T10:00:00+00:00")
    garden.note("kernels.md", "---\ntitle: Kernels\n---\n" + LONG_TEXT + "\nA new line.\n")
    commit(garden.root, "edit kernels", "2022-06-07T10:00:00+00:00")
    git(garden.root, "mv", "notes/kernels.md", "notes/kernel-methods.md")
    commit(garden.root, "rename", "2023-08-09T10:00:00+00:00")
    garden.note("pinned.md", "---\ntitle: Pinned\ndate: 2019-05-05\n---\nWritten long ago, edited.\n")
    commit(garden.root, "edit pinned", "2024-01-15T10:00:00+00:00")
    return garden


def test_dates_come_from_git_history(repo, cli):
    repo.note("untracked.md", "Not committed yet.\n")
    os.utime(repo.notes / "untracked.md", (1700000000, 1700000000))  # 2023-11-14
    result = cli(repo)
    assert result.code == 0, result.output
    # first and last commit, following the rename
    assert dates_of(repo.page("kernel-methods")) == ("2021-03-04", "2023-08-09")
    # front-matter first: date written, updated from git
    assert dates_of(repo.page("pinned")) == ("2019-05-05", "2024-01-15")
    assert dates_of(repo.page("both")) == ("2018-01-01", "2018-02-02")
    # not in git: the file's time
    assert dates_of(repo.page("untracked")) == ("2023-11-14", "2023-11-14")
    assert "shallow" not in result.err


def test_notes_show_both_dates_and_feed_and_sitemap_use_them(repo, cli):
    assert cli(repo).code == 0
    html = repo.page("kernel-methods")
    assert "Created <time" in html and "Updated <time" in html
    assert 'property="article:modified_time" content="2023-08-09"' in html
    feed = (repo.site / "feed.xml").read_text()
    assert "<updated>2024-01-15T00:00:00Z</updated>" in feed  # the newest note, never the clock
    sitemap = (repo.site / "sitemap.xml").read_text()
    assert "<lastmod>2023-08-09</lastmod>" in sitemap


def test_shallow_clone_warns_and_leaves_unknown_dates_out(repo, cli, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.root}", str(clone)],
        check=True,
        capture_output=True,
    )
    shallow = type(repo)(clone)
    result = cli(shallow)
    assert result.code == 0, result.output
    assert "warning: the repository is a shallow clone" in result.err
    assert "fetch-depth: 0" in result.err
    # the two commits it has: the rename (2023-08-09) and the edit of pinned (2024-01-15).
    # pinned.md changed in the newest commit: that date is right; its created date is written.
    assert dates_of(shallow.page("pinned")) == ("2019-05-05", "2024-01-15")
    # kernel-methods.md last changed in the cut-off commit: git cannot tell, so no date at all,
    # rather than the clone's date or the cut-off commit's
    assert dates_of(shallow.page("kernel-methods")) == (None, None)
    assert dates_of(shallow.page("both")) == ("2018-01-01", "2018-02-02")
    feed = (shallow.site / "feed.xml").read_text()
    assert "2023-08-09" not in feed


def test_not_a_repository_uses_file_times(garden, cli):
    garden.note("a.md", "A note.\n")
    os.utime(garden.notes / "a.md", (1600000000, 1600000000))  # 2020-09-13
    result = cli(garden)
    assert result.code == 0
    assert dates_of(garden.page("a")) == ("2020-09-13", "2020-09-13")
    assert "warning" not in result.err


def test_front_matter_updated_before_guessed_created_wins(garden, cli):
    garden.note("a.md", "---\nupdated: 2020-01-01\n---\nx\n")
    os.utime(garden.notes / "a.md", (1700000000, 1700000000))
    assert cli(garden).code == 0
    assert dates_of(garden.page("a")) == ("2020-01-01", "2020-01-01")


def test_log_parser_follows_renames_newest_first():
    log = (
        "\x01c3 2023-01-01\0\nR090\0old/name.md\0new/name.md\0"
        "\x01c2 2022-01-01\0\nM\0old/name.md\0M\0other.md\0"
        "\x01c1 2021-01-01\0\nA\0old/name.md\0A\0other.md\0D\0gone.md\0"
    )
    dates = parse_log(log, boundary=set())
    assert str(dates.first["new/name.md"]) == "2021-01-01"
    assert str(dates.last["new/name.md"]) == "2023-01-01"
    assert str(dates.last["other.md"]) == "2022-01-01"
    assert "gone.md" not in dates.last
    cut = parse_log(log, boundary={"c1"})
    assert cut.first["new/name.md"] is None and str(cut.last["new/name.md"]) == "2023-01-01"
