"""Inline tokens as plain text: the one walker behind headings, image alt text, backlink
sentences' neighbours and the one-line summaries used in lists, feeds and link previews."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.token import Token

DESCRIPTION_LIMIT = 200
_TAGS = re.compile(r"<[^>]+>")
_SILENT_IN_SUMMARIES = ("image", "wikiembed", "html_inline")  # pictures and embeds say nothing there


def plain_text(children: list[Token] | None, summary: bool = False) -> str:
    """Plain text of inline tokens, math kept as ``$TeX$``.

    As written (``summary=False``: headings, alt text) a wikilink reads as its label or its
    whole target (``Note#Heading``) and the text is trimmed. In a ``summary`` pictures and embeds
    are left out, a wikilink reads as its label or note name, and white space is collapsed.
    """
    parts: list[str] = []
    for child in children or []:
        if summary and child.type in _SILENT_IN_SUMMARIES:
            continue
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("math_inline", "math_inline_double"):
            parts.append(f"${child.content}$")
        elif child.type == "wikilink":
            meta = child.meta or {}
            parts.append(
                (meta.get("label") or meta.get("target") or child.content) if summary else child.content
            )
        elif child.type == "citation":  # known only once linked: as written when it is a word
            if child.meta.get("narrative"):
                parts.append(child.content)
            elif parts:
                parts[-1] = parts[-1].rstrip()  # "kernel machines [@a]." reads "kernel machines."
        elif child.type == "texref":  # \eqref{x}: "(3)", as the note shows it
            parts.append(_TAGS.sub("", child.meta.get("html", "")))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.children:
            parts.append(plain_text(child.children, summary))
    text = "".join(parts)
    return " ".join(text.split()) if summary else text.strip()


def first_paragraph(tokens: list[Token]) -> str:
    """Plain text of the first paragraph with words in it (images and embeds alone are skipped)."""
    for index, token in enumerate(tokens):
        if token.type != "paragraph_open" or index + 1 >= len(tokens):
            continue
        text = plain_text(tokens[index + 1].children, summary=True)
        if text:
            return text
    return ""


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """At most ``limit`` characters, cut at a word with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–—")
    return cut + "…"
