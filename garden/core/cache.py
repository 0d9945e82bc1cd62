"""The persistent build cache (``.garden-cache/``): compiled notes, bodies, figures, last build.

One SQLite file (standard library, one fast query to load every note's metadata, cheap single
row updates). The cache never changes the result, only how fast it comes: every entry is keyed
by a hash of its inputs, and anything unreadable (corrupt, or from another version) is ignored
with a warning and rebuilt. Values are plain JSON data (``plaindata``), never pickles: a cache
folder restored from elsewhere, or committed by someone else, can hold wrong data but cannot
run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle  # only to fingerprint (dumps): nothing is ever unpickled
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from garden.core import plaindata
from garden.core.plaindata import plain
from garden.core.problems import Problem, Problems

CACHE_FORMAT = 6  # 6: plain JSON values instead of pickles, citations, labels, list items
KINDS = ("notes", "html", "figures", "named", "bibrefs")  # bibrefs: formatted works (markdown/references.py)


@plain
@dataclass
class IndexEntry:
    """What the last build knew of one note file, to skip reading it when it has not changed."""

    size: int
    mtime_ns: int
    key: str
    macros: str  # fingerprint of the math macros the key was made with: they are part of it


@plain
@dataclass
class Manifest:
    """The last successful build: its inputs, its pages' fingerprints, what it reported."""

    build_id: str = ""
    inputs: str = ""  # fingerprint of every input; equal means nothing changed
    out_dir: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # output path -> fingerprint
    problems: list[Problem] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


class Cache:
    """A key-value store of plain data; ``Cache(None)`` remembers nothing (``--no-cache``)."""

    def __init__(self, folder: Path | None, problems: Problems) -> None:
        self.folder = folder
        self.problems = problems
        self._db: sqlite3.Connection | None = None
        self._broken = folder is None
        self._dropped = False  # a row did not decode (and the build was told)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _connect(self, create: bool = True) -> sqlite3.Connection | None:
        """The database; for reads (``create=False``) only if it already exists: looking
        into an empty cache must not make one (a refused build touches nothing)."""
        if self._db is not None or self._broken:
            return self._db
        assert self.folder is not None
        path = self.folder / f"cache-v{CACHE_FORMAT}.sqlite"
        if not create and not path.exists():
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            for kind in KINDS:
                db.execute(f"CREATE TABLE IF NOT EXISTS {kind} (key TEXT PRIMARY KEY, value BLOB)")
            db.execute("SELECT count(*) FROM notes").fetchone()
        except (sqlite3.Error, OSError) as exc:
            self._fail(path, exc)
            return None
        self._db = db
        return db

    def _fail(self, where: Path, exc: Exception) -> None:
        if not self._broken:
            self.problems.warning(
                where, 0, f"ignoring the build cache ({exc}); building without it", "delete .garden-cache/"
            )
        self._broken = True
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        # an unreadable database file is moved aside so the next build starts a fresh one
        if self.folder is not None and isinstance(exc, sqlite3.DatabaseError):
            path = self.folder / f"cache-v{CACHE_FORMAT}.sqlite"
            with contextlib.suppress(OSError):
                path.rename(path.with_name(path.name + ".corrupt"))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # ------------------------------------------------------------------ values

    def load(self, kind: str, key: str) -> Any:
        """The stored object, or None when absent or unreadable."""
        db = self._connect(create=False)
        if db is None:
            return None
        try:
            row = db.execute(f"SELECT value FROM {kind} WHERE key = ?", (key,)).fetchone()
        except Exception as exc:  # a corrupt cache must never fail the build
            self._fail(self.folder or Path("."), exc)
            return None
        return self._decode(row[0]) if row else None

    def load_many(self, kind: str, keys: list[str]) -> dict[str, Any]:
        db = self._connect(create=False)
        found: dict[str, Any] = {}
        if db is None or not keys:
            return found
        try:
            for start in range(0, len(keys), 900):
                chunk = keys[start : start + 900]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT key, value FROM {kind} WHERE key IN ({marks})", chunk).fetchall()
                for key, value in rows:
                    decoded = self._decode(value)
                    if decoded is not None:
                        found[key] = decoded
        except Exception as exc:
            self._fail(self.folder or Path("."), exc)
            return {}
        return found

    def _decode(self, value: Any) -> Any:
        """A row's value; None (as if it were absent) for one that is not plain data of the
        right types, so it is built again and the row replaced. One warning per build."""
        try:
            return plaindata.loads(value)
        except plaindata.NotPlainData as exc:
            self.drop(str(exc))
            return None

    def drop(self, reason: str) -> None:
        """Say (once a build) that rows were not what they should be: they are built again."""
        if not self._dropped:
            self._dropped = True
            self.problems.warning(
                self.folder or Path("."),
                0,
                f"ignoring the build cache's rows that do not fit ({reason}); they are built again",
                "delete .garden-cache/ if this comes back",
            )

    def store(self, kind: str, key: str, value: Any) -> None:
        self.store_many(kind, {key: value})

    def store_many(self, kind: str, values: dict[str, Any]) -> None:
        db = self._connect()
        if db is None or not values:
            return
        rows = []
        for key, value in values.items():
            try:
                rows.append((key, plaindata.dumps(value)))
            except plaindata.NotPlainData:
                continue  # not cacheable: it is simply computed again next time
        try:
            db.execute("BEGIN")
            db.executemany(f"INSERT OR REPLACE INTO {kind} (key, value) VALUES (?, ?)", rows)
            db.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            self._fail(self.folder or Path("."), exc)

    def prune(self, kind: str, keep: set[str]) -> None:
        """Forget entries no longer used (run rarely: only when many are stale)."""
        db = self._connect()
        if db is None:
            return
        try:
            stale = [k for (k,) in db.execute(f"SELECT key FROM {kind}") if k not in keep]
            if len(stale) > max(1000, len(keep)):
                db.execute("BEGIN")
                db.executemany(f"DELETE FROM {kind} WHERE key = ?", [(k,) for k in stale])
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._fail(self.folder or Path("."), exc)

    # ------------------------------------------------------------------ named values

    def load_named(self, name: str) -> Any:
        return self.load("named", name)

    def store_named(self, name: str, value: Any) -> None:
        self.store("named", name, value)

    def manifest(self) -> Manifest:
        value = self.load_named("manifest")
        return value if isinstance(value, Manifest) else Manifest()


