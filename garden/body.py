"""Turn a note's annotated tokens into HTML: links, embeds, callouts, math placeholders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import validateLink
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from .figures import Figure
from .links import IMAGE_SUFFIXES, Target
from .mathrender import MathCollector, math_in_html
from .paths import Urls


@dataclass
class RenderEnv:
    """What rendering one page needs; shared with the pages it transcludes."""

    urls: Urls
    math: MathCollector
    transclude: Callable[[Target, list[str], int], str]
    stack: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    embedded: bool = False  # inside a transclusion: headings get no ids (no duplicates)
    figures: dict[str, Figure] = field(default_factory=dict)  # output path -> generated figure


def _env(env: dict) -> RenderEnv:
    return env["garden"]


def target_url(urls: Urls, target: Target) -> str:
    if target.kind in ("note", "section"):
        return urls.page(target.slug, target.anchor)
    if target.kind == "file":
        return urls.file(target.slug) + ("#" + target.anchor if target.anchor else "")
    if target.kind == "anchor":
        return "#" + target.anchor
    if target.kind == "external":
        return target.slug
    return ""


def _open_link(target: Target | None, urls: Urls, attrs: str = "") -> tuple[str, str]:
    """(opening tag, closing tag) for a link to ``target``."""
    if target is None:
        return "<a>", "</a>"
    if target.kind == "planned":
        name = escapeHtml(target.slug)
        return (
            f'<span class="planned-link" title="Planned note: {name} (not written yet)">',
            "</span>",
        )
    if target.kind in ("unsafe", "missing"):
        return '<span class="broken-link">', "</span>"
    href = escapeHtml(target_url(urls, target))
    if target.kind == "external":
        return f'<a class="external" href="{href}" rel="noopener"{attrs}>', "</a>"
    return f'<a class="internal" href="{href}"{attrs}>', "</a>"


def _wikilink(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    token = tokens[idx]
    garden = _env(env)
    opening, closing = _open_link(token.meta.get("resolved"), garden.urls)
    label = token.meta["label"] or (
        token.meta["target"] + (" › " + token.meta["heading"] if token.meta["heading"] else "")
        if token.meta["target"]
        else token.meta["heading"]
    )
    return opening + escapeHtml(label) + closing


def _wikiembed(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    token = tokens[idx]
    garden = _env(env)
    target: Target | None = token.meta.get("resolved")
    if target is None or target.kind in ("missing", "planned"):
        if target is not None and target.kind == "planned":
            return _wikilink(self, tokens, idx, options, env)
        return f'<span class="broken-embed">{escapeHtml(token.meta["raw"])}</span>'
    if target.kind == "file":
        url = escapeHtml(garden.urls.file(target.slug))
        suffix = "." + target.slug.rsplit(".", 1)[-1].lower() if "." in target.slug else ""
        if suffix not in IMAGE_SUFFIXES:
            return f'<a class="internal file" href="{url}">{escapeHtml(token.meta["target"])}</a>'
        label = token.meta["label"]
        size = ""
        alt = token.meta["target"].rsplit("/", 1)[-1]
        width, _, height = label.partition("x")
        if width.isdigit() and (not height or height.isdigit()):
            size = f' width="{width}"' + (f' height="{height}"' if height else "")
        elif label:
            alt = label
        return f'<img src="{url}" alt="{escapeHtml(alt)}"{size} loading="lazy">'
    if target.kind in ("note", "section"):
        return garden.transclude(target, garden.stack, int(token.meta.get("line", 0)))
    return ""


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    token = tokens[idx]
    garden = _env(env)
    title = token.attrGet("title")
    attrs = f' title="{escapeHtml(str(title))}"' if title else ""
    opening, closing = _open_link(token.meta.get("resolved"), garden.urls, attrs)
    if "resolved" not in token.meta:  # not resolved (e.g. inside a transcluded heading slice)
        safe = validateLink(str(token.attrGet("href") or ""))  # markdown-it's own XSS check
        opening = self.renderToken(tokens, idx, options, env) if safe else '<span class="broken-link">'
        closing = "</a>" if safe else "</span>"
    garden.closing.append(closing)
    return opening


def _link_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    garden = _env(env)
    return garden.closing.pop() if garden.closing else "</a>"


def _image(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    token = tokens[idx]
    garden = _env(env)
    target: Target | None = token.meta.get("resolved")
    alt = escapeHtml(self.renderInlineAsText(token.children or [], options, env))
    title = token.attrGet("title")
    title_attr = f' title="{escapeHtml(str(title))}"' if title else ""
    if target is None or target.kind not in ("file", "external"):
        return f'<span class="broken-embed" role="img" aria-label="{alt}">[{alt}]</span>'
    figure = garden.figures.get(target.slug) if target.kind == "file" else None
    if figure is not None:
        return _figure(garden.urls, figure, str(title or "") or alt)
    src = escapeHtml(target_url(garden.urls, target))
    return f'<img src="{src}" alt="{alt}"{title_attr} loading="lazy">'


def _figure(urls: Urls, figure: Figure, caption: str) -> str:
    """A generated figure, inlined as SVG (crisp, links work, follows dark mode)."""
    png, png2x, svg = (escapeHtml(urls.file(p)) for p in (figure.png, figure.png2x, figure.svg_path))
    return (
        f'<figure class="figure figure-{figure.name}">{figure.svg}'
        f"<figcaption>{escapeHtml(caption)} · "
        f'<a href="{png}">PNG</a> (<a href="{png2x}">2×</a>) · <a href="{svg}">SVG</a></figcaption></figure>'
    )


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
    if meta["fold"]:
        opened = " open" if meta["fold"] == "+" else ""
        return f'<details class="callout callout-{kind}" data-callout="{kind}"{opened}>\n'
    return f'<div class="callout callout-{kind}" data-callout="{kind}">\n'


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


def _heading_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    if _env(env).embedded:
        return f"<{tokens[idx].tag}>"
    return self.renderToken(tokens, idx, options, env)


def _heading_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    opener = tokens[idx - 2] if idx >= 2 else None
    anchor = opener.attrGet("id") if opener is not None and opener.type == "heading_open" else None
    if _env(env).embedded:
        anchor = None
    link = (
        f' <a class="heading-link" href="#{escapeHtml(str(anchor))}" aria-label="Link to this section">#</a>'
        if anchor
        else ""
    )
    return f"{link}</{tokens[idx].tag}>\n"


def _is_block_embed(inline: Token | None, env: RenderEnv) -> bool:
    """A paragraph holding only note embeds or figures: render them as blocks, not in ``<p>``."""
    if inline is None or inline.type != "inline" or not inline.children:
        return False
    embeds = 0
    for child in inline.children:
        if child.type == "image":
            target = child.meta.get("resolved")
            if target is None or target.kind != "file" or target.slug not in env.figures:
                return False
            embeds += 1
        elif child.type == "wikiembed":
            target = child.meta.get("resolved")
            if target is None or target.kind not in ("note", "section"):
                return False
            embeds += 1
        elif child.type not in ("softbreak", "hardbreak") and not (
            child.type == "text" and not child.content.strip()
        ):
            return False
    return embeds > 0


def _paragraph_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    if _is_block_embed(tokens[idx + 1] if idx + 1 < len(tokens) else None, _env(env)):
        return ""
    return self.renderToken(tokens, idx, options, env)


def _paragraph_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    if _is_block_embed(tokens[idx - 1] if idx >= 1 else None, _env(env)):
        return ""
    return self.renderToken(tokens, idx, options, env)


def install_render_rules(md: MarkdownIt) -> None:
    """Our HTML for the token types the parser and the link stage produce."""
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
        "heading_open": _heading_open,
        "heading_close": _heading_close,
        "paragraph_open": _paragraph_open,
        "paragraph_close": _paragraph_close,
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule)


def render_tokens(md: MarkdownIt, tokens: list[Token], env: RenderEnv) -> str:
    return md.renderer.render(tokens, md.options, {"garden": env})


def heading_slice(tokens: list[Token], anchor: str) -> list[Token] | None:
    """The tokens of the section under the heading with id ``anchor``."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.attrGet("id") == anchor:
            level = int(token.tag[1])
            end = index + 3
            while end < len(tokens):
                other = tokens[end]
                if other.type == "heading_open" and int(other.tag[1]) <= level:
                    break
                if other.type == "footnote_block_open":
                    break
                end += 1
            return tokens[index:end]
    return None
