"""The sensor data bundled for the demo and tests: the FIRMS VIIRS detections over Ukraine for
December 2025 – January 2026, and the history summary (2012–2021) a baseline is learned from."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["bundled_detections", "bundled_history"]


def _folder() -> Path:
    return Path(str(resources.files("truce").joinpath("data", "sensors")))


def bundled_detections() -> Path:
    return _folder() / "firms_viirs_ukraine_2025-12_2026-01.csv"


def bundled_history() -> Path:
    """Made by `truce sensors summarise HISTORY/viirs_ukraine_{2012..2021}.csv -o …` (see docs/sensors.md)."""
    return _folder() / "firms_history_summary_2012-2021.csv.gz"
