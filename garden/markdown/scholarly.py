"""Writing like a paper, at compile time: citations collected, equations and theorem blocks
numbered, ``\\eqref``/``\\ref`` resolved within the note.

``scholarly_rule`` runs after inline parsing; what it finds goes to ``state.env["scholarly"]``
(a ``Writing``), which ``compile.py`` keeps with the note. Everything here depends only on the
note's text (and the numbering setting), so it is cached with the note; citations stay
placeholders until the bibliography is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from garden.markdown import placeholders
from garden.markdown.blocks import Block
from garden.markdown.citations import Cluster
from garden.markdown.equations import number_formula
from garden.markdown.plaintext import plain_text
from garden.markdown.theorems import THEOREM_KINDS, TheoremCounter, TheoremHead, theorem_anchor

if TYPE_CHECKING:
    from garden.sources.notes import Note

_TEXREF = re.compile(r"\\(eqref|ref|autoref|cref|Cref|label)\s*\{([^{}\n]+)\}")
_MATH_REF = re.compile(r"\\(eqref|ref|autoref|cref|Cref)\s*\{([^{}\n]+)\}")
_ONLY_REF = re.compile(r"^\s*\\(eqref|ref|autoref|cref|Cref)\s*\{([^{}\n]+)\}\s*$")
_DISPLAY = ("math_block", "math_block_label", "amsmath")
NUMBERING_OPTION = "theorem_numbering"  # a compile option (``Config.compile_options``), in the parse env
TAGGING_MACROS = "tagging_macros"  # env: a pattern of the writer's macros that write a \tag
SITE_REFS = "site_refs"  # env: the \ref-like commands the site defines itself (left to KaTeX)


@dataclass(frozen=True)
class Label:
    """Something in a note that ``\\eqref``, ``\\ref`` and ``[[Note#name]]`` can point at."""

    name: str
    kind: str  # "equation" or a theorem kind
    number: str
    anchor: str  # the element's id
    text: str  # how a link to it reads: "(3)", "Theorem 2 (Universality)"
    line: int  # 0-based body line (compile.py makes it a file line)


@dataclass
class Writing:
    """What a note's citations, equations and theorems come to."""

    clusters: list[Cluster] = field(default_factory=list)  # lines are body lines here
    labels: list[Label] = field(default_factory=list)
    theorems: dict[str, TheoremHead] = field(default_factory=dict)  # theorem blocks named ^id
    problems: list[Said] = field(default_factory=list)


@dataclass(frozen=True)
class Said:
    """A problem found here: at a 0-based body line, maybe naming another line (``also``)."""

    line: int
    message: str
    hint: str
    also: int | None = None


# --------------------------------------------------------------------------- parsing


def texref_rule(state: StateInline, silent: bool) -> bool:
    r"""``\eqref{name}``, ``\ref{name}`` (and ``\autoref``, ``\cref``) and ``\label{name}`` in text."""
    if state.src[state.pos] != "\\":
        return False
    match = _TEXREF.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("texref", "", 0)
        token.meta = {"command": match.group(1), "name": match.group(2).strip(), "pos": state.pos}
        token.content = match.group(0)
    state.pos = match.end()
    return True


def scholarly_rule(state: StateCore) -> None:
    """Number equations and theorem blocks, resolve references within the note, list citations."""
    per_kind = bool(state.env.get(NUMBERING_OPTION) == "per-kind")
    site_refs: frozenset[str] = state.env.get(SITE_REFS) or frozenset()
    writing = Writing()
    state.env["scholarly"] = writing
    counter = [0]
    theorems = TheoremCounter(per_kind)
    labels: dict[str, Label] = {}
    refs: list[tuple[Token, int]] = []
    math_refs: list[tuple[Token, int]] = []
    open_theorems: list[tuple[Token, TheoremHead]] = []

    def define(label: Label) -> None:
        if label.name in labels:
            first = labels[label.name]
            writing.problems.append(
                Said(
                    label.line,
                    f"label '{label.name}' is used twice",
                    "give each equation or theorem its own \\label name",
                    first.line,
                )
            )
            return
        labels[label.name] = label
        writing.labels.append(label)

    tokens = state.tokens
    for index, token in enumerate(tokens):
        line = token.map[0] if token.map else 0
        if token.type in _DISPLAY or (token.type == "fence" and token.info.strip().lower() == "math"):
            if _MATH_REF.search(token.content):
                math_refs.append((token, line))
            if token.type == "math_block_label":
                continue
            numbered = number_formula(token.content, counter, state.env.get(TAGGING_MACROS))
            if numbered.labels or numbered.tex != token.content:
                token.content = numbered.tex
                token.meta = {**(token.meta or {}), "equation": [lab.anchor for lab in numbered.labels]}
            for lab in numbered.labels:
                define(Label(lab.name, "equation", lab.number, lab.anchor, f"({lab.number})", line))
            for name in numbered.unnumbered_labels:
                writing.problems.append(
                    Said(
                        line, f"\\label{{{name}}} is on a row with \\nonumber: it has no number", "remove one"
                    )
                )
        elif token.type == "callout_open" and token.meta.get("kind") in THEOREM_KINDS:
            kind = token.meta["kind"]
            title = tokens[index + 2] if index + 2 < len(tokens) else None
            name = _title_text(title, kind)
            head = TheoremHead(kind, theorems.next(kind), name)
            named = token.attrGet("id")  # ``^name`` after the block (markdown/blocks.py)
            if named:
                head.anchor = str(named)
                writing.theorems[head.anchor] = head
            token.meta["theorem"] = head
            for part in tokens[index + 1 : index + 4]:  # its title (whose meta ^id may have unshared)
                if part.type in ("callout_title_open", "callout_title_close"):
                    part.meta = {**(part.meta or {}), "theorem": head}
            open_theorems.append((token, head))
            if title is not None and title.type == "inline" and not name:  # keep only its \label
                title.children = [c for c in title.children or [] if c.type == "texref"]
            elif title is not None and title.children:
                _trim_before_labels(title.children)
        elif token.type == "callout_close" and open_theorems:
            _close_theorem(tokens, index, open_theorems)
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            child_line = (child.meta or {}).get("line", line)
            if child.type == "citation":
                child.meta["cite"] = len(writing.clusters)
                writing.clusters.append(
                    Cluster(child.meta["items"], child.meta["narrative"], child_line, child.meta["raw"])
                )
            elif child.type == "texref":
                if child.meta["command"] == "label":
                    _label_theorem(child, child_line, open_theorems, define, writing)
                else:
                    refs.append((child, child_line))
            elif child.type in ("math_inline", "math_inline_double"):
                only = _ONLY_REF.match(child.content)
                if only is not None and only.group(1) not in site_refs:
                    child.type = "texref"
                    child.meta = {
                        **(child.meta or {}),
                        "command": only.group(1),
                        "name": only.group(2).strip(),
                    }
                    refs.append((child, child_line))
                elif _MATH_REF.search(child.content):
                    math_refs.append((child, child_line))

    for token, line in refs:
        token.meta["html"] = _ref_html(token.meta["command"], token.meta["name"], labels, line, writing)
    for token, line in math_refs:
        token.content = _MATH_REF.sub(
            lambda m, line=line: (
                m.group(0) if m.group(1) in site_refs else _ref_tex(m, labels, line, writing)
            ),
            token.content,
        )


def _title_text(title: Token | None, kind: str) -> str:
    """The written title of a theorem block, or "" when it has only the default one."""
    if title is None or title.type != "inline":
        return ""
    # as it reads (``**unity**`` is "unity", a formula its ``$TeX$``), as links and lists show text
    text = plain_text([c for c in title.children or [] if c.type != "texref"])
    if text.lower() in (kind, kind.capitalize().lower()):
        return ""
    return text


def _trim_before_labels(children: list[Token]) -> None:
    """``Universality \\label{univ}`` reads "Universality", without the space before the label."""
    for index, child in enumerate(children):
        if child.type == "texref" and child.meta["command"] == "label" and index:
            before = children[index - 1]
            if before.type == "text":
                before.content = before.content.rstrip()


def _close_theorem(tokens: list[Token], index: int, open_theorems: list[tuple[Token, TheoremHead]]) -> None:
    """Match a callout's end to its opener (callouts nest) and mark the end of a theorem block."""
    depth = 0
    for back in range(index - 1, -1, -1):
        token = tokens[back]
        if token.type == "callout_close":
            depth += 1
        elif token.type == "callout_open":
            if depth == 0:
                if open_theorems and open_theorems[-1][0] is token:
                    tokens[index].meta = {**(tokens[index].meta or {}), "theorem": open_theorems.pop()[1]}
                return
            depth -= 1


def _label_theorem(
    token: Token,
    line: int,
    open_theorems: list[tuple[Token, TheoremHead]],
    define: Callable[[Label], None],
    writing: Writing,
) -> None:
    name = token.meta["name"]
    if not open_theorems:
        writing.problems.append(
            Said(
                line,
                f"\\label{{{name}}} is outside any formula or theorem block: it labels nothing",
                "put it inside a display formula ($$ … $$) or a > [!theorem] block",
            )
        )
        return
    opener, head = open_theorems[-1]
    if head.labelled:
        writing.problems.append(
            Said(line, f"this block already has a label: {name!r} is ignored", "keep one")
        )
        return
    head.labelled = True
    head.anchor = head.anchor or theorem_anchor(name)  # a block named ^id keeps its id
    define(Label(name, head.kind, head.number, head.anchor, head.text, opener.map[0] if opener.map else line))


def _ref_html(command: str, name: str, labels: dict[str, Label], line: int, writing: Writing) -> str:
    label = labels.get(name)
    if label is None:
        _unknown(name, labels, line, writing)
        return f'<span class="broken-ref">{escapeHtml(command_text(command, name))}</span>'
    text = ref_text(command, label)
    return f'<a class="internal ref" href="#{escapeHtml(label.anchor)}">{escapeHtml(text)}</a>'


def ref_text(command: str, label: Label) -> str:
    """``\\eqref`` prints "(3)", ``\\ref`` "3", ``\\autoref``/``\\cref`` "Theorem 2" or "Equation (3)"."""
    if command == "eqref":
        return f"({label.number})"
    if command == "ref":
        return label.number
    if label.kind == "equation":
        return f"Equation ({label.number})" if command == "Cref" else f"equation ({label.number})"
    return f"{label.kind.capitalize()} {label.number}".strip()


def command_text(command: str, name: str) -> str:
    return f"\\{command}{{{name}}}"


def _ref_tex(match: re.Match[str], labels: dict[str, Label], line: int, writing: Writing) -> str:
    label = labels.get(match.group(2).strip())
    if label is None:
        _unknown(match.group(2).strip(), labels, line, writing)
        return r"\text{(??)}"
    text = ref_text(match.group(1), label)
    return r"\text{" + re.sub(r"([{}\\#$%&_^~])", r"\\\1", text) + "}"


def _unknown(name: str, labels: dict[str, Label], line: int, writing: Writing) -> None:
    import difflib

    close = difflib.get_close_matches(name, list(labels), n=3, cutoff=0.5)
    known = ", ".join(close or list(labels)[:5])
    writing.problems.append(
        Said(
            line,
            f"no \\label{{{name}}} in this note",
            f"labels here: {known}" if known else "add \\label{…} to a display formula or a theorem block",
        )
    )


def numbered_blocks(blocks: list[Block], writing: Writing, note: Note) -> list[Block]:
    """The note's block registry with its numbered blocks: a theorem block named ``^id`` gets
    its kind and name ("Theorem 2 (Universality)"); each ``\\label`` is a block too."""
    out = [
        replace(block, kind=head.kind, label=head.text)
        if (head := writing.theorems.get(block.anchor))
        else block
        for block in blocks
    ]
    taken = {block.key for block in out}
    for label in writing.labels:
        if label.name.lower() not in taken:
            taken.add(label.name.lower())
            out.append(Block(label.name, label.anchor, label.kind, note.file_line(label.line), label.text))
    return out


# --------------------------------------------------------------------------- rendering


def _texref(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return tokens[idx].meta.get("html", "")


def _citation(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return placeholders.citation(tokens[idx].meta["cite"])


def _wrap_equation(original: Callable[..., str]) -> Callable[..., str]:
    """A numbered display formula sits in a box whose ids its labels link to."""

    def render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
        html = original(tokens, idx, options, env)  # a bound rule
        anchors = (tokens[idx].meta or {}).get("equation")
        if not anchors:
            return html
        ids = "".join(f'<span id="{escapeHtml(a)}"></span>' for a in anchors[1:])
        return f'<div class="equation" id="{escapeHtml(anchors[0])}">{ids}{html.rstrip()}</div>\n'

    return render


def _wrap_callout(name: str, original: Callable[..., str]) -> Callable[..., str]:
    """Theorem blocks: an id to link to, a numbered head in the title, ∎ at a proof's end."""

    def render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
        head: TheoremHead | None = (tokens[idx].meta or {}).get("theorem")
        html = original(tokens, idx, options, env)  # a bound rule
        if head is None:
            return html
        if name == "callout_open":
            own = head.anchor and not tokens[idx].attrGet("id")  # else html.py wrote it (^id)
            anchor = f' id="{escapeHtml(head.anchor)}"' if own else ""
            return html.replace(' class="callout ', f'{anchor} class="theorem callout ', 1)
        if name == "callout_title_open":
            separator = " (" if head.name else ""
            return f'{html}<span class="theorem-head">{escapeHtml(head.head)}</span>{separator}'
        if name == "callout_title_close":
            return (")" if head.name else "") + html
        if head.kind == "proof":
            return '<p class="qed"><span role="img" aria-label="End of proof">∎</span></p>\n' + html
        return html

    return render


def install_scholarly_rules(md: MarkdownIt) -> None:
    """Our HTML for citations, references and numbered blocks (after ``html.py``'s rules)."""
    rules = md.renderer.rules
    md.add_render_rule("texref", _texref)
    md.add_render_rule("citation", _citation)
    for kind in (*_DISPLAY, "fence"):
        if kind in rules:
            md.add_render_rule(kind, _wrap_equation(rules[kind]))
    for name in ("callout_open", "callout_title_open", "callout_title_close", "callout_close"):
        md.add_render_rule(name, _wrap_callout(name, rules[name]))


def scholarly_plugin(md: MarkdownIt) -> None:
    """The syntax: citations, ``\\eqref``/``\\ref``/``\\label`` in text, and the numbering pass."""
    from garden.markdown.citations import citation_rule, narrative_rule

    md.inline.ruler.before("link", "citation", citation_rule)
    md.inline.ruler.before("link", "citation_narrative", narrative_rule)
    md.inline.ruler.before("escape", "texref", texref_rule)
    md.core.ruler.after("block_ids", "scholarly", scholarly_rule)  # after ^id has named blocks
    md.inline.add_terminator_char("@")
