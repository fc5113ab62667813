"""The report as PDF: the same HTML, printed by headless Chromium (Debian's `chromium` package, which
`make` installs). Nothing is fetched: the HTML has its map, charts and styles inline."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from truce.errors import UserError

__all__ = ["CHROMIUM_FLAGS", "chromium_path", "html_to_pdf"]

# Flags for a quiet, offline, headless Chromium (no sandbox: it runs as root in CI containers).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    "--hide-scrollbars",
)
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str | None:
    """TRUCE_CHROMIUM if set, else /usr/bin/chromium, else the first Chromium on PATH."""
    configured = os.environ.get("TRUCE_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return next((found for name in _CANDIDATES if (found := shutil.which(name))), None)


def html_to_pdf(html: str, *, timeout: float = 120.0) -> bytes:
    """Print an HTML document to PDF (A4, the page size its CSS asks for)."""
    browser = chromium_path()
    if browser is None:
        raise UserError(
            None, None, "PDF needs Chromium: install Debian's `chromium` (make does) or set TRUCE_CHROMIUM"
        )
    with tempfile.TemporaryDirectory(prefix="truce-pdf-") as scratch:
        page, out = Path(scratch) / "report.html", Path(scratch) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(scratch) / 'profile'}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)  # noqa: S603
        except subprocess.TimeoutExpired:
            raise UserError(None, None, f"Chromium did not print the PDF within {timeout:.0f} s") from None
        if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise UserError(None, None, f"Chromium could not print the PDF: {detail[0][:200]}")
        return out.read_bytes()
