"""What every request shares: the workspace, the limits, one write lock, caches of geometry that is
slow to draw, the log and the alert dispatcher. One ApiContext per app, on app.state.truce."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from truce.api.limits import RateLimiter
from truce.api.logview import LogService
from truce.api.settings import ApiSettings
from truce.store import Workspace

__all__ = ["ApiContext", "Memo"]


class Memo:
    """A small thread-safe LRU of values that are expensive to compute (zones, contact lines);
    keys include the content hash of what they are computed from, so they never go stale."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._values: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:  # noqa: ANN401 — any cached value
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()  # outside the lock: two threads may both compute once, never block each other
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value


@dataclass
class ApiContext:
    workspace: Workspace
    settings: ApiSettings
    limiter: RateLimiter
    log: LogService
    # SQLite has one writer at a time; taking turns here beats retrying on "database is locked".
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    memo: Memo = field(default_factory=Memo)
    dispatcher: Any = None  # truce.api.alerts.Dispatcher, set by the app factory
