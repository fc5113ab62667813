"""The API's limits and knobs, in one place. Every cap has a default that suits one mission on one
machine; `truce serve` and the environment (TRUCE_API_*) can change them."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

__all__ = ["ApiSettings"]


@dataclass(frozen=True)
class ApiSettings:
    max_body_bytes: int = 1024 * 1024  # a report larger than 1 MiB goes through `truce ingest`
    max_text_chars: int = 200_000  # a text report's characters
    extract_seconds: float = 60.0  # the time one text report's extraction may take (worker process)
    extract_workers: int = 1  # worker processes for text extraction (each loads the language model)
    max_incidents_per_report: int = 500
    default_page: int = 100
    max_page: int = 1000
    max_offset: int = 10_000  # a list's `offset` (each skipped row is read; cursors are not bounded)
    max_count: int = 10_000  # rows counted for `count=true` (beyond: number_matched_exact false)
    max_bbox_deg2: float = 3600.0  # 60° × 60°: all of Europe, not the world
    max_export_records: int = 100_000
    max_map_incidents: int = 50_000  # markers in one answer of /dashboard/api/incidents
    rate_per_second: float = 20.0  # sustained requests per token (or per address, without one)
    rate_burst: int = 60
    token_cache_seconds: float = 2.0  # how long a revocation from another process may take to bite
    body_timeout_seconds: float = 30.0  # a request body must arrive within this: 408 otherwise
    max_connections: int = 500  # connections and requests in flight at once; beyond it: 503
    # Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed
    # (comma-separated IPs or CIDRs). Empty: none, so a client cannot pick its own rate-limit key.
    trusted_proxies: str = ""
    threads: int = 40  # requests handled at once on the thread pool (anyio's default is 40)
    webhook_attempts: int = 5
    webhook_backoff_seconds: float = 1.0  # first retry after 1 s, then 2, 4, 8 …
    webhook_timeout_seconds: float = 5.0
    # Hosts (host or host:port) and networks (CIDR) a webhook may reach although they are not public
    # addresses, comma-separated; by default only public addresses (truce.api.webhook_targets).
    webhook_allow: str = ""
    # Uncached what-if assessments (each reruns the whole assessment) per token per minute; the
    # anonymous public shares one budget. Cached answers are not counted.
    what_if_runs_per_minute: float = 4.0
    what_if_burst: int = 0  # uncached what-ifs at once before the rate applies (0: the rate, at least 1)
    log_report_digests: bool = True  # append a report_digest entry for every submitted report
    cors_origins: str = ""  # comma-separated origins whose pages may read the API (none: no CORS)

    @classmethod
    def from_env(cls, **overrides: object) -> ApiSettings:
        """Defaults, then TRUCE_API_<FIELD> from the environment, then explicit overrides."""
        values: dict[str, object] = {}
        for spec in fields(cls):
            raw = os.environ.get(f"TRUCE_API_{spec.name.upper()}")
            if raw is None:
                continue
            kind = type(getattr(cls, spec.name))
            values[spec.name] = raw.strip().lower() in ("1", "true", "yes") if kind is bool else kind(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)
