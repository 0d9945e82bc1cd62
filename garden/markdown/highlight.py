"""Code highlighting with Pygments at build time: no JavaScript, classes styled by our CSS."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from markdown_it.common.utils import escapeHtml


@lru_cache(maxsize=128)
def _lexer(language: str) -> Any:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def highlight_code(code: str, language: str, _attrs: str) -> str:
    """markdown-it's ``highlight`` hook: a whole ``<pre>`` so markdown-it adds no wrapper."""
    language = (language or "").strip().split()[0] if language else ""
    lexer = _lexer(language.lower()) if language else None
    if lexer is not None:
        from pygments import highlight

        body = highlight(code, lexer, _formatter())
    else:
        body = escapeHtml(code)
    lang_class = f' class="language-{escapeHtml(language)}"' if language else ""
    return f'<pre class="highlight"><code{lang_class}>{body}</code></pre>\n'


def pygments_css(style: str, scope: str) -> str:
    """Token colours for one Pygments style, scoped under a CSS selector."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=style).get_style_defs(scope)
