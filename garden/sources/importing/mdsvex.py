"""An mdsvex page (Markdown with Svelte in it) made plain Markdown.

- ``<script>`` and ``<style>`` blocks are removed: the garden's pages run no Svelte.
- Math components (``<Math latex={'\\frac{a}{b}'} />``, ``<Katex math="…" display />``,
  ``<BlockMath>…</BlockMath>``…) become ``$…$`` or ``$$…$$``, their JavaScript strings decoded
  as the browser did.
- Other components are left out of the page (the text between their tags is kept) and
  reported with their line, as are Svelte blocks (``{#if}``…). Event handlers on raw HTML
  elements (``onclick``) are dropped and reported; the build itself gives raw HTML's
  site-absolute ``href``/``src``/``srcset``/``poster``/``data``/``action`` and CSS ``url()``
  the base path (``markdown/rawlinks.py``).
- Inside ``<details>``, ``<div>``, ``<main>``… (and in a component's kept text), indentation
  that would make Markdown a code block is removed.

Nothing inside code (fenced or inline) is touched.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

MATH_COMPONENTS = {"math", "katex", "tex", "latex", "inlinemath", "blockmath", "displaymath", "mathblock"}
DISPLAY_COMPONENTS = {"blockmath", "displaymath", "mathblock"}
FORMULA_ATTRIBUTES = ("latex", "math", "formula", "tex", "expression", "expr", "value")
DISPLAY_ATTRIBUTES = ("display", "displaymode", "block", "displaystyle")

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_INTERESTING = re.compile(r"[`<{]")
_BLOCK = re.compile(r"<(script|style)\b[^>]*>", re.IGNORECASE)
_COMPONENT = re.compile(r"<([A-Z][\w.]*|svelte:[\w-]+)(?=[\s/>])")
_ATTRIBUTE_NAME = re.compile(r"[^\s=/>{}\"']+")
_SVELTE_BLOCK = re.compile(r"\{[#:/@]\w*")
_RAW_TAG = re.compile(r"<[a-z][\w-]*\s[^<>]*>")  # an HTML element's opening tag with attributes
_HANDLER = re.compile(r"""\s+on:?[a-z][\w|-]*\s*=\s*(?:"[^"]*"|'[^']*'|\{[^{}]*\}|[^\s"'=<>`]+)""", re.I)
_CONTAINERS = "details|div|main|section|article|aside|figure|center|header|footer|nav"
_CONTAINER_OPEN = re.compile(rf"<(?:{_CONTAINERS})\b(?![^>]*/>)", re.IGNORECASE)
_CONTAINER_CLOSE = re.compile(rf"</(?:{_CONTAINERS})\s*>", re.IGNORECASE)
_IMG_LINE = re.compile(r"^\s*<img\b((?:\s+[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>\s*$", re.I)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_IMG_KEPT = {"src", "alt", "title", "width", "height", "class", "style", "loading"}
_ANCHOR = re.compile(r"""<a\s+href=(["'])(/(?!/)[^"'<>]*)\1\s*>([^<>]*)</a>""", re.I)
_HTML_BLOCK_START = re.compile(
    r"^ {0,3}</?(?:address|article|aside|blockquote|center|details|dialog|div|dl|fieldset|figcaption|"
    r"figure|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|section|summary|table|tbody|td|th|thead|tr|ul)"
    r"(?:\s|/?>|$)",
    re.I,
)
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")
_SUMMARY_LINE = re.compile(
    r"^\s*(<details\b[^>]*>\s*)?<summary\b.*</summary>\s*$|^\s*<details\b[^>]*>\s*$", re.I
)


@dataclass
class Converted:
    """The page as Markdown, what was changed (counted), and what is left for the author."""

    text: str
    changes: Counter[str] = field(default_factory=Counter)
    left: list[tuple[int, str]] = field(default_factory=list)  # (line in the body, 1-based; message)


@dataclass
class _Tag:
    name: str
    attributes: dict[str, tuple[str, str]]  # name -> (kind: "text" | "expr" | "flag", value)
    self_closing: bool
    end: int  # index just after the tag


def convert_mdsvex(body: str) -> Converted:
    """Convert the body of an mdsvex page (its front-matter already taken off)."""
    result = Converted("")
    text = _Scanner(body, result).run(0, len(body))
    text = _details(text, result)
    text = _without_handlers(_raw_html(text, result), body, result)
    result.text = text
    return result


