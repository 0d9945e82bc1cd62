"""Code highlighting with Pygments at build time: no JavaScript, classes styled by our CSS."""

from __future__ import annotations

from functools import lru_cache

from markdown_it.common.utils import escapeHtml
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=128)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, language: str, _attrs: str) -> str:
    """markdown-it's ``highlight`` hook: a whole ``<pre>`` so markdown-it adds no wrapper."""
    language = (language or "").strip().split()[0] if language else ""
    lexer = _lexer(language.lower()) if language else None
    body = highlight(code, lexer, _FORMATTER) if lexer else escapeHtml(code)
    lang_class = f' class="language-{escapeHtml(language)}"' if language else ""
    return f'<pre class="highlight"><code{lang_class}>{body}</code></pre>\n'


def pygments_css(style: str, scope: str) -> str:
    """Token colours for one Pygments style, scoped under a CSS selector."""
    return HtmlFormatter(style=style).get_style_defs(scope)
