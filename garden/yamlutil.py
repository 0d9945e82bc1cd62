"""YAML loading that reports where a document is wrong, as a line number."""

from __future__ import annotations

from typing import Any

import yaml


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as the strings the writer typed.

    Dates are validated and parsed by us, so '2024-13-45' is a clear problem, not a crash.
    """


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlError(Exception):
    def __init__(self, line: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


def load_yaml(text: str) -> Any:
    """Parse YAML text; raise YamlError with a 1-based line within ``text``."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        hint = "check quotes, colons and indentation"
        opened = str(exc.context or "").startswith(("while scanning a quoted", "while parsing a flow"))
        if opened and exc.context_mark is not None:
            mark = exc.context_mark  # point at the quote or bracket that is never closed, not at the end
            hint = "a quote or bracket opened on this line is not closed"
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
