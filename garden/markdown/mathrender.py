"""Math rendered at build time by KaTeX in embedded V8 (mini-racer).

A page's formulas are collected as placeholders while its Markdown is rendered, then
rendered in one batched call. Rendered formulas are memoised, so a formula shared by many
pages (or unchanged since the last build, with the cache) is rendered once.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from garden.core.locations import find_node_file
from garden.markdown import placeholders
from garden.markdown.mathcompat import rewrite_for_katex

T = TypeVar("T")

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def trim_tex(tex: str) -> str:
    """A formula's TeX without the white space around it; a control space at its end (``\\ ``
    before the closing ``$$``, or ``\\`` and a line break) stays one."""
    trimmed = tex.strip()
    backslashes = len(trimmed) - len(trimmed.rstrip("\\"))
    return trimmed + " " if backslashes % 2 else trimmed


@dataclass
class Formula:
    tex: str
    display: bool
    line: int  # 0-based line in the note body
    block: bool = True  # a display formula in a paragraph (``text $$x$$ text``) is a block-level span


@dataclass
class MathCollector:
    """Formulas of one page, in order; each becomes a placeholder in the HTML."""

    formulas: list[Formula] = field(default_factory=list)
    lost: list[tuple[int, str]] = field(default_factory=list)  # (line, excerpt): $$ left as text in raw HTML

    def add(self, tex: str, display: bool, line: int, block: bool = True) -> str:
        self.formulas.append(Formula(tex, display, line, block))
        return placeholders.formula(len(self.formulas) - 1)


_BATCH = """
(function (items, macros, shared) {
  // shared: the formulas of one note in order, definitions made in one holding for the next
  var common = shared ? Object.assign({}, __garden_preamble, macros) : null;
  return items.map(function (item) {
    try {
      return [true, katex.renderToString(item[0], {
        displayMode: item[1], output: "htmlAndMathml", throwOnError: true,
        strict: false, trust: false, globalGroup: shared,
        macros: common || Object.assign({}, __garden_preamble, macros)
      })];
    } catch (e) {
      return [false, String(e && e.message ? e.message : e)];
    }
  });
})
"""

# \\newcommand and \\renewcommand as MathJax (Obsidian) reads them: they define the macro whether
# or not it exists (KaTeX refuses \\newcommand{\\N}, which it has built in, and \\renewcommand of a
# new name). As KaTeX's own, without the optional argument's default. \\DeclareMathOperator(*),
# which KaTeX lacks, as a preamble's (preamble.py): \\operatorname(*) of its body.
_MATHJAX_DEFINERS = """
(function () {
  function define(context) {
    var arg = context.consumeArg().tokens;
    if (arg.length !== 1) {
      throw new katex.ParseError("\\\\newcommand's first argument must be a macro name");
    }
    var name = arg[0].text, numArgs = 0;
    arg = context.consumeArg().tokens;
    if (arg.length === 1 && arg[0].text === "[") {
      var text = "", token = context.expandNextToken();
      while (token.text !== "]" && token.text !== "EOF") {
        text += token.text;
        token = context.expandNextToken();
      }
      if (!/^\\s*[0-9]+\\s*$/.test(text)) {
        throw new katex.ParseError("Invalid number of arguments: " + text);
      }
      numArgs = parseInt(text, 10);
      arg = context.consumeArg().tokens;
    }
    context.macros.set(name, {tokens: arg, numArgs: numArgs});
    return "";
  }
  function operator(context) {
    var star = context.future().text === "*";
    if (star) {
      context.popToken();
    }
    var arg = context.consumeArg().tokens;
    if (arg.length !== 1) {
      throw new katex.ParseError("\\\\DeclareMathOperator's first argument must be a macro name");
    }
    var body = context.consumeArg().tokens.slice().reverse().map(function (t) { return t.text; });
    var command = star ? "\\\\operatorname*{" : "\\\\operatorname{";
    context.macros.set(arg[0].text, command + body.join(" ") + "}", true);  // global, as in MathJax
    return "";
  }
  return {"\\\\newcommand": define, "\\\\renewcommand": define, "\\\\DeclareMathOperator": operator};
})()
"""

# The preamble's definitions, run once in a context: they fill the macros every formula starts with.
_PREAMBLE = """
(function (definitions) {
  var failed = [];
  definitions.forEach(function (tex, index) {
    try {
      katex.renderToString(tex, {globalGroup: true, throwOnError: true, strict: false,
                                 macros: __garden_preamble});
    } catch (e) {
      failed.push([index, String(e && e.message ? e.message : e)]);
    }
  });
  return failed;
})
"""

# A formula that defines macros (``\newcommand``, ``\def``…) for the rest of its note.
DEFINES = re.compile(r"\\(?:[gex]?def|(?:re|provide|new)command|let|DeclareMathOperator)(?![A-Za-z])")


def defines_macros(formulas: list[Formula]) -> bool:
    return any("\\" in f.tex and DEFINES.search(f.tex) for f in formulas)


def find_katex(project_root: Path) -> Path:
    return find_node_file(project_root, "katex/dist/katex.min.js", "KaTeX").parent


class Katex:
    """One V8 context with KaTeX loaded. Close it explicitly: an open one hangs exit."""

    def __init__(self, dist: Path, macros: dict[str, str], preamble: tuple[str, ...] = ()) -> None:
        from py_mini_racer import MiniRacer, init_mini_racer

        # V8 is started here, in the calling thread, not in the helper thread below: a V8
        # started from a short-lived thread crashes the process when the context is closed.
        init_mini_racer(ignore_duplicate_init=True)
        self.dist = dist
        self.macros = macros
        self.cache: dict[tuple[str, bool], tuple[bool, str]] = {}
        self._ctx = _outside_any_event_loop(MiniRacer)
        self._ctx.eval((dist / "katex.min.js").read_text(encoding="utf-8"))
        self._ctx.eval(f"var __garden_batch = {_BATCH}; var __garden_preamble = {_MATHJAX_DEFINERS};")
        # definitions KaTeX refuses are left out (garden/markdown/preamble.py read them already)
        self.preamble_failures = json.loads(
            self._ctx.eval(f"JSON.stringify(({_PREAMBLE})({json.dumps(list(preamble))}))")
        )

    def render(self, items: list[tuple[str, bool]]) -> list[tuple[bool, str]]:
        """Render formulas (memoised); failures come back as (False, message)."""
        missing = sorted({item for item in items if item not in self.cache})
        if missing:
            payload = json.dumps([list(item) for item in missing])
            macros = json.dumps(self.macros)
            results = self._ctx.eval(f"JSON.stringify(__garden_batch({payload}, {macros}, false))")
            for item, result in zip(missing, json.loads(results), strict=True):
                self.cache[item] = _result(result)
        return [self.cache[item] for item in items]

    def render_sequence(self, items: list[tuple[str, bool]]) -> list[tuple[bool, str]]:
        """Render one note's formulas in order, sharing their macros (KaTeX's ``globalGroup``):
        a ``\\newcommand`` in one formula holds for the rest of the note. Not memoised."""
        payload = json.dumps([list(item) for item in items])
        macros = json.dumps(self.macros)
        results = self._ctx.eval(f"JSON.stringify(__garden_batch({payload}, {macros}, true))")
        return [_result(result) for result in json.loads(results)]

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None  # type: ignore[assignment]


def _result(result: list) -> tuple[bool, str]:
    # KaTeX's error excerpts count UTF-16 units and may cut an emoji in half
    return bool(result[0]), _LONE_SURROGATE.sub("\ufffd", str(result[1]))


def _outside_any_event_loop(make: Callable[[], T]) -> T:
    """Call ``make`` in a fresh thread.

    MiniRacer drives V8 from the asyncio loop running where it is created, if there is one
    (Jupyter, or Playwright's sync API in tests); that loop only turns when its owner lets it,
    so renders from other threads (the preview's rebuilds) would wait on it forever. From a
    thread with no loop running it starts its own.
    """
    made: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            made.append(make())
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run, name="garden-v8-start")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return made[0]


@dataclass
class MathFailure:
    line: int
    tex: str
    message: str


def fill_math(text: str, collector: MathCollector, katex: Katex) -> tuple[str, list[MathFailure]]:
    """Replace a page's placeholders with rendered formulas; report the ones that fail."""
    if not collector.formulas:
        return text, []
    items = [(f.tex, f.display) for f in collector.formulas]
    render = katex.render_sequence if defines_macros(collector.formulas) else katex.render
    results = render(items)
    for _ in range(3):  # MathJax's readings KaTeX refuses, rewritten (mathcompat.py)
        rewritten = [
            item if ok else (rewrite_for_katex(item[0], out), item[1])
            for item, (ok, out) in zip(items, results, strict=True)
        ]
        if rewritten == items:
            break
        retried = render(rewritten)  # a rewrite that does not help leaves the first message
        items = [new if again[0] else old for old, new, again in zip(items, rewritten, retried, strict=True)]
        results = [again if again[0] else first for first, again in zip(results, retried, strict=True)]
    failures: list[MathFailure] = []
    rendered: list[str] = []
    for formula, (ok, out) in zip(collector.formulas, results, strict=True):
        if ok:
            if formula.display:
                tag = "div" if formula.block else "span"  # no <div> inside a <p>
                out = f'<{tag} class="math math-display">{out}</{tag}>'
            rendered.append(out)
            continue
        message = out.removeprefix("KaTeX parse error: ")
        failures.append(MathFailure(formula.line, formula.tex, message))
        tag = "div" if formula.display and formula.block else "span"
        rendered.append(
            f'<{tag} class="math-error" title="{html.escape(message)}">'
            f"<code>{html.escape(formula.tex)}</code></{tag}>"
        )

    def fill(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return rendered[index] if index < len(rendered) else match.group(0)

    return placeholders.FORMULA.sub(fill, text), failures


# ---------------------------------------------------------------- math inside raw HTML

_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_RAW_CONTAINERS = {"code", "pre", "script", "style", "textarea", "math", "svg"}
_HTML_MATH = re.compile(
    r"(?<!\\)\$\$(?P<dd>.+?)(?<!\\)\$\$"
    r"|\\\[(?P<br>.+?)\\\]"
    r"|\\\((?P<pa>.+?)\\\)"
    r"|(?<![\\$\w])\$(?P<d>[^\s$](?:[^$]*?[^\s\\$])?)\$(?![\d$])",
    re.S,
)


def math_in_html(raw: str, collector: MathCollector, line: int) -> str:
    """Find TeX math in the text of a raw HTML block (e.g. ``<details>``) outside code; a ``$$``
    that opens or closes no formula there is noted in ``collector.lost`` with its line."""
    if "$" not in raw and "\\" not in raw:
        return raw
    out: list[str] = []
    depth = 0
    pos = 0
    for match in _TAG.finditer(raw):
        at = line + raw.count("\n", 0, pos)
        out.append(_replace_math(raw[pos : match.start()], collector, at, depth))
        tag = match.group(0)
        name = re.match(r"</?\s*([a-zA-Z0-9]+)", tag)
        if name and name.group(1).lower() in _RAW_CONTAINERS and not tag.endswith("/>"):
            depth += -1 if tag.startswith("</") else 1
            depth = max(depth, 0)
        out.append(tag)
        pos = match.end()
    out.append(_replace_math(raw[pos:], collector, line + raw.count("\n", 0, pos), depth))
    return "".join(out)


_LOST = re.compile(r"(?<!\\)\$\$")


def _replace_math(text: str, collector: MathCollector, line: int, depth: int) -> str:
    if depth or not text.strip():
        return text
    out: list[str] = []
    pos = 0
    for match in _HTML_MATH.finditer(text):
        _note_lost(text, pos, match.start(), collector, line)
        for group, display in (("dd", True), ("br", True), ("pa", False), ("d", False)):
            tex = match.group(group)
            if tex is not None:
                at = line + text.count("\n", 0, match.start())
                out += [text[pos : match.start()], collector.add(trim_tex(html.unescape(tex)), display, at)]
                break
        pos = match.end()
    _note_lost(text, pos, len(text), collector, line)
    out.append(text[pos:])
    return "".join(out)


def _note_lost(text: str, start: int, end: int, collector: MathCollector, line: int) -> None:
    """A ``$$`` in ``text[start:end]`` (outside any formula) reaches the page as text."""
    if text.find("$$", start, end) < 0:
        return
    for lost in _LOST.finditer(text, start, end):
        excerpt = " ".join(text[max(lost.start() - 20, 0) : lost.end() + 30].split())
        collector.lost.append((line + text.count("\n", 0, lost.start()), excerpt))
