"""The persistent build cache (``.garden-cache/``): compiled notes, figures and the last build.

The cache never changes the result, only how fast it comes: every entry is keyed by a hash of
its inputs, and anything unreadable (corrupt, or written by another version) is ignored with a
warning and rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .problems import Problems

CACHE_FORMAT = 1


@dataclass
class IndexEntry:
    """What the last build knew of one note file, to skip reading it when it has not changed."""

    size: int
    mtime_ns: int
    key: str


@dataclass
class Manifest:
    """The last successful build: its inputs, its pages' fingerprints, what it reported."""

    build_id: str = ""
    inputs: str = ""  # fingerprint of every input; equal means nothing changed
    out_dir: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # output path -> fingerprint
    problems: list[Any] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


class Cache:
    """A folder of pickles; ``Cache(None)`` is a cache that remembers nothing (``--no-cache``)."""

    def __init__(self, folder: Path | None, problems: Problems) -> None:
        self.folder = folder
        self.problems = problems
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    # ------------------------------------------------------------------ low level

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / key[:2] / f"{key}.pickle"

    def load(self, kind: str, key: str) -> Any:
        """The stored object, or None when absent or unreadable."""
        if self.folder is None:
            return None
        path = self._path(kind, key)
        try:
            with path.open("rb") as handle:
                stored = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:
            self._corrupt(path)
            return None
        if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != CACHE_FORMAT:
            return None
        return stored[1]

    def store(self, kind: str, key: str, value: Any) -> None:
        if self.folder is None:
            return
        self._write(self._path(kind, key), (CACHE_FORMAT, value))

    def _write(self, path: Path, value: Any) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, path)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                self.problems.warning(
                    path.parent, 0, f"cannot write the cache: {exc.strerror}", "builds stay correct"
                )

    def _corrupt(self, path: Path) -> None:
        if not self._warned:
            self._warned = True
            self.problems.warning(
                path,
                0,
                "ignoring an unreadable cache entry; it is rebuilt",
                "delete .garden-cache/ if this repeats",
            )

    # ------------------------------------------------------------------ named files

    def load_named(self, name: str) -> Any:
        if self.folder is None:
            return None
        path = self.folder / f"{name}.pickle"
        try:
            with path.open("rb") as handle:
                stored = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:
            self._corrupt(path)
            return None
        if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != CACHE_FORMAT:
            return None
        return stored[1]

    def store_named(self, name: str, value: Any) -> None:
        if self.folder is not None:
            self._write(self.folder / f"{name}.pickle", (CACHE_FORMAT, value))

    # ------------------------------------------------------------------ typed helpers

    def index(self) -> dict[str, IndexEntry]:
        value = self.load_named("index")
        return value if isinstance(value, dict) else {}

    def manifest(self) -> Manifest:
        value = self.load_named("manifest")
        return value if isinstance(value, Manifest) else Manifest()


def fingerprint(*parts: Any) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()
