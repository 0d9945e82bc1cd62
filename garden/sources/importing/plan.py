"""What an import will do: the files it writes, what it changed on the way, and what it leaves
for the author. Writing never replaces a file that is already there."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Left:
    """Something the import could not carry over, at its place in the old site or vault."""

    path: str  # relative to the import's source folder
    line: int
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class Plan:
    """Files by their path under the garden folder: text to write, or a file to copy."""

    kind: str  # "sveltekit" | "obsidian"
    source: Path
    texts: dict[str, str] = field(default_factory=dict)
    copies: dict[str, Path] = field(default_factory=dict)
    changes: dict[str, list[str]] = field(default_factory=dict)  # garden path -> what was changed
    left: list[Left] = field(default_factory=list)
    settings: dict[str, object] = field(default_factory=dict)  # garden.yaml keys the import wants
    notes: int = 0

    def leave(self, path: str, line: int, message: str) -> None:
        self.left.append(Left(path, line, message))

    def changed(self, target: str, what: str) -> None:
        self.changes.setdefault(target, []).append(what)


@dataclass
class Written:
    """What writing a plan did."""

    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already there: left as they were
    failed: list[str] = field(default_factory=list)  # could not be read


def write_plan(plan: Plan, into: Path) -> Written:
    """Write every file of the plan under ``into``; a file that exists is kept, never replaced."""
    done = Written()
    items: list[tuple[str, str | Path]] = [*plan.texts.items(), *plan.copies.items()]
    for relative, content in sorted(items, key=lambda item: item[0]):
        target = into / relative
        if target.exists() or target.is_symlink():
            done.kept.append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = content.encode("utf-8") if isinstance(content, str) else content.read_bytes()
        except OSError as exc:
            done.failed.append(f"{relative}: cannot read {content} ({exc.strerror or exc})")
            continue
        with target.open("xb") as handle:  # "x": even a file made meanwhile is never replaced
            handle.write(data)
        done.written.append(relative)
    return done
