"""Write the site atomically and never delete anything garden did not make.

The new site is written beside the output folder, then swapped in with two renames: a build
that fails (or is killed) leaves the previous site exactly as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from garden.core.addresses import PAGEFIND

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


class SiteWriter:
    """Writes a new site beside the output folder, then swaps it in (or, in place, for serve).

    With ``reuse``, the new site starts as a hard-linked copy of the current one (``cp -al``,
    one fast call), so unchanged files cost nothing; a file is only ever *replaced* (written
    to a temporary name, then renamed), never modified, so the old site never changes.
    """

    def __init__(self, out: Path, in_place: bool = False, reuse: bool = False) -> None:
        self.out = out.resolve()
        self.in_place = in_place and self.out.is_dir()
        self.staging = self.out.parent / f".{self.out.name}.building-{os.getpid()}"
        self.old = self.out.parent / f".{self.out.name}.previous-{os.getpid()}"
        self.written: set[str] = set()
        self.pending: dict[Path, Path] = {}  # in place: file to replace -> its new copy beside it
        self.marker_id = ""
        self._made: set[Path] = set()
        self.root = self.out if self.in_place else self.staging
        self.linked = False  # the staging folder started as hard links to the current site
        self._stale_removed = False
        self._locks: list[int] = []  # flocks that say "a live build owns this folder" (see clean_leftovers)
        if not self.in_place:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            clean_leftovers(self.out)
            for leftover in (self.staging, self.old):
                if os.path.lexists(leftover):
                    remove_tree(leftover)
            self._locks.append(_make_locked(self.staging))
            if reuse and self.out.is_dir():
                self.linked = _link_tree(self.out, self.staging)
            os.chmod(self.staging, FOLDER_MODE)

    def _target(self, relative: str) -> Path:
        target = self.root / relative
        if target.parent not in self._made:
            _make_folders(target.parent)
            self._made.add(target.parent)
        self.written.add(relative)
        return target

    def _replace(self, target: Path, write: Callable[[Path], object]) -> None:
        temp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        if self.in_place:  # renamed into place by flush(): a write that fails changes nothing
            self.pending[target] = temp
        write(temp)
        os.chmod(temp, FILE_MODE)
        if not self.in_place:
            os.replace(temp, target)

    def flush(self) -> None:
        """Put the files written in place so far over their old copies (each in one rename)."""
        pending, self.pending = self.pending, {}
        for target, temp in pending.items():
            os.replace(temp, target)

    def write(self, relative: str, data: bytes) -> None:
        target = self._target(relative)
        if self.in_place:
            try:
                if target.stat().st_size == len(data) and target.read_bytes() == data:
                    return
            except OSError:
                pass
        if self.in_place or self.linked:
            self._replace(target, lambda temp: temp.write_bytes(data))
        else:
            target.write_bytes(data)
            os.chmod(target, FILE_MODE)

    def copy(self, relative: str, source: Path) -> None:
        target = self._target(relative)
        if self.in_place:
            try:
                if target.read_bytes() == source.read_bytes():
                    return
            except OSError:
                pass
        if self.in_place or self.linked:
            self._replace(target, lambda temp: shutil.copyfile(source, temp))
        else:
            shutil.copyfile(source, target)
            os.chmod(target, FILE_MODE)  # whatever the source's mode (or the umask) was

    def keep(self, relative: str) -> bool:
        """Reuse the current site's file unchanged; False if it is not there."""
        if self.in_place or self.linked:
            if (self.root / relative).is_file():
                self.written.add(relative)
                return True
            return False
        try:
            target = self._target(relative)
            os.link(self.out / relative, target)
        except OSError:
            self.written.discard(relative)
            return False
        return True

    def discard(self, relative: str) -> None:
        """Drop the previous site's copy of a file this build could not produce after all."""
        if self.in_place or self.linked:
            (self.root / relative).unlink(missing_ok=True)

    def remove_stale(self, previous: set[str] | None, coming: frozenset[str] = frozenset()) -> None:
        """Delete every file of the site that this build has not written and will not write
        (``coming``), so the site can be indexed before its last files arrive.
        ``previous``: the files the old site had, if known (else the whole site is walked)."""
        self.flush()
        if (self.in_place or self.linked) and not self._stale_removed:
            self._remove_stale(previous, coming)
        self._stale_removed = True

    def commit(
        self, previous: set[str] | None = None, finish: Callable[[Path], object] | None = None
    ) -> None:
        """Put the new site in place (after removing stale files, see ``remove_stale``).
        ``finish`` runs on the complete new site just before (the search index is built there)."""
        self.remove_stale(previous)
        self.flush()
        if finish is not None:
            finish(self.root)
        marker = MARKER_TEXT + (f"build: {self.marker_id}\n" if self.marker_id else "")
        marker_path = self.root / MARKER
        marker_path.unlink(missing_ok=True)  # it may be a link to the old site's marker
        marker_path.write_text(marker, encoding="utf-8")
        os.chmod(marker_path, FILE_MODE)
        if self.in_place:
            return
        large = previous is not None and len(previous) > BACKGROUND_REMOVAL
        if self.out.exists() and _exchange(self.staging, self.out):
            self._unlock()
            _remove(self.staging, large)  # it now holds the previous site
            return
        if self.out.exists():
            held = _try_lock(self.out)  # renamed aside, it stays ours: no other build restores it
            if isinstance(held, int):
                self._locks.append(held)
            self.out.rename(self.old)
        try:
            self.staging.rename(self.out)
        except BaseException:
            if self.old.exists() and not self.out.exists():
                self.old.rename(self.out)
            raise
        self._unlock()
        if self.old.exists():
            _remove(self.old, large)

    def abort(self) -> None:
        pending, self.pending = self.pending, {}
        for temp in pending.values():
            temp.unlink(missing_ok=True)
        if not self.in_place and self.staging.exists():
            remove_tree(self.staging)
        self._unlock()

    def _unlock(self) -> None:
        locks, self._locks = self._locks, []
        for fd in locks:
            os.close(fd)

    def _remove_stale(self, previous: set[str] | None, coming: frozenset[str]) -> None:
        """Every file this build did not write goes, also one added to the site by hand: the
        output folder is the build's, and a cached build must give what a clean one gives.
        (``previous`` is no longer needed: the walk finds them all.) The search index is left
        to the indexer, which replaces it whole."""
        keep = self.written | coming | {MARKER}
        for folder, dirs, files in _walk_bottom_up(self.root, skip=_INDEXER_OWNS):
            for name in files:
                path = Path(folder, name)
                relative = path.relative_to(self.root).as_posix()
                if relative not in keep:
                    path.unlink(missing_ok=True)
            for name in dirs:
                path = Path(folder, name)
                with contextlib.suppress(OSError):
                    if not any(path.iterdir()):
                        path.rmdir()


