"""Values as plain JSON, for the build cache: reading one back can build data, never run code.

The cache used to hold pickles, and unpickling a crafted row runs any command: a committed or
restored ``.garden-cache/`` would then own whoever builds. Here a value is written as JSON with
a few tagged forms (tuples, sets, paths, dates, bytes, and dataclasses that a module marks with
:func:`plain`); reading builds only those. A class is found by name only inside the ``garden``
package and only if it was marked, so no row can name another callable. Anything that does not
decode raises :class:`NotPlainData`.

Each field of a decoded dataclass must also fit its annotation (``str``, ``int``, ``list[Heading]``,
``date | None``, ``tuple[CiteItem, ...]``…): a crafted row could otherwise hand the build a number
where it expects text and end in a traceback, or quietly wrong pages.
"""

from __future__ import annotations

import base64
import dataclasses
import importlib
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

T = TypeVar("T")

_CLASSES: dict[str, type] = {}  # "module:QualName" -> a dataclass marked with @plain
_FIELDS: dict[type, tuple[str, ...]] = {}
_HINTS: dict[type, dict[str, Any]] = {}  # a marked class's field annotations, resolved when first needed


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
        checks = _FIELD_CHECKS.get(cls) or _field_checks(cls)
        if len(obj) != len(checks) or any(name not in obj for name, _ in checks):
            raise NotPlainData(f"{cls.__name__} with other fields than its own")
        value = object.__new__(cls)
        for name, check in checks:
            item = obj[name]
            if not check(item):
                raise NotPlainData(f"{cls.__name__}.{name} is not {_shown(field_types(cls)[name])}")
            object.__setattr__(value, name, item)
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


def field_types(cls: type) -> dict[str, Any]:
    """The annotations of a marked class's fields, resolved (the modules use postponed
    annotations, so they are strings until asked for)."""
    hints = _HINTS.get(cls)
    if hints is None:
        try:
            resolved = typing.get_type_hints(cls)
        except Exception as exc:  # a name only imported for type checking: a bug, found by a test
            raise NotPlainData(f"the fields of {cls.__name__} cannot be checked: {exc}") from exc
        hints = _HINTS[cls] = {name: resolved[name] for name in _FIELDS[cls]}
    return hints


def _field_checks(cls: type) -> tuple[tuple[str, Check], ...]:
    """Each field of a marked class with the check of its annotation, made once per class (a
    cached build decodes tens of thousands of these)."""
    hints = field_types(cls)
    checks = _FIELD_CHECKS[cls] = tuple((name, _checker(hints[name])) for name in _FIELDS[cls])
    return checks


def fits(value: Any, hint: Any) -> bool:
    """Whether a decoded ``value`` is of the annotated type ``hint`` (items of containers too)."""
    return _checker(hint)(value)


Check = Callable[[Any], bool]
_CHECKERS: dict[Any, Check] = {}
_FIELD_CHECKS: dict[type, tuple[tuple[str, Check], ...]] = {}


def _checker(hint: Any) -> Check:
    """A function telling whether a value is of type ``hint``, made once per annotation (a
    cold build decodes every note: checking must cost little next to decoding)."""
    check = _CHECKERS.get(hint)
    if check is None:
        check = _CHECKERS[hint] = _make_checker(hint)
    return check


def _make_checker(hint: Any) -> Check:
    if hint is Any:
        return lambda value: True
    if hint is None or hint is type(None):
        return lambda value: value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        arms = [_checker(arm) for arm in args]
        return lambda value: any(arm(value) for arm in arms)
    if origin is typing.Literal:
        return lambda value: any(type(value) is type(arm) and value == arm for arm in args)
    if origin is None:
        return _class_checker(hint)
    if origin in (list, set, frozenset) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        item = _checker(args[0]) if args else None
        return lambda value: type(value) is origin and (item is None or all(map(item, value)))
    if origin is tuple:
        items = [_checker(arg) for arg in args]
        return lambda value: (
            type(value) is tuple
            and (
                not items
                or (len(value) == len(items) and all(c(v) for c, v in zip(items, value, strict=True)))
            )
        )
    if origin is dict:
        key, item = (_checker(args[0]), _checker(args[1])) if args else (None, None)
        return lambda value: (
            type(value) is dict
            and (key is None or (all(map(key, value.keys())) and all(map(item, value.values()))))
        )
    return lambda value: False  # an annotation this module cannot check: never trusted


def _class_checker(hint: Any) -> Check:
    if hint is int:
        return lambda value: type(value) is int  # not a bool
    if hint is float:
        return lambda value: type(value) is float or type(value) is int  # 1 is a float's value too
    if hint is date:
        return lambda value: type(value) is date or type(value) is datetime
    if hint is Path or hint is PurePosixPath:
        return lambda value: isinstance(value, hint)  # Path(...) is a PosixPath here
    if hint in _EXACT or hint in _FIELDS or hint in (datetime, list, dict, tuple, set, frozenset):
        # a marked class was checked field by field as it was decoded
        return lambda value: type(value) is hint
    return lambda value: False


_EXACT = (str, bool, bytes)


def _shown(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
