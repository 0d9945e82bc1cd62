"""Fuzzing: Hypothesis writes gardens of half-written notes; the pipeline never raises out.

Front-matter is either valid YAML of any shape or raw text with YAML's favourite mistakes;
bodies mix wikilinks, embeds, math (good and broken), code, raw HTML, callouts, deep lists,
tables and footnotes with arbitrary Unicode. Each example is a real garden on disk, built and
written by ``build_site``.

Profiles: ``ci`` (the default: a fixed seed, under a minute) and ``long`` (by hand):

    GARDEN_FUZZ=long python -m pytest tests/test_fuzz.py --hypothesis-show-statistics
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest
import yaml
from conftest import FIXTURE_CONFIG
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from garden.build import builder as site
from garden.build.builder import build_site
from garden.build.inputs import BuildOptions
from garden.core.paths import source_slug
from garden.markdown import placeholders

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile(
    "ci", max_examples=120, derandomize=True, database=None, deadline=None, suppress_health_check=_QUIET
)
settings.register_profile("long", max_examples=4000, deadline=None, suppress_health_check=_QUIET)
PROFILE = settings.get_profile(os.environ.get("GARDEN_FUZZ", "ci"))

CONFIG = FIXTURE_CONFIG + "base_url: /fuzz/\n"  # the fixture garden, under a sub-path
UNSAFE = ("javascript:", "vbscript:", "data:")

# ------------------------------------------------------------------ strategies
# Each strategy has two flavours: ``wild`` (anything, errors included) and tame (only mistakes
# that warn), so that many examples get as far as writing pages whose HTML is then checked.


def _pick(words: str) -> st.SearchStrategy[str]:
    """One of the space-separated ``words`` ('·' stands for a space inside one)."""
    return st.sampled_from([word.replace("·", " ") for word in words.split(" ")])


NAMES = _pick(
    "NTK ntk Neural·Tangent·Kernel µP μP Café Cafe\u0301 index a·b x.md models Ünïcödé 名前 a/b "
    "💡·idea Adam adam"
)
WILD_NAMES = NAMES | _pick("planned tags - !!! katex")  # reserved URLs, and names that give none
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
WILD_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
WORD = _pick("kernel width the lazy & < > \" ' * _ ~ ` | \\ % = [ ] ! # ^ $5 $ \t \u200b é")
TEX = _pick(
    r"x^2 \frac{1}{2} \alpha_i \frac{ } \begin{align} \sum_i \R \href{javascript:alert(1)}{x} "
    r"\htmlClass{x}{y} a·&=·b·\\·c \text{$} \mathbb{E}[x] \\ % # \unknown x_ \url{vbscript:x}"
)
LINK_TARGET = NAMES | _pick(
    "javascript:alert(1) JaVaScRiPt:x java\tscript:x vbscript:y data:text/html,hi https://example.org/$x "
    "../up.md /abs/path #heading x.md#h img.png mailto:a@b.c file:///etc/passwd · <> //evil.example/x"
)
IMAGE_TARGET = _pick("/images/img.png https://example.org/x.png javascript:x data:image/png;base64,AA")
RAW = _pick(
    '\x020\x03 \x0299\x03 <span·class="x"> </span> <b> <br> <!--·c·--> &amp; &#0; [^1] [^note] '
    "\\$ $$ \\[ \\] ** "
    "~~x~~ <https://a.b> https://example.org/path_(x) ]] [[ ![[ | \u202e"
)


@st.composite
def inline(draw, wild: bool) -> str:
    text = WILD_TEXT if wild else TEXT
    images = IMAGE_TARGET | _pick("img.png missing.png nope.png x.md") if wild else IMAGE_TARGET
    parts = st.one_of(
        WORD,
        text,
        RAW,
        st.builds(
            "[[{}{}{}]]".format,
            NAMES,
            _pick("· #Heading #Nowhere #^block").map(str.strip),
            _pick("· |label |300").map(str.strip),
        ),
        st.builds("![[{}]]".format, NAMES | _pick("img.png img.png|200" + (" nope.png" if wild else ""))),
        st.builds("[{}]({})".format, _pick("text · *em* [[x]]").map(str.strip), LINK_TARGET),
        st.builds("![alt]({})".format, images),
        st.builds("${}$".format, TEX),
        st.builds("$${}$$".format, TEX),
        st.builds("\\({}\\)".format, TEX),
        st.builds("`{}`".format, text),
        st.builds("=={}==".format, text),
        st.builds("%%{}%%".format, text),
    )
    return " ".join(draw(st.lists(parts, max_size=12)))


@st.composite
def block(draw, wild: bool) -> str:
    kind = draw(st.integers(0, 11))
    text = draw(inline(wild))
    if kind == 0:
        return "#" * draw(st.integers(1, 7)) + " " + text
    if kind == 1:
        fence = draw(_pick("``` ~~~ ````"))
        lang = draw(_pick('· python math nonexistent-lang "><x> {.py}').map(str.strip))
        return f"{fence}{lang}\n{text}\n" + (fence if draw(st.booleans()) else "")
    if kind == 2:
        tag = draw(_pick("details div table pre script style svg"))
        return f"<{tag}>\n\n{text}\n\n" + (f"</{tag}>" if draw(st.booleans()) else "")
    if kind == 3:
        name = draw(_pick('note tip faq warning unknown-type x"y'))
        fold = draw(_pick("· + -").map(str.strip))
        prefix = "> " * draw(st.integers(1, 4))
        return f"{prefix}[!{name}]{fold} {text}\n{prefix}{draw(inline(wild))}"
    if kind == 4:  # past 64 levels the rest becomes plain text, with a warning
        depth = draw(st.integers(1, 70))
        marker = draw(_pick("-· 1.· >· -·[·]·"))
        if marker == "> ":
            return ">" * depth + " " + text
        indent = "   " if marker == "1. " else "  "
        return "\n".join(indent * i + marker + (text if i == depth - 1 else "x") for i in range(depth))
    if kind == 5:
        row = "|" + "|".join([text.replace("\n", " ")] * draw(st.integers(1, 4))) + "|"
        return "\n".join([row, "|" + "|".join(["---"] * row.count("|")) + "|", row])
    if kind == 6:
        return f"[^{draw(_pick('1 note ·').map(str.strip))}]: {text}"
    if kind == 7:
        return f"\\begin{{align}}\n{draw(TEX)} \\\\\n{draw(TEX)}\n\\end{{align}}"
    if kind == 8:
        return draw(_pick("--- *** ___ ... $$ %% ``` <!--"))
    if kind == 9:
        return f"$$\n{draw(TEX)}\n$$"
    return text


KEYS = _pick("title aliases tags section date updated draft status description weight paper created extra")
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT | NAMES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
YAML_MISTAKES = _pick(
    '\ttags:·[a] title:·"open tags:·[a,·[b] -·item ?·key &a·x *a !!python/object:os.system key:·| '
    "··indented ... :·: title:·'it's'"
)


@st.composite
def front_matter(draw, wild: bool) -> str:
    kind = draw(st.integers(0, 3 if wild else 1))
    if kind == 0:
        return ""
    if kind == 1:  # sane front-matter: the wild flavour adds values that are errors
        sections = "models models/nngp-ntk nngp-ntk ·" + (" nowhere" if wild else "")
        dates = "2024-05-01 2024/5/1 May·1,·2024" + (" 2024-13-45 ·" if wild else "")
        data = {
            "title": draw(NAMES | TEXT),
            "aliases": [draw(NAMES)],
            "tags": [draw(TEXT)],
            "section": draw(_pick(sections).map(str.strip)),
            "date": draw(_pick(dates).map(str.strip)),
            "status": draw(_pick("seedling budding evergreen sprouting")),
            "paper": {"title": draw(TEXT), "url": draw(LINK_TARGET), "year": draw(st.integers(1900, 2100))},
        }
        return "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n"
    if kind == 2:  # valid YAML of any shape: our keys with any values, or no mapping at all
        data = draw(st.dictionaries(KEYS, VALUES, max_size=6) | VALUES)
        return "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n"
    lines = st.builds("{}: {}".format, _pick("title tags date paper x"), WILD_TEXT) | YAML_MISTAKES
    closing = draw(_pick("---\n ...\n ·").map(lambda c: c.strip(" ")))
    return "---\n" + "\n".join(draw(st.lists(lines, max_size=5))) + "\n" + closing


@st.composite
def note(draw, wild: bool) -> tuple[str, str]:
    folders = "· models/ models/nngp-ntk/ deep/er/ x.md/ a·b/" + (" tags/" if wild else "")
    folder = draw(_pick(folders).map(str.strip))
    name = draw(WILD_NAMES if wild else NAMES).replace("/", "-")
    body = "\n\n".join(draw(st.lists(block(wild), max_size=8)))
    newline = draw(_pick("\n \r\n").map(lambda n: n.strip(" ")))
    return folder + name + ".md", (draw(front_matter(wild)) + body).replace("\n", newline)


def gardens(wild: bool) -> st.SearchStrategy[list[tuple[str, str]]]:
    # names differing only by case or Unicode form collide (an error): tame gardens avoid them
    key = (lambda n: n[0].casefold()) if wild else (lambda n: source_slug(PurePosixPath(n[0])))
    return st.lists(note(wild), min_size=1, max_size=4, unique_by=key)


# ------------------------------------------------------------------ checks


class _Links(HTMLParser):
    """Collects every href and src (raises nothing on broken HTML)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in ("href", "src")]


