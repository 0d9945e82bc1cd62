"""Values as plain JSON, for the build cache: reading one back can build data, never run code.

The cache used to hold pickles, and unpickling a crafted row runs any command: a committed or
restored ``.garden-cache/`` would then own whoever builds. Here a value is written as JSON with
a few tagged forms (tuples, sets, paths, dates, bytes, and dataclasses that a module marks with
:func:`plain`); reading builds only those. A class is found by name only inside the ``garden``
package and only if it was marked, so no row can name another callable. Anything that does not
decode raises :class:`NotPlainData`.
"""

from __future__ import annotations

import base64
import dataclasses
import importlib
import json
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

T = TypeVar("T")

_CLASSES: dict[str, type] = {}  # "module:QualName" -> a dataclass marked with @plain
_FIELDS: dict[type, tuple[str, ...]] = {}


MAX_NODES = 2_000_000  # a row with more values is not cached (it is rebuilt instead)


class NotPlainData(ValueError):
    """A value that cannot be written as plain data, or a row that does not decode."""


def plain(cls: type[T]) -> type[T]:
    """Mark a dataclass as storable in the cache (its fields must be plain data too)."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    _CLASSES[f"{cls.__module__}:{cls.__qualname__}"] = cls
    _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return cls


def dumps(value: Any) -> bytes:
    """``value`` as UTF-8 JSON; :class:`NotPlainData` if it holds anything else."""
    try:
        return json.dumps(_encode(value, [MAX_NODES]), ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "surrogatepass"
        )
    except RecursionError as exc:
        raise NotPlainData("nested too deeply") from exc


def loads(data: bytes | str) -> Any:
    """The value :func:`dumps` wrote; :class:`NotPlainData` for anything else."""
    try:
        return json.loads(data, object_hook=_decode_object)
    except NotPlainData:
        raise
    except (ValueError, TypeError, KeyError, RecursionError, OverflowError) as exc:
        raise NotPlainData(str(exc)) from exc


def _encode(value: Any, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:  # YAML aliases share values: written out, they could be gigabytes
        raise NotPlainData(f"more than {MAX_NODES} values")
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is list:
        return [_encode(item, budget) for item in value]
    if kind is dict:
        if all(type(k) is str and not k.startswith("$") for k in value):
            return {k: _encode(v, budget) for k, v in value.items()}
        return {"$m": [[_encode(k, budget), _encode(v, budget)] for k, v in value.items()]}
    if kind is tuple:
        return {"$t": [_encode(item, budget) for item in value]}
    fields = _FIELDS.get(kind)
    if fields is not None:
        out = {"$c": f"{kind.__module__}:{kind.__qualname__}"}
        for name in fields:
            out[name] = _encode(getattr(value, name), budget)
        return out
    if isinstance(value, Path):
        return {"$p": str(value)}
    if kind is PurePosixPath:
        return {"$pp": str(value)}
    if kind is datetime:
        return {"$dt": value.isoformat()}
    if kind is date:
        return {"$d": value.isoformat()}
    if kind is bytes:
        return {"$b": base64.b64encode(value).decode("ascii")}
    if kind is set or kind is frozenset:
        items = sorted((_encode(item, budget) for item in value), key=repr)
        return {"$s" if kind is set else "$fs": items}
    raise NotPlainData(f"{kind.__name__} is not plain data")


def _class(name: Any) -> type:
    cls = _CLASSES.get(name) if isinstance(name, str) else None
    if cls is None and isinstance(name, str) and name.startswith("garden.") and ":" in name:
        module = name.split(":", 1)[0]
        if all(part.isidentifier() for part in module.split(".")):
            # a module of this package defines (and marks) the class; only marked ones are used
            importlib.import_module(module)
            cls = _CLASSES.get(name)
    if cls is None:
        raise NotPlainData(f"not a class the cache may hold: {name!r}")
    return cls


def _decode_object(obj: dict[str, Any]) -> Any:
    if "$c" in obj:
        cls = _class(obj.pop("$c"))
        fields = _FIELDS[cls]
        if len(obj) != len(fields) or any(name not in obj for name in fields):
            raise NotPlainData(f"{cls.__name__} with other fields than its own")
        value = object.__new__(cls)
        for name in fields:
            object.__setattr__(value, name, obj[name])
        return value
    if len(obj) != 1:
        _check_plain_keys(obj)
        return obj
    ((tag, item),) = obj.items()
    if not tag.startswith("$"):
        return obj
    if tag == "$t":
        return tuple(_list(item))
    if tag == "$m":
        return {_hashable(k): v for k, v in (_pair(pair) for pair in _list(item))}
    if tag == "$p":
        return Path(_str(item))
    if tag == "$pp":
        return PurePosixPath(_str(item))
    if tag == "$dt":
        return datetime.fromisoformat(_str(item))
    if tag == "$d":
        return date.fromisoformat(_str(item))
    if tag == "$b":
        return base64.b64decode(_str(item), validate=True)
    if tag == "$s":
        return {_hashable(x) for x in _list(item)}
    if tag == "$fs":
        return frozenset(_hashable(x) for x in _list(item))
    raise NotPlainData(f"unknown tag {tag!r}")


def _check_plain_keys(obj: dict[str, Any]) -> None:
    for key in obj:
        if key.startswith("$"):
            raise NotPlainData(f"unexpected key {key!r}")


def _list(item: Any) -> list[Any]:
    if type(item) is not list:
        raise NotPlainData("expected a list")
    return item


def _str(item: Any) -> str:
    if type(item) is not str:
        raise NotPlainData("expected a string")
    return item


def _pair(pair: Any) -> tuple[Any, Any]:
    if type(pair) is not list or len(pair) != 2:
        raise NotPlainData("expected a key and a value")
    return pair[0], pair[1]


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError as exc:
        raise NotPlainData("a key that cannot be hashed") from exc
    return key
