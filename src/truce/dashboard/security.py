"""The browser-side rules the dashboard's pages are served with: a Content-Security-Policy that lets
them load only the server's own scripts, styles and data (plus the configured tile server's images),
and that no other site may frame them (frame-ancestors, with X-Frame-Options for old browsers)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

__all__ = ["PAGE_PREFIXES", "content_security_policy", "page_headers"]

PAGE_PREFIXES = ("/dashboard", "/reports/")


def _tile_origin() -> str | None:
    from truce.dashboard.data import TILE_URL_ENV

    parts = urlsplit(os.environ.get(TILE_URL_ENV) or "")
    if parts.scheme in ("http", "https") and parts.hostname:
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"
    return None


def content_security_policy() -> str:
    images = " ".join(filter(None, ("'self'", "data:", _tile_origin())))
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            # style attributes (Leaflet positions every marker and tile with one); no <style> blocks
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "object-src 'none'",
        )
    )


def page_headers(path: str) -> list[tuple[bytes, bytes]]:
    """Headers every answer under the dashboard's and the reports' paths carries."""
    if not path.startswith(PAGE_PREFIXES):
        return []
    return [
        (b"content-security-policy", content_security_policy().encode()),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
    ]
