"""Linking reported attacks to thermal anomalies: a report of a strike or shelling with a place at
least as precise as a settlement, within `link_km` of an anomaly's cell and `link_days` of its day,
is corroborated by it. The anomaly says that something burned there, not who caused it or how."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from truce.model.taxonomy import USE_OF_FORCE_TYPES

__all__ = ["LINKABLE_PRECISIONS", "AnomalyIndex", "Link"]

LINKABLE_PRECISIONS = ("exact", "settlement")  # a raion or an oblast is too coarse for a 10 km link
_KM_PER_DEG_LAT = 110.57  # the local flat-earth approximation is within 0.5 % over 10 km
_KM_PER_DEG_LON_EQUATOR = 111.32


@dataclass(frozen=True)
class Link:
    anomaly_id: str
    date: str
    distance_km: float
    days_apart: int
    kind: str
    p_value: float

    def to_json(self) -> dict:
        return {
            "anomaly": self.anomaly_id,
            "date": self.date,
            "distance_km": self.distance_km,
            "days_apart": self.days_apart,
            "kind": self.kind,
            "p_value": self.p_value,
        }

    def reason(self) -> str:
        when = "the same day" if self.days_apart == 0 else f"{abs(self.days_apart)} day(s) apart"
        where = "in its cell" if self.distance_km == 0 else f"{self.distance_km:.1f} km away"
        return f"satellite thermal anomaly {self.anomaly_id} {where}, {when}"


class AnomalyIndex:
    """Stored anomalies (their JSON bodies) ready for many look-ups."""

    def __init__(self, anomalies: Sequence[dict], link_km: float = 10, link_days: int = 1) -> None:
        self.anomalies = list(anomalies)
        self.link_km, self.link_days = float(link_km), int(link_days)
        bounds = np.array([a["cell"]["bounds"] for a in self.anomalies], dtype=float).reshape(-1, 4)
        self.west, self.south, self.east, self.north = bounds.T
        self.day = np.array([dt.date.fromisoformat(a["date"]).toordinal() for a in self.anomalies])

    def __len__(self) -> int:
        return len(self.anomalies)

    def links(
        self,
        incident_type: str,
        precision: str,
        lon: float | None,
        lat: float | None,
        start: dt.date,
        end: dt.date,
    ) -> list[Link]:
        """Anomalies that corroborate a report: attack types with a precise place only."""
        if not len(self) or incident_type not in USE_OF_FORCE_TYPES or precision not in LINKABLE_PRECISIONS:
            return []
        if lon is None or lat is None or math.isnan(lon) or math.isnan(lat):
            return []
        first, last = start.toordinal() - self.link_days, end.toordinal() + self.link_days
        near_in_time = (self.day >= first) & (self.day <= last)
        # Distance from the point to each anomaly's cell (0 inside it).
        dx = np.maximum.reduce([self.west - lon, np.zeros(len(self)), lon - self.east])
        dy = np.maximum.reduce([self.south - lat, np.zeros(len(self)), lat - self.north])
        km = np.hypot(dx * _KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat)), dy * _KM_PER_DEG_LAT)
        found = []
        for n in np.flatnonzero(near_in_time & (km <= self.link_km)):
            anomaly = self.anomalies[n]
            day = int(self.day[n])
            apart = day - min(max(day, start.toordinal()), end.toordinal())  # 0 within the span
            distance = round(float(km[n]), 2)
            found.append(
                Link(anomaly["id"], anomaly["date"], distance, apart, anomaly["kind"], anomaly["p_value"])
            )
        return sorted(found, key=lambda link: (link.distance_km, abs(link.days_apart), link.anomaly_id))
