"""The write stage: render what changed, copy what is copied, index, and swap the site in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from garden.build.indexing import SearchIndexing
from garden.build.inputs import BuildResult, Inputs, marker_id
from garden.build.output import OutputError, SiteWriter, check_output_dir
from garden.build.stages import PageRenderer, build_id_of, manifest_of
from garden.core.cache import Manifest, fingerprint
from garden.core.config import Config
from garden.core.problems import Problems
from garden.model import Garden
from garden.pages.templates import Page
from garden.publish.files import Published
from garden.publish.search import IndexRun

Generated = dict[str, tuple[str, Callable[[], bytes]]]  # site path -> (fingerprint, its bytes)


def output_is_safe(config: Config, problems: Problems) -> bool:
    """Refuse an output folder whose replacement would destroy something (checked again at write)."""
    try:
        check_output_dir(
            config.out_dir,
            config.notes_dir,
            [config.root / "templates", config.templates_dir, config.static_dir],
        )
    except OutputError as exc:
        problems.error(config.out_dir, 0, str(exc), "pass --out with a new folder, or one garden built")
        return False
    except OSError as exc:
        problems.error(config.out_dir, 0, f"cannot check the output folder: {exc.strerror}", "check --out")
        return False
    return True


def write_site(
    garden: Garden,
    page_list: list[Page],
    generated: Generated,
    copies: dict[str, Path],
    published: Published,
    inputs: Inputs,
    result: BuildResult,
    in_place: bool,
    search: SearchIndexing,
) -> tuple[PageRenderer, Manifest]:
    """Write the site beside the current one (or over it, in place) and swap it in.

    Social cards are still being drawn while the pages are written (``published``
    waits for them); Pagefind starts on the pages in the meantime. In place (the preview,
    indexed after the commit anyway), the cards are written before anything is renamed into
    place, so a card that cannot be written leaves the pages as they were too."""
    config = garden.config
    manifest = inputs.manifest
    reusable = manifest.out_dir == str(config.out_dir) and marker_id(config.out_dir) == manifest.build_id
    old = manifest.pages if reusable else {}
    writer = SiteWriter(config.out_dir, in_place=in_place and reusable, reuse=reusable)
    new: dict[str, str] = {}
    indexing: IndexRun | None = None
    try:
        renderer = PageRenderer(garden, None)
        renderer.render_changed(page_list, old, new, writer.keep, writer.write, result)
        for path, (key, produce) in sorted(generated.items()):
            new[path] = key
            if old.get(path) == key and writer.keep(path):
                continue
            writer.write(path, produce())
            result.changed_paths.append(path)
        _copy(copies, generated, old, new, writer, result)
        later = published.card_paths - generated.keys() - copies.keys()
        if writer.in_place:  # indexed only after the commit: the cards go in with the pages, at once
            _copy_cards(later, published, generated, old, new, writer, result, config.root)
        # Every page is written: Pagefind starts on them while the cards are finished.
        writer.remove_stale(set(old) if old else None, later)
        where = config.path or config.root
        indexing = search.start(writer.root, config.out_dir, where, in_place)
        if not writer.in_place:
            _copy_cards(later, published, generated, old, new, writer, result, config.root)
        removed = sorted(set(old) - set(new))
        result.changed_paths.extend(removed)
        build_id = build_id_of(new)
        writer.marker_id = build_id
        writer.commit(
            set(old) if old else None,
            finish=lambda root: search.finish(indexing, root, result.problems, where, in_place),
        )
    except BaseException:
        if indexing is not None:
            indexing.cancel()
        writer.abort()
        raise
    result.written = True
    recorded = "" if published.cards_failed else inputs.fingerprint  # incomplete: the next run draws them
    return renderer, manifest_of(build_id, recorded, config, new, result.problems, result)


def _copy_cards(
    later: frozenset[str],
    published: Published,
    generated: Generated,
    old: dict[str, str],
    new: dict[str, str],
    writer: SiteWriter,
    result: BuildResult,
    where: Path,
) -> None:
    """Copy the social cards (waiting for the ones being drawn) into the site."""
    cards = published.card_copies(result.problems, where)
    drawn = {path: source for path, source in cards.items() if path in later}
    for path in sorted(later - drawn.keys()):
        writer.discard(path)  # not drawn (the cache was not writable): no stale card either
    _copy(drawn, generated, old, new, writer, result)


def _copy(
    copies: dict[str, Path],
    generated: Generated,
    old: dict[str, str],
    new: dict[str, str],
    writer: SiteWriter,
    result: BuildResult,
) -> None:
    """Copy files into the site (keeping the current copy when its source has not changed)."""
    for path, source in sorted(copies.items()):
        if path in generated:
            continue
        info = source.stat()
        key = f"copy:{info.st_size}:{fingerprint(str(source), info.st_mtime_ns)}"
        new[path] = key
        if old.get(path) == key and writer.keep(path):
            continue
        writer.copy(path, source)
        result.changed_paths.append(path)
