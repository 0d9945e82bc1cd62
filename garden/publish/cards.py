"""Social cards: a 1200×630 PNG per note and section, drawn with pillow, cached between builds.

A card depends only on what it shows (garden name, title, section, tags) and the fonts; that
is hashed into its cache file name under ``.garden-cache/cards/``, so a build redraws only the
cards whose text changed, and the site copies the rest from the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from garden.core.addresses import CARD_HEIGHT, CARD_WIDTH, SITE_CARD, card_file
from garden.core.locations import AssetMissing, find_node_file

if TYPE_CHECKING:
    from garden.core.config import Config
    from garden.sources.notes import Note
    from garden.sources.taxonomy import Section, Taxonomy

CARD_VERSION = 4  # bump when the drawing changes: every cached card is redrawn
FONTS = {
    "regular": "dejavu-fonts-ttf/ttf/DejaVuSans.ttf",
    "bold": "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf",
}
MAX_TAGS = 4
PAPER, INK, MUTED, ACCENT, CHIP = "#f7f5ef", "#1d2a22", "#56645b", "#2f6f4e", "#e3ece5"
MARGIN = 88


@dataclass(frozen=True)
class CardSpec:
    """Everything a card shows: its cache key is a hash of this."""

    site: str
    title: str
    section: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CardSource:
    """What the cards show, known as soon as the notes are placed in the taxonomy (so the
    cards can be drawn while the rest of the build goes on)."""

    config: Config
    taxonomy: Taxonomy
    notes: dict[str, Note]  # slug -> note, as in ``Garden.notes``
    section_of: dict[str, Section | None]
    section_text: dict[str, Note]


def card_specs(source: CardSource) -> dict[str, CardSpec]:
    """Output path -> what to draw: every note page, every section page, and the garden's card."""
    site = source.config.title
    specs: dict[str, CardSpec] = {SITE_CARD: CardSpec(site, site, source.config.description)}
    for section in source.taxonomy.sections():
        trail = " › ".join(node.title for node in section.ancestors())
        specs[card_file(section.path)] = CardSpec(site, section.title, trail)
    for slug, note in source.notes.items():
        if not slug or slug in source.section_text:
            continue
        section = source.section_of.get(slug)
        trail = " › ".join(node.title for node in [*section.ancestors(), section]) if section else ""
        specs[card_file(slug)] = CardSpec(site, note.title, trail, tuple(note.tags[:MAX_TAGS]))
    return specs


@dataclass(frozen=True)
class Fonts:
    regular: Path
    bold: Path
    digest: str

    @classmethod
    def find(cls, root: Path) -> Fonts:
        paths = {name: find_node_file(root, relative, "The DejaVu font") for name, relative in FONTS.items()}
        digest = hashlib.sha256()
        for name in sorted(paths):
            digest.update(paths[name].read_bytes())
        return cls(paths["regular"], paths["bold"], digest.hexdigest()[:16])

    def load(self, bold: bool, size: int) -> ImageFont.FreeTypeFont:
        return _truetype(str(self.bold if bold else self.regular), size)


@lru_cache(maxsize=256)
def _truetype(path: str, size: int) -> ImageFont.FreeTypeFont:
    """Fonts are loaded once per size: every card uses the same few."""
    return ImageFont.truetype(path, size)