# Bump when a compiled note's shape or the HTML we generate changes: old entries are ignored.
# 6: math delimiters, heading and block ids, titles, citations, equations, theorems;
# 7: a body's `#` headings shown one level down; raw HTML's site-absolute href/src are links;
#    a heading's citations kept (as placeholders) for the table of contents; row labels on rows;
#    code binds tighter than the $$ pre-pass; block links' text is plain; lost $$ in raw HTML
# 8: raw HTML's srcset, poster, data, action and CSS url(/…) are links too (markdown/rawlinks.py)
COMPILER_VERSION = "8"


def content_key(data: bytes, path: Path, macros_key: str) -> str:
    """Cache key of a note: its bytes, where it is (its URL and messages depend on it), the
    working folder (messages show paths relative to it), the math macros, the compiler."""
    digest = hashlib.blake2b(data, digest_size=16)
    digest.update(f"\x00{path.absolute()}\x00{Path.cwd()}\x00".encode("utf-8", "surrogatepass"))
    digest.update(macros_key.encode())
    digest.update(COMPILER_VERSION.encode())
    return digest.hexdigest()


def compile_context(math: Any, notes_dir: Path, options: dict[str, str] | None = None) -> str:
    """What a compiled note depends on besides its file: the math (``Config.math_key``), the notes folder
    (its path under that folder is its URL) and the compile options (``Config.compile_options``,
    such as theorem numbering). Part of every note's key, and of the index's entries, so another
    notes root or another setting never finds a note compiled under this one."""
    return fingerprint(math, str(notes_dir), sorted((options or {}).items()))


def fingerprint(*parts: Any) -> str:
    """A short hash of plain data (via pickle: fast, and exact for the types we use)."""
    try:
        data = pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        data = repr(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()
