"""Access control: every route for every role, object-level checks on ids across parties, what each
role's responses may carry, server-owned fields, tokens and the audit trail."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time

import pytest
from sqlalchemy import select

from truce.api import ApiSettings
from truce.api.app import route_permissions
from truce.api.policy import POLICY, Action, Resource, Role
from truce.store.api_tables import api_audit, api_tokens

from .conftest import INFORMANT, INFORMANT_WORDS, RU_SECRET, UA_SECRET, bearer, incident

# The callers of the matrix: a token key (None: no token at all) and the role it has.
CALLERS = [
    (None, Role.public),
    ("public", Role.public),
    ("admin", Role.admin),
    ("monitor", Role.monitor),
    ("analyst", Role.analyst),
    ("party_liaison:UA", Role.party_liaison),
    ("guarantor:US", Role.guarantor),
]


def _routes(app):
    for methods, path, permission in route_permissions(app):
        for method in sorted(methods - {"HEAD"}):
            yield method, re.sub(r"\{[^}]+\}", "no-such-id", path), permission


def test_every_route_answers_each_role_as_the_policy_says(shared_api):
    checked = 0
    for method, path, (action, resource) in _routes(shared_api.client.app):
        body = {} if method in ("POST", "PUT", "PATCH") else None
        for key, role in CALLERS:
            response = shared_api.call(method, path, key, json=body)
            may = action in POLICY[role].get(resource, frozenset())
            if may:
                assert response.status_code not in (401, 403), (method, path, key, response.text)
            else:
                expected = 401 if key is None else 403
                assert response.status_code == expected, (method, path, key, response.text)
                assert response.headers["content-type"] == "application/problem+json"
            checked += 1
    assert checked > 7 * 40  # every route, every role


def test_every_role_and_resource_is_in_the_policy_table():
    for role in Role:
        assert role in POLICY
        for resource, actions in POLICY[role].items():
            assert isinstance(resource, Resource) and all(isinstance(a, Action) for a in actions)
    # The public record only: the public never writes anything.
    assert all(actions == {Action.read} for actions in POLICY[Role.public].values())


# --- object-level checks ---------------------------------------------------------------------------


def _same_problem(a, b) -> None:
    assert a.status_code == b.status_code == 404
    strip = lambda r: {k: v for k, v in r.json().items() if k != "instance"}  # noqa: E731
    assert strip(a) == strip(b)


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/v1/incidents/{}", "RU_incident"),
        ("/api/v1/reports/{}", "RU_report"),
        ("/api/v1/reports/{}/content", "RU_report"),
        ("/api/v1/cases/{}", "RU_case"),
        ("/api/v1/notices/{}", "RU_notice"),
        ("/ogc/collections/incidents/items/{}", "RU_incident"),
    ],
)
def test_guessing_another_partys_id_looks_exactly_like_a_missing_one(shared_api, path, key):
    guessed = shared_api.get(path.format(shared_api.ids[key]), "party_liaison:UA")
    missing = shared_api.get(path.format("rep-0000000000000000-001"), "party_liaison:UA")
    _same_problem(guessed, missing)
    own = shared_api.get(path.format(shared_api.ids[key.replace("RU", "UA")]), "party_liaison:UA")
    assert own.status_code == 200
    assert shared_api.get(path.format(shared_api.ids[key]), "party_liaison:RU").status_code == 200
    assert shared_api.get(path.format(shared_api.ids[key]), "monitor").status_code == 200


@pytest.mark.parametrize("key", [None, "public", "guarantor:US"])
def test_outsiders_cannot_read_either_partys_protected_allegation(shared_api, key):
    for party in ("UA", "RU"):
        assert (
            shared_api.get(f"/api/v1/incidents/{shared_api.ids[party + '_incident']}", key).status_code == 404
        )
        assert shared_api.get(f"/api/v1/cases/{shared_api.ids[party + '_case']}", key).status_code == 404


def test_lists_count_only_what_the_caller_may_see(shared_api):
    ids = shared_api.ids
    seen = {}
    for key in (None, "party_liaison:UA", "party_liaison:RU", "monitor"):
        page = shared_api.get("/api/v1/incidents?limit=1000", key).json()
        seen[key] = {i["id"] for i in page["items"]}
        assert page["number_matched"] == len(seen[key])
    assert (
        ids["UA_incident"] in seen["party_liaison:UA"] and ids["RU_incident"] not in seen["party_liaison:UA"]
    )
    assert (
        ids["RU_incident"] in seen["party_liaison:RU"] and ids["UA_incident"] not in seen["party_liaison:RU"]
    )
    assert not {ids["UA_incident"], ids["RU_incident"]} & seen[None]
    assert seen["monitor"] >= seen["party_liaison:UA"] | seen["party_liaison:RU"]
    cases = {c["id"] for c in shared_api.get("/api/v1/cases", "party_liaison:UA").json()["items"]}
    assert ids["UA_case"] in cases and ids["RU_case"] not in cases
    notices = {n["id"] for n in shared_api.get("/api/v1/notices", "party_liaison:UA").json()["items"]}
    assert notices == {ids["UA_notice"]}
    reports = {r["id"] for r in shared_api.get("/api/v1/reports", "party_liaison:UA").json()["items"]}
    assert reports == {ids["UA_report"]}


def test_a_party_cannot_move_or_cite_anothers_case_or_incident(api):
    ids = api.ids
    moved = api.post(
        f"/api/v1/cases/{ids['RU_case']}/transitions",
        "monitor",
        json={"action": "assign", "investigator": "x", "reason": "r"},
    )
    assert moved.status_code == 200  # staff can
    cited = api.post(
        "/api/v1/cases",
        "party_liaison:UA",
        json={"title": "t", "reason": "r", "incident_ids": [ids["RU_incident"]]},
    )
    missing = api.post(
        "/api/v1/cases",
        "party_liaison:UA",
        json={"title": "t", "reason": "r", "incident_ids": ["no-such-incident"]},
    )
    assert cited.status_code == missing.status_code == 422
    assert (
        cited.json()["detail"].split(":")[0] == missing.json()["detail"].split(":")[0] == "no such incident"
    )
    withdrawn = api.call("DELETE", f"/api/v1/notices/{ids['RU_notice']}", "party_liaison:UA")
    assert withdrawn.status_code == 404
    assert api.get(f"/api/v1/notices/{ids['RU_notice']}", "party_liaison:RU").json()["withdrawn_at"] is None


# --- what responses carry ------------------------------------------------------------------------


PUBLIC_PAGES = [
    "/api/v1/incidents?limit=1000",
    "/api/v1/clusters?limit=1000",
    "/api/v1/cases?limit=1000",
    "/api/v1/findings?limit=1000",
    "/ogc/collections/incidents/items?limit=1000",
    "/ogc/collections/findings/items?limit=1000",
    "/api/v1/exports/geojson",
    "/api/v1/exports/csv",
    "/api/v1/exports/acled",
]


@pytest.mark.parametrize("key", [None, "public", "guarantor:US", "party_liaison:UA", "party_liaison:RU"])
def test_no_protected_words_reach_those_who_may_not_see_them(shared_api, key):
    text = "".join(shared_api.get(path, key).text for path in PUBLIC_PAGES)
    secrets = {INFORMANT, INFORMANT_WORDS, UA_SECRET, RU_SECRET}
    if key == "party_liaison:UA":
        assert UA_SECRET in text  # its own allegation, in its own words
        secrets.discard(UA_SECRET)
    if key == "party_liaison:RU":
        assert RU_SECRET in text
        secrets.discard(RU_SECRET)
    leaked = [s for s in secrets if s in text]
    assert not leaked


def test_staff_see_allegations_and_only_monitors_see_protected_source_names(shared_api):
    informant = shared_api.ids["informant_incident"]
    seen = {
        key: shared_api.get(f"/api/v1/incidents/{informant}", key).json()
        for key in ("monitor", "analyst", "admin")
    }
    assert seen["monitor"]["source"] == INFORMANT and seen["monitor"]["source_record"]["name"] == INFORMANT
    for key in ("analyst", "admin"):
        assert seen[key]["source"] == "protected source"
        assert seen[key]["source_record"]["id"] is None and seen[key]["evidence"] == INFORMANT_WORDS
        text = "".join(
            shared_api.get(p, key).text for p in PUBLIC_PAGES + ["/api/v1/sources", "/api/v1/reports"]
        )
        assert INFORMANT not in text
    public = shared_api.get(f"/api/v1/incidents/{informant}").json()
    assert public["source"] == "protected source" and public["evidence"] is None
    ua = shared_api.get(f"/api/v1/incidents/{shared_api.ids['RU_incident']}", "monitor").json()
    assert ua["evidence"] == RU_SECRET and ua["protected"] is True and ua["owner_party"] == "RU"


def test_each_role_gets_its_own_response_model(shared_api):
    path = f"/api/v1/incidents/{shared_api.ids['UA_incident']}"
    monitor, party = shared_api.get(path, "monitor").json(), shared_api.get(path, "party_liaison:UA").json()
    public = shared_api.get("/api/v1/incidents/seed-02").json()
    assert {"note", "acled", "source_record", "submitted_by", "protected"} <= set(monitor)
    assert {"protected", "owner_party"} <= set(party) and not {"note", "acled", "source_record"} & set(party)
    assert not {"note", "acled", "source_record", "submitted_by", "protected", "owner_party"} & set(public)
    case = shared_api.get(f"/api/v1/cases/{shared_api.ids['UA_case']}", "party_liaison:UA").json()
    assert "events" not in case and "assigned_to" not in case and case["alleged_by"] == "party:UA"
    staff_case = shared_api.get(f"/api/v1/cases/{shared_api.ids['UA_case']}", "monitor").json()
    assert staff_case["events"][0]["reason"] == UA_SECRET


# --- server-owned fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"id": "mine-1"},
        {"report_id": "rep-x"},
        {"acled_sub_event_type": "x"},
        {"protected": False},
        {"owner_party": "RU"},
    ],
)
def test_a_client_cannot_set_server_owned_incident_fields(api, extra):
    response = api.post("/api/v1/reports", "party_liaison:UA", json={"incidents": [incident(**extra)]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert next(iter(extra)) in json.dumps(response.json()["errors"])


def test_a_party_cannot_choose_the_source_protection_or_accuser(api):
    sourced = api.post("/api/v1/reports", "party_liaison:UA", json={"incidents": [incident()], "source": "x"})
    assert sourced.status_code == 403
    for field in ({"protected": False}, {"alleged_by": "party:RU"}):
        case = api.post("/api/v1/cases", "party_liaison:UA", json={"title": "t", "reason": "r"} | field)
        assert case.status_code == 403
    notice = api.post(
        "/api/v1/notices",
        "party_liaison:UA",
        json={
            "zone": "fez-pullback",
            "classes": ["tanks"],
            "starts": "2030-01-01T00:00:00Z",
            "ends": "2030-01-02T00:00:00Z",
            "given_at": "2020-01-01T00:00:00Z",
        },
    )
    assert notice.status_code == 422


def test_a_partys_report_is_its_protected_allegation(api):
    made = api.post("/api/v1/reports", "party_liaison:RU", json={"incidents": [incident()]}).json()
    assert made["protected"] is True and made["owner_party"] == "RU"
    stored = api.get(f"/api/v1/incidents/{made['incident_ids'][0]}", "monitor").json()
    assert stored["source"] == "party:RU" and stored["submitted_by"] == "user:demo-liaison-ru"


# --- tokens and audit ----------------------------------------------------------------------------


def test_tokens_are_256_bit_stored_only_as_sha256_and_revocable(make_api, world):
    from truce.api.users import issue_token, revoke

    ttl = 0.3  # a revocation by `truce user revoke` (another process) bites within the token cache's life
    api = make_api(ApiSettings(rate_per_second=1e6, rate_burst=10**6, token_cache_seconds=ttl))

    token_id, token = issue_token(api.workspace, "demo-analyst")
    assert token.startswith("trc_") and len(token) == 4 + 43  # 32 random bytes, URL-safe base64
    with api.workspace.engine.connect() as conn:
        stored = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).one()
    assert stored.sha256 == hashlib.sha256(token.encode()).hexdigest()
    stored_bytes = world.stored_bytes(api.workspace)
    assert token.encode() not in stored_bytes and stored.sha256.encode() in stored_bytes
    assert api.client.get("/api/v1/me", headers=bearer(token)).json()["role"] == "analyst"
    revoke(api.workspace, token_id)
    time.sleep(ttl)
    gone = api.client.get("/api/v1/me", headers=bearer(token))
    assert gone.status_code == 401 and gone.headers["www-authenticate"].startswith("Bearer")
    assert api.get("/api/v1/me", "analyst").status_code == 200  # the user's other token still works
    revoke(api.workspace, "demo-analyst")
    time.sleep(ttl)
    assert api.get("/api/v1/me", "analyst").status_code == 401


def _basic(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer trc_not-a-real-token",
        "Basic YWxhZGRpbjpvcGVuc2VzYW1l",  # aladdin:opensesame, not a token
        _basic("qgis", ""),
        "Basic not-base64!",
        "Basic " + base64.b64encode(b"no colon").decode(),
        "Bearer",
        "trc_x",
    ],
)
def test_a_bad_authorization_header_is_401_not_the_public(api, header):
    response = api.client.get("/api/v1/incidents", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["type"].endswith("/unauthorized")


def test_the_token_as_an_http_basic_password_is_the_same_caller(api, make_api):
    """For GIS clients without header authentication (QGIS 3.22): any user name, the token as the
    password; the same token check (revocation included) and the same rate-limit bucket."""
    token = api.tokens["party_liaison:UA"]
    ua = api.ids["UA_incident"]
    as_basic = api.client.get(
        f"/ogc/collections/incidents/items/{ua}", headers={"Authorization": _basic("qgis", token)}
    )
    assert as_basic.status_code == 200 and as_basic.json()["id"] == ua
    assert api.get(f"/ogc/collections/incidents/items/{ua}").status_code == 404  # the public may not
    me = api.client.get("/api/v1/me", headers={"Authorization": _basic("", token)}).json()
    assert me == api.get("/api/v1/me", "party_liaison:UA").json()

    limited = make_api(ApiSettings(rate_per_second=0.01, rate_burst=2))
    token = limited.tokens["monitor"]
    answers = [
        limited.client.get("/api/v1/me", headers=headers).status_code
        for headers in (bearer(token), *({"Authorization": _basic(name, token)} for name in ("x", "y")))
    ]
    assert answers == [200, 200, 429]  # one bucket per token, however it is sent


def test_every_write_is_audited_with_the_request_hash(api):
    body = json.dumps({"incidents": [incident(evidence="audited")]}).encode()
    made = api.post("/api/v1/reports", "monitor", content=body, headers={"Content-Type": "application/json"})
    refused = api.post("/api/v1/notices", "monitor", json={})
    with api.workspace.engine.connect() as conn:
        rows = conn.execute(select(api_audit).order_by(api_audit.c.id.desc()).limit(2)).mappings().all()
    denied, done = rows
    assert (
        done["outcome"] == "done"
        and done["status"] == 201
        and done["resource_id"] == made.json()["report_id"]
    )
    assert done["request_sha256"] == hashlib.sha256(body).hexdigest() and done["actor"] == "user:demo-monitor"
    assert refused.status_code == 403 and denied["outcome"] == "denied" and denied["resource"] == "notices"
    audit = api.get("/api/v1/audit?limit=5", "admin").json()
    assert audit["items"][0]["id"] == denied["id"]


def test_views_have_exactly_their_models_fields(shared_api):
    from truce.api.schemas.incidents import IncidentMonitor, IncidentParty, IncidentPublic

    path = f"/api/v1/incidents/{shared_api.ids['UA_incident']}"
    for key, model in (
        ("monitor", IncidentMonitor),
        ("party_liaison:UA", IncidentParty),
        (None, IncidentPublic),
    ):
        target = path if key else "/api/v1/incidents/seed-02"
        view = shared_api.get(target, key).json()
        assert set(view) == set(model.model_fields), key
        model.model_validate(view)


def test_parties_do_not_learn_which_monitor_filed_a_case(api):
    opened = api.post("/api/v1/cases", "monitor", json={"title": "patrol saw craters", "reason": "r"}).json()
    seen = api.get(f"/api/v1/cases/{opened['id']}", "party_liaison:RU").json()
    assert seen["alleged_by"] == "mission" and "demo-monitor" not in json.dumps(seen)
    assert api.get(f"/api/v1/cases/{opened['id']}", "monitor").json()["alleged_by"] == "user:demo-monitor"
