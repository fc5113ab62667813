"""Log throughput: LogStore.append on SQLite against a bare hashlib loop over the same leaves,
and truce.canonical against the reference rfc8785 package on the same entries.

Appends N finding-like entries (default 1,000,000) in batches to a fresh SQLite LogStore in a temp dir
(WAL, synchronous=NORMAL, like the workspace), then times a checkpoint, producing and verifying an
inclusion proof and a consistency proof at that size (target: verify < 1 ms), and reports storage
bytes per entry. Baseline, measured in the same run on the same canonical leaf bytes: leaf hashes plus
every interior node with hashlib into a Python list (no canonicalisation, no database).

A second log receives the same entries as `truce assess` appends them: composed around bodies already
in canonical form (compose_entry), so the row shows the append without serialising.

Run: .venv/bin/python bench/log_bench.py [--n 1000000] [--batch 10000] [--verify-store]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from pathlib import Path

import rfc8785
from sqlalchemy import create_engine, event, text

from truce.canonical import dumps as canonical_dumps
from truce.publish.log.entries import compose_entry, make_entry
from truce.publish.log.merkle import verify_consistency, verify_inclusion
from truce.publish.log.note import Signer
from truce.publish.log.store import LogStore
from truce.publish.log.tables import metadata

ORIGIN = "bench.truce.example/log"
PROOF_REPEATS = 200


def _entries(start: int, stop: int) -> list[dict]:
    return [
        make_entry(
            "finding",
            f"finding-{i:08d}",
            {
                "provision": "heavy-weapons-withdrawal",
                "party": "AB"[i % 2],
                "status": "violation",
                "incident": f"inc-{i * 7919 % 10**8:08d}",
                "confidence": round((i % 100) / 100, 2),
                "observed": f"2026-01-{1 + i % 28:02d}",
            },
        )
        for i in range(start, stop)
    ]


def _baseline(leaves: list[bytes], stack: list[bytes], size: int) -> int:
    """Leaf hash and every completed interior node with hashlib: the least work the same tree needs."""
    sha = hashlib.sha256
    for data in leaves:
        h = sha(b"\x00" + data).digest()
        index = size
        while index & 1:
            h = sha(b"\x01" + stack.pop() + h).digest()
            index >>= 1
        stack.append(h)
        size += 1
    return size


def _engine(path: Path):
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    metadata.create_all(engine)
    return engine


def _timed(fn, repeats=1):
    start = time.perf_counter()
    for _ in range(repeats):
        result = fn()
    return result, (time.perf_counter() - start) / repeats


CPU: dict[str, float] = {}  # process CPU seconds per step: steadier than wall time when shared


def _step(name, fn):
    """fn's result and wall time, its CPU time added to CPU[name]."""
    start = time.process_time()
    result, wall = _timed(fn)
    CPU[name] = CPU.get(name, 0.0) + time.process_time() - start
    return result, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--verify-store", action="store_true", help="also time a full verify_store()")
    args = parser.parse_args()
    n, rng = args.n, random.Random(7)

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "log.db"
        store = LogStore(_engine(db), ORIGIN)
        signer = Signer.generate(ORIGIN)

        t_append = t_canon = t_reference = t_base = 0.0
        stack: list[bytes] = []
        size = 0
        for start in range(0, n, args.batch):
            batch = _entries(start, min(n, start + args.batch))
            reference, dt = _timed(lambda b=batch: [rfc8785.dumps(e) for e in b])
            t_reference += dt
            leaves, dt = _step("canon", lambda b=batch: [canonical_dumps(e) for e in b])
            t_canon += dt
            assert leaves == reference  # byte-identical to the reference implementation
            size, dt = _step("base", lambda lv=leaves, s=size: _baseline(lv, stack, s))
            t_base += dt
            _, dt = _step("append", lambda b=batch: store.append(b))
            t_append += dt
        assert store.size() == n == size

        # As `truce assess` publishes: entries composed around bodies already canonical, into a
        # second log (the bodies' canonical form is made before the clock starts, as assess has it).
        # Composed as the append takes them, so with the collector paused, as publish composes.
        composed_store = LogStore(_engine(Path(tmp) / "composed.db"), ORIGIN)
        t_composed = 0.0
        for start in range(0, n, args.batch):
            batch = _entries(start, min(n, start + args.batch))
            bodies = [(e["id"], canonical_dumps(e["body"])) for e in batch]
            _, dt = _step(
                "composed",
                lambda b=bodies: composed_store.append(compose_entry("finding", i, body) for i, body in b)
            )
            t_composed += dt
        assert composed_store.root() == store.root()  # the same leaves, the same tree

        note, t_checkpoint = _timed(lambda: store.checkpoint(signer))
        _, t_root = _timed(store.root, 20)

        ids = [f"finding-{rng.randrange(n):08d}" for _ in range(PROOF_REPEATS)]
        it = iter(ids)
        proof, t_incl = _timed(lambda: store.inclusion_proof(next(it)), PROOF_REPEATS)
        _, t_incl_verify = _timed(
            lambda: verify_inclusion(proof.index, proof.size, proof.leaf_hash, proof.hashes, proof.root),
            PROOF_REPEATS,
        )
        old = max(1, n // 3)
        cons, t_cons = _timed(lambda: store.consistency_proof(old, n), PROOF_REPEATS)
        _, t_cons_verify = _timed(
            lambda: verify_consistency(old, n, cons.old_root, cons.new_root, cons.hashes), PROOF_REPEATS
        )

        with store.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        disk = sum(p.stat().st_size for p in Path(tmp).iterdir())

        def row(label, value):
            print(f"  {label:<48} {value}")

        print(f"log bench: {n:,} entries in batches of {args.batch:,} (SQLite, WAL)")
        row(
            "append (canonical JSON + hash + tree + SQL)",
            f"{n / t_append:10,.0f} entries/s ({t_append:.1f} s)",
        )
        row("  of which RFC 8785 canonicalisation alone", f"{n / t_canon:10,.0f} entries/s ({t_canon:.1f} s)")
        row(
            "reference rfc8785 package, same entries",
            f"{n / t_reference:10,.0f} entries/s ({t_reference:.1f} s)",
        )
        row("canonicalisation speed-up over the reference", f"{t_reference / t_canon:10.1f}x")
        row("baseline: hashlib leaf + node loop", f"{n / t_base:10,.0f} entries/s ({t_base:.1f} s)")
        row("ratio append / baseline", f"{t_append / t_base:10.1f}x")
        row(
            "append of composed entries (as assess does)",
            f"{n / t_composed:10,.0f} entries/s ({t_composed:.1f} s)",
        )
        row("ratio composed append / baseline", f"{t_composed / t_base:10.1f}x")
        row("ratio append / (canonicalisation + baseline)", f"{t_append / (t_canon + t_base):10.1f}x")
        cpu = {name: f"{seconds / CPU['base']:.2f}x" for name, seconds in CPU.items() if name != "base"}
        row("CPU time / baseline's CPU time", f"baseline {CPU['base']:.2f} s; {cpu}")
        row("checkpoint (root + consistency check + sign)", f"{t_checkpoint * 1e3:10.2f} ms")
        row("root from stored nodes", f"{t_root * 1e3:10.3f} ms")
        row(f"inclusion proof ({len(proof.hashes)} hashes): produce", f"{t_incl * 1e3:10.3f} ms")
        row("inclusion proof: verify", f"{t_incl_verify * 1e3:10.4f} ms")
        row(
            f"consistency proof {old:,}->{n:,} ({len(cons.hashes)} hashes): produce",
            f"{t_cons * 1e3:10.3f} ms",
        )
        row("consistency proof: verify", f"{t_cons_verify * 1e3:10.4f} ms")
        row("storage", f"{disk / n:10,.0f} bytes/entry ({disk / 2**20:,.1f} MiB)")
        row("verify < 1 ms", "yes" if max(t_incl_verify, t_cons_verify) < 1e-3 else "NO")
        if args.verify_store:
            problem, t_verify = _timed(store.verify_store)
            row("verify_store (re-hash + rebuild + node audit)", f"{t_verify:10.1f} s, problem: {problem}")
        assert note.startswith(ORIGIN)


if __name__ == "__main__":
    main()