def _without_handlers(text: str, body: str, result: Converted) -> str:
    """Event handlers on raw HTML elements (``onclick="zoom()"``, Svelte's ``on:click={…}``) call
    the old site's scripts, which are not imported: dropped, each reported with its line. The
    other attributes stay; the build gives their site-absolute addresses the base path."""
    lines = text.split("\n")
    fenced = _fence_lines(lines)

    def tag(match: re.Match[str], number: int) -> str:
        handlers = [h.strip() for h in _HANDLER.findall(match.group(0))]
        for handler in handlers:
            result.left.append(
                (
                    _line_in(body, handler, number),
                    f"event handler {handler[:60]} dropped: the old site's scripts are not imported",
                )
            )
        result.changes["event handlers dropped from raw HTML"] += len(handlers)
        return _HANDLER.sub("", match.group(0))

    for index, line in enumerate(lines):
        if index not in fenced and "on" in line:
            lines[index] = sub_outside_code(_RAW_TAG, line, lambda m, n=index + 1: tag(m, n))
    return "\n".join(lines)


def sub_outside_code(pattern: re.Pattern[str], line: str, replace: Callable[[re.Match[str]], str]) -> str:
    """``pattern.sub(replace, line)``, leaving matches inside inline code spans as written."""
    code = code_spans(line)
    return pattern.sub(lambda m: m.group(0) if any(a <= m.start() < b for a, b in code) else replace(m), line)


_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")


def code_spans(line: str) -> list[tuple[int, int]]:
    """Where the inline code spans of one line are (start, end)."""
    return [match.span() for match in _CODE_SPAN.finditer(line)]


def _raw_html(text: str, result: Converted) -> str:
    """Raw ``<img src="/…">`` alone on its line and ``<a href="/…">text</a>`` in Markdown text
    made Markdown, so that the site's base URL reaches them (raw HTML is passed on as it is)."""
    lines = text.split("\n")
    fenced = _fence_lines(lines)
    out: list[str] = []
    in_block = False
    for index, line in enumerate(lines):
        if index in fenced:
            out.append(line)
            continue
        if not line.strip():
            in_block = False
        elif not in_block and _HTML_BLOCK_START.match(line):
            in_block = True
        image = _IMG_LINE.match(line)
        if image:
            found = _ATTRIBUTE.findall(image.group(1))
            attributes = {key.lower(): one or two for key, one, two in found}
            src = attributes.get("src", "")
            if src.startswith("/") and not src.startswith("//") and set(attributes) <= _IMG_KEPT:
                title = attributes.get("title", "").replace('"', "'")
                shown = f' "{title}"' if title else ""
                markdown = f"![{_label(attributes.get('alt', ''))}]({src}{shown})"
                dropped = sorted(set(attributes) & {"width", "height", "class", "style"})
                what = "raw <img> made a Markdown image"
                result.changes[what + (f" ({', '.join(dropped)} dropped)" if dropped else "")] += 1
                if in_block:  # a blank line before and after: out of the HTML block, into Markdown
                    out += ["", markdown, ""]
                    in_block = False
                else:
                    out.append(markdown)
                continue
        if not in_block and "<a" in line:
            line, count = _ANCHOR.subn(lambda m: f"[{_label(m.group(3))}]({m.group(2)})", line)
            if count:
                result.changes["raw <a> made a Markdown link"] += count
        out.append(line)
    return "\n".join(out)


