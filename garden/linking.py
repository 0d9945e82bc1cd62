"""The link stage: resolve every link of a parsed note and record the edges of the graph.

Tokens are annotated in place (``meta["target"]``) so rendering needs no resolver; the
edges carry the sentence that links, for backlinks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.token import Token

from .links import Resolver, Target
from .notes import Note
from .paths import heading_anchor
from .problems import Problems


@dataclass(frozen=True)
class Edge:
    """One link from a note: to a note or section slug, or to a planned note's name."""

    source: str
    target: Target
    line: int  # 1-based line in the source file
    context: str  # the sentence that links
    embed: bool = False


@dataclass
class Heading:
    level: int
    text: str
    anchor: str
    line: int


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\[\$\*_(])|\n\s*\n")
_MARKUP = [
    (re.compile(r"!?\[\[([^\]|#]*)(?:#[^\]|]*)?\|([^\]]+)\]\]"), r"\2"),
    (re.compile(r"!?\[\[([^\]|#]*)(?:#([^\]|]*))?\]\]"), lambda m: m.group(1) or m.group(2) or ""),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"[*_`~=]{1,3}"), ""),
    (re.compile(r"\s+"), " "),
]


def sentence_at(content: str, pos: int) -> str:
    """The sentence of a paragraph around position ``pos``, markup stripped."""
    start, end = 0, len(content)
    for match in _SENTENCE_END.finditer(content):
        if match.end() <= pos:
            start = match.end()
        elif match.start() >= pos:
            end = match.start()
            break
    text = content[start:end]
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    text = text.strip()
    return text if len(text) <= 280 else text[:277].rstrip() + "…"


def headings_of(tokens: list[Token], note: Note) -> list[Heading]:
    out: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = inline_plain(inline.children)
            anchor = token.attrGet("id") or heading_anchor(text)
            line = note.file_line(token.map[0]) if token.map else 0
            out.append(Heading(int(token.tag[1]), text, str(anchor), line))
    return out


def inline_plain(children: list[Token] | None) -> str:
    parts: list[str] = []
    for child in children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("math_inline", "math_inline_double"):
            parts.append(f"${child.content}$")
        elif child.type == "wikilink":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.children:
            parts.append(inline_plain(child.children))
    return "".join(parts).strip()


def link_note(
    note: Note,
    tokens: list[Token],
    resolver: Resolver,
    headings: dict[str, list[Heading]],
    problems: Problems,
) -> list[Edge]:
    """Annotate the note's link tokens with their targets; return its outgoing edges."""
    edges: list[Edge] = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        for child in _walk(block.children):
            target = _resolve(note, child, resolver)
            if target is None:
                continue
            child.meta["resolved"] = target
            line = note.file_line(child.meta.get("line", block.map[0] if block.map else 0))
            _check(note, child, target, line, headings, problems)
            if target.kind == "file" and child.type in ("image", "wikiembed"):
                reason = resolver.image_problem(target.slug)
                if reason:
                    problems.error(
                        note.source,
                        line,
                        f"broken image {target.slug}: {reason}",
                        "replace the file with a real image, or fix its name",
                    )
            if target.kind in ("note", "section", "planned", "file"):
                pos = child.meta.get("pos")
                if pos is None:
                    pos = max(block.content.find(str(child.attrGet("href") or "")), 0)
                edges.append(
                    Edge(
                        note.slug,
                        target,
                        line,
                        sentence_at(block.content, pos),
                        child.type == "wikiembed",
                    )
                )
    return edges


def _walk(children: list[Token]) -> list[Token]:
    out: list[Token] = []
    for child in children:
        out.append(child)
        if child.children:
            out.extend(_walk(child.children))
    return out


def _resolve(note: Note, token: Token, resolver: Resolver) -> Target | None:
    if token.type in ("wikilink", "wikiembed"):
        return resolver.wikilink(token.meta["target"], token.meta["heading"])
    if token.type == "link_open":
        href = str(token.attrGet("href") or "")
        if token.info == "auto" and href.startswith(("http", "mailto")):
            return Target("external", href)
        return resolver.href(note, href)
    if token.type == "image":
        return resolver.href(note, str(token.attrGet("src") or ""), image=True)
    return None


def _check(
    note: Note,
    token: Token,
    target: Target,
    line: int,
    headings: dict[str, list[Heading]],
    problems: Problems,
) -> None:
    raw = token.meta.get("raw") or token.attrGet("href") or token.attrGet("src") or ""
    if target.ambiguous:
        problems.warning(
            note.source,
            line,
            f"ambiguous link {raw}: it matches {', '.join(target.ambiguous)}",
            f"write the path, e.g. [[{target.ambiguous[0].removesuffix('.md')}]]; using the first",
        )
    if target.kind == "unsafe":
        problems.warning(
            note.source,
            line,
            f"unsafe link {str(raw)[:60]!r} removed",
            "only http(s), mailto and relative links",
        )
    elif target.kind == "missing":
        if token.type == "image" or token.type == "wikiembed":
            problems.error(
                note.source,
                line,
                f"image not found: {target.slug or raw}",
                "put the file under notes/ or static/ (e.g. static/images/) and check the spelling",
            )
        else:
            problems.warning(
                note.source,
                line,
                f"link to {raw} does not match any note or file",
                "check the path; note links may omit '.md'",
            )
    elif target.kind == "planned" and token.type == "image":
        problems.error(note.source, line, f"image not found: {raw}", "check the path")
    elif target.kind in ("note", "anchor") and target.anchor:
        slug = target.slug if target.kind == "note" else note.slug
        known = headings.get(slug)
        missing = known is not None and target.anchor not in {h.anchor for h in known}
        if missing and not target.anchor.startswith(("fn", "^")):
            problems.warning(
                note.source,
                line,
                f"heading '#{target.anchor}' not found in {'this note' if slug == note.slug else raw}",
                "check the heading's spelling",
            )
