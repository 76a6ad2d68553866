"""The only way WeasyPrint may load anything: the app's own static files, read from disk.

Everything else is refused before any I/O: http(s), ftp, data:, file:// outside the static
folder (after resolving `..` and symlinks), other hosts, directories, unknown file types.
Nothing is ever fetched over the network, so a redirect cannot happen either.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

# What the PDF templates load: the stylesheet and the fonts (images/SVG for future use).
ALLOWED_TYPES = {
    ".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff",
    ".woff2": "font/woff2", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}
MAX_FILE_BYTES = 8 * 1024 * 1024


class RefusedURL(ValueError):
    """A URL the PDF renderer may not load."""


class StaticFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves files under `static_dir` and nothing else.

    WeasyPrint 70 calls `fetcher(url)` (`__call__`), and urllib-style code may call `open`;
    both end in `fetch`, which never reaches the network handlers of the parent class.
    """

    def __init__(self, static_dir: Path | str) -> None:
        super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False,
                         fail_on_errors=False)
        self.root = Path(static_dir).resolve()
        self.base_url = self.root.as_uri() + "/"
        self.refused: list[str] = []
        self.served: list[str] = []

    def resolve(self, url: str) -> Path:
        """The file a URL names, or RefusedURL."""
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise RefusedURL(f"malformed URL: {url[:200]}") from exc
        if parts.scheme.lower() != "file":
            raise RefusedURL(f"only the app's static files may be loaded, not {url[:200]}")
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"file URL with a host: {url[:200]}")
        try:
            path = Path(unquote(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError) as exc:
            raise RefusedURL(f"no such static file: {url[:200]}") from exc
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedURL(f"outside the static folder: {url[:200]}")
        if path.suffix.lower() not in ALLOWED_TYPES:
            raise RefusedURL(f"not a stylesheet, font or image: {url[:200]}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise RefusedURL(f"static file too large: {url[:200]}")
        return path

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            path = self.resolve(url)
        except RefusedURL:
            self.refused.append(url)
            raise
        self.served.append(path.name)
        content_type = ALLOWED_TYPES.get(path.suffix.lower()) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        headers = {"Content-Type": content_type + ("; charset=utf-8"
                                                   if content_type == "text/css" else "")}
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers, 200)

    def open(self, url, data=None, timeout=None):
        target = url.full_url if hasattr(url, "full_url") else url
        return self.fetch(target)

    def __call__(self, url: str) -> URLFetcherResponse:
        return self.fetch(url)
