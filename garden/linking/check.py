"""Checking a note's links once the garden is known: ``resolve_links`` turns the references
``markdown/links.py`` collected into targets and graph edges, reporting ambiguous, missing and
unsafe links with their ``path:line``; ``transclusion_cycles`` finds embeds that loop."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from garden.core.boundary import LEAVES_HINT, leaves_message
from garden.core.problems import Problems, display_path
from garden.linking.anchors import locate
from garden.linking.resolve import Resolver, Target
from garden.markdown.blocks import Block
from garden.markdown.links import Heading, LinkRef
from garden.markdown.rawlinks import FILE_KINDS
from garden.sources.notes import Note


@dataclass(frozen=True)
class Edge:
    """One link from a note: to a note or section slug, a file, or a planned note's name."""

    source: str
    target: Target
    line: int
    context: str
    embed: bool = False
    in_list: bool = False  # the link sits in a list item


def resolve_links(
    note: Note,
    refs: list[LinkRef],
    resolver: Resolver,
    headings: dict[str, list[Heading]],
    problems: Problems,
    blocks: dict[str, list[Block]] | None = None,
) -> tuple[list[Target], list[Edge]]:
    """Targets of the note's links, in order, and the edges they add to the graph.

    A link into a note (``#heading``, ``#H1#H2``, ``#^block``) points at the element id that
    ``linking/anchors.py`` finds in the target note's ``headings`` and ``blocks`` (slug ->
    the note's); one that names nothing there is a warning and points at the page."""
    targets: list[Target] = []
    edges: list[Edge] = []
    for ref in refs:
        if ref.kind in ("wikilink", "embed"):
            target = resolver.wikilink(ref.target, ref.heading)
            fragment = ref.heading
        else:
            target = resolver.href(note, ref.target, image=ref.kind == "image" or ref.kind in FILE_KINDS)
            fragment = target.anchor
        target = _into_note(note, ref, target, fragment, headings, blocks or {}, problems)
        targets.append(target)
        _check(note, ref, target, problems, resolver)
        if target.kind == "outside":
            real = resolver.leaves(target.slug) or ""
            problems.error(note.source, ref.line, leaves_message(real, target.slug), LEAVES_HINT)
        if target.kind == "file" and ref.kind in ("image", "embed"):
            reason = resolver.image_problem(target.slug)
            if reason:
                problems.error(
                    note.source,
                    ref.line,
                    f"broken image {target.slug}: {reason}",
                    "replace the file with a real image, or fix its name",
                )
        if target.kind in ("note", "section", "planned", "file"):
            edges.append(Edge(note.slug, target, ref.line, ref.context, ref.kind == "embed", ref.in_list))
    return targets, edges


def _into_note(
    note: Note,
    ref: LinkRef,
    target: Target,
    fragment: str,
    headings: dict[str, list[Heading]],
    blocks: dict[str, list[Block]],
    problems: Problems,
) -> Target:
    """``target`` pointed at the heading or block ``fragment`` names; a warning if none."""
    if target.kind not in ("note", "anchor") or not fragment:
        return target
    slug = target.slug if target.kind == "note" else note.slug
    known = headings.get(slug)
    if known is None:
        return target
    found = locate(fragment, known, blocks.get(slug, []))
    if found.anchor is not None:
        return target if found.anchor == target.anchor else replace(target, anchor=found.anchor)
    if fragment.startswith("fn"):  # a footnote's id
        return target
    where = "this note" if slug == note.slug else ref.raw
    problems.warning(note.source, ref.line, f"{found.message} in {where}", found.hint)
    return target


def _file_hint(resolver: Resolver) -> str:
    """Where an image may be: this garden's own notes and static folders, by name."""
    notes, static = display_path(resolver.notes_dir), display_path(resolver.static_dir)
    return f"put the file under {notes}/ or {static}/ and check the spelling"


def _check(note: Note, ref: LinkRef, target: Target, problems: Problems, resolver: Resolver) -> None:
    raw, line = ref.raw, ref.line
    if target.ambiguous:
        problems.warning(
            note.source,
            line,
            f"ambiguous link {raw}: it matches {', '.join(target.ambiguous)}",
            f"write the path, e.g. [[{target.ambiguous[0].removesuffix('.md')}]]; using the first",
        )
    if target.kind == "unsafe":
        problems.warning(
            note.source, line, f"unsafe link {raw[:60]!r} removed", "only http(s), mailto and relative links"
        )
    elif target.kind == "missing":
        if ref.kind in ("image", "embed"):
            problems.warning(
                note.source,
                line,
                f"image not found: {target.slug or raw} (the page shows a placeholder)",
                _file_hint(resolver),
            )
        else:
            problems.warning(
                note.source,
                line,
                f"link to {raw} does not match any note or file",
                "check the path; note links may omit '.md'",
            )
    elif target.kind == "planned" and ref.kind == "image":
        problems.warning(
            note.source, line, f"image not found: {raw} (the page shows a placeholder)", _file_hint(resolver)
        )


def transclusion_cycles(
    edges: dict[str, list[Edge]], notes: dict[str, Any], section_text: dict[str, str], problems: Problems
) -> None:
    """Warn at every embed that closes a cycle of transclusions (pages show a marker there)."""
    embeds: dict[str, list[tuple[str, int]]] = {}
    for source, out in edges.items():
        for edge in out:
            if not edge.embed:
                continue
            target = edge.target.slug if edge.target.kind == "note" else ""
            if edge.target.kind == "section":
                target = section_text.get(edge.target.slug, "")
            if target:
                embeds.setdefault(source, []).append((target, edge.line))
    for source in sorted(embeds):
        for target, line in embeds[source]:
            path = _embed_path(embeds, target, source)
            if path is not None:
                problems.warning(
                    notes[source].source,
                    line,
                    f"transclusion cycle: {' → '.join([source, *path])}",
                    "embed a heading instead, or link with [[...]] rather than ![[...]]",
                )


def _embed_path(embeds: dict[str, list[tuple[str, int]]], start: str, goal: str) -> list[str] | None:
    """Shortest chain of embeds from ``start`` back to ``goal`` (breadth first), or None."""
    previous: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            chain = [node]
            while previous[chain[-1]] is not None:
                chain.append(previous[chain[-1]])  # type: ignore[arg-type]
            return chain[::-1]
        for nxt, _ in embeds.get(node, []):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return None
