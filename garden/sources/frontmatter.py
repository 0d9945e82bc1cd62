"""Front-matter as writers type it: the ``---`` block, where each key is, dates in the forms
people use, and lists written as lists or as comma-separated text."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:")


def split_front_matter(text: str) -> tuple[str | None, str, int, int | None]:
    """(front-matter text, body, body start line, line of an unclosed fence or None)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text, 1, None
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2, None
    return None, text, 1, 1


def key_lines(front_matter: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Line (1-based, in the file) of each top-level key, and keys set a second time."""
    result: dict[str, int] = {}
    repeated: list[tuple[str, int]] = []
    for index, line in enumerate(front_matter.split("\n")):
        match = _KEY_LINE.match(line)
        if match and match.group(1) not in result:
            result[match.group(1)] = index + 2
        elif match:
            repeated.append((match.group(1), index + 2))
    return result, repeated


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
)


def parse_date(value: Any) -> date | None:
    """A date from the forms writers use; None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def string_list(value: Any) -> list[str] | None:
    """A list of strings from a string (comma separated) or a flat list; None if neither."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list):
        items: list[str] = []
        for item in value:
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                if str(item).strip():
                    items.append(str(item).strip())
            elif item is None:
                continue
            else:
                return None
        return items
    return None
