"""Control characters: never printed raw on a terminal, never passed into HTML.

A file name can hold ``\\x1b]0;…\\x07\\x1b[2J`` (retitle and clear the terminal), and YAML's
escapes (``"\\e"``, ``"\\x07"``) put the same into titles. Printed, such text is shown as
escapes; as data it is replaced by U+FFFD.
"""

from __future__ import annotations

import re
from typing import Any

# C0 (but tab and newline), DEL and C1: what a terminal acts on, and what HTML does not allow
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str, newlines: bool = False) -> str:
    """``text`` safe to print: each control character as an escape such as ``\\x1b``."""
    pattern = _CONTROL if newlines else _CONTROL_OR_NEWLINE
    if not pattern.search(text):
        return text
    return pattern.sub(lambda match: repr(match.group())[1:-1], text)


def has_controls(value: Any, _seen: set[int] | None = None) -> bool:
    """Whether plain data (strings, lists, mappings) holds a control character anywhere.

    Each list or mapping is looked at once: YAML aliases share them, and a "billion laughs"
    document must not be walked a billion times."""
    if isinstance(value, str):
        return _CONTROL.search(value) is not None
    if not isinstance(value, dict | list | tuple):
        return False
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return False
    seen.add(id(value))
    items = [x for pair in value.items() for x in pair] if isinstance(value, dict) else value
    return any(has_controls(item, seen) for item in items)


def without_controls(value: Any, _done: dict[int, Any] | None = None) -> Any:
    """Plain data with every control character in its strings replaced by U+FFFD (a list or
    mapping that aliases share is cleaned once and stays shared)."""
    if isinstance(value, str):
        return _CONTROL.sub("\ufffd", value)
    if not isinstance(value, dict | list):
        return value
    done = {} if _done is None else _done
    if id(value) in done:
        return done[id(value)]
    if isinstance(value, dict):
        cleaned: Any = {}
        done[id(value)] = cleaned
        for key, item in value.items():
            cleaned[without_controls(key, done)] = without_controls(item, done)
    else:
        cleaned = []
        done[id(value)] = cleaned
        cleaned.extend(without_controls(item, done) for item in value)
    return cleaned
