"""Render a note's tokens to HTML with placeholders.

Links and embeds become placeholders that ``linking/fill.py`` resolves once the whole garden is known;
math becomes placeholders filled by one KaTeX call per note. The result depends on nothing but
the note's text, so it can be cached and computed in parallel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from garden.markdown.mathrender import MathCollector, math_in_html
from garden.markdown.placeholders import (
    embed,
    embeds_paragraph_close,
    embeds_paragraph_open,
    link_close,
    link_open,
    link_text,
)
from garden.markdown.scholarly import install_scholarly_rules


@dataclass
class RenderEnv:
    """What rendering one note's body needs: where its formulas go."""

    math: MathCollector
    closing: list[str] = field(default_factory=list)


def _env(env: dict) -> RenderEnv:
    return env["garden"]


def _wikilink(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    meta = tokens[idx].meta
    if meta["heading"] and not meta["label"]:  # it may name a numbered block: known once linked
        return link_open(meta["ref"]) + link_text(meta["ref"]) + link_close(meta["ref"])
    path = " › ".join(part for part in meta["heading"].split("#") if part.strip())  # ``#H1#H2``
    label = meta["label"] or (meta["target"] + (" › " + path if path else "") if meta["target"] else path)
    return link_open(meta["ref"]) + escapeHtml(label) + link_close(meta["ref"])


def _wikiembed(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    return embed(tokens[idx].meta["ref"])


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    token = tokens[idx]
    if "ref" not in token.meta:  # bare URLs and <autolinks>: always external
        href = escapeHtml(str(token.attrGet("href") or ""))
        _env(env).closing.append("</a>")
        return f'<a class="external" href="{href}" rel="noopener">'
    _env(env).closing.append(link_close(token.meta["ref"]))
    return link_open(token.meta["ref"])


def _link_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    closing = _env(env).closing
    return closing.pop() if closing else "</a>"


def _image(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    return embed(tokens[idx].meta["ref"])


def _html_block(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    token = tokens[idx]
    line = token.map[0] if token.map else 0
    return math_in_html(token.content, _env(env).math, line)


def _fence(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    token = tokens[idx]
    if token.info.strip().lower() == "math":
        line = token.map[0] if token.map else 0
        return _env(env).math.add(token.content.strip(), True, line) + "\n"
    return self.fence_default(tokens, idx, options, env)


def _callout_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    meta = tokens[idx].meta
    kind = escapeHtml(meta["kind"])
    named = tokens[idx].attrGet("id")  # a block reference: ``^id`` after its last line
    anchor = f' id="{escapeHtml(str(named))}"' if named else ""
    if meta["fold"]:
        opened = " open" if meta["fold"] == "+" else ""
        return f'<details class="callout callout-{kind}" data-callout="{kind}"{anchor}{opened}>\n'
    return f'<div class="callout callout-{kind}" data-callout="{kind}"{anchor}>\n'


def _callout_title_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    tag = "summary" if tokens[idx].meta["fold"] else "div"
    return f'<{tag} class="callout-title">'


def _callout_title_close(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict
) -> str:
    tag = "summary" if tokens[idx].meta["fold"] else "div"
    return f'</{tag}>\n<div class="callout-content">\n'


def _callout_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    # find the matching opener to know the element
    depth = 0
    for back in range(idx - 1, -1, -1):
        token = tokens[back]
        if token.type == "callout_close":
            depth += 1
        elif token.type == "callout_open":
            if depth == 0:
                return "</div>\n</details>\n" if token.meta["fold"] else "</div>\n</div>\n"
            depth -= 1
    return "</div>\n</div>\n"


def _heading_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    opener = tokens[idx - 2] if idx >= 2 else None
    anchor = opener.attrGet("id") if opener is not None and opener.type == "heading_open" else None
    link = (
        f' <a class="heading-link" href="#{escapeHtml(str(anchor))}" aria-label="Link to this section">#</a>'
        if anchor
        else ""
    )
    return f"{link}</{tokens[idx].tag}>\n"


def _embeds_only(inline: Token | None) -> list[int] | None:
    """Indices of the embeds of a paragraph that holds only embeds (and spaces), else None.

    Such a paragraph may hold a transclusion or a figure, which cannot sit inside ``<p>``;
    whether it does is known only once links are resolved, so its tags become placeholders.
    """
    if inline is None or inline.type != "inline" or not inline.children:
        return None
    found: list[int] = []
    for child in inline.children:
        if child.type in ("wikiembed", "image") and "ref" in child.meta:
            found.append(child.meta["ref"])
        elif child.type not in ("softbreak", "hardbreak") and not (
            child.type == "text" and not child.content.strip()
        ):
            return None
    return found or None


def _paragraph_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    found = _embeds_only(tokens[idx + 1] if idx + 1 < len(tokens) else None)
    if found is not None:
        return embeds_paragraph_open(found)
    return self.renderToken(tokens, idx, options, env)


def _paragraph_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    found = _embeds_only(tokens[idx - 1] if idx >= 1 else None)
    if found is not None:
        return embeds_paragraph_close(found) + "\n"
    return self.renderToken(tokens, idx, options, env)


def install_render_rules(md: MarkdownIt) -> None:
    """Our HTML for the token types the parser produces."""
    renderer = md.renderer
    renderer.fence_default = renderer.rules["fence"]  # type: ignore[attr-defined]
    rules: dict[str, Callable[..., str]] = {
        "wikilink": _wikilink,
        "wikiembed": _wikiembed,
        "link_open": _link_open,
        "link_close": _link_close,
        "image": _image,
        "html_block": _html_block,
        "fence": _fence,
        "callout_open": _callout_open,
        "callout_close": _callout_close,
        "callout_title_open": _callout_title_open,
        "callout_title_close": _callout_title_close,
        "heading_close": _heading_close,
        "paragraph_open": _paragraph_open,
        "paragraph_close": _paragraph_close,
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule)
    install_scholarly_rules(md)


def render_tokens(md: MarkdownIt, tokens: list[Token], env: RenderEnv) -> str:
    return md.renderer.render(tokens, md.options, {"garden": env})