def _label(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def _line_in(body: str, snippet: str, fallback: int) -> int:
    index = body.find(snippet)
    return body.count("\n", 0, index) + 1 if index >= 0 else fallback


class _Scanner:
    """One pass over the text: code is copied as it is, Svelte is converted or removed."""

    def __init__(self, text: str, result: Converted) -> None:
        self.text = text
        self.result = result
        self.fences = _fenced_spans(text)

    def line(self, index: int) -> int:
        return self.text.count("\n", 0, index) + 1

    def run(self, start: int, stop: int) -> str:
        text, out, i = self.text, [], start
        reported_blocks: set[int] = set()
        while i < stop:
            fence_end = self.fences.get(i)
            if fence_end is not None:
                out.append(text[i:fence_end])
                i = fence_end
                continue
            found = _INTERESTING.search(text, i, stop)
            next_fence = min((s for s in self.fences if i <= s < stop), default=stop)
            if found is None or found.start() > next_fence:
                out.append(text[i:next_fence])
                i = next_fence
                continue
            out.append(text[i : found.start()])
            i = found.start()
            char = text[i]
            if char == "`":
                run = re.match(r"`+", text[i:stop])
                assert run is not None
                ticks = run.group(0)
                close = text.find(ticks, i + len(ticks), stop)
                end = close + len(ticks) if close >= 0 else i + len(ticks)
                out.append(text[i:end])
                i = end
            elif char == "{":
                if _SVELTE_BLOCK.match(text, i) and self.line(i) not in reported_blocks:
                    reported_blocks.add(self.line(i))
                    self.result.left.append(
                        (
                            self.line(i),
                            "Svelte block syntax ({#if}, {#each}, {@html}…) left as text: rewrite it",
                        )
                    )
                out.append(char)
                i += 1
            else:
                i = self.angle(i, stop, out)
        return "".join(out)

    def angle(self, i: int, stop: int, out: list[str]) -> int:
        """At a ``<``: a script or style block, a component, or plain text."""
        text = self.text
        block = _BLOCK.match(text, i)
        if block is not None:
            name = block.group(1).lower()
            close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(text, block.end(), stop)
            end = close.end() if close else stop
            self.result.changes[f"<{name}> block removed"] += 1
            return _drop(text, i, end, out)
        component = _COMPONENT.match(text, i)
        if component is None:
            out.append("<")
            return i + 1
        tag = _parse_tag(text, i, component.group(1), stop)
        if tag is None:
            out.append("<")
            return i + 1
        inner_start, inner_end, end = tag.end, tag.end, tag.end
        if not tag.self_closing:
            closing = _closing(text, tag.name, tag.end, stop)
            if closing is None:
                self.result.left.append((self.line(i), f"<{tag.name}> is never closed: left as it was"))
                out.append(text[i : tag.end])
                return tag.end
            inner_end, end = closing
        if tag.name.lower() in MATH_COMPONENTS and not tag.name.startswith("svelte:"):
            formula = _formula(tag, text[inner_start:inner_end])
            if formula is not None:
                out.append(_math(formula, _display(tag), text, i, end))
                self.result.changes[f"<{tag.name}> made $…$ math"] += 1
                return end
            self.result.left.append(
                (self.line(i), f"<{tag.name}> takes its formula from a variable: left out; write it as $…$")
            )
            return _drop(text, i, end, out)
        if tag.name.startswith("svelte:"):
            self.result.left.append((self.line(i), f"<{tag.name}> left out (Svelte only)"))
            return _drop(text, i, end, out)
        inner = self.run(inner_start, inner_end) if inner_end > inner_start else ""
        kept = " (its text kept)" if inner.strip() else ""
        self.result.left.append((self.line(i), f"<{tag.name}> component left out of the page{kept}"))
        if not inner.strip():
            return _drop(text, i, end, out)
        out.append(textwrap.dedent(inner).strip("\n"))
        return end


def _drop(text: str, start: int, end: int, out: list[str]) -> int:
    """Remove ``text[start:end]``; a line left empty by it goes too."""
    before = "".join(out).rsplit("\n", 1)[-1]
    after_end = text.find("\n", end)
    after = text[end : after_end if after_end >= 0 else len(text)]
    if not before.strip() and not after.strip():
        while out and out[-1] and out[-1].rstrip(" \t") != out[-1]:
            out[-1] = out[-1].rstrip(" \t")
        return after_end + 1 if after_end >= 0 else len(text)
    return end


def _fenced_spans(text: str) -> dict[int, int]:
    """Start -> end of every fenced code block (an unclosed fence runs to the end)."""
    spans: dict[int, int] = {}
    offset, opened, marker = 0, -1, ""
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if opened < 0 and match:
            opened, marker = offset, match.group(1)
        elif opened >= 0 and match and match.group(1)[0] == marker[0] and len(match.group(1)) >= len(marker):
            spans[opened] = min(offset + len(line) + 1, len(text))
            opened = -1
        offset += len(line) + 1
    if opened >= 0:
        spans[opened] = len(text)
    return spans


def _parse_tag(text: str, start: int, name: str, stop: int) -> _Tag | None:
    i = start + 1 + len(name)
    attributes: dict[str, tuple[str, str]] = {}
    while i < stop:
        while i < stop and text[i].isspace():
            i += 1
        if text.startswith("/>", i):
            return _Tag(name, attributes, True, i + 2)
        if text.startswith(">", i):
            return _Tag(name, attributes, False, i + 1)
        if text.startswith("{", i):  # {latex}: shorthand for latex={latex}
            end = _expression_end(text, i, stop)
            if end is None:
                return None
            expression = text[i + 1 : end - 1].strip()
            attributes[expression.lower()] = ("expr", expression)
            i = end
            continue
        match = _ATTRIBUTE_NAME.match(text, i)
        if match is None:
            return None
        key, i = match.group(0).lower(), match.end()
        while i < stop and text[i].isspace():
            i += 1
        if not text.startswith("=", i):
            attributes[key] = ("flag", "")
            continue
        i += 1
        while i < stop and text[i].isspace():
            i += 1
        if i < stop and text[i] in "\"'":
            close = text.find(text[i], i + 1, stop)
            if close < 0:
                return None
            attributes[key] = ("text", text[i + 1 : close])
            i = close + 1
        elif text.startswith("{", i):
            end = _expression_end(text, i, stop)
            if end is None:
                return None
            attributes[key] = ("expr", text[i + 1 : end - 1].strip())
            i = end
        else:
            value = re.match(r"[^\s>]+", text[i:stop])
            if value is None:
                return None
            raw = value.group(0).removesuffix("/")
            attributes[key] = ("text", raw)
            i += len(raw)
    return None


def _expression_end(text: str, start: int, stop: int) -> int | None:
    """Index after the ``}`` that closes the JavaScript expression opened at ``start``."""
    depth, i = 0, start
    while i < stop:
        char = text[i]
        if char in "\"'`":
            i = _string_end(text, i, stop)
            if i < 0:
                return None
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _string_end(text: str, start: int, stop: int) -> int:
    quote, i = text[start], start + 1
    while i < stop:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return -1


def _closing(text: str, name: str, start: int, stop: int) -> tuple[int, int] | None:
    """(start, end) of the ``</Name>`` that closes an element, nested ones counted."""
    pattern = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])")
    depth, i = 1, start
    while True:
        match = pattern.search(text, i, stop)
        if match is None:
            return None
        if match.group(1):
            end = text.find(">", match.end(), stop)
            if end < 0:
                return None
            depth -= 1
            if depth == 0:
                return match.start(), end + 1
            i = end + 1
        else:
            tag = _parse_tag(text, match.start(), name, stop)
            if tag is None:
                return None
            depth += 0 if tag.self_closing else 1
            i = tag.end


