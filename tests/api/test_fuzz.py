"""Property-based testing: schemathesis generates requests from the OpenAPI document (as a monitor,
who may call the most operations, and as the public); hypothesis fuzzes the hand-parsed inputs
(bbox, datetime) and report bodies. No request may make the server fail (5xx), and every 4xx must
be a problem document."""

from __future__ import annotations

import json
import os

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from truce.api import create_app

from .conftest import FAST, bearer

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed (the lock pins schemathesis==4.32.5 for this test)"
)
from schemathesis.checks import not_a_server_error  # noqa: E402

EXAMPLES = int(os.environ.get("TRUCE_FUZZ_EXAMPLES", "15"))


@pytest.fixture(scope="module")
def fuzz_app(world, tmp_path_factory):
    workspace = world.copy(tmp_path_factory.mktemp("fuzz"))
    app = create_app(workspace, FAST)
    with TestClient(app):  # runs the lifespan: the alert dispatcher starts
        yield app
    workspace.engine.dispose()


def _operations(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_no_generated_request_makes_the_server_fail(fuzz_app, world):
    """Every operation in the OpenAPI document, EXAMPLES generated requests each, as a monitor and
    as the public. (Driven by hand rather than by schemathesis' pytest plugin, which does not run
    under pytest 9.)"""
    operations = _operations(fuzz_app)
    assert len(operations) >= 45
    failures = []
    for operation in operations:

        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=operation.as_strategy())
        def run(case):
            for role in ("monitor", None):
                response = case.call(headers=bearer(world.tokens[role]) if role else {})
                try:
                    case.validate_response(response, checks=[not_a_server_error])
                except Exception as error:  # noqa: BLE001 — collect, report every operation at once
                    failures.append(f"{case.method} {case.formatted_path}: {error}")
                    return
                if response.status_code >= 400:
                    kind = response.headers.get("content-type", [""])[0]
                    assert kind == "application/problem+json", (
                        case.method,
                        case.formatted_path,
                        response.text,
                    )

        run()
    assert not failures, "\n".join(failures[:20])


# --- hypothesis on the hand-parsed inputs ------------------------------------------------------------

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**6))


@pytest.fixture(scope="module")
def client(fuzz_app):
    return TestClient(fuzz_app, raise_server_exceptions=False)


def _no_failure(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    bbox=st.one_of(texts, st.lists(numbers, min_size=0, max_size=7).map(lambda v: ",".join(map(str, v)))),
    moment=st.one_of(
        texts,
        st.datetimes().map(lambda d: d.isoformat()),
        st.tuples(
            st.sampled_from(["", "..", "2026-01-01", "2026-01-01T00:00:00Z"]),
            st.sampled_from(["", "..", "2026-01-02", "x"]),
        ).map("/".join),
    ),
    limit=st.integers(-5, 2000),
)
def test_ogc_items_parameters(client, bbox, moment, limit):
    for collection in ("incidents", "findings", "zones"):
        params = {"bbox": bbox, "datetime": moment, "limit": limit}
        _no_failure(client.get(f"/ogc/collections/{collection}/items", params=params))


json_values = st.recursive(
    st.none() | st.booleans() | numbers | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)
incident_like = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["shelling", "movement", "drone_strike", "nonsense"]),
        "date": st.one_of(st.dates().map(str), texts),
    },
    optional={
        "location": st.dictionaries(
            st.sampled_from(["lat", "lon", "name", "precision", "country"]), json_values, max_size=5
        ),
        "time": st.one_of(st.datetimes().map(lambda d: d.isoformat()), texts),
        "killed": numbers,
        "weapons": json_values,
        "counts": json_values,
        "actor": json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"incidents": st.lists(incident_like, max_size=3)}, optional={"published_on": json_values}
        ),
    )
)
def test_report_bodies(client, world, body):
    for role in ("monitor", "party_liaison:RU"):
        raw = json.dumps(body, allow_nan=True).encode()  # NaN and Infinity too: Python's parser takes them
        headers = bearer(world.tokens[role]) | {"Content-Type": "application/json"}
        _no_failure(client.post("/api/v1/reports", content=raw, headers=headers))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    query=st.dictionaries(
        st.sampled_from(["since", "until", "bbox", "limit", "offset", "type", "status", "by"]),
        texts,
        max_size=4,
    )
)
def test_incident_list_queries(client, world, query):
    _no_failure(client.get("/api/v1/incidents", params=query, headers=bearer(world.tokens["analyst"])))
