"""What figures are made of: their files, colours, fonts and the SVG frame they share.

Each figure is written three ways: a PNG, a 2× PNG for high-DPI screens (both drawn with
pillow, supersampled so lines stay crisp) and an SVG whose points link to their notes. Pages
inline the SVG, so the figure is sharp, follows the colour scheme and its points are links.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from garden.core.plaindata import plain

# colours: a palette that reads on light and dark backgrounds
INK = (31, 35, 40)
MUTED = (110, 116, 126)
PAPER = (253, 252, 248)
ACCENT = (29, 95, 168)
PALETTE = [
    (29, 95, 168),
    (196, 78, 32),
    (46, 140, 60),
    (140, 70, 170),
    (190, 140, 0),
    (0, 140, 150),
    (200, 45, 90),
    (120, 90, 60),
    (90, 110, 200),
    (150, 160, 40),
]


@plain
@dataclass
class Figure:
    """A drawn figure: its files by output path, and the SVG to inline in pages."""

    name: str
    output: str  # output path without extension, e.g. images/digitalGarden/paretoFrontier
    alt: str
    files: dict[str, bytes] = field(default_factory=dict)
    svg: str = ""

    @property
    def png(self) -> str:
        return self.output + ".png"

    @property
    def png2x(self) -> str:
        return self.output + "@2x.png"

    @property
    def svg_path(self) -> str:
        return self.output + ".svg"

    @property
    def svg_hash(self) -> str:
        import hashlib

        return hashlib.blake2b(self.svg.encode(), digest_size=12).hexdigest()


def hex_colour(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


@functools.lru_cache(maxsize=16)
def load_font(path: Path, size: int) -> Any:
    """DejaVu Sans from the npm registry: the same glyphs (µ, arrows) on every machine.
    Loaded once per size: the figures of a build share it (pillow only reads from it)."""
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size)


def png_pair(
    draw: Callable[[Any, float], None],
    width: int,
    height: int,
    scale: int = 4,
    colours: Sequence[tuple[int, int, int]] = (),
) -> tuple[bytes, bytes]:
    """Draw at ``scale``× and downsample: a 1× and a 2× PNG with smooth edges (at ``scale=2``
    the 2× picture is the drawing itself: four times cheaper, for figures of thousands of lines).

    With ``colours`` (every flat colour the drawing uses), both pictures are stored as palette
    PNGs of those colours blended into the paper in 17 steps: what box downsampling makes of an
    edge. They encode several times faster than RGB (no per-row filter search) at half the size;
    where two colours meet, a pixel takes the nearest palette entry (a few pixels, off by < 30
    levels, invisible). Deflated at zlib's fastest level: flat colours compress nearly as well."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width * scale, height * scale), PAPER)
    draw(ImageDraw.Draw(image), scale)
    double = image.reduce(scale // 2) if scale > 2 else image  # box-filter supersampling
    palette = _palette_image(tuple(colours)) if colours else None
    out = []
    for picture in (double.reduce(2), double):
        if palette is not None:
            picture = picture.quantize(palette=palette, dither=Image.Dither.NONE)
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG", compress_level=1)
        out.append(buffer.getvalue())
    return out[0], out[1]


@functools.cache
def _palette_image(colours: tuple[tuple[int, int, int], ...]) -> Any:
    """A palette of each colour blended into the paper in 17 steps (at most 256 entries)."""
    from PIL import Image

    steps = [
        tuple(round(p + (c - p) * k / 16) for p, c in zip(PAPER, colour, strict=True))
        for colour in colours
        for k in range(17)
    ]
    unique = list(dict.fromkeys([PAPER, *steps]))[:256]
    image = Image.new("P", (1, 1))
    flat = [v for colour in unique for v in colour]
    image.putpalette(flat + flat[:3] * (256 - len(unique)))
    return image


_SVG_STYLE = (
    "<style>"
    # DejaVu Sans first: labels are placed with its metrics, and it is among the widest sans fonts,
    # so another one never makes a label longer than the room it was given.
    ".fig{font-family:'DejaVu Sans',Verdana,system-ui,sans-serif;color:#1f2328}"
    ".fig .ink{fill:currentColor;stroke:currentColor}.fig .muted{stroke:#6e747e;fill:#6e747e}"
    ".fig .line{stroke:#1d5fa8;fill:none}.fig .dot{fill:#1d5fa8;stroke:none}"
    ".fig a:hover .dot,.fig a:focus .dot,.fig a:hover .node,.fig a:focus .node"
    "{stroke:currentColor;stroke-width:3}"
    ".fig a text{text-decoration:underline;text-decoration-thickness:1px}"
    "@media (prefers-color-scheme:dark){:root:not([data-theme=light]) .fig{color:#e3e1dc}"
    ":root:not([data-theme=light]) .fig .line{stroke:#79b0f2}"
    ":root:not([data-theme=light]) .fig .dot{fill:#79b0f2}}"
    ":root[data-theme=dark] .fig{color:#e3e1dc}:root[data-theme=dark] .fig .line{stroke:#79b0f2}"
    ":root[data-theme=dark] .fig .dot{fill:#79b0f2}"
    "</style>"
)


def svg_open(width: int, height: int, title: str, alt: str, interactive: bool = False) -> str:
    """The figure's frame: an image, or a group when it holds links (an image's content is
    not reachable, so links inside one would be lost to keyboards and screen readers)."""
    role = "group" if interactive else "img"
    return (
        f'<svg class="fig" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="{role}" aria-label={quoteattr(alt)}>'
        f"<title>{escape(title)}</title><desc>{escape(alt)}</desc>{_SVG_STYLE}"
    )