def _formula(tag: _Tag, inner: str) -> str | None:
    for key in FORMULA_ATTRIBUTES:
        if key in tag.attributes:
            kind, value = tag.attributes[key]
            if kind == "text":
                return value
            if kind == "expr":
                return js_string(value)
            return None
    stripped = inner.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        return js_string(stripped[1:-1].strip())
    if stripped and "{" not in stripped:
        return stripped
    return None


def _display(tag: _Tag) -> bool:
    if tag.name.lower() in DISPLAY_COMPONENTS:
        return True
    for key in DISPLAY_ATTRIBUTES:
        if key in tag.attributes:
            kind, value = tag.attributes[key]
            return kind == "flag" or value.strip().lower() in ("true", "{true}", "1")
    return False


def _math(formula: str, display: bool, text: str, start: int, end: int) -> str:
    formula = formula.strip()
    if not display:
        return "$" + " ".join(formula.split("\n")) + "$"
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    alone = not text[line_start:start].strip() and not text[end : line_end if line_end >= 0 else None].strip()
    if alone:
        indent = text[line_start:start]
        return "$$\n" + "\n".join(indent + part for part in formula.split("\n")) + "\n" + indent + "$$"
    return "$$" + " ".join(formula.split("\n")) + "$$"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def js_string(expression: str) -> str | None:
    """The value of a JavaScript string literal (``'…'``, ``"…"``, a template without ``${}``,
    ``String.raw`…```), as the browser read it; None for anything else (a variable, a call)."""
    expression = expression.strip()
    if expression.startswith("String.raw`") and expression.endswith("`") and "${" not in expression:
        return expression[len("String.raw`") : -1]
    if len(expression) < 2 or expression[0] not in "'\"`" or expression[-1] != expression[0]:
        return None
    body = expression[1:-1]
    if expression[0] == "`" and "${" in body:
        return None
    out, i = [], 0
    while i < len(body):
        char = body[i]
        if char == expression[0]:
            return None  # two literals joined (a + b): not a single string
        if char != "\\" or i + 1 >= len(body):
            out.append(char)
            i += 1
            continue
        escaped = body[i + 1]
        if escaped == "u" and body[i + 2 : i + 3] == "{":
            close = body.find("}", i)
            out.append(chr(int(body[i + 3 : close], 16)))
            i = close + 1
        elif escaped == "u":
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        elif escaped == "x":
            out.append(chr(int(body[i + 2 : i + 4], 16)))
            i += 4
        elif escaped == "\n":
            i += 2  # a line continuation
        else:
            out.append(_ESCAPES.get(escaped, escaped))
            i += 2
    return "".join(out)


