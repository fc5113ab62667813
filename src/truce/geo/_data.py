"""Where the bundled reference geography lives (src/truce/data/geo/)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"
