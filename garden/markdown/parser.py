"""markdown-it-py set-up and our syntax plugins.

Parsing is independent of the rest of the garden: a note's tokens depend only on its text,
so they can be cached. Links are resolved later (``links.py``) by annotating the tokens'
``meta``; rendering (``render_body``) reads those annotations and turns math into
placeholders that ``mathrender.py`` fills in, one batched KaTeX call per page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from mdit_py_plugins.texmath import texmath_plugin

from garden.core.paths import heading_anchor
from garden.markdown.highlight import highlight_code
from garden.markdown.mathrender import MathCollector

MAX_NESTING = 64  # deeper lists and quotes are kept as plain text, with a warning

# --------------------------------------------------------------------------- wikilinks


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    """``[[target#heading|text]]`` and, with a leading ``!``, embeds ``![[...]]``."""
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not embed and not src.startswith("[[", pos):
        return False
    start = pos + (3 if embed else 2)
    # The target cannot contain "[[": look for "]]" only up to the next "[[", so a note full
    # of unclosed brackets costs linear time, not quadratic.
    stop = src.find("[[", start)
    end = src.find("]]", start, len(src) if stop < 0 else stop)
    if end < 0:
        return False
    inner = src[start:end]
    if not inner.strip() or "\n" in inner or "[[" in inner:
        return False
    if not silent:
        target, _, label = inner.replace("\\|", "|").partition("|")
        target, _, heading = target.partition("#")
        token = state.push("wikiembed" if embed else "wikilink", "", 0)
        token.meta = {
            "target": target.strip(),
            "heading": heading.strip().lstrip("^"),
            "label": label.strip(),
            "pos": pos,
            "raw": src[pos : end + 2],
        }
        token.content = label.strip() or inner
    state.pos = end + 2
    return True


# --------------------------------------------------------------------------- highlight, comments


def _mark_rule(state: StateInline, silent: bool) -> bool:
    """``==highlight==`` as ``<mark>``; the inside is parsed as Markdown."""
    src, pos = state.src, state.pos
    if not src.startswith("==", pos) or src.startswith("===", pos):
        return False
    end = src.find("==", pos + 2)
    while end > 0 and src.startswith("===", end):
        end = src.find("==", end + 3)
    if end < 0 or end == pos + 2 or src[pos + 2].isspace() or src[end - 1].isspace():
        return False
    if not silent:
        state.push("mark_open", "mark", 1)
        old_max = state.posMax
        state.pos, state.posMax = pos + 2, end
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push("mark_close", "mark", -1)
    state.pos = end + 2
    return True


def _comment_inline_rule(state: StateInline, silent: bool) -> bool:
    """Obsidian ``%%comment%%`` inside a paragraph: dropped."""
    src, pos = state.src, state.pos
    if not src.startswith("%%", pos):
        return False
    end = src.find("%%", pos + 2)
    if end < 0:
        return False
    state.pos = end + 2
    return True


def _comment_block_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A ``%%`` ... ``%%`` block, possibly over many lines: dropped."""
    begin = state.bMarks[start] + state.tShift[start]
    line_text = state.src[begin : state.eMarks[start]]
    if not line_text.startswith("%%"):
        return False
    rest = line_text[2:]
    line = start
    if "%%" not in rest:
        line += 1
        while line < end:
            text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
            if "%%" in text:
                break
            line += 1
        else:
            return False
    elif not rest.rstrip().endswith("%%"):
        return False  # an inline comment followed by text: the inline rule handles it
    if silent:
        return True
    state.line = line + 1
    return True


# --------------------------------------------------------------------------- callouts

CALLOUT_ALIASES = {
    "summary": "abstract",
    "tldr": "abstract",
    "hint": "tip",
    "important": "tip",
    "check": "success",
    "done": "success",
    "help": "question",
    "faq": "question",
    "caution": "warning",
    "attention": "warning",
    "fail": "failure",
    "missing": "failure",
    "error": "danger",
    "cite": "quote",
}
_CALLOUT = re.compile(r"^\[!([\w-]+)\]([+-]?)[ \t]*(.*)$")


def _callouts(state: StateCore) -> None:
    """Turn blockquotes that start with ``[!type]`` into callout tokens (before inline parse)."""
    tokens = state.tokens
    out: list[Token] = []
    open_levels: list[tuple[int, bool]] = []  # (level, is_callout) of each open blockquote
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "blockquote_open":
            match = None
            if i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open":
                first, _, _ = tokens[i + 2].content.partition("\n")
                match = _CALLOUT.match(first)
            open_levels.append((token.level, match is not None))
            if match is None:
                out.append(token)
                i += 1
                continue
            kind_raw = match.group(1).lower()
            kind = CALLOUT_ALIASES.get(kind_raw, kind_raw)
            fold = match.group(2)
            title = match.group(3).strip() or kind_raw.replace("-", " ").capitalize()
            token.type = "callout_open"
            token.meta = {"kind": kind, "fold": fold}
            out.append(token)
            title_open = Token("callout_title_open", "", 1, map=token.map, meta=token.meta)
            title_inline = Token("inline", "", 0, map=token.map, content=title, children=[])
            title_close = Token("callout_title_close", "", -1, meta=token.meta)
            out += [title_open, title_inline, title_close]
            inline = tokens[i + 2]
            _, _, rest = inline.content.partition("\n")
            if rest.strip():
                inline.content = rest
                if inline.map:
                    inline.map = [inline.map[0] + 1, inline.map[1]]
                out += tokens[i + 1 : i + 4]
            i += 4
            continue
        if token.type == "blockquote_close" and open_levels:
            _, is_callout = open_levels.pop()
            if is_callout:
                token.type = "callout_close"
        out.append(token)
        i += 1
    state.tokens = out


# --------------------------------------------------------------------------- positions


def _locate(state: StateCore) -> None:
    """Give inline tokens of interest a 0-based body line, for problems that point at them."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or not block.map:
            continue
        for child in block.children:
            pos = child.meta.get("pos") if child.meta else None
            if pos is None:
                needle = child.attrGet("href") or child.attrGet("src") or child.content
                pos = block.content.find(str(needle)) if needle else -1
            line = block.map[0] + (block.content.count("\n", 0, pos) if pos and pos > 0 else 0)
            child.meta = {**(child.meta or {}), "line": line}


# --------------------------------------------------------------------------- the parser


def _math_placeholder(display: bool) -> Callable[..., str]:
    """Render rule for a math token: a placeholder, filled by one KaTeX call per page."""

    def render(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        token = tokens[idx]
        line = token.map[0] if token.map else (token.meta or {}).get("line", 0)
        collector: MathCollector = env["garden"].math
        tex = token.content if token.type == "amsmath" else token.content.strip()
        if token.type == "math_block_label" and token.info:
            tex += rf"\tag{{{token.info}}}"
        placeholder = collector.add(tex, display, line)
        return placeholder + "\n" if token.block else placeholder

    return render


def create_parser() -> MarkdownIt:
    """The one markdown-it instance every note is parsed with."""
    md = MarkdownIt(
        "commonmark",
        {"linkify": True, "html": True, "typographer": False, "highlight": highlight_code},
    )
    md.enable(["table", "strikethrough", "linkify"])
    _fast_linkify_pretest(md)
    md.options["maxNesting"] = MAX_NESTING  # commonmark's 20 is too few for real notes
    md.block.tokenize = _keep_too_deep(md.block.tokenize)  # type: ignore[method-assign]
    md.validateLink = _any_link  # type: ignore[method-assign]  # links.py decides, and warns
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.use(dollarmath_plugin, allow_digits=False, allow_space=False, double_inline=True)
    md.use(texmath_plugin, delimiters="brackets")
    md.use(amsmath_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=heading_anchor, permalink=False)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.inline.ruler.before("image", "wikiembed", _wikilink_rule)
    md.inline.ruler.before("emphasis", "mark", _mark_rule)
    md.inline.ruler.before("text", "comment", _comment_inline_rule)
    md.inline.ruler.before("escape", "dollar_escape", _dollar_escape_rule)
    md.block.ruler.before("paragraph", "comment", _comment_block_rule)
    md.core.ruler.before("inline", "callouts", _callouts)
    md.core.ruler.after("inline", "locate", _locate)
    md.core.ruler.after("linkify", "stray_dollars", _stray_dollars)
    _add_terminators(md, "=%")
    for kind in ("math_inline", "math_inline_double", "math_block", "math_block_label", "amsmath"):
        md.add_render_rule(kind, _math_placeholder(display=kind != "math_inline"))
    return md


_MAYBE_LINK = re.compile(r"://|www\.|@", re.IGNORECASE)


def _fast_linkify_pretest(md: MarkdownIt) -> None:
    """Skip linkify's costly regexes for text that cannot hold a bare URL or e-mail address."""
    linkify = md.linkify
    slow = linkify.pretest
    linkify.pretest = lambda text: bool(_MAYBE_LINK.search(text)) and slow(text)  # type: ignore[method-assign]


def _dollar_escape_rule(state: StateInline, silent: bool) -> bool:
    r"""``\$`` is a literal dollar, never a math delimiter."""
    if not state.src.startswith("\\$", state.pos):
        return False
    if not silent:
        token = state.push("text_special", "", 0)  # joined into the text later, like any escape
        token.content, token.markup, token.info = "$", "\\$", "escape"
    state.pos += 2
    return True


def _add_terminators(md: MarkdownIt, chars: str) -> None:
    """Teach markdown-it's fast text rule to stop at our rules' first characters."""
    for char in chars:
        md.inline.add_terminator_char(char)


def _keep_too_deep(tokenize: Callable[..., None]) -> Callable[..., None]:
    """Keep what is nested deeper than maxNesting, as one plain paragraph marked ``too_deep``.

    markdown-it would skip it, and inside a list it skips the rest of the note with it.
    """

    def block_tokenize(state: StateBlock, start: int, end: int, *args: Any) -> None:
        if state.level < state.md.options["maxNesting"]:
            tokenize(state, start, end, *args)
            return
        first = line = state.skipEmptyLines(start)
        while line < end and (state.isEmpty(line) or state.sCount[line] >= state.blkIndent):
            line += 1  # the lines of this container (where markdown-it would stop anyway)
        last = line
        while last > first and state.isEmpty(last - 1):
            last -= 1
        if last > first:
            opening = state.push("paragraph_open", "p", 1)
            opening.map, opening.meta = [first, last], {"too_deep": True}
            inline = state.push("inline", "", 0)
            inline.content = state.getLines(first, last, state.blkIndent, False).strip()
            inline.map, inline.children = [first, last], []
            state.push("paragraph_close", "p", -1)
        state.line = max(line, start)

    return block_tokenize


def _any_link(url: str) -> bool:
    """Let every link through the parser: ``links.py`` neutralises unsafe schemes and says so.

    markdown-it's own check would silently leave ``[x](javascript:...)`` as plain text.
    """
    return True


# A ``$`` left as text that could open a formula: not before a space, a digit or another ``$``
# (so ``costs $5 and $10`` is quiet), and not escaped (``\$`` is its own token until text_join).
_STRAY_DOLLAR = re.compile(r"(?<!\$)\${1,2}(?=[^\s\d$])")


def _stray_dollars(state: StateCore) -> None:
    """Mark text tokens holding a ``$`` that opens no formula (before escapes join the text)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        in_url = False  # a bare URL made a link (``https://x.org/$id``) is not math
        for child in block.children:
            if child.type in ("link_open", "link_close") and child.markup == "linkify":
                in_url = child.type == "link_open"
            elif child.type == "text" and "$" in child.content and not in_url:
                match = _STRAY_DOLLAR.search(child.content)
                if match:
                    child.meta = {**(child.meta or {}), "stray_dollar": match.start()}


@dataclass(frozen=True)
class ParseNote:
    """Something the parser noticed in a note that the writer should hear about."""

    line: int  # 0-based line in the body
    message: str
    hint: str


def parse_notes(tokens: list[Token]) -> list[ParseNote]:
    """Warnings from parsing: content nested too deep to show, and unbalanced ``$``."""
    found: list[ParseNote] = []
    for token in tokens:
        if token.meta and token.meta.get("too_deep"):
            found.append(
                ParseNote(
                    token.map[0] if token.map else 0,
                    f"lists or quotes nested more than {MAX_NESTING} levels deep: the rest is plain text",
                    "flatten the nesting",
                )
            )
            break
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        for child in block.children:
            at = (child.meta or {}).get("stray_dollar")
            if at is None:
                continue
            text = child.content
            excerpt = text[max(at - 20, 0) : at + 30].strip()
            found.append(
                ParseNote(
                    child.meta.get("line", block.map[0] if block.map else 0),
                    f"unbalanced $ in {excerpt!r}: no formula closes it",
                    "write \\$ for a dollar sign, or close the formula with a matching $",
                )
            )
    return found


__all__ = ["create_parser", "escapeHtml", "parse_notes"]
