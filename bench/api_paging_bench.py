"""Time per page of the API's incident list at the start and at depth: keyset cursors (what `next`
links carry) beside offset paging, in the same run, on a workspace of many incidents (made by
bench/scale_bench.py --keep DIR, for instance).

For each depth (the first page, the middle of the list, its last page) and each way of paging, the
same page is asked for --repeat times through the app (FastAPI's TestClient: the whole request path,
no network), as the public (the visibility filter's outer join included) and as a monitor. Printed:
p50 and p99 per page, and the offset/cursor ratio. The cursor for a depth is made from the sort key
of the row at that depth (found once, not timed), exactly as a `next` link would carry it.

    nice -n 19 python bench/api_paging_bench.py --db DIR/truce.db [--limit 100] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.requests import Request

from truce.api.app import create_app
from truce.api.paging import encode_cursor
from truce.api.routers.incidents import NEWEST_FIRST
from truce.api.settings import ApiSettings
from truce.api.users import add_user, issue_token
from truce.store import open_workspace
from truce.store.schema import incidents

PATH = "/api/v1/incidents"


def _cursor_at(conn, depth: int) -> str | None:  # noqa: ANN001
    """The cursor a `next` link would carry after `depth` rows (the key of row depth-1)."""
    if depth == 0:
        return None
    key = NEWEST_FIRST.segments[0].key
    row = conn.execute(select(*key).order_by(*(c.desc() for c in key)).offset(depth - 1).limit(1)).one()
    scope = {"type": "http", "method": "GET", "path": PATH, "query_string": b"", "headers": []}
    return encode_cursor(Request(scope), 0, list(row))


def _timed(client: TestClient, url: str, headers: dict, repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(url, headers=headers)
        seconds.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise SystemExit(f"{url}: {answer.status_code} {answer.text[:300]}")
    return seconds


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000 if len(values) > 1 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    workspace = open_workspace(args.db)
    with workspace.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(incidents)).scalar_one()
    monitor = f"bench-monitor-{time.time_ns()}"
    add_user(workspace, monitor, "monitor", None)
    token = issue_token(workspace, monitor)[1]
    settings = replace(ApiSettings(), rate_per_second=1e9, rate_burst=10**9, max_offset=10**9)
    depths = {"first page": 0, "middle": total // 2, "last page": max(0, total - args.limit)}
    print(f"{total:,} incidents, {args.limit} per page, {args.repeat} requests per figure", flush=True)
    with TestClient(create_app(workspace, settings)) as client:
        for who, headers in (("public", {}), ("monitor", {"Authorization": f"Bearer {token}"})):
            for name, depth in depths.items():
                with workspace.engine.connect() as conn:
                    cursor = _cursor_at(conn, depth)
                by_cursor = f"{PATH}?limit={args.limit}" + (f"&cursor={cursor}" if cursor else "")
                by_offset = f"{PATH}?limit={args.limit}&offset={depth}"
                keyset = _timed(client, by_cursor, headers, args.repeat)
                offset = _timed(
                    client, by_offset, headers, max(3, args.repeat // 10 if depth else args.repeat)
                )
                ratio = _p(offset, 50) / _p(keyset, 50)
                print(
                    f"  {who:8} {name:11} (row {depth:>10,}): cursor p50 {_p(keyset, 50):8.1f} ms "
                    f"p99 {_p(keyset, 99):8.1f} ms | offset p50 {_p(offset, 50):9.1f} ms "
                    f"p99 {_p(offset, 99):9.1f} ms | offset/cursor (p50) {ratio:7.1f}x",
                    flush=True,
                )


if __name__ == "__main__":
    sys.exit(main())
