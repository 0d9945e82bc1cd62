"""The package's shape: layers that import only downwards, no import cycles, a light fast path,
and a wheel that carries every module."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PYTHON, ROOT

PACKAGE = ROOT / "garden"
# Lowest first. A module may import from its own layer's lower entries and from layers below.
LAYERS = [
    ["garden.core"],
    ["garden.sources"],
    ["garden.markdown"],
    ["garden.linking"],
    ["garden.model"],
    ["garden.figures", "garden.pages", "garden.publish"],
    ["garden.build"],
    ["garden.serve"],
    ["garden.cli", "garden.__main__", "garden.__init__"],
]
HEAVY = ("jinja2", "PIL", "networkx", "numpy", "markdown_it", "py_mini_racer", "mdit_py_plugins", "scipy")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def garden_imports() -> dict[str, set[str]]:
    """Every module of the package -> the package's modules it imports, counting every import:
    module level, under ``TYPE_CHECKING``, and inside functions."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{name}: relative import (use garden.…)"
                base = node.module or ""
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    found.add(candidate if candidate in modules else base)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_no_import_cycles() -> None:
    graph = garden_imports()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def _layer(module: str) -> tuple[int, int]:
    for index, layer in enumerate(LAYERS):
        for position, prefix in enumerate(layer):
            if module == prefix or module.startswith(prefix + "."):
                return index, position
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def test_layers_import_only_downwards() -> None:
    wrong = []
    for module, imported in garden_imports().items():
        if module == "garden":
            continue
        mine = _layer(module)
        for other in imported:
            if other == "garden":
                continue
            theirs = _layer(other)
            if theirs[0] > mine[0] or (theirs[0] == mine[0] and theirs[1] > mine[1]):
                wrong.append(f"{module} imports {other}")
    assert not wrong, "imports that run up the layers:\n" + "\n".join(sorted(wrong))


def test_the_checks_see_a_cycle_and_an_upward_import(tmp_path: Path) -> None:
    """The two checks above can fail: a lazy import inside a function counts."""
    graph = garden_imports()
    assert "garden.build.builder" in graph["garden.cli"]  # imported inside a function
    assert _layer("garden.core.paths") < _layer("garden.build.builder")


def test_no_change_build_imports_nothing_heavy(tmp_path: Path) -> None:
    """Running the build again with nothing changed must not pay for Jinja, pillow, markdown-it,
    networkx, numpy or V8: it runs in a fresh process, and the modules it loaded are listed."""
    garden = tmp_path / "g"
    (garden / "notes").mkdir(parents=True)
    (garden / "notes" / "a.md").write_text("---\ntitle: A\n---\nText $x$ and [[B]].\n", encoding="utf-8")
    (garden / "garden.yaml").write_text("title: Light\n", encoding="utf-8")
    first = subprocess.run([PYTHON, str(ROOT / "build.py"), "-q"], cwd=garden, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from garden.cli import main\n"
        "code = main(['-q'])\n"
        "print(json.dumps([code, sorted(sys.modules)]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([PYTHON, "-c", probe], cwd=garden, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    code, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert code == 0
    assert "garden.build.inputs" in loaded  # the probe really ran the build's quick check
    heavy = sorted({name for name in loaded if name.split(".")[0] in HEAVY})
    assert not heavy, f"the no-change path imported {heavy}"


def test_the_heavy_import_check_can_fail(tmp_path: Path) -> None:
    """A build that does change something loads the heavy modules: the probe would see them."""
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import garden.build.builder\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert {"jinja2", "markdown_it"} & {name.split(".")[0] for name in loaded}


@pytest.mark.slow
def test_wheel_carries_every_module(tmp_path: Path) -> None:
    """``pip wheel .`` packages the subpackages too (a flat ``packages = ["garden"]`` did not)."""
    done = subprocess.run(
        [PYTHON, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("garden_ssg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py")}
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"


def test_an_old_cache_gives_no_warning(tmp_path: Path) -> None:
    """A ``.garden-cache`` written before the modules moved (format 2, its pickles naming
    ``garden.cache.Manifest`` and friends) is left alone: the build neither warns nor fails."""
    import pickle
    import sqlite3

    garden = tmp_path / "g"
    (garden / "notes").mkdir(parents=True)
    (garden / "notes" / "a.md").write_text("---\ntitle: A\n---\nText.\n", encoding="utf-8")
    cache = garden / ".garden-cache"
    cache.mkdir()
    old = sqlite3.connect(cache / "cache-v2.sqlite")
    for kind in ("notes", "html", "figures", "named"):
        old.execute(f"CREATE TABLE {kind} (key TEXT PRIMARY KEY, value BLOB)")
    # a pickle naming a module that no longer exists, as the old cache's rows do
    stale = pickle.dumps(1).replace(b"K\x01", b"cgarden.cache\nManifest\n)\x81")
    old.execute("INSERT INTO named VALUES ('manifest', ?)", (stale,))
    old.commit()
    old.close()
    done = subprocess.run([PYTHON, str(ROOT / "build.py")], cwd=garden, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "warning:" not in done.stderr + done.stdout, done.stderr + done.stdout
    assert "0 warnings" in done.stdout


def test_fixed_addresses_derive_the_reserved_names() -> None:
    """Every folder the site writes is either reserved for it or shared by design."""
    from garden.core import addresses

    folders = {
        value.split("/", 1)[0]
        for name, value in vars(addresses).items()
        if name.isupper() and isinstance(value, str) and "/" in value
    }
    covered = set(addresses.RESERVED) | set(addresses.SHARED_FOLDERS)
    assert folders <= covered, f"folders written but not reserved: {sorted(folders - covered)}"
    assert addresses.page_slug(addresses.page_file("a/b")) == "a/b"
    assert addresses.page_slug(addresses.page_file("")) == ""
    assert addresses.page_slug("feed.xml") is None


def test_only_locations_knows_the_package_folder() -> None:
    users = sorted(
        module_name(path) for path in PACKAGE.rglob("*.py") if "__file__" in path.read_text(encoding="utf-8")
    )
    assert users == ["garden.core.locations"], users


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
