"""What the log commitments cost (issue 10), beside a baseline measured in the same run: a salted
commitment entry (HMAC salt + SHA-256 over canonical JSON) per protected case act, against the plain
digest entry every public record gets.

Run: .venv/bin/python bench/leak_bench.py [--records 200000]
"""

from __future__ import annotations

import argparse
import secrets
import time

from truce.publish.commitments import Committer
from truce.publish.ledger import _entry


def _case_acts(n: int) -> list[dict]:
    return [
        {
            "case_id": f"case-{i:012x}",
            "seq": 1 + i % 5,
            "action": "decide",
            "from_state": "investigation",
            "to_state": "verified_violation",
            "actor": "user:monitor-7",
            "at": "2026-01-05T10:00:00+00:00",
            "reason": "craters and fragments match the launch site " * 3,
            "details": "{}",
        }
        for i in range(n)
    ]


def _time(work) -> float:  # noqa: ANN001
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def bench_entries(n: int) -> None:
    acts = _case_acts(n)
    commit = Committer(secrets.token_bytes(32))
    plain = _time(lambda: [_entry("case_transition", f"{a['case_id']}#{a['seq']}", a) for a in acts])
    committed = _time(
        lambda: [
            commit.entry("case_transition", f"{a['case_id']}#{a['seq']}", a, {"seq": a["seq"]}) for a in acts
        ]
    )
    print(f"log entries for {n:,} case acts")
    print(f"  baseline, plain digest entry : {plain:6.2f} s  ({n / plain:,.0f}/s)")
    rate, ratio = n / committed, committed / plain
    print(f"  salted commitment entry      : {committed:6.2f} s  ({rate:,.0f}/s)  ratio {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    args = parser.parse_args()
    bench_entries(args.records)


if __name__ == "__main__":
    main()
