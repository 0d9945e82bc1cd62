"""The one place that turns names into slugs and slugs into URLs.

Three ideas, kept apart:
- a *source path*: where a note lives on disk, relative to the notes folder;
- a *slug*: the note's stable, URL-safe, unique identity (``models/nngp-ntk/ntk``);
- a *URL*: the slug under the site's base URL (``/garden/models/nngp-ntk/ntk/``).
Every URL in the site is built by :class:`Urls`, so a base URL with a sub-path is honoured
everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

_PATH_SAFE = "/@:!$&'()*+,;=-._~"  # RFC 3986 path characters that need no escaping
_UNSAFE = re.compile(r"[^\w\- ]+", re.UNICODE)
_DASHES = re.compile(r"[\s_\-]+", re.UNICODE)


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Unicode-normalised, case-folded text: what two names must share to be 'the same'."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """One path segment: lower case, words joined by '-', letters of any script kept.

    ``µP`` and ``μP`` give the same slug; so do ``Adam Optimizer`` and ``adam-optimizer``.
    """
    text = normalize(text).replace("'", "").replace("\u2019", "")
    text = _UNSAFE.sub(" ", text)
    return _DASHES.sub("-", text).strip("-")


@lru_cache(maxsize=65536)
def slugify_keep_case(text: str) -> str:
    """``slugify`` without the lower-casing: ``Deep Nets`` → ``Deep-Nets`` (the ``urls: keep-case``
    setting, for gardens whose old addresses had capitals)."""
    text = unicodedata.normalize("NFKC", text).strip().replace("'", "").replace("\u2019", "")
    text = _UNSAFE.sub(" ", text)
    return _DASHES.sub("-", text).strip("-")


def slugify_path(path: str, keep_case: bool = False) -> str:
    """A slash-separated path, each segment slugified, empty segments dropped."""
    one = slugify_keep_case if keep_case else slugify
    return "/".join(s for s in (one(part) for part in path.split("/")) if s)


def heading_anchor(text: str) -> str:
    """GitHub-style heading id, also what Obsidian's ``[[Note#Heading]]`` resolves to."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text, flags=re.UNICODE)
    return text.replace(" ", "-")


def source_slug(relative: PurePosixPath, keep_case: bool = False) -> str:
    """The slug of a note from its path under the notes folder (``index.md`` is its folder);
    ``keep_case``: the author's capitals stay (``digitalGarden/NNGP``)."""
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1].lower() in ("index", "_index", "readme"):
        parts = parts[:-1]
    return slugify_path("/".join(parts), keep_case)


def slug_key(slug: str) -> str:
    """What two slugs must share to be one address: their lower-case form. A case-sensitive
    host serves ``/NNGP/`` and ``/nngp/`` apart, but a case-insensitive disk cannot hold both."""
    return slugify_path(slug)


_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def custom_domain(value: object) -> str | None:
    """The domain of ``cname:`` (lower case, no final dot), or None when unset or not a domain."""
    domain = str(value).strip().lower().rstrip(".") if isinstance(value, str) else ""
    return domain if _HOSTNAME.match(domain) else None


@lru_cache(maxsize=64)
def base_path_of(base_url: str) -> str:
    """The path part of a base URL, with one leading and one trailing slash."""
    path = urlsplit(base_url).path if "://" in base_url else base_url
    path = "/" + path.strip("/")
    return path if path == "/" else path + "/"


@dataclass(frozen=True)
class Urls:
    """Builds every URL of the site from the configured base URL."""

    base_url: str = "/"

    @property
    def base_path(self) -> str:
        return base_path_of(self.base_url)

    @property
    def origin(self) -> str:
        """``https://host`` when the base URL is absolute, else empty."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

    def page(self, slug: str, anchor: str = "") -> str:
        """URL of a page (note, section, tag...) whose output is ``<slug>/index.html``."""
        return _page_url(self.base_path, slug, anchor)

    def file(self, path: str) -> str:
        """URL of a file written at ``path`` under the output folder (an asset, a feed)."""
        return self.base_path + quote(path.lstrip("/"), safe=_PATH_SAFE)

    def absolute(self, url: str) -> str:
        """A site URL made absolute, for feeds, sitemaps and canonical links."""
        return self.origin + url if url.startswith("/") else url


@lru_cache(maxsize=65536)
def _page_url(base_path: str, slug: str, anchor: str) -> str:
    url = base_path + (quote(slug.strip("/"), safe=_PATH_SAFE) + "/" if slug.strip("/") else "")
    return url + ("#" + quote(anchor, safe=_PATH_SAFE) if anchor else "")


# Limits on a page's address, so that every file system can hold the site: a name of at most
# 255 bytes (less what temporary names add), a path well inside the 4,096 bytes of Linux (the
# output folder's own path comes on top), and no nesting deep enough to exhaust recursion.
MAX_NAME_BYTES = 200
MAX_ADDRESS_BYTES = 1000
MAX_DEPTH = 32


def address_problem(slug: str) -> str | None:
    """What makes a slug unusable as a folder of the site (its files go in ``<slug>/``), or None."""
    parts = slug.split("/")
    if len(parts) > MAX_DEPTH:
        return f"its address is {len(parts)} folders deep (at most {MAX_DEPTH})"
    longest = max(parts, key=lambda part: len(part.encode("utf-8", "surrogatepass")))
    size = len(longest.encode("utf-8", "surrogatepass"))
    if size > MAX_NAME_BYTES:
        return f"its address has a name of {size} bytes ({longest[:20]}…; at most {MAX_NAME_BYTES})"
    size = len(slug.encode("utf-8", "surrogatepass"))
    if size > MAX_ADDRESS_BYTES:
        return f"its address is {size} bytes long (at most {MAX_ADDRESS_BYTES})"
    return None


def shorten_for_message(text: str, limit: int = 60) -> str:
    """A long name cut to fit a message line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
