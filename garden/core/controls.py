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


def has_controls(value: Any) -> bool:
    """Whether plain data (strings, lists, mappings) holds a control character anywhere."""
    if isinstance(value, str):
        return _CONTROL.search(value) is not None
    if isinstance(value, dict):
        return any(has_controls(k) or has_controls(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_controls(item) for item in value)
    return False


def without_controls(value: Any) -> Any:
    """Plain data with every control character in its strings replaced by U+FFFD."""
    if isinstance(value, str):
        return _CONTROL.sub("\ufffd", value)
    if isinstance(value, dict):
        return {without_controls(k): without_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_controls(item) for item in value]
    return value
