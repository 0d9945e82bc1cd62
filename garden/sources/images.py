"""Check that a linked image really is one, so a broken file is a build error, not a blank box."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

RASTER = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}  # AVIF: not every pillow reads it


def image_problem(path: Path) -> str | None:
    """Why ``path`` is not a usable image (None when it is one, or is not an image type we check)."""
    suffix = path.suffix.lower()
    if suffix == ".svg":
        try:
            head = path.read_bytes()[:4096].lower()
        except OSError as exc:
            return f"cannot read it ({exc.strerror})"
        return None if b"<svg" in head else "no <svg> element in it"
    if suffix not in RASTER:
        return None
    try:
        with Image.open(path) as image:
            image.verify()  # reads the whole file: truncated or corrupt data fails here
    except UnidentifiedImageError:
        return "not an image file"
    except OSError as exc:
        return f"cannot read it ({exc.strerror})" if exc.strerror else "truncated or corrupt image data"
    except Exception:  # pillow raises many kinds on bad data (SyntaxError, ValueError, struct.error...)
        return "truncated or corrupt image data"
    return None


def image_size(path: Path) -> tuple[int, int] | None:
    """Width and height of a raster image in pixels (its header only), for ``<img>`` tags, so
    the page keeps its place while the image loads; None when unknown (SVG, unreadable)."""
    if path.suffix.lower() not in RASTER:
        return None
    try:
        with Image.open(path) as image:
            return image.size
    except Exception:  # a broken image is reported by image_problem; here it only has no size
        return None
