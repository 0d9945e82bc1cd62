"""The bad-input corpus: one tiny garden per mistake a writer makes, and exactly what garden says.

A table in Python rather than folders of files: several inputs cannot live in a repository
(a 5 MB note, a symlink loop that would trip every tool walking ``tests/``, file names that
differ only in Unicode normalisation, which git and some file systems rewrite), and one table
is easier to read as a list of promises. ``test_bad_inputs.py`` runs each case.

Each case writes its files into a garden that already holds two notes (``good.md`` and
``zz-sentinel.md``, whose two warnings prove every other note is still checked) and was built
once. ``expected`` lists the exact first line of every problem, besides the sentinel's. Files
are named after their case, so every case can also share one garden with all the others.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field

from PIL import Image


@dataclass(frozen=True)
class Link:
    """A symbolic link to ``target`` (relative to the link's folder)."""

    target: str


Content = str | bytes | Link


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, Content]  # path under the garden root -> content
    expected: tuple[str, ...] = ()  # exact problem lines, "path:line: severity: message"
    code: int = 0  # exit code of `build`
    shows: dict[str, str] = field(default_factory=dict)  # output file -> text it holds (exit 0)
    hints: tuple[str, ...] = ()  # text the hints must hold
    absent: tuple[str, ...] = ()  # paths under the garden root that must not exist afterwards
    slow: bool = False
    combine: bool = True  # False: left out of the all-at-once garden (too slow, or changes config)


GOOD = """---
title: Good
tags: [ok]
---
A good note about $x^2$, linking [[zz-sentinel]].

## Section
"""

SENTINEL = """# Sentinel

See [[good#Nowhere]].

![[zz-sentinel]]
"""

SENTINEL_PROBLEMS = (
    "notes/zz-sentinel.md:3: warning: heading '#Nowhere' not found in [[good#Nowhere]]",
    "notes/zz-sentinel.md:5: warning: transclusion cycle: zz-sentinel → zz-sentinel",
)


def _png(width: int = 8, height: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _note(front: str, body: str = "Body.\n") -> str:
    return f"---\n{front}---\n{body}"


_PROSE = "Plain prose about kernels and widths, nothing fancy here at all. " * 12 + "\n\n"
_RICH = "Text with [[good]], $x^2$, `code`, **bold** and a [link](good.md). " * 4 + "\n\n"
_BILLION_LAUGHS = "lol: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"l{i}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for i, (a, b) in enumerate(itertools.pairwise("abcdefghi"))
)
_NESTED_LIST = "".join("  " * depth + f"- level {depth}\n" for depth in range(200))

