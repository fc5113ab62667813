"""What every provision check receives: the terms, the evidence, the snapshots and the cut-off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from truce.assess.declarations import Declarations
from truce.assess.evidence import Evidence
from truce.assess.zone_join import ZoneJoin, zone_join_in_memory
from truce.geo.control import ControlSnapshot
from truce.geo.zones import Zone
from truce.model import KYIV

__all__ = ["Context", "Part", "SnapshotSource"]


@lru_cache(maxsize=65536)
def _kyiv_date_of_hour(hour: int) -> dt.date:
    # Kyiv's offset only changes on the hour, so the date is the same for every second of an hour.
    return dt.datetime.fromtimestamp(hour * 3600, KYIV).date()


# A date -> the latest control snapshot on or before it (None when there is none).
SnapshotSource = Callable[[dt.date], ControlSnapshot | None]


@dataclass(frozen=True)
class Part:
    """The share of a run one worker does, beyond its incidents (which come in `Context.evidence`):
    the snapshot days territory checks compare, the oblasts withdrawal checks measure. None: all."""

    days: frozenset[dt.date] | None = None
    oblasts: frozenset[str] | None = None


@dataclass
class Context:
    agreement: Any  # truce.agreement.Agreement (resolved: parameters substituted)
    evidence: Evidence
    snapshot_on: SnapshotSource
    snapshot_dates: list[dt.date]
    cut_off: dt.datetime  # assess what happened up to this moment
    declarations: Declarations = field(default_factory=Declarations)  # what parties declared
    cache: dict[str, Any] = field(default_factory=dict)  # zones and other derived geometry, per run
    # Satellite thermal anomalies (corroborating only); None when the workspace has no sensor baseline.
    thermal_anomalies: list[dict] | None = None
    part: Part = field(default_factory=Part)  # the whole run unless a worker was given a part
    # How incidents are matched to zones: in memory, or by PostGIS when the evidence is the store's.
    zone_join: ZoneJoin = zone_join_in_memory

    @property
    def effective(self) -> dt.datetime:
        return self.agreement.effective

    @property
    def effective_epoch(self) -> int:
        return int(self.effective.timestamp())

    def in_period(self, start: int | None = None) -> np.ndarray:
        """Incidents that may have happened between `start` (default: effective) and the cut-off."""
        start = self.effective_epoch if start is None else start
        ev = self.evidence
        return (ev.t_end > start) & (ev.t_start < int(self.cut_off.timestamp()))

    def points_in_zones(self, zones: Sequence[Zone]) -> Mapping[str, np.ndarray]:
        """For each zone id, which incidents of the evidence lie strictly inside it."""
        return self.zone_join(zones, self.evidence)

    def local_date(self, epoch: int) -> dt.date:
        return _kyiv_date_of_hour(int(epoch) // 3600)

    # A snapshot dated D shows control as at the end of D (24:00 Kyiv), when that day's map is
    # complete. So an assessment cut off at instant T may use the snapshots of days that ended by
    # T, and the line in force at an instant is the previous day's snapshot.

    @property
    def last_day(self) -> dt.date:
        """The last day the cut-off takes in (any part of): 31 January for 1 February 00:00."""
        return (self.cut_off - dt.timedelta(microseconds=1)).astimezone(KYIV).date()

    @property
    def last_known_day(self) -> dt.date:
        """The last day whose control snapshot the cut-off may use (the day before the cut-off's)."""
        return self.cut_off.astimezone(KYIV).date() - dt.timedelta(days=1)

    def snapshot_known_on(self, day: dt.date) -> ControlSnapshot | None:
        """The latest snapshot on or before `day` that was complete by the cut-off."""
        return self.snapshot_on(min(day, self.last_known_day))

    def snapshot_at_effective(self) -> ControlSnapshot | None:
        """Control at the moment the agreement took effect: the snapshot of the day before."""
        return self.snapshot_known_on(self.effective.astimezone(KYIV).date() - dt.timedelta(days=1))

    def snapshot_dates_after_effective(self) -> list[dt.date]:
        """Snapshot days from the effective day up to the last day complete by the cut-off."""
        start = self.effective.astimezone(KYIV).date()
        return [d for d in self.snapshot_dates if start <= d <= self.last_known_day]
