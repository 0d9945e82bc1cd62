"""YAML loading that reports where a document is wrong, as a line number."""

from __future__ import annotations

from typing import Any

import yaml

_RESOLVERS = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as the strings the writer typed.

    Dates are validated and parsed by us, so '2024-13-45' is a clear problem, not a crash.
    This pure-Python loader also words errors the same on every machine.
    """


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same, with libyaml when PyYAML has it (about ten times faster)."""


_Loader.yaml_implicit_resolvers = _RESOLVERS
_FastLoader.yaml_implicit_resolvers = _RESOLVERS


MAX_DEPTH = 100  # deeper front-matter is not data anyone meant to write


def _depth(data: Any) -> int:
    """How deeply lists and mappings nest (without recursion: the data may be very deep).

    Each container is visited once: aliases share one object, and walking every path through
    a "billion laughs" document would take forever.
    """
    deepest, stack, seen = 0, [(data, 1)], set()
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list) and id(item) not in seen:
            seen.add(id(item))
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class YamlError(Exception):
    def __init__(self, line: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


def load_yaml(text: str) -> Any:
    """Parse YAML text; raise YamlError with a 1-based line within ``text``."""
    try:
        data = yaml.load(text, Loader=_FastLoader)
    except (yaml.YAMLError, RecursionError):
        pass  # parse again with the pure-Python loader: the same message on every machine
    else:
        if _depth(data) > MAX_DEPTH:
            raise YamlError(1, "invalid YAML: nested too deeply", "simplify the YAML")
        return data
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        hint = "check quotes, colons and indentation"
        opened = str(exc.context or "").startswith(("while scanning a quoted", "while parsing a flow"))
        if opened and exc.context_mark is not None:
            mark = exc.context_mark  # point at the quote or bracket that is never closed, not at the end
            hint = "a quote or bracket opened on this line is not closed"
        elif mark is not None and exc.context_mark is not None and mark.index >= len(text.rstrip()):
            mark = exc.context_mark  # "unexpected end": point at what was left open
        line = mark.line + 1 if mark else 1
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        if ("\t" in text and "tab" in str(exc).lower()) or "found character '\\t'" in str(exc):
            hint = "YAML does not allow tabs for indentation: indent with spaces"
        return_error = YamlError(line, f"invalid YAML: {problem}{context}", hint)
        raise return_error from None
    except yaml.YAMLError as exc:
        raise YamlError(1, f"invalid YAML: {exc}", "check the YAML syntax") from None
    except RecursionError:
        raise YamlError(1, "invalid YAML: nested too deeply", "simplify the YAML") from None
