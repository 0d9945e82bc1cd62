"""Redirect pages at the other spelling of each address, so that an old link keeps working.

A note at ``notes/digitalGarden/NNGP.md`` has two spellings of its address: the lower-case one
(``/digitalgarden/nngp/``, the default) and the author's own (``/digitalGarden/NNGP/``, with
``urls: keep-case``). GitHub Pages tells the two apart, so a site that once served one of them
would break every link to it when it moves to the other. Whichever one the site uses, a small
redirect page is written at the other (folders with a section page included), unless a page or
file of the site is already there, and unless the disk that holds the site cannot tell the two
spellings apart (macOS, Windows: there one file would overwrite the other; a build on GitHub's
Linux runners writes them).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from garden.core.addresses import page_file
from garden.core.paths import slugify_path, source_slug
from garden.pages.templates import Page

if TYPE_CHECKING:
    from garden.model import Garden


def spelling_redirects(garden: Garden, taken: set[str]) -> list[Page]:
    """A redirect page at each address's other spelling (see the module's docstring)."""
    wanted: dict[str, str] = {}  # redirect slug -> slug of the page it leads to
    for slug in sorted(garden.notes):
        note = garden.notes[slug]
        if slug:
            for spelling in (source_slug(note.relative, True), source_slug(note.relative, False)):
                wanted.setdefault(spelling, slug)
        folder = note.relative.parent
        while folder != PurePosixPath("."):
            section = garden.taxonomy.find(folder.as_posix())
            if section is not None:
                for keep_case in (True, False):
                    wanted.setdefault(slugify_path(folder.as_posix(), keep_case), section.path)
            folder = folder.parent
    folds = disk_folds_case(garden.config.out_dir)
    occupied = {path.casefold() if folds else path for path in taken}
    result: list[Page] = []
    for spelling in sorted(wanted):
        target = wanted[spelling]
        path = page_file(spelling)
        key = path.casefold() if folds else path
        if spelling == target or not spelling or key in occupied:
            continue
        occupied.add(key)
        url = garden.urls.page(target)
        context = {
            "kind": "redirect",
            "title": garden.title_of(target),
            "url": url,
            "canonical": garden.urls.absolute(url),
        }
        result.append(Page(path, "redirect.html", context))
    return result


def disk_folds_case(folder: Path) -> bool:
    """Whether the disk under ``folder`` treats ``A`` and ``a`` as one name (looked up, never
    written: the nearest existing folder with a letter in its name, spelled the other way)."""
    probe = folder.resolve()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    while probe != probe.parent:
        swapped = probe.name.swapcase()
        if swapped != probe.name:
            other = probe.parent / swapped
            try:
                return other.exists() and other.samefile(probe)
            except OSError:
                return False
        probe = probe.parent
    return False
