"""Write the site atomically and never delete anything garden did not make.

The new site is written beside the output folder, then swapped in with one atomic exchange
(Linux ``renameat2``; two renames elsewhere): a build that fails, or is killed at any moment,
leaves the previous site exactly as it was. Leftovers of killed builds are cleaned next time.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from pathlib import Path

MARKER = ".garden-site"
MARKER_TEXT = "This folder is written by garden (python build.py). It is replaced on every build.\n"


class OutputError(Exception):
    """The output folder is unsafe to write; nothing was touched."""


def check_output_dir(out: Path, notes_dir: Path, protected: list[Path]) -> None:
    """Refuse output folders whose replacement would destroy something."""
    out = out.resolve()
    notes = notes_dir.resolve()
    home = Path.home().resolve()
    if out == Path(out.anchor) or out == home:
        raise OutputError(f"refusing to use {out} as the output folder: it would be replaced by the site")
    if out == notes or _within(out, notes) or _within(notes, out):
        raise OutputError(f"the output folder {out} overlaps the notes folder {notes}; choose another --out")
    for path in protected:
        path = path.resolve()
        if out == path or _within(path, out):
            raise OutputError(f"the output folder {out} contains {path}; choose another --out")
    if out.exists() and not out.is_dir():
        raise OutputError(f"the output path {out} is a file, not a folder; choose another --out")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"the output folder {out} lies under {parent}, a file; choose another --out")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise OutputError(
            f"the output folder {out} exists and was not made by garden; "
            "move it away or choose another --out (garden never deletes folders it did not make)"
        )


def _within(path: Path, parent: Path) -> bool:
    try:
        path.relative_to(parent)
    except ValueError:
        return False
    return path != parent


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def clean_leftovers(out: Path) -> None:
    """Remove staging folders of builds that were killed; restore a site stranded mid-swap."""
    for kind in ("previous", "building"):
        prefix = f".{out.name}.{kind}-"
        for leftover in sorted(p for p in out.parent.iterdir() if p.name.startswith(prefix)):
            pid = leftover.name.removeprefix(prefix)
            if not pid.isdigit() or (int(pid) != os.getpid() and _alive(int(pid))):
                continue  # another build is running right now: its folders are its own
            if kind == "previous" and not out.exists() and (leftover / MARKER).is_file():
                leftover.rename(out)  # killed between the two renames of the fallback swap
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _exchange(one: Path, two: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2); False where that is unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(one), at_fdcwd, os.fsencode(two), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(two))


def write_site(out: Path, files: dict[str, bytes], copies: dict[str, Path]) -> None:
    """Write ``files`` (bytes) and ``copies`` (source files) as the new site, atomically."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    old = out.parent / f".{out.name}.previous-{os.getpid()}"
    try:
        staging.mkdir()
        made: set[Path] = set()
        for relative in sorted(set(files) | set(copies)):
            target = staging / relative
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if relative in files:
                target.write_bytes(files[relative])
            else:
                shutil.copyfile(copies[relative], target)
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        if out.exists() and _exchange(staging, out):
            old = staging  # the previous site, now to delete
        else:
            if out.exists():
                out.rename(old)
            staging.rename(out)
    except BaseException:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