CASES: list[Case] = [
    # ------------------------------------------------------------------ front-matter YAML
    Case(
        "yaml-unclosed-quote",
        {"notes/yaml-unclosed-quote.md": _note('title: "Unclosed\ntags: [a]\n')},
        (
            "notes/yaml-unclosed-quote.md:2: error: front-matter: invalid YAML: found unexpected end of "
            "stream (while scanning a quoted scalar)",
        ),
        1,
        hints=("a quote or bracket opened on this line is not closed",),
    ),
    Case(
        "yaml-unclosed-bracket",
        {"notes/yaml-unclosed-bracket.md": _note("title: [unclosed\nstatus: budding\n")},
        (
            "notes/yaml-unclosed-bracket.md:2: error: front-matter: invalid YAML: expected ',' or ']', "
            "but got ':' (while parsing a flow sequence)",
        ),
        1,
    ),
    Case(
        "yaml-tab-indent",
        {"notes/yaml-tab-indent.md": _note("title: Tabs\n\ttags: [a]\n")},
        (
            "notes/yaml-tab-indent.md:3: error: front-matter: invalid YAML: found character '\\t' that "
            "cannot start any token (while scanning for the next token)",
        ),
        1,
        hints=("indent with spaces",),
    ),
    Case(
        "yaml-python-tag",  # SafeLoader only: nothing runs
        {"notes/yaml-python-tag.md": _note('run: !!python/object/apply:os.system ["touch pwned"]\n')},
        (
            "notes/yaml-python-tag.md:2: error: front-matter: invalid YAML: could not determine a "
            "constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
        ),
        1,
        absent=("pwned",),
    ),
    Case(
        "yaml-deep-nesting",
        {"notes/yaml-deep-nesting.md": _note("x: " + "[" * 800 + "]" * 800 + "\n")},
        ("notes/yaml-deep-nesting.md:2: error: front-matter: invalid YAML: nested too deeply",),
        1,
    ),
    Case(
        "yaml-billion-laughs",  # aliases stay shared references: nothing is expanded
        {"notes/yaml-billion-laughs.md": _note("title: Laughs\n" + _BILLION_LAUGHS)},
        shows={"yaml-billion-laughs/index.html": "<h1>Laughs</h1>"},
    ),
    Case(
        "yaml-duplicate-key",
        {"notes/yaml-duplicate-key.md": _note("title: First\ntags: [a]\ntitle: Second\n")},
        (
            "notes/yaml-duplicate-key.md:4: warning: 'title' is set twice in the front-matter "
            "(also on line 2); the last one wins",
        ),
        shows={"yaml-duplicate-key/index.html": "<h1>Second</h1>"},
    ),
    Case(
        "front-matter-list",
        {"notes/front-matter-list.md": _note("- a\n- b\n")},
        (
            "notes/front-matter-list.md:2: error: front-matter must be a mapping of keys to values, "
            "not a list",
        ),
        1,
    ),
    Case(
        "front-matter-scalar",
        {"notes/front-matter-scalar.md": _note("just text\n")},
        (
            "notes/front-matter-scalar.md:2: error: front-matter must be a mapping of keys to values, "
            "not a single value",
        ),
        1,
    ),
    Case(
        "front-matter-unclosed",
        {"notes/front-matter-unclosed.md": "---\ntitle: Never closed\n\nBody.\n"},
        ("notes/front-matter-unclosed.md:1: error: front-matter starts with '---' but is never closed",),
        1,
    ),
    Case(
        "front-matter-empty",
        {"notes/front-matter-empty.md": "---\n---\nBody.\n"},
        shows={"front-matter-empty/index.html": "<h1>front-matter-empty</h1>"},
    ),
    # ------------------------------------------------------------------ front-matter values
    Case(
        "title-number",
        {"notes/title-number.md": _note("title: 42\n")},
        shows={"title-number/index.html": "<h1>42</h1>"},
    ),
    Case(
        "title-empty",
        {"notes/title-empty.md": _note("title: ''\n")},
        ("notes/title-empty.md:2: warning: empty title",),
        shows={"title-empty/index.html": "<h1>title-empty</h1>"},
    ),
    Case(
        "title-mapping",
        {"notes/title-mapping.md": _note("title: {a: 1}\n")},
        ("notes/title-mapping.md:2: error: 'title' must be text",),
        1,
    ),
    Case(
        "title-yes",  # YAML reads a bare yes as true
        {"notes/title-yes.md": _note("title: yes\n")},
        ("notes/title-yes.md:2: error: 'title' must be text",),
        1,
        hints=('quote it: title: "..."',),
    ),
    Case(
        "tags-string",
        {"notes/tags-string.md": _note("title: Tagged\ntags: kernels, theory\n")},
        shows={"tags/kernels/index.html": "Tagged", "tags/theory/index.html": "Tagged"},
    ),
    Case(
        "tags-list-of-lists",
        {"notes/tags-list-of-lists.md": _note("tags: [[a, b], c]\n")},
        ("notes/tags-list-of-lists.md:2: error: 'tags' must be a list of words",),
        1,
    ),
    Case(
        "dates-several-formats",
        {
            "notes/dates-slashes.md": _note("date: 2024/05/01\n"),
            "notes/dates-words.md": _note("date: May 1, 2024\n"),
            "notes/dates-day-first.md": _note("date: 1 May 2024\n"),
            "notes/dates-dotted.md": _note("date: 01.05.2024\n"),
            "notes/dates-datetime.md": _note("date: 2024-05-01T10:30:00Z\nupdated: 2024-05-02 08:00\n"),
        },
        shows={
            f"dates-{name}/index.html": '<time datetime="2024-05-01">'
            for name in ("slashes", "words", "day-first", "dotted", "datetime")
        },
    ),
    Case(
        "date-invalid",
        {"notes/date-invalid.md": _note("date: 2024-13-45\n")},
        ("notes/date-invalid.md:2: error: 'date' is not a date: '2024-13-45'",),
        1,
        hints=("YYYY-MM-DD",),
    ),
    Case(
        "date-words",
        {"notes/date-words.md": _note("updated: last tuesday\n")},
        ("notes/date-words.md:2: error: 'updated' is not a date: 'last tuesday'",),
        1,
    ),
    Case(
        "status-unknown",
        {"notes/status-unknown.md": _note("status: sprouting\n")},
        ("notes/status-unknown.md:2: warning: unknown status 'sprouting'",),
    ),
    Case(
        "draft-not-bool",
        {"notes/draft-not-bool.md": _note("draft: maybe\n")},
        ("notes/draft-not-bool.md:2: error: 'draft' must be true or false",),
        1,
    ),
    Case(
        "weight-not-number",
        {"notes/weight-not-number.md": _note("weight: heavy\n")},
        ("notes/weight-not-number.md:2: error: 'weight' must be a number",),
        1,
    ),
    Case(
        "paper-not-mapping",
        {"notes/paper-not-mapping.md": _note("paper: Jacot et al. 2018\n")},
        ("notes/paper-not-mapping.md:2: error: 'paper' must be a mapping",),
        1,
    ),
    Case(
        "paper-javascript-url",
        {"notes/paper-javascript-url.md": _note("paper: {title: T, url: 'javascript:alert(1)'}\n")},
        (
            "notes/paper-javascript-url.md:2: warning: 'paper.url' is not an http(s) URL: "
            "'javascript:alert(1)'; left out",
        ),
        shows={"paper-javascript-url/index.html": "<cite>T</cite>"},
    ),
    Case(
        "section-unknown",
        {"notes/section-unknown.md": _note("section: nowhere\n")},
        ("notes/section-unknown.md:2: error: unknown section 'nowhere'",),
        1,
    ),
    Case(
        "section-typo",
        {"notes/section-typo.md": _note("section: models/nngp-ntks\n")},
        ("notes/section-typo.md:2: error: unknown section 'models/nngp-ntks'",),
        1,
        hints=("did you mean 'models/nngp-ntk'",),
    ),
    # ------------------------------------------------------------------ bytes and sizes
    Case(
        "encoding-latin1",
        {"notes/encoding-latin1.md": "---\ntitle: Café\n---\nCrème brûlée\n".encode("latin-1")},
        ("notes/encoding-latin1.md:2: error: not valid UTF-8 (byte 0xe9)",),
        1,
        hints=("iconv",),
    ),
    Case(
        "encoding-utf16",
        {"notes/encoding-utf16.md": "# Hello\n".encode("utf-16")},
        ("notes/encoding-utf16.md:1: error: saved as UTF-16, not UTF-8",),
        1,
    ),
    Case(
        "encoding-binary",
        {"notes/encoding-binary.md": _png()},
        ("notes/encoding-binary.md:1: error: not a text file (it contains NUL bytes)",),
        1,
    ),
    Case(
        "encoding-bom-crlf",
        {"notes/encoding-bom-crlf.md": "\ufeff---\r\ntitle: Windows note\r\n---\r\nBody $x$.\r\n".encode()},
        shows={"encoding-bom-crlf/index.html": "<h1>Windows note</h1>"},
    ),
    Case(
        "empty-file",
        {"notes/empty-file.md": ""},
        shows={"empty-file/index.html": "<h1>empty-file</h1>"},
    ),
    Case(
        "huge-note",
        {"notes/huge-note.md": "# Huge\n\nSee [[good]] and $x$.\n\n" + _PROSE * 6500 + "The end.\n"},
        shows={"huge-note/index.html": "<p>The end.</p>"},
        combine=False,
    ),
    Case(
        "huge-note-rich",  # 5 MB of links, math and code: about 30 s
        {"notes/huge-note-rich.md": "# Rich\n\n" + _RICH * 19000 + "The end.\n"},
        shows={"huge-note-rich/index.html": "<p>The end.</p>"},
        slow=True,
    ),
    Case(
        "nested-lists-200",
        {"notes/nested-lists-200.md": _NESTED_LIST + "\nAfter the list.\n"},
        (
            "notes/nested-lists-200.md:32: warning: lists or quotes nested more than 64 levels deep: "
            "the rest is plain text",
        ),
        shows={"nested-lists-200/index.html": "level 199"},
    ),
    Case(
        "nested-quotes-200",
        {"notes/nested-quotes-200.md": "Intro.\n\n" + ">" * 200 + " Deep.\n\nAfter the quote.\n"},
        (
            "notes/nested-quotes-200.md:3: warning: lists or quotes nested more than 64 levels deep: "
            "the rest is plain text",
        ),
        shows={"nested-quotes-200/index.html": "<p>After the quote.</p>"},
    ),
    Case(
        "many-open-brackets",  # the wikilink rule was quadratic here
        {"notes/many-open-brackets.md": "# Brackets\n\n" + "[[" * 5_000 + "\n"},
        shows={"many-open-brackets/index.html": "<h1>Brackets</h1>"},
        combine=False,
    ),
    # ------------------------------------------------------------------ files, folders, names
    Case(
        "symlink-loop",
        {"notes/symlink-loop/inside.md": "Inside.\n", "notes/symlink-loop/again": Link(".")},
        ("notes/symlink-loop/again: warning: folder skipped: a symlink loop leads back here",),
        shows={"symlink-loop/inside/index.html": "Inside."},
    ),
    Case(
        "symlink-broken",
        {"notes/symlink-broken.md": Link("nowhere.md")},
        ("notes/symlink-broken.md:1: warning: broken symlink skipped",),
    ),
    Case(
        "folder-named-md",
        {"notes/folder.md/inner-note.md": "Inner.\n"},
        shows={"folder-md/inner-note/index.html": "Inner."},
    ),
    Case(
        "slug-collide-case",
        {"notes/Slug-Case.md": "One.\n", "notes/slug-case.md": "Two.\n"},
        (
            "notes/slug-case.md:1: error: two notes share the URL '/slug-case/': Slug-Case.md and "
            "slug-case.md",
        ),
        1,
    ),
    Case(
        "slug-collide-unicode",
        {"notes/slug-caf\u00e9.md": "Composed.\n", "notes/slug-cafe\u0301.md": "Decomposed.\n"},
        (
            "notes/slug-caf\u00e9.md:1: error: two notes share the URL '/slug-caf\u00e9/': "
            "slug-cafe\u0301.md and slug-caf\u00e9.md (the same name in two Unicode forms: "
            "slug-cafe\\u0301.md, slug-caf\\xe9.md)",
        ),
        1,
    ),
    Case(
        "slug-empty",
        {"notes/!!!.md": "Punctuation only.\n"},
        ("notes/!!!.md:1: error: this file name gives an empty URL",),
        1,
    ),
    Case(
        "slug-reserved",
        {"notes/tags/slug-reserved.md": "Reserved.\n"},
        (
            "notes/tags/slug-reserved.md:1: error: the URL '/tags/slug-reserved/' is reserved for the "
            "site's own pages",
        ),
        1,
    ),
    # ------------------------------------------------------------------ links and images
    Case(
        "image-missing",
        {"notes/image-missing.md": "Text.\n\n![a plot](missing.png)\n"},
        ("notes/image-missing.md:3: error: image not found: missing.png",),
        1,
    ),
    Case(
        "image-missing-embed",
        {"notes/image-missing-embed.md": "Text.\n\n![[nowhere.png]]\n"},
        ("notes/image-missing-embed.md:3: error: image not found: nowhere.png",),
        1,
    ),
    Case(
        "image-not-an-image",
        {"notes/image-not-an-image.md": "![[text.png]]\n", "notes/text.png": "just text\n"},
        ("notes/image-not-an-image.md:1: error: broken image text.png: not an image file",),
        1,
    ),
    Case(
        "image-truncated",
        {"notes/image-truncated.md": "![cut](cut.png)\n", "notes/cut.png": _png(64, 64)[:-40]},
        ("notes/image-truncated.md:1: error: broken image cut.png: truncated or corrupt image data",),
        1,
    ),
    Case(
        "image-svg-not-svg",
        {"notes/image-svg-not-svg.md": "![d](drawing.svg)\n", "notes/drawing.svg": "not a drawing"},
        ("notes/image-svg-not-svg.md:1: error: broken image drawing.svg: no <svg> element in it",),
        1,
    ),
    Case(
        "link-javascript",
        {"notes/link-javascript.md": "Click [here](javascript:alert(1)).\n"},
        ("notes/link-javascript.md:1: warning: unsafe link 'javascript:alert(1)' removed",),
        shows={"link-javascript/index.html": '<span class="broken-link">here</span>'},
    ),
    Case(
        "link-other-schemes",
        {
            "notes/link-other-schemes.md": "[v](VBScript:msgbox) and\n[d](data:text/html,hi) and\n"
            "<file:///etc/passwd>\n"
        },
        (
            "notes/link-other-schemes.md:1: warning: unsafe link 'VBScript:msgbox' removed",
            "notes/link-other-schemes.md:2: warning: unsafe link 'data:text/html,hi' removed",
            "notes/link-other-schemes.md:3: warning: unsafe link 'file:///etc/passwd' removed",
        ),
    ),
    # ------------------------------------------------------------------ math
    Case(
        "dollar-unbalanced",
        {"notes/dollar-unbalanced.md": "Fine $x$ here.\n\nThe value $y is large.\n"},
        (
            "notes/dollar-unbalanced.md:3: warning: unbalanced $ in 'The value $y is large.': no "
            "formula closes it",
        ),
        hints=("write \\$ for a dollar sign",),
    ),
    Case(
        "dollar-currency",  # prices and escaped dollars are not math and not warnings
        {"notes/dollar-currency.md": "It costs $5 and $10, or \\$x per unit.\n"},
        shows={"dollar-currency/index.html": "It costs $5 and $10, or $x per unit."},
    ),
    Case(
        "formula-invalid",
        {"notes/formula-invalid.md": "Fine.\n\n$\\frac{1}{$\n"},
        (
            "notes/formula-invalid.md:3: warning: formula failed: Unexpected end of input in a macro "
            "argument, expected '}' at end of input: \\frac{1}{",
        ),
        shows={"formula-invalid/index.html": 'class="math-error"'},
    ),
    Case(
        "formula-error-cuts-a-character",  # KaTeX's excerpt split an emoji: a crash, found by fuzzing
        {"notes/formula-error-cuts-a-character.md": "```math\n$$\\alpha_i$$ `0\U00010000`\n```\n"},
        (
            "notes/formula-error-cuts-a-character.md:1: warning: formula failed: Can't use function '$' "
            "in math mode at position 1: $\u0332$\\alpha_i$$ `0\ufffd\u2026",
        ),
    ),
    # ------------------------------------------------------------------ transclusion
    Case(
        "transclude-self",
        {"notes/transclude-self.md": "Me.\n\n![[transclude-self]]\n"},
        ("notes/transclude-self.md:3: warning: transclusion cycle: transclude-self → transclude-self",),
    ),
    Case(
        "transclude-cycle",
        {
            "notes/transclude-cycle-a.md": "A.\n\n![[transclude-cycle-b]]\n",
            "notes/transclude-cycle-b.md": "B.\n\n![[transclude-cycle-a]]\n",
        },
        (
            "notes/transclude-cycle-a.md:3: warning: transclusion cycle: transclude-cycle-a → "
            "transclude-cycle-b → transclude-cycle-a",
            "notes/transclude-cycle-b.md:3: warning: transclusion cycle: transclude-cycle-b → "
            "transclude-cycle-a → transclude-cycle-b",
        ),
    ),
    # ------------------------------------------------------------------ the site config
    Case(
        "config-invalid-yaml",
        {"garden.yaml": "title: [broken\ntaxonomy: []\n"},
        (
            "garden.yaml:1: error: invalid YAML: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence)",
        ),
        1,
        combine=False,
    ),
]