def cache_key(spec: CardSpec, fonts: Fonts) -> str:
    data = json.dumps({"v": CARD_VERSION, "fonts": fonts.digest, **asdict(spec)}, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while font.getlength(word) > width:  # a word wider than the card: break it
            cut = len(word)
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _fit(text: str, width: float, fonts: Fonts, max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest title size (72 px down to 40) whose wrapped lines fit; else cut with '…'."""
    for size in range(72, 39, -4):
        font = fonts.load(True, size)
        lines = _wrap(text, font, width)
        if len(lines) <= max_lines:
            return font, lines
    lines = lines[:max_lines]
    last = lines[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1].rstrip()
    lines[-1] = last + "…"
    return font, lines


def _ellipsize(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def draw_card(spec: CardSpec, fonts: Fonts) -> bytes:
    """The card as PNG bytes (pillow writes no timestamps: same spec, same bytes).

    It is drawn straight into a palette image: the card has five flat colours, and anti-aliased
    text only blends one of them over one of two backgrounds, so each text pixel's coverage
    picks one of 16 blends. That is about twice as quick as drawing in RGB and mapping the
    result onto the palette, and a palette PNG is a third of the size of an RGB one.
    """
    image = _background(spec.site, fonts).copy()
    draw = ImageDraw.Draw(image)
    width = CARD_WIDTH - 2 * MARGIN
    font, lines = _fit(spec.title, width, fonts, max_lines=4 if not spec.tags else 3)
    y = 160
    step = int(font.size * 1.18)
    for line in lines:
        _text(image, (MARGIN, y), line, font, INK, PAPER)
        y += step
    bottom = CARD_HEIGHT - 70
    if spec.tags:
        tag_font = fonts.load(False, 28)
        x = MARGIN
        for tag in spec.tags:
            label = "#" + tag
            chip = tag_font.getlength(label) + 36
            if x + chip > CARD_WIDTH - MARGIN:
                break
            draw.rounded_rectangle((x, bottom - 44, x + chip, bottom + 4), radius=24, fill=_solid(CHIP))
            _text(image, (int(x + 18), bottom - 38), label, tag_font, ACCENT, CHIP)
            x += chip + 14
        bottom -= 72
    if spec.section:
        section_font = fonts.load(True, 32)
        _text(
            image,
            (MARGIN, bottom - 40),
            _ellipsize(spec.section, section_font, width),
            section_font,
            ACCENT,
            PAPER,
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=3)  # level 6 is 2x the time for 20% fewer bytes
    return buffer.getvalue()


_COLOURS = (PAPER, INK, MUTED, ACCENT, CHIP)
_BACKGROUNDS = (PAPER, CHIP)
_STEPS = 16  # blends of a colour over a background, from none of it to all of it


def _blend_index(colour: str, background: str, step: int) -> int:
    return (_BACKGROUNDS.index(background) * len(_COLOURS) + _COLOURS.index(colour)) * _STEPS + step


def _solid(colour: str) -> int:
    return _blend_index(colour, PAPER, _STEPS - 1)


@lru_cache(maxsize=1)
def _palette() -> list[int]:
    """Every colour a card can hold: each of its colours blended over each background."""
    from PIL import ImageColor

    rgb = {name: ImageColor.getrgb(name) for name in _COLOURS}
    flat: list[int] = []
    for background in _BACKGROUNDS:
        for colour in _COLOURS:
            for step in range(_STEPS):
                t = step / (_STEPS - 1)
                flat += [round(rgb[background][i] * (1 - t) + rgb[colour][i] * t) for i in range(3)]
    return flat


@lru_cache(maxsize=4)
def _background(site: str, fonts: Fonts) -> Image.Image:
    """What every card of a garden shares: paper, the accent bar, the garden's name, a rule."""
    image = Image.new("P", (CARD_WIDTH, CARD_HEIGHT), _solid(PAPER))
    image.putpalette(_palette())
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 20, CARD_HEIGHT), fill=_solid(ACCENT))
    small = fonts.load(False, 34)
    _text(image, (MARGIN, 64), _ellipsize(site, small, CARD_WIDTH - 2 * MARGIN), small, MUTED, PAPER)
    draw.line((MARGIN, 124, MARGIN + 120, 124), fill=_solid(ACCENT), width=4)
    return image


_OPAQUE = bytes([0] + [255] * 255)


