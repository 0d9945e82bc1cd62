"""When each note was created and last updated: front-matter, then git history, then file times.

Git is asked once for the whole notes folder (one ``git log`` with rename detection, walked
newest to oldest, which is what ``git log --follow`` does file by file) so large gardens stay
fast. In a shallow clone the oldest commit git has pretends to add every file; dates that hang
on it are unknown, so they are left out (with a warning) rather than shown wrong.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from garden.core.problems import Problems
from garden.sources.notes import Note

GIT_TIMEOUT = 60.0
_RECORD = "\x01"


@dataclass
class GitDates:
    """First and last commit date of every file git knows under the notes folder.

    ``None`` as a date means git has the file but cannot vouch for the date (shallow clone).
    """

    first: dict[str, date | None] = field(default_factory=dict)
    last: dict[str, date | None] = field(default_factory=dict)
    shallow: bool = False

    def knows(self, relative: str) -> bool:
        return relative in self.last


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes] | None:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, env=env, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def parse_log(output: str, boundary: set[str]) -> GitDates:
    """Dates from ``git log -z --name-status -M --format=%x01%H %as`` (newest commit first).

    A rename carries a file's history back to its old name; commits in ``boundary`` (the cut
    edge of a shallow clone) give unknown dates.
    """
    dates = GitDates(shallow=bool(boundary))
    renamed: dict[str, str] = {}  # an older name -> the file's name today
    for record in output.split(_RECORD):
        if not record:
            continue
        header, _, rest = record.partition("\0")
        commit, _, day = header.partition(" ")
        try:
            when: date | None = date.fromisoformat(day.strip())
        except ValueError:
            continue
        if commit in boundary:
            when = None
        fields = rest.lstrip("\n").split("\0")
        index = 0
        while index < len(fields):
            status = fields[index].strip()
            if not status:
                index += 1
                continue
            if status[0] in "RC":
                if index + 2 >= len(fields):
                    break
                old, new = fields[index + 1], fields[index + 2]
                index += 3
                current = renamed.get(new, new)
                if status[0] == "R":
                    renamed[old] = current
            else:
                if index + 1 >= len(fields):
                    break
                path = fields[index + 1]
                index += 2
                if status[0] == "D":
                    continue
                current = renamed.get(path, path)
            dates.last.setdefault(current, when)
            dates.first[current] = when
    return dates


def git_dates(notes_dir: Path, problems: Problems) -> GitDates | None:
    """Dates for every committed file under ``notes_dir``; None when it is not in a git work tree."""
    inside = _git(["rev-parse", "--is-inside-work-tree", "--is-shallow-repository"], notes_dir)
    if inside is None or inside.returncode != 0:
        if inside is not None and b"dubious ownership" in inside.stderr:
            problems.warning(
                notes_dir,
                0,
                "git refuses to read this repository (another user owns it); dates come from file times",
                "run `git config --global --add safe.directory <the repository>`",
            )
        return None
    answers = inside.stdout.decode().split()
    if not answers or answers[0] != "true":
        return None
    boundary: set[str] = set()
    if len(answers) > 1 and answers[1] == "true":
        where = _git(["rev-parse", "--git-path", "shallow"], notes_dir)
        if where is not None and where.returncode == 0:
            shallow_file = notes_dir / where.stdout.decode().strip()
            try:
                boundary = set(shallow_file.read_text(encoding="ascii").split())
            except OSError:
                boundary = set()
        boundary = boundary or {"?"}  # shallow but unreadable: still say so
    log = _git(
        [
            "-c",
            "core.quotePath=false",
            "log",
            "-z",
            "--name-status",
            "-M",
            "--relative",
            "--no-color",
            "--format=%x01%H %as",
            "--",
            ".",
        ],
        notes_dir,
    )
    if log is None or log.returncode != 0:
        message = log.stderr.decode(errors="replace").strip().splitlines() if log is not None else []
        if message and "does not have any commits" in message[-1]:
            return GitDates()
        problems.warning(
            notes_dir,
            0,
            f"could not read the git history ({message[-1] if message else 'git did not answer'}); "
            "dates come from file times",
            "check that `git log` works in this folder",
        )
        return None
    return parse_log(log.stdout.decode("utf-8", errors="replace"), boundary)


def _file_date(path: Path) -> date | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()
    except (OSError, OverflowError, ValueError):
        return None


def fill_dates(notes: list[Note], notes_dir: Path, problems: Problems) -> None:
    """Give each note a created and an updated date: front-matter, else git, else the file time."""
    history = git_dates(notes_dir, problems) if notes else None
    unknown = 0
    for note in notes:
        relative = note.relative.as_posix()
        created, updated = note.date, note.updated
        if history is not None and history.knows(relative):
            created = created or history.first.get(relative)
            updated = updated or history.last.get(relative)
            unknown += created is None or updated is None
        elif created is None or updated is None:
            mtime = _file_date(note.source)
            created, updated = created or mtime, updated or mtime
        if created is not None and updated is not None and updated < created:
            # Front-matter wins over what was guessed: keep the written date, move the other.
            if note.updated is not None and note.date is None:
                created = updated
            elif note.date is not None and note.updated is None:
                updated = created
        note.date, note.updated = created, updated
    if history is not None and history.shallow and unknown:
        problems.warning(
            notes_dir,
            0,
            f"the repository is a shallow clone: git cannot tell when {unknown} "
            f"note{'s were' if unknown != 1 else ' was'} created or last changed; those dates are left out",
            "fetch the whole history (`git fetch --unshallow`; in GitHub Actions, "
            "`fetch-depth: 0` in actions/checkout)",
        )