def _details(text: str, result: Converted) -> str:
    """Inside ``<details>``, ``<div>``, ``<main>``…: no indented code blocks by accident (an
    mdsvex author indents HTML's content, and a line indented four spaces after a blank line is
    code in Markdown), and Markdown after a ``<summary>`` line starts a paragraph."""
    lines = text.split("\n")
    fenced = _fence_lines(lines)
    depth, region, in_comment = 0, [], False
    regions: list[list[int]] = []
    for index, line in enumerate(lines):
        if depth > 0:
            region.append(index)  # the lines inside a container, its closing line included
        if index in fenced:
            continue
        tags, in_comment = _outside_comments(line, in_comment)
        depth = max(depth + len(_CONTAINER_OPEN.findall(tags)) - len(_CONTAINER_CLOSE.findall(tags)), 0)
        if depth == 0 and region:
            regions.append(region)
            region = []
    if region:
        regions.append(region)
    fixed = 0
    for region in regions:
        content = [i for i in region if lines[i].strip() and not _SUMMARY_LINE.match(lines[i])]
        if not content:
            continue
        common = min(_indent(lines[i]) for i in content)  # tabs count as four spaces
        previous, item, shift = "", False, 0  # shift: a moved line's block moves with it
        for i in region:
            line = lines[i].expandtabs(4)[common:] if lines[i].strip() else ""
            if line.strip():
                if _indent(line) < shift:
                    shift = 0
                line = line[shift:]
            if i not in fenced and line.strip():
                if _indent(line) >= 4 and not previous.strip() and not item:
                    shift += _indent(line)
                    line = line.lstrip()
                item = bool(_LIST_ITEM.match(line)) or (item and (not line.strip() or _indent(line) > 0))
            if line != lines[i]:
                lines[i] = line
                fixed += 1
            previous = line
    if fixed:
        result.changes["indentation inside HTML blocks removed (it made code blocks)"] += 1
    inserted = [
        index + 1
        for index, line in enumerate(lines[:-1])
        if index not in fenced
        and _SUMMARY_LINE.match(line)
        and lines[index + 1].strip()
        and not lines[index + 1].lstrip().startswith("<")
    ]
    for index in reversed(inserted):
        lines.insert(index, "")
    if inserted:
        result.changes["blank line added after <summary> (so the Markdown below it renders)"] += len(inserted)
    return "\n".join(lines)


def _outside_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """The parts of a line outside ``<!-- … -->`` (which may span lines), and whether a comment
    is still open at its end."""
    kept, i = [], 0
    while i < len(line):
        if in_comment:
            end = line.find("-->", i)
            if end < 0:
                return "".join(kept), True
            i, in_comment = end + 3, False
        else:
            start = line.find("<!--", i)
            if start < 0:
                kept.append(line[i:])
                break
            kept.append(line[i:start])
            i, in_comment = start + 4, True
    return "".join(kept), in_comment


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _fence_lines(lines: list[str]) -> set[int]:
    """Lines of fenced code blocks, their fences included."""
    inside: set[int] = set()
    marker = ""
    for index, line in enumerate(lines):
        match = _FENCE.match(line.lstrip()) if line.strip() else None
        if not marker and match:
            marker = match.group(1)
            inside.add(index)
        elif marker:
            inside.add(index)
            if match and match.group(1)[0] == marker[0] and len(match.group(1)) >= len(marker):
                marker = ""
    return inside
