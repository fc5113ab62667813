"""Written findings' canonical bodies spilled a sorted run at a time and read back merged by id."""

from __future__ import annotations

import random

from truce.publish.written import WrittenBodies


def test_the_runs_come_back_merged_in_id_order_byte_for_byte():
    rng = random.Random(5)
    items = [
        (
            f"fnd-{rng.getrandbits(80):020x}",
            f"{rng.getrandbits(256):064x}",
            rng.randbytes(rng.choice((0, 7, 900))),
        )
        for _ in range(5000)
    ]
    items.append(("fnd-big", "d" * 64, b"x" * (3 << 20)))  # larger than a read: crosses many reads
    written = WrittenBodies("a")
    for start in range(0, len(items), 777):
        written.add(items[start : start + 777])
    written.add([])
    assert list(written.in_order()) == sorted(items)
    assert list(written.in_order()) == sorted(items)  # read again: the same
    assert written.count == len(items)
    written.close()


def test_nothing_written_reads_back_nothing():
    written = WrittenBodies("a")
    assert list(written.in_order()) == []
    written.close()
