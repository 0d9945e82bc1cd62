"""Cited works formatted for the page, by pybtex: the full reference in the configured pybtex
style (``plain`` by default), and the names and year that author–year citations print.

pybtex reads the LaTeX of BibTeX fields (accents such as ``{\\"o}``, protected ``{GPT}``,
``\\&``). pybtex knows nothing of math: it would drop a formula's braces (``$n_{25}$`` as
``n_25``) and change its letters' case, so each formula is set aside before formatting and
rendered by KaTeX as written, like the notes' math (biblatex leaves math's case alone too).
Formatting is slow next to the rest of a build (milliseconds an entry), so results are kept in
the cache, keyed by the entry's BibTeX and the style.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from garden.core.cache import fingerprint
from garden.core.plaindata import plain
from garden.core.problems import Problems
from garden.sources.bibliography import Library, Work, arxiv_id, bibtex_of

if TYPE_CHECKING:
    from pybtex.database import Entry

FORMAT_VERSION = "2"  # 2: math in fields kept as written
BUILTIN_STYLES = frozenset({"plain", "unsrt", "alpha", "unsrtalpha"})  # pybtex's own: always found
_PROTECTED = re.compile(r'<span class="bibtex-protected">((?:(?!<span).)*?)</span>', re.S)
# ``$…$`` in a field, not ``\\$`` (an escaped dollar); braces inside it are the formula's own
_FIELD_MATH = re.compile(r"(?<!\\)\$((?:[^$\\]|\\.)+)\$")
_MATH_TOKEN = "GardenMathQ{}Q"  # letters and digits only: pybtex passes them through unchanged
_MATH_TOKENS = re.compile(r"GardenMathQ(\d+)Q")
_NOT_PROSE = frozenset({"url", "doi", "eprint", "file", "archiveprefix", "primaryclass"})
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
RenderMath = Callable[[list[str]], list[str]]  # inline TeX -> HTML


@dataclass(frozen=True)
class Reference:
    """A cited work as pages show it."""

    key: str
    html: str  # the full reference
    names: str  # "Lee et al.", "Lee and Bahri", "Lee" (plain text)
    year: str  # "2018", "2018a" when the names and year of two works are the same
    href: str  # the work itself: DOI, arXiv or URL ("" when the entry names none)
    home: str  # slug of the note about the work ("" when none)
    title: str  # plain text, for sorting

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.names.casefold(), self.year, self.title.casefold(), self.key)


@plain  # kept in the build cache as data
@dataclass(frozen=True)
class _Formatted:
    html: str
    names: str
    year: str
    title: str
    missing: str  # a field the entry's type needs and lacks ("" when none)


def format_references(
    library: Library,
    keys: set[str],
    style_name: str,
    render_math: RenderMath,
    problems: Problems,
    where: Path,
    cache: Any = None,
) -> dict[str, Reference]:
    """The works of ``library`` with these keys, formatted; an unknown style (a problem at
    ``where``, the config) falls back to plain."""
    if not keys:
        return {}
    # looking a style up scans every installed package's entry points (a tenth of a second and
    # more): done only when a work is not in the cache, or now for a name that needs checking
    styles: list[Any] = [] if style_name in BUILTIN_STYLES else [_style(style_name, problems, where)]
    works = [library.works[key] for key in sorted(keys) if key in library.works]
    keyed = {
        work.key: fingerprint(FORMAT_VERSION, style_name, work.entry.type, bibtex_of(work)) for work in works
    }
    stored: dict[str, _Formatted] = cache.load_many("bibrefs", sorted(set(keyed.values()))) if cache else {}
    fresh: dict[str, _Formatted] = {}
    formatted: dict[str, _Formatted] = {}
    for work in works:
        found = stored.get(keyed[work.key])
        if not isinstance(found, _Formatted):
            if not styles:
                styles.append(_style(style_name, problems, where))
            found = fresh[keyed[work.key]] = _format(styles[0], work, render_math)
        formatted[work.key] = found
        if found.missing and work.source is not None:
            problems.warning(
                work.source,
                work.line,
                f"BibTeX entry '{work.key}' has no '{found.missing}', which @{work.entry.type} needs",
                f"add {found.missing} = {{…}}, or use @misc; it is shown as @misc",
            )
    if cache and fresh:
        cache.store_many("bibrefs", fresh)
    years = _disambiguated(formatted)
    return {
        work.key: Reference(
            work.key,
            formatted[work.key].html,
            formatted[work.key].names,
            years[work.key],
            _href(work),
            work.home,
            formatted[work.key].title,
        )
        for work in works
    }


def _own(module: str, attribute: str) -> Any:
    """A class of pybtex's own plugins, imported directly: looking a plugin up by name scans
    every installed package's entry points (a hundredth of a second and more each time, and a
    style's constructor looks up three more)."""
    import importlib

    return getattr(importlib.import_module(module), attribute)


def _own_style(name: str) -> Any:
    """One of pybtex's own styles with the name, label and sorting styles it would look up."""
    style = _own(f"pybtex.style.formatting.{name}", "Style")
    return style(
        name_style=_own(f"pybtex.style.names.{style.default_name_style or 'plain'}", "NameStyle"),
        label_style=_own(f"pybtex.style.labels.{style.default_label_style or 'number'}", "LabelStyle"),
        sorting_style=_own(f"pybtex.style.sorting.{style.default_sorting_style or 'none'}", "SortingStyle"),
    )


