"""Point 1-2: layout, entry points and the CLI's options, summary and exit codes."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from conftest import PYTHON, ROOT, run_process, unavailable


def test_layout_exists():
    for name in [
        "pyproject.toml",
        "garden",
        "notes",
        "templates",
        "static/images",
        "tests",
        "build.py",
        "README.md",
        "garden.yaml",
        ".ci/run",
        "package.json",
        "package-lock.json",
    ]:
        assert (ROOT / name).exists(), name


def test_console_script_is_declared_and_same_as_build_py():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["garden"] == "garden.cli:main"
    assert "from garden.cli import main" in (ROOT / "build.py").read_text()


def test_build_py_and_garden_script_run(basic):
    result = run_process([PYTHON, str(ROOT / "build.py"), "--out", "site-a"], cwd=basic.root)
    assert result.code == 0, result.output
    assert (basic.root / "site-a" / "index.html").is_file()
    script = shutil.which("garden")  # installed by `pip install -e .`, as the README says
    if script is None:
        unavailable("the garden command is not installed: pip install -e '.[test]'")
    again = run_process([script, "build", "--out", "site-b"], cwd=basic.root)
    assert again.code == 0, again.output
    assert (basic.root / "site-b" / "index.html").read_bytes() == (
        basic.root / "site-a" / "index.html"
    ).read_bytes()


def test_default_build_writes_site_and_prints_one_summary(basic, cli):
    result = cli(basic)
    assert result.code == 0, result.output
    assert (basic.site / "index.html").is_file()
    lines = [line for line in result.out.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("Built ") and "pages from" in lines[0] and "notes in" in lines[0]
    assert "errors" in lines[0] or "error" in lines[0]
    assert "warning" in lines[0]


def test_options_notes_out_config_base_url(basic, cli, tmp_path):
    moved = tmp_path / "elsewhere"
    shutil.move(str(basic.notes), moved / "notes")
    config = basic.root / "conf.yaml"
    config.write_text((basic.root / "garden.yaml").read_text().replace("Test Garden", "Moved Garden"))
    out = tmp_path / "out"
    result = cli(
        basic,
        "build",
        "--notes",
        str(moved / "notes"),
        "--out",
        str(out),
        "--config",
        str(config),
        "--base-url",
        "https://example.org/garden/",
    )
    assert result.code == 0, result.output
    home = (out / "index.html").read_text()
    assert "Moved Garden" in home
    assert 'href="/garden/css/garden.css"' in home
    assert not basic.site.exists()


def test_check_writes_nothing_and_reports(basic, cli):
    basic.note("bad.md", "---\ntitle: [unclosed\n---\nbody\n")
    result = cli(basic, "check")
    assert result.code == 1
    assert "notes/bad.md:2: error: front-matter: invalid YAML" in result.err
    assert result.err.strip().splitlines()[-1].startswith("Checked ")
    assert not basic.site.exists()


def test_check_clean_garden_exit_zero(basic, cli):
    result = cli(basic, "check")
    assert result.code == 0, result.output
    assert not basic.site.exists()


def test_quiet_prints_nothing_on_success(basic, cli):
    result = cli(basic, "-q")
    assert result.code == 0
    assert result.out == "" and result.err == ""


def test_strict_fails_on_warnings_and_keeps_old_site(garden, cli):
    garden.note("a.md", "Formula $\\frac{1}{$ fails.\n")
    assert cli(garden).code == 0  # a warning alone does not fail
    before = (garden.site / "a" / "index.html").read_bytes()
    garden.note("a.md", "Formula $\\frac{2}{$ fails.\n")
    result = cli(garden, "--strict")
    assert result.code == 1
    assert "warning: formula failed" in result.err
    assert (garden.site / "a" / "index.html").read_bytes() == before


def test_drafts_left_out_unless_asked(garden, cli):
    garden.note("d.md", "---\ndraft: true\n---\nDraft.\n")
    garden.note("e.md", "Links to [[d]].\n")
    cli(garden)
    assert not (garden.site / "d").exists()
    assert 'class="planned-link"' in garden.page("e")
    cli(garden, "--drafts")
    assert (garden.site / "d" / "index.html").is_file()
    assert 'href="/d/"' in garden.page("e")


def test_new_scaffolds_note_in_section(garden, cli):
    result = cli(garden, "new", "Edge of Stability", "--section", "optimization", "--tags", "eos, gd")
    assert result.code == 0, result.output
    path = garden.notes / "optimization" / "edge-of-stability.md"
    text = path.read_text()
    assert "title: Edge of Stability" in text and "section: optimization" in text and "- eos" in text
    assert text.count("Edge of Stability") == 1 and "description" not in text  # the title once, no empty keys
    assert cli(garden).code == 0
    assert "Edge of Stability" in garden.page("optimization/edge-of-stability")
    again = cli(garden, "new", "Edge of Stability", "--section", "optimization")
    assert again.code == 1 and "already exists" in again.err


def test_new_unknown_section_suggests(garden, cli):
    result = cli(garden, "new", "X", "--section", "model/nngp-ntk")
    assert result.code == 2
    assert "models/nngp-ntk" in result.err


def test_missing_config_file_is_clear(garden, cli):
    result = cli(garden, "--config", "nope.yaml")
    assert result.code == 1
    assert "nope.yaml: error: config file not found" in result.err


def test_help_lists_commands(garden):
    result = run_process([PYTHON, str(ROOT / "build.py"), "--help"], cwd=garden.root)
    assert result.code == 0
    for command in ("build", "check", "new", "serve"):
        assert command in result.out
    for option in (
        "--out DIR",
        "--base-url URL",
        "--strict",
        "--no-cache",
        "--verbose",
    ):  # build's, the default
        assert option in result.out, option


def test_verbose_lists_planned_notes_with_who_wants_them(garden, cli):
    garden.note("a.md", "Wants [[Someday Note]] and [[Another Idea]].\n")
    garden.note("b.md", "Also wants [[Someday Note]].\n")
    for _ in range(2):  # the second build changes nothing: the list comes from the last build
        result = cli(garden, "-v")
        assert result.code == 0
        assert "2 planned notes are linked but not written yet" in result.err
        assert "  Another Idea (wanted by a.md)" in result.err
        assert "  Someday Note (wanted by a.md, b.md)" in result.err
    assert "Someday" not in cli(garden).err


def test_progress_bar_only_on_a_terminal(basic, cli):
    result = cli(basic)
    assert "rendering [" not in result.err  # not a TTY under pytest


def test_run_outside_garden_uses_defaults(tmp_path: Path, cli):
    from conftest import Garden

    g = Garden(tmp_path / "bare")
    g.note("hello.md", "# Hello\n\nNo config at all.\n")
    result = cli(g)
    assert result.code == 0, result.output
    assert "<h1>Hello</h1>" in g.page("hello")


def test_ci_runs_the_readme_test_command_then_the_slow_tests():
    """CI runs what the README says, then the slow tests, which the default run leaves out."""
    readme = (ROOT / "README.md").read_text()
    command = readme.split("Run the tests:", 1)[1].split("```sh\n", 1)[1].split("\n", 1)[0]
    assert command == "python -m pytest"
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    readme_line = next(i for i, line in enumerate(lines) if line.endswith(f"&& {command}"))
    assert "python -m pytest -m slow" in lines[readme_line + 1 :]
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "-m 'not slow'" in addopts["addopts"]  # why the second command is needed
