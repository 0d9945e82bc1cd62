"""garden as a tool for other repositories: a wheel installed into a fresh virtual environment
makes and builds a garden in a folder that has nothing of this checkout (slow: it installs the
dependencies from the package index)."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import PYTHON, ROOT, run_process, unavailable

from garden.core.version import DISTRIBUTION, VERSION

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The venv's bin folder, with garden installed from a wheel of this checkout."""
    if not (ROOT / "node_modules" / "katex" / "dist" / "katex.min.js").is_file():
        unavailable("node_modules is missing: run `npm ci` before building the wheel")
    folder = tmp_path_factory.mktemp("install")
    wheels = folder / "wheels"
    built = run_process([PYTHON, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), "."], cwd=ROOT)
    assert built.code == 0, built.output
    for leftover in (ROOT / "build", ROOT / "garden_ssg.egg-info"):
        shutil.rmtree(leftover, ignore_errors=True)
    (wheel,) = wheels.glob("garden_ssg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "garden/templates/note.html",
        "garden/static/css/garden.css",
        "garden/vendor/katex/dist/katex.min.js",
        "garden/vendor/katex/LICENSE",
        "garden/vendor/dejavu/ttf/DejaVuSans.ttf",
        "garden/vendor/dejavu/LICENSE",
    ):
        assert needed in names, needed
    venv = folder / "venv"
    made = run_process([PYTHON, "-m", "venv", str(venv)], cwd=folder)
    if made.code != 0:
        unavailable(f"python -m venv failed: {made.output[-300:]}")
    pip = run_process([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], cwd=folder, timeout=900)
    assert pip.code == 0, pip.output[-2000:]
    return venv / "bin"


def _run(bin_dir: Path, args: list[str], cwd: Path, extra: dict[str, str] | None = None):
    """A command with the venv first on PATH and nothing of this checkout importable."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")} | (extra or {})
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    import subprocess

    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def test_installed_garden_inits_and_builds_another_folder(installed, tmp_path):
    code, out = _run(installed, ["garden", "--version"], tmp_path)
    assert code == 0 and out.strip() == f"garden {VERSION} ({DISTRIBUTION})"
    code, out = _run(installed, ["python", "-c", "import garden; print(garden.__file__)"], tmp_path)
    assert str(installed.parent) in out and str(ROOT) not in out  # the installed copy, not ours
    site = tmp_path / "my-garden"
    (site / "notes" / "Kernels").mkdir(parents=True)
    (site / "notes" / "Kernels" / "nngp.md").write_text(
        "# NNGP\n\nThe kernel $K(x, y) = \\mathbb{E}[f(x) f(y)]$.\n\n$$\\int_0^1 x\\,dx$$\n"
    )
    code, out = _run(installed, ["garden", "init"], site)
    assert code == 0 and "wrote garden.yaml" in out, out
    code, out = _run(installed, ["garden", "build"], site)
    assert code == 0, out
    assert "config: garden.yaml" in out
    page = (site / "_site" / "kernels" / "nngp" / "index.html").read_text()
    assert page.count('class="katex"') >= 2 and "katex-display" in page  # KaTeX ran, from the wheel
    assert (site / "_site" / "katex" / "katex.min.css").is_file()
    assert len(list((site / "_site" / "katex" / "fonts").glob("*.woff2"))) > 10
    assert (site / "_site" / "css" / "garden.css").is_file()  # static files from the wheel
    assert (site / "_site" / "cards" / "kernels" / "nngp.png").is_file()  # drawn with DejaVu
    code, out = _run(installed, ["garden", "biuld"], site)
    assert code == 2 and "unknown command" in out


def test_a_gardens_own_katex_wins_over_the_packaged_one(installed, tmp_path):
    """`npm install katex` beside garden.yaml pins the garden's KaTeX (here: a marked copy)."""
    site = tmp_path / "pinned"
    (site / "notes").mkdir(parents=True)
    (site / "notes" / "a.md").write_text("# A\n\n$x$\n")
    own = site / "node_modules" / "katex"
    shutil.copytree(ROOT / "node_modules" / "katex" / "dist", own / "dist")
    css = own / "dist" / "katex.min.css"
    css.write_text(css.read_text() + "\n/* this garden's own KaTeX */\n")
    code, out = _run(installed, ["garden", "init"], site)
    assert code == 0, out
    code, out = _run(installed, ["garden", "build"], site)
    assert code == 0, out
    assert "this garden's own KaTeX" in (site / "_site" / "katex" / "katex.min.css").read_text()


def test_init_writes_the_git_commit_garden_was_installed_from(installed, tmp_path):
    """Installed from a git repository (here a real one on disk, reached as a file:// URL, as
    pip reaches https:// ones), garden records it in direct_url.json (PEP 610), and init writes
    that URL and commit into requirements.txt, which the Pages workflow installs."""
    repo = tmp_path / "repo"
    listed = run_process(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT)
    assert listed.code == 0, listed.output
    keep = ("garden/", "templates/", "static/", "setup.py", "pyproject.toml", "README.md", "package")
    for name in listed.out.splitlines():
        source = ROOT / name
        if name.startswith(keep) and source.is_file() and not source.is_symlink():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, repo / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for step in (["git", "init", "-q"], ["git", "add", "."], [*git, "commit", "-q", "-m", "garden"]):
        done = run_process(step, cwd=repo)
        assert done.code == 0, done.output
    commit = run_process(["git", "rev-parse", "HEAD"], cwd=repo).out.strip()
    # file://localhost/…: the packaging module inside older pips rejects a git+file:/// URL
    spec = f"{DISTRIBUTION} @ git+file://localhost{repo.as_posix()}@{commit}"
    # the clone has no node_modules: building its wheel runs `npm ci` (offline here: from the
    # npm cache that `npm ci` in this checkout filled), so the wheel still carries KaTeX
    offline = {"npm_config_offline": "true"}
    code, out = _run(
        installed, ["pip", "install", "-q", "--no-deps", "--force-reinstall", spec], tmp_path, offline
    )
    assert code == 0, out[-2000:]
    site = tmp_path / "site"
    (site / "notes").mkdir(parents=True)
    (site / "notes" / "a.md").write_text("# A\n")
    code, out = _run(installed, ["garden", "init"], site)
    assert code == 0, out
    lines = (site / "requirements.txt").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [spec]
    assert "pip install -r requirements.txt" in (site / ".github" / "workflows" / "pages.yml").read_text()
    # a file:// URL is real, but GitHub's runners cannot reach this machine: init says so
    assert "cannot reach" in out and "git repository on this machine" in out
    (site / "notes" / "a.md").write_text("# A\n\n$x^2$\n")
    code, out = _run(installed, ["garden", "build"], site)
    assert code == 0, out
    assert 'class="katex"' in (site / "_site" / "a" / "index.html").read_text()  # KaTeX of the git wheel
