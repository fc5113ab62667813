"""What every request shares: the workspace, the limits, one write lock, caches of geometry that is
slow to draw, the log and the alert dispatcher. One ApiContext per app, on app.state.truce."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from truce.api.limits import RateLimiter
from truce.api.logview import LogService
from truce.api.settings import ApiSettings
from truce.store import Workspace

__all__ = ["ApiContext", "Memo", "TokenCache"]


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


class TokenCache:
    """Who a token belongs to, remembered for `seconds` (so a revocation made by `truce user revoke`
    in another process takes effect within that time). Keyed by the token's SHA-256."""

    def __init__(self, seconds: float, size: int = 10_000) -> None:
        self.seconds, self.size = seconds, size
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def fresh(self, token: str) -> bool:
        entry = self._entries.get(self._key(token))
        return entry is not None and entry[0] > time.monotonic()

    def get(self, token: str, lookup: Callable[[str], Any]) -> Any:  # noqa: ANN401 — an Actor or None
        key, now = self._key(token), time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        actor = lookup(token)
        if self.seconds > 0:
            with self._lock:
                if len(self._entries) >= self.size:
                    self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                    if len(self._entries) >= self.size:
                        self._entries.clear()
                self._entries[key] = (now + self.seconds, actor)
        return actor

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class ApiContext:
    workspace: Workspace
    settings: ApiSettings
    limiter: RateLimiter
    log: LogService
    # SQLite has one writer at a time; taking turns here beats retrying on "database is locked".
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    memo: Memo = field(default_factory=Memo)
    tokens: TokenCache = field(default_factory=lambda: TokenCache(2.0))
    extractor: Any = None  # truce.api.extraction.TextExtractor, set by the app factory
    costly: RateLimiter | None = None  # the budget of uncached what-if runs (see ApiSettings)
    dispatcher: Any = None  # truce.api.alerts.Dispatcher, set by the app factory
