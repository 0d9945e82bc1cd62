"""Problems are data: every stage collects them, only the CLI decides the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from garden.core.controls import printable
from garden.core.plaindata import plain

Severity = Literal["error", "warning"]


@plain
@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    path: str
    line: int
    severity: Severity
    message: str
    hint: str = ""

    def format(self) -> str:
        """``path:line: severity: message`` and its hint; control characters (say, from a
        file name) are printed as escapes, never sent to the terminal."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{printable(where)}: {self.severity}: {printable(self.message, newlines=True)}"
        if self.hint:
            text += f"\n    hint: {printable(self.hint, newlines=True)}"
        return text


def display_path(path: Path | str) -> str:
    """A path as a user should read it: relative to the working folder when inside it."""
    path = Path(path).absolute()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


@dataclass
class Problems:
    """An ordered, de-duplicated collection of problems."""

    items: list[Problem] = field(default_factory=list)

    def add(
        self,
        path: Path | str,
        line: int,
        severity: Severity,
        message: str,
        hint: str = "",
    ) -> None:
        problem = Problem(display_path(path), line, severity, message, hint)
        if problem not in self.items:
            self.items.append(problem)

    def error(self, path: Path | str, line: int, message: str, hint: str = "") -> None:
        self.add(path, line, "error", message, hint)

    def warning(self, path: Path | str, line: int, message: str, hint: str = "") -> None:
        self.add(path, line, "warning", message, hint)

    def extend(self, other: Problems) -> None:
        for problem in other.items:
            if problem not in self.items:
                self.items.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.path, p.line, p.severity, p.message))
