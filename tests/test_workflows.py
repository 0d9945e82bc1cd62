"""The GitHub workflows (this repository's and the one `garden init` writes) checked with
actionlint: syntax, expressions, job and step references, action inputs. They cannot run on
GitHub from here, so static checking is what we can do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_process, unavailable

from garden.sources.starter import pages_workflow

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _actionlint(*paths: Path):
    binary = shutil.which("actionlint")
    if binary is None:
        unavailable("actionlint is not installed: pip install -e '.[test]'")
    return run_process([binary, "-no-color", *map(str, paths)], cwd=ROOT)


def test_the_repository_has_the_pages_and_release_workflows():
    assert {path.name for path in WORKFLOWS} >= {"pages.yml", "release.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_repository_workflow_passes_actionlint(path):
    done = _actionlint(path)
    assert done.code == 0, done.output


def test_written_pages_workflow_passes_actionlint(tmp_path):
    path = tmp_path / ".github" / "workflows" / "pages.yml"
    path.parent.mkdir(parents=True)
    path.write_text(pages_workflow())
    done = _actionlint(path)
    assert done.code == 0, done.output


def test_actionlint_catches_a_broken_reference(tmp_path):
    """The check can fail: a step output that does not exist is reported."""
    path = tmp_path / ".github" / "workflows" / "pages.yml"
    path.parent.mkdir(parents=True)
    path.write_text(pages_workflow().replace("steps.pages.outputs.base_url", "steps.page.outputs.base_url"))
    done = _actionlint(path)
    assert done.code != 0 and "steps.page" in done.output


def test_no_workflow_runs_python_m_build_in_the_checkout():
    """`python -m build` in this repository's root runs its build.py (the current folder comes
    first on sys.path), not PyPA's build: the release would build a site instead of a wheel."""
    shadowed = run_process(["python", "-m", "build", "--version"], cwd=ROOT)
    assert "garden" in shadowed.output  # the shadowing is real
    for path in WORKFLOWS:
        assert "python -m build" not in path.read_text(encoding="utf-8"), path.name
