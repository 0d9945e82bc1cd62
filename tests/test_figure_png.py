"""Palette PNGs: the figures' PNGs look like the RGB drawing they are made from."""

import io

from PIL import Image, ImageChops, ImageDraw

from garden.figures.draw import INK, MUTED, PALETTE, png_pair


def _crossing_lines(canvas: ImageDraw.ImageDraw, s: float) -> None:
    for index, colour in enumerate(PALETTE[:4]):
        canvas.line(
            [(10 * s, (10 + 20 * index) * s), (190 * s, (90 - 20 * index) * s)],
            fill=colour,
            width=round(2.4 * s),
        )
    canvas.ellipse([80 * s, 40 * s, 120 * s, 80 * s], fill=PALETTE[5], outline=MUTED, width=round(1.5 * s))
    canvas.line([(0, 50 * s), (200 * s, 52 * s)], fill=INK, width=max(1, round(s)))


def test_palette_pngs_match_the_rgb_drawing() -> None:
    rgb = png_pair(_crossing_lines, 200, 100)
    palette = png_pair(_crossing_lines, 200, 100, colours=(INK, MUTED, *PALETTE))
    for plain, small in zip(rgb, palette, strict=True):
        a, b = Image.open(io.BytesIO(plain)), Image.open(io.BytesIO(small))
        assert b.mode == "P" and a.size == b.size
        assert len(small) < len(plain)
        diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L").histogram()
        assert not any(diff[40:]), "a pixel is far from its drawn colour"
        off = sum(diff[24:])  # where two colours meet, the nearest blend of one with the paper
        assert off < 0.01 * a.size[0] * a.size[1], f"{off} pixels differ visibly"