@lru_cache(maxsize=16)
def _levels(first: int) -> bytes:
    """Coverage 0-255 -> the palette index of that much colour (``bytes.translate`` table)."""
    return bytes(first + (value * (_STEPS - 1) + 127) // 255 for value in range(256))


def _text(
    image: Image.Image,
    xy: tuple[int, int],
    text: str,
    font: ImageFont.FreeTypeFont,
    colour: str,
    background: str,
) -> None:
    """Draw anti-aliased text into the palette image: coverage -> the blend of that much colour."""
    left, top, right, bottom = font.getbbox(text)
    if right <= left or bottom <= top:
        return
    coverage = Image.new("L", (right - left, bottom - top))
    ImageDraw.Draw(coverage).text((-left, -top), text, font=font, fill=255)
    raw = coverage.tobytes()
    indices = Image.frombytes("P", coverage.size, raw.translate(_levels(_blend_index(colour, background, 0))))
    image.paste(
        indices, (xy[0] + left, xy[1] + top), Image.frombytes("L", coverage.size, raw.translate(_OPAQUE))
    )


PARALLEL_CARDS = 48  # below this many cards to draw, worker processes cost more than they save


def _draw_chunk(args: tuple[list[CardSpec], Fonts]) -> list[bytes]:
    specs, fonts = args
    return [draw_card(spec, fonts) for spec in specs]


CARD_NICENESS = 10  # how much lower the card workers' priority is than the build's


def _background_worker(parent: int) -> None:
    """A card worker: gone with the build, and behind it for the processor. The build's own
    thread is the path every stage waits on, while the cards are needed only when the site is
    written: at equal priority, two card workers on two cores slowed each stage by half."""
    from garden.markdown.workers import die_with_parent

    die_with_parent(parent)
    with contextlib.suppress(OSError):
        os.nice(CARD_NICENESS)


class _Drawing:
    """Cards being drawn, over every core when there are many (a cold build).

    The drawing runs in worker processes while the build goes on rendering pages;
    ``collect`` waits for it and stores each card in the cache.
    """

    def __init__(self, missing: dict[Path, CardSpec], fonts: Fonts) -> None:
        self.targets, specs = list(missing), list(missing.values())
        workers = os.cpu_count() or 1
        self._pool = None
        self._drawn: list[bytes] | None = None
        if len(specs) < PARALLEL_CARDS or workers < 2:
            self._drawn = [draw_card(spec, fonts) for spec in specs]
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from garden.markdown import workers as compile_workers

        context = multiprocessing.get_context("spawn" if compile_workers._v8_started else "fork")
        size = max(8, len(specs) // (workers * 4))
        chunks = [(specs[i : i + size], fonts) for i in range(0, len(specs), size)]
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_background_worker,
            initargs=(os.getpid(),),
        )
        self._futures = [self._pool.submit(_draw_chunk, chunk) for chunk in chunks]

    def cancel(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def collect(self) -> list[tuple[Path, bytes]]:
        if self._drawn is None:
            assert self._pool is not None
            try:
                self._drawn = [data for future in self._futures for data in future.result()]
            finally:
                self._pool.shutdown(cancel_futures=True)
        return list(zip(self.targets, self._drawn, strict=True))


@dataclass
class CardRun:
    """What the card stage does: site path -> cached PNG, and how many it has to draw.

    The PNGs of ``copies`` exist once ``wait`` has returned (it raises ``OSError`` if the
    cache cannot be written).
    """

    copies: dict[str, Path]
    drawn: int
    reused: int
    _drawing: _Drawing | None = None

    def cancel(self) -> None:
        """Stop drawing (the build failed before it needed the cards)."""
        drawing, self._drawing = self._drawing, None
        if drawing is not None:
            drawing.cancel()

    def wait(self) -> None:
        drawing, self._drawing = self._drawing, None
        if drawing is None:
            return
        for cached, data in drawing.collect():
            temporary = cached.with_suffix(".tmp")
            temporary.write_bytes(data)
            temporary.replace(cached)


def start_cards(specs: dict[str, CardSpec], cache_dir: Path, fonts: Fonts, prune: bool = True) -> CardRun:
    """Start drawing the cards missing from the cache; the site copies every card from there."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    copies: dict[str, Path] = {}
    missing: dict[Path, CardSpec] = {}
    reused = 0
    for path in sorted(specs):
        cached = cache_dir / f"{cache_key(specs[path], fonts)}.png"
        if cached.is_file() and not cached.is_symlink():  # a link could publish any file
            reused += 1
        elif cached not in missing:
            missing[cached] = specs[path]
        copies[path] = cached
    if prune:
        used = set(copies.values())
        for stale in cache_dir.glob("*.png"):
            if stale not in used:
                stale.unlink(missing_ok=True)
    return CardRun(copies, len(missing), reused, _Drawing(missing, fonts) if missing else None)


def render_cards(specs: dict[str, CardSpec], cache_dir: Path, fonts: Fonts, prune: bool = True) -> CardRun:
    """Draw the cards missing from the cache, and wait for them."""
    run = start_cards(specs, cache_dir, fonts, prune)
    run.wait()
    return run


def cards_for(source: CardSource, cache_dir: Path) -> CardRun:
    """Start on the garden's cards, drawn or reused from ``cache_dir`` (``.garden-cache/cards``)."""
    fonts = Fonts.find(source.config.root)
    return start_cards(card_specs(source), cache_dir, fonts)


__all__ = [
    "CARD_HEIGHT",
    "CARD_WIDTH",
    "AssetMissing",
    "CardRun",
    "CardSource",
    "CardSpec",
    "card_file",
    "cards_for",
    "render_cards",
    "start_cards",
]
