"""The only door WeasyPrint has to the outside world while rendering letters.

Letters carry consumer-supplied text. Django autoescaping already keeps that
text from becoming markup, but if anything ever slipped through (a template
bug, a |safe too many) the PDF engine would happily read local files such as
/etc/passwd into an image or fetch remote URLs. This fetcher refuses all of
that: it serves only files that resolve (after following symlinks) inside the
project's own font and asset folders, and nothing over the network.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

LETTERS_DIR = Path(__file__).resolve().parent.parent
FONTS_DIR = LETTERS_DIR / "fonts"
ASSETS_DIR = LETTERS_DIR / "static_assets"
ALLOWED_ROOTS = (FONTS_DIR, ASSETS_DIR)
ALLOWED_SUFFIXES = {".ttf", ".otf", ".css", ".png", ".jpg", ".jpeg", ".svg"}

logger = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """Raised for any URL outside the project's fonts and assets."""


def resolve_allowed(url: str) -> Path:
    """Map a file:// URL to a path inside ALLOWED_ROOTS, or raise RefusedURL."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"refused non-local URL: {url[:200]!r}")
    path = Path(unquote(parts.path))
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise RefusedURL(f"refused missing file: {url[:200]!r}") from exc
    if resolved.suffix.lower() not in ALLOWED_SUFFIXES or not resolved.is_file():
        raise RefusedURL(f"refused file type: {url[:200]!r}")
    if not any(resolved.is_relative_to(root) for root in ALLOWED_ROOTS):
        raise RefusedURL(f"refused file outside the letter assets: {url[:200]!r}")
    return resolved


class SafeURLFetcher(URLFetcher):
    """WeasyPrint 70 URL fetcher (subclass with a ``fetch(url, headers)`` method).

    Refusals raise RefusedURL; WeasyPrint turns that into a logged warning and
    renders without the resource. ``refused`` keeps the URLs for tests/audits.
    """

    def __init__(self):
        # No handlers are ever used: fetch() below never calls urllib.
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            path = resolve_allowed(url)
        except RefusedURL:
            self.refused.append(url)
            logger.warning("letters: refused to fetch %r", url[:200])
            raise
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix.lower() in (".ttf", ".otf"):
            mime = "font/ttf"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})
