"""Cross-process locks: a claim is held by one holder at a time on PostgreSQL, always granted on SQLite."""

import pytest
from sqlalchemy import create_engine

from truce.store.locks import advisory_key, claim

pytestmark = pytest.mark.both_stores


def test_a_claim_has_one_holder_until_it_is_released(workspace, store_kind):
    other_process = create_engine(workspace.engine.url)  # its own pool, as another worker has
    try:
        with claim(workspace.engine, "truce.test:a") as first:
            with (
                claim(other_process, "truce.test:a") as second,
                claim(other_process, "truce.test:b") as third,
            ):
                assert first and third
                assert second is (store_kind == "sqlite")  # SQLite serves one process: no contention
        with claim(other_process, "truce.test:a") as again:
            assert again
    finally:
        other_process.dispose()


def test_lock_keys_are_stable_64_bit_numbers():
    assert advisory_key("truce.log") == advisory_key("truce.log") != advisory_key("truce.log2")
    assert -(2**63) <= advisory_key("truce.log") < 2**63
