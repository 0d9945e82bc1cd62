"""The one markdown-it parser every note is read with: CommonMark, the plugins we install,
and our syntax rules (one module each), in the order they run.

Parsing depends on nothing but a note's text. Links are collected from the tokens
(``links.py``) and resolved later (``linking/``); rendering (``html.py``) turns links and math
into placeholders that are filled once the whole garden is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from mdit_py_plugins.texmath import texmath_plugin

from garden.markdown.blocks import block_ids
from garden.markdown.callouts import callouts
from garden.markdown.comments import comment_block_rule, comment_inline_rule
from garden.markdown.dollars import dollar_escape_rule, stray_dollars
from garden.markdown.heading_ids import heading_ids
from garden.markdown.highlight import highlight_code
from garden.markdown.marks import mark_rule
from garden.markdown.mathdelims import (
    display_math_lines,
    guard_terminators,
    math_block_rule,
    math_inline_rule,
)
from garden.markdown.mathrender import MathCollector, trim_tex
from garden.markdown.nesting import MAX_NESTING, keep_too_deep
from garden.markdown.positions import locate
from garden.markdown.scholarly import scholarly_plugin
from garden.markdown.wikilinks import wikilink_rule


def _math_placeholder(display: bool) -> Callable[..., str]:
    """Render rule for a math token: a placeholder, filled by one KaTeX call per page."""

    def render(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        token = tokens[idx]
        line = token.map[0] if token.map else (token.meta or {}).get("line", 0)
        collector: MathCollector = env["garden"].math
        tex = token.content if token.type == "amsmath" else trim_tex(token.content)
        if token.type == "math_block_label" and token.info:
            tex += rf"\tag{{{token.info}}}"
        placeholder = collector.add(tex, display, line, block=token.block)
        return placeholder + "\n" if token.block else placeholder

    return render


# Our syntax rules: (ruler, before/after, the markdown-it rule they sit next to, name, rule).
RULES: list[tuple[str, str, str, str, Callable[..., Any]]] = [
    ("inline", "before", "link", "wikilink", wikilink_rule),  # [[Note]]
    ("inline", "before", "image", "wikiembed", wikilink_rule),  # ![[Note]]
    ("inline", "before", "emphasis", "mark", mark_rule),  # ==highlight==
    ("inline", "before", "text", "comment", comment_inline_rule),  # %%comment%%
    ("inline", "before", "escape", "dollar_escape", dollar_escape_rule),  # \$
    ("block", "before", "paragraph", "comment", comment_block_rule),  # %% … %% over lines
    ("core", "before", "block", "display_math_lines", display_math_lines),  # lines inside $$
    ("core", "before", "inline", "callouts", callouts),  # > [!tip]
    ("core", "after", "inline", "locate", locate),  # a line for every inline token
    ("core", "after", "linkify", "stray_dollars", stray_dollars),  # a $ that opens nothing
    ("core", "after", "text_join", "block_ids", block_ids),  # text ^id names its block
]


def create_parser() -> MarkdownIt:
    """The one markdown-it instance every note is parsed with."""
    md = MarkdownIt(
        "commonmark",
        {"linkify": True, "html": True, "typographer": False, "highlight": highlight_code},
    )
    md.enable(["table", "strikethrough", "linkify"])
    _fast_linkify_pretest(md)
    md.options["maxNesting"] = MAX_NESTING  # commonmark's 20 is too few for real notes
    md.block.tokenize = keep_too_deep(md.block.tokenize)  # type: ignore[method-assign]
    md.validateLink = _any_link  # type: ignore[method-assign]  # linking/resolve.py decides, and warns
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.inline.ruler.before("escape", "math_inline", math_inline_rule)  # $…$ and $$…$$
    md.block.ruler.before("fence", "math_block", math_block_rule, {"alt": ["paragraph", "reference", "list"]})
    md.use(texmath_plugin, delimiters="brackets")
    md.use(amsmath_plugin)
    md.core.ruler.push("heading_ids", heading_ids)  # ids from the text, math and links included
    for ruler, where, anchor, name, rule in RULES:
        getattr(getattr(md, ruler).ruler, where)(anchor, name, rule)
    guard_terminators(md)  # after every block rule is installed
    _add_terminators(md, "=%")
    md.use(scholarly_plugin)  # [@citations], \eqref, numbered equations and theorem blocks
    for kind in ("math_inline", "math_inline_double", "math_block", "math_block_label", "amsmath"):
        md.add_render_rule(kind, _math_placeholder(display=kind != "math_inline"))
    return md


# An e-mail address needs a character of linkify's address names right before its "@"; a
# citation (" @key", "[@key") has none, so paragraphs that cite do not pay for the slow test.
_MAYBE_LINK = re.compile(r"://|www\.|[-;:&=+$,.\"\w]@", re.IGNORECASE)


def _fast_linkify_pretest(md: MarkdownIt) -> None:
    """Skip linkify's costly regexes for text that cannot hold a bare URL or e-mail address."""
    linkify = md.linkify
    slow = linkify.pretest
    linkify.pretest = lambda text: bool(_MAYBE_LINK.search(text)) and slow(text)  # type: ignore[method-assign]


def _add_terminators(md: MarkdownIt, chars: str) -> None:
    """Teach markdown-it's fast text rule to stop at our rules' first characters."""
    for char in chars:
        md.inline.add_terminator_char(char)


def _any_link(url: str) -> bool:
    """Let every link through the parser: ``linking/resolve.py`` neutralises unsafe schemes and says so.

    markdown-it's own check would silently leave ``[x](javascript:...)`` as plain text.
    """
    return True


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
            line = child.meta.get("line", block.map[0] if block.map else 0)
            if text.startswith("$$", at):  # a display formula would reach the page as text
                found.append(
                    ParseNote(
                        line,
                        f"$$ shown as text in {excerpt!r}: no $$ closes it in this paragraph",
                        "close the formula with $$ (a blank line or a code fence ends it first), "
                        "or write \\$\\$ for dollar signs",
                    )
                )
                continue
            found.append(
                ParseNote(
                    line,
                    f"unbalanced $ in {excerpt!r}: no formula closes it",
                    "write \\$ for a dollar sign, or close the formula with a matching $",
                )
            )
    return found


__all__ = ["create_parser", "escapeHtml", "parse_notes"]