def _style(name: str, problems: Problems, where: Path) -> Any:
    from pybtex.plugin import PluginNotFound, find_plugin

    if name in BUILTIN_STYLES:
        return _own_style(name)
    try:
        return find_plugin("pybtex.style.formatting", name)()
    except PluginNotFound:
        problems.warning(
            where, 0, f"unknown pybtex style {name!r}: using plain", "citations.format: plain, unsrt or alpha"
        )
        return _own_style("plain")


def _format(style: Any, work: Work, render_math: RenderMath) -> _Formatted:
    from pybtex.database import Entry
    from pybtex.style.template import FieldIsMissing

    entry = work.entry
    fields, formulas = _math_set_aside(entry)
    missing = ""
    try:
        text = style.format_entry("", Entry(entry.type, fields=fields, persons=entry.persons)).text
    except FieldIsMissing as exc:
        missing = exc.field_name
        text = style.format_entry("", Entry("misc", fields=fields, persons=entry.persons)).text
    body = text.render(_backend("html"))
    while True:  # braces only protect letter case: the page needs no trace of them
        unwrapped = _PROTECTED.sub(r"\1", body)
        if unwrapped == body:
            break
        body = unwrapped
    body = _LINK.sub(_safe_link, body).replace("\n", " ").replace("\\$", "$")  # pybtex keeps \$
    if formulas:
        rendered = render_math(formulas)
        body = _MATH_TOKENS.sub(lambda m: _rendered(rendered, m), body)
    return _Formatted(
        body, _names(entry, work.key), str(entry.fields.get("year", "") or "n.d."), _title(entry), missing
    )


def _rendered(rendered: list[str], match: re.Match[str]) -> str:
    """A token's formula; a token's look-alike written in the entry itself stays text."""
    index = int(match.group(1))
    return rendered[index] if index < len(rendered) else match.group(0)


def _math_set_aside(entry: Entry) -> tuple[dict[str, str], list[str]]:
    """The entry's fields with each formula replaced by a protected token, and the formulas
    (TeX as written) in token order."""
    formulas: list[str] = []

    def token(match: re.Match[str]) -> str:
        formulas.append(match.group(1))
        return "{" + _MATH_TOKEN.format(len(formulas) - 1) + "}"

    fields = {
        name: value if name.lower() in _NOT_PROSE or "$" not in value else _FIELD_MATH.sub(token, value)
        for name, value in entry.fields.items()
    }
    return fields, formulas


@functools.cache
def _backend(name: str) -> Any:
    """pybtex's ``html`` or ``plaintext`` backend, made once (``render_as`` would look the
    plugin up on every call, see ``_own``)."""
    return _own(f"pybtex.backends.{name}", "Backend")()


def _safe_link(match: re.Match[str]) -> str:
    """A link of the entry (its URL, DOI, eprint) if it goes to the web; else its text only."""
    href = html.unescape(match.group(1))
    if not href.lower().startswith(("https://", "http://")):
        return match.group(2)
    # pybtex leaves a URL's & as it is: escaped here, or "&copy=1" would read as "©=1"
    return f'<a class="external" rel="noopener" href="{html.escape(href)}">{match.group(2)}</a>'


def _plain(latex: str) -> str:
    from pybtex.richtext import Text

    return Text.from_latex(latex).render(_backend("plaintext"))


def _last_names(entry: Entry) -> list[str]:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    return [
        " ".join(part.render(_backend("plaintext")) for part in [*p.rich_prelast_names, *p.rich_last_names])
        for p in people
    ]


def _names(entry: Entry, key: str) -> str:
    """What an author–year citation prints for the authors: "Lee", "Lee and Bahri", "Lee et al."."""
    names = [n for n in _last_names(entry) if n]
    if not names:
        title = _title(entry)
        return " ".join(title.split()[:4]) or key
    if names[-1].lower() == "others":
        return f"{names[0]} et al."
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def _title(entry: Entry) -> str:
    return " ".join(_plain(str(entry.fields.get("title", ""))).split())


def _disambiguated(formatted: dict[str, _Formatted]) -> dict[str, str]:
    """Years with a, b, c… where two works share the printed names and year (Lee 2018a, 2018b)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for key, item in formatted.items():
        groups.setdefault((item.names, item.year), []).append(key)
    years = {key: item.year for key, item in formatted.items()}
    for (_, year), keys in groups.items():
        if len(keys) > 1:
            ordered = sorted(keys, key=lambda k: (formatted[k].title.casefold(), k))
            for index, key in enumerate(ordered):
                years[key] = year + (chr(ord("a") + index) if index < 26 else str(index))
    return years


def _href(work: Work) -> str:
    doi = work.field("doi").strip()
    if doi:
        return "https://doi.org/" + doi.removeprefix("https://doi.org/").removeprefix("doi:")
    arxiv = arxiv_id(work)
    if arxiv:
        return "https://arxiv.org/abs/" + arxiv
    url = work.field("url").strip()
    return url if url.startswith(("https://", "http://")) else ""