_INDEXER_OWNS = frozenset({PAGEFIND, f".{PAGEFIND}.new"})  # top-level names: see publish/search.py


FILE_MODE, FOLDER_MODE = 0o644, 0o755  # what a web server expects, whatever the sources' modes


def _make_folders(folder: Path) -> None:
    """``mkdir -p`` with ordinary modes (``mkdir``'s are cut by the umask)."""
    missing: list[Path] = []
    parent = folder
    while not parent.is_dir():
        missing.append(parent)
        parent = parent.parent
    folder.mkdir(parents=True, exist_ok=True)
    for made in missing:
        os.chmod(made, FOLDER_MODE)


def _walk_bottom_up(root: Path, skip: frozenset[str] = frozenset()) -> list[tuple[str, list[str], list[str]]]:
    """``os.walk(root, topdown=False)`` without recursion (Python 3.11's recurses per level);
    the entries of ``root`` named in ``skip`` are left out."""
    order: list[tuple[str, list[str], list[str]]] = []
    pending = [str(root)]
    while pending:
        folder = pending.pop()
        dirs: list[str] = []
        files: list[str] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if skip and folder == str(root) and entry.name in skip:
                        continue
                    (dirs if entry.is_dir(follow_symlinks=False) else files).append(entry.name)
        except OSError:
            continue
        order.append((folder, dirs, files))
        pending.extend(os.path.join(folder, name) for name in dirs)
    return order[::-1]  # every folder after the folders inside it