@pytest.fixture(scope="module")
def shared_engines():
    """Pygments' plugin lookup, done once: it may raise the recursion limit for good."""
    limit = sys.getrecursionlimit()
    try:  # an unknown language makes Pygments load plugin lexers: IPython's imports jedi, which
        get_lexer_by_name("no-such-language")  # sets the recursion limit to 3000 for good
    except ClassNotFound:
        sys.setrecursionlimit(limit)
    yield
    sys.setrecursionlimit(limit)


def build(files: list[tuple[str, str]]) -> tuple[site.BuildResult, Path]:
    folder = Path(tempfile.mkdtemp(prefix="garden-fuzz-"))
    (folder / "garden.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "notes").mkdir()
    (folder / "static" / "images").mkdir(parents=True)
    (folder / "static" / "images" / "img.png").write_bytes(_PNG)
    for relative, text in files:
        path = folder / "notes" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return build_site(BuildOptions(root=folder, config_path=folder / "garden.yaml")), folder


def check_site(result: site.BuildResult, folder: Path) -> None:
    event("site written" if result.written else "build failed with errors")
    for problem in result.problems.items:
        assert problem.severity in ("error", "warning")
        assert problem.message and problem.line >= 0
        assert Path(problem.path).resolve().is_relative_to(folder.resolve()), problem
    if not result.problems.errors:
        assert result.written, result.problems.sorted()
    if not result.written:
        assert not (folder / "_site").exists()
        return
    for page in (folder / "_site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not placeholders.FORMULA.search(html), page  # no placeholder left behind
        assert not placeholders.LINK.search(html), page
        links = _Links()
        links.feed(html)
        links.close()
        for url in links.urls:
            compact = "".join(url.split()).lower()
            assert not compact.startswith(UNSAFE), (page, url)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


_PNG = _png()


# ------------------------------------------------------------------ properties


@settings(PROFILE)
@given(gardens(wild=True))
def test_wild_gardens_never_raise(shared_engines, files):
    result, folder = build(files)
    try:
        check_site(result, folder)
        notes_after = sorted(p.relative_to(folder).as_posix() for p in (folder / "notes").rglob("*"))
        assert all(not name.startswith("notes/_site") for name in notes_after)  # nothing written into notes
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(PROFILE)
@given(gardens(wild=False))
@example(files=[("NTK.md", "```math\n$$\\alpha_i$$ `0\U00010000`\n")])  # KaTeX cut an emoji in half
def test_tame_gardens_are_written_safely(shared_engines, files):
    """Gardens whose mistakes only warn: the site is written, and every page is checked."""
    result, folder = build(files)
    try:
        check_site(result, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(PROFILE)
@given(st.lists(block(wild=True), max_size=12), front_matter(wild=True))
def test_one_note_with_good_neighbours(shared_engines, blocks, front):
    """A fuzzed note among sane ones: the sane ones are still built when the fuzzed one only warns."""
    fuzzed = front + "\n\n".join(blocks)
    sane = [
        ("models/ntk.md", "---\ntitle: NTK\n---\n# NTK\n\nSee [[fuzzed]] and $\\Theta$.\n"),
        ("other.md", "Other [[NTK]].\n"),
    ]
    result, folder = build([("fuzzed.md", fuzzed), *sane])
    try:
        check_site(result, folder)
        if result.written:
            assert (folder / "_site" / "models" / "ntk" / "index.html").is_file()
            assert (folder / "_site" / "other" / "index.html").is_file()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
