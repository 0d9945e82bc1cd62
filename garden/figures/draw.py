"""What figures are made of: their files, colours, fonts and the SVG frame they share.

Each figure is written three ways: a PNG, a 2× PNG for high-DPI screens (both drawn with
pillow, supersampled so lines stay crisp) and an SVG whose points link to their notes. Pages
inline the SVG, so the figure is sharp, follows the colour scheme and its points are links.
"""

from __future__ import annotations

import io
from collections.abc import Callable
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


def load_font(path: Path, size: int) -> Any:
    """DejaVu Sans from the npm registry: the same glyphs (µ, arrows) on every machine."""
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size)


def png_pair(draw: Callable[[Any, float], None], width: int, height: int) -> tuple[bytes, bytes]:
    """Draw at 4× and downsample: a 1× and a 2× PNG with smooth, crisp edges."""
    from PIL import Image, ImageDraw

    scale = 4
    image = Image.new("RGB", (width * scale, height * scale), PAPER)
    draw(ImageDraw.Draw(image), scale)
    double = image.reduce(2)  # box-filter supersampling: smooth edges, fast
    out = []
    for picture in (double.reduce(2), double):
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out[0], out[1]


_SVG_STYLE = (
    "<style>"
    ".fig{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328}"
    ".fig .ink{fill:currentColor;stroke:currentColor}.fig .muted{stroke:#6e747e;fill:#6e747e}"
    ".fig .line{stroke:#1d5fa8;fill:none}.fig .dot{fill:#1d5fa8;stroke:none}"
    ".fig a:hover .dot,.fig a:focus .dot{stroke:currentColor;stroke-width:3}"
    ".fig a text{text-decoration:underline;text-decoration-thickness:1px}"
    "@media (prefers-color-scheme:dark){:root:not([data-theme=light]) .fig{color:#e3e1dc}"
    ":root:not([data-theme=light]) .fig .line{stroke:#79b0f2}"
    ":root:not([data-theme=light]) .fig .dot{fill:#79b0f2}}"
    ":root[data-theme=dark] .fig{color:#e3e1dc}:root[data-theme=dark] .fig .line{stroke:#79b0f2}"
    ":root[data-theme=dark] .fig .dot{fill:#79b0f2}"
    "</style>"
)


def svg_open(width: int, height: int, title: str, alt: str) -> str:
    return (
        f'<svg class="fig" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(alt)}>'
        f"<title>{escape(title)}</title><desc>{escape(alt)}</desc>{_SVG_STYLE}"
    )