def _link_tree(source: Path, target: Path) -> bool:
    """``cp -al``: a copy of a folder made of hard links, in one fast call (into ``target``, an
    empty folder that already exists, so that it is locked before anything is put in it)."""
    try:
        done = subprocess.run(
            ["cp", "-al", "--", f"{source}/.", str(target)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except OSError:
        return False
    if done.returncode != 0:
        for entry in list(target.iterdir()):
            if entry.is_dir() and not entry.is_symlink():
                remove_tree(entry)
            else:
                entry.unlink(missing_ok=True)
        return False
    return True


BACKGROUND_REMOVAL = 500  # files: a replaced site larger than this is deleted in the background


def _remove(folder: Path, large: bool) -> None:
    if large:
        remove_later(folder)
    else:
        remove_tree(folder)


def remove_later(folder: Path) -> None:
    """Delete a replaced site without making the user wait: a detached ``rm`` does it.

    The folder is already out of the way (renamed beside the site), so nothing reads it; if
    the process dies first, the next build removes it as a leftover.
    """
    try:
        subprocess.Popen(
            ["rm", "-rf", "--", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        remove_tree(folder)


def remove_tree(folder: Path) -> None:
    """Delete a folder and everything in it, however deep it nests.

    ``shutil.rmtree`` recurses once per level, so a site nested a few thousand folders deep
    raises ``RecursionError`` (and its paths outgrow ``PATH_MAX``); ``rm -rf`` has neither
    limit, and takes over whatever rmtree left.
    """
    with contextlib.suppress(RecursionError):
        shutil.rmtree(folder, ignore_errors=True)
    if os.path.lexists(folder):
        with contextlib.suppress(OSError):
            subprocess.run(
                ["rm", "-rf", "--", str(folder)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,
            )


def clean_leftovers(out: Path) -> None:
    """Remove staging folders of builds that were killed; restore a site stranded mid-swap.

    A build holds an ``flock`` on its folders for as long as it runs, and the kernel drops it
    when the process dies, however it dies. So a folder whose lock can be taken is a leftover,
    even when its PID now belongs to another, unrelated process (PIDs are reused: a leftover
    once stayed forever). Only names of the pattern ``.<out>.building-<digits>`` and
    ``.<out>.previous-<digits>`` beside the output folder are ever touched.
    """
    for kind in ("previous", "building"):
        prefix = f".{out.name}.{kind}-"
        if not out.parent.is_dir():
            return
        for leftover in sorted(p for p in out.parent.iterdir() if p.name.startswith(prefix)):
            pid = leftover.name.removeprefix(prefix)
            if not pid.isdigit():
                continue
            held = _try_lock(leftover)
            if held is HELD:
                continue  # another build is running right now: its folders are its own
            if held is None and int(pid) != os.getpid() and _alive(int(pid)):
                continue  # not a folder we can lock (someone else's?): judged by its PID alone
            try:
                if kind == "previous" and not out.exists() and (leftover / MARKER).is_file():
                    leftover.rename(out)  # killed between the two renames of the fallback swap
                else:
                    remove_tree(leftover)
            finally:
                if isinstance(held, int):
                    os.close(held)


HELD = "held"  # _try_lock's answer when a live process holds the lock


def _try_lock(folder: Path) -> int | str | None:
    """An exclusive flock on ``folder`` (the descriptor to close), or HELD when a live process
    has it, or None when ``folder`` is not a folder that can be opened (a file, a symlink)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return HELD
    return fd


def _make_locked(folder: Path, attempts: int = 5) -> int:
    """Make ``folder`` and lock it (the descriptor to keep open while the build runs).

    Another build cleaning leftovers may lock it in the moment between ``mkdir`` and ``flock``
    and remove it: then we wait for it to finish and make the folder again."""
    for _ in range(attempts):
        folder.mkdir()
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            now = os.stat(folder, follow_symlinks=False)
            mine = os.fstat(fd)
            if (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)
    raise OSError(errno.EBUSY, "another build keeps removing the staging folder", str(folder))


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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def write_marker(out: Path, build_id: str) -> None:
    """Stamp a site rewritten in place with its build (renamed over the old marker: no reader
    sees half of it)."""
    target = out / MARKER
    temp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temp.write_text(MARKER_TEXT + f"build: {build_id}\n", encoding="utf-8")
    os.replace(temp, target)
