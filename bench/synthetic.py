"""Synthetic gardens for the bench scripts, made by the shared ``make_garden.py``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def make_notes(shared: Path, notes: Path, count: int) -> None:
    """Write ``count`` synthetic notes into ``notes`` (a new or empty folder)."""
    subprocess.run(
        [sys.executable, str(shared / "make_garden.py"), str(notes), "--notes", str(count)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
