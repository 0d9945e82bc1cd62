"""Where a site-absolute address can sit in raw HTML: which attributes hold one, the URLs of a
``srcset`` (its width or density descriptors apart), and CSS ``url(…)``/``@import "…"``.

Plain string work, shared by the build (``markdown/rawlinks.py`` rewrites them for the base
path) and ``garden import`` (``sources/importing/sveltekit.py`` reports those the garden will
not have), so both read raw HTML the same way.
"""

from __future__ import annotations

import re

# Every attribute of an opening tag (name, then an optional value in any of HTML's three forms),
# so that text inside another attribute's value is never taken for an attribute.
ATTRIBUTE = re.compile(
    r"""(?P<lead>\s(?P<name>[^\s"'>/=]+)\s*=\s*)(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s"'=<>`]+))"""
)
LINK_ATTRIBUTES = frozenset({"href", "xlink:href", "action", "formaction"})  # a page, or a file
SOURCE_ATTRIBUTES = frozenset({"src", "poster", "data"})  # a file the page shows or plays
SRCSET_ATTRIBUTES = frozenset({"srcset"})
STYLE_ATTRIBUTES = frozenset({"style"})

_CSS_ADDRESS = re.compile(
    r"""\burl\(\s*(?:"(?P<double>[^"\n]*)"|'(?P<single>[^'\n]*)'|(?P<bare>[^\s"'()\\]*))\s*\)"""
    r"""|@import\s+(?:"(?P<idouble>[^"\n]*)"|'(?P<isingle>[^'\n]*)')""",
    re.IGNORECASE,
)
_SPACE = " \t\n\r\f"


def site_absolute(value: str) -> bool:
    """``/x`` is an address on this site; ``//host/x`` is another site's."""
    return value.startswith("/") and not value.startswith("//")


def attribute_value(match: re.Match[str]) -> str:
    """The value of an ``ATTRIBUTE`` match as written (entities not decoded)."""
    for group in ("double", "single", "bare"):
        if match.group(group) is not None:
            return match.group(group)
    return ""


def srcset_urls(value: str) -> list[tuple[int, int]]:
    """Where each candidate's URL is in a ``srcset`` value, read as HTML does: a URL runs to
    the next space (trailing commas end the candidate), descriptors run to the next comma."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i] in _SPACE or value[i] == ","):
            i += 1
        if i >= n:
            break
        start = i
        while i < n and value[i] not in _SPACE:
            i += 1
        url = value[start:i]
        if url.endswith(","):
            spans.append((start, start + len(url.rstrip(","))))
            continue
        spans.append((start, i))
        depth = 0
        while i < n:
            char = value[i]
            i += 1
            if char == "(":
                depth += 1
            elif char == ")" and depth:
                depth -= 1
            elif char == "," and not depth:
                break
    return spans


def css_urls(text: str) -> list[tuple[int, int]]:
    """Where each address of CSS text is: inside ``url(…)`` (quoted or not) and ``@import "…"``."""
    spans = []
    for match in _CSS_ADDRESS.finditer(text):
        for group in ("double", "single", "bare", "idouble", "isingle"):
            if match.group(group) is not None:
                spans.append(match.span(group))
                break
    return spans
