"""Cases for every role in the browser: the public record for the public, a liaison's own party's
cases (and never the other party's protected ones, neither on the page nor in any answer the page
receives), a case opened from a finding by an analyst; links from an incident to the findings and
cases that cite it and back; the occupied area of the chosen day; exports that follow every filter
with the log checkpoint; links naming something that does not exist."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from truce.demo import AGREEMENT

from .test_dashboard_browser import _bodies, _open, _safe, _sign_in

JANUARY = {"since": "2026-01-01", "until": "2026-01-31"}
MARKER = "UA-CASE-MARKER: the crossing at Siversk"


@pytest.fixture(scope="module")
def ua_case(served, dash_world) -> str:
    """A protected case UA's liaison files through the API, with a marker in its title and words."""
    answer = httpx.post(
        f"{served.url}/api/v1/cases",
        json={"title": MARKER, "reason": f"{MARKER} — seen by our unit", "incident_ids": ["dash-02"]},
        headers={"Authorization": f"Bearer {dash_world.tokens['party_liaison:UA']}"},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_a_liaison_sees_its_partys_cases_and_no_one_else_sees_them(page, served, dash_world, ua_case, shot):
    bodies = _bodies(page)
    _open(page)
    assert page.get_attribute("#cases", "data-view") == "cases_public"
    public_cases = httpx.get(f"{served.url}/api/v1/cases").json()["items"]
    assert page.locator("#cases-body li.case-item").count() == len(public_cases) > 0
    shot(page, "cases-public")
    _sign_in(page, dash_world.tokens["party_liaison:RU"], "party_liaison")
    page.wait_for_selector("#cases[data-view=cases_mine]")
    everything = "\n".join(bodies) + page.content()
    assert MARKER not in everything and ua_case not in everything  # public, then RU's liaison

    _sign_in_again(page, dash_world.tokens["party_liaison:UA"])
    page.wait_for_selector(f"#cases-body li.case-item[data-id='{ua_case}']")
    mine = page.locator("#cases-body li.case-item")
    assert MARKER in mine.all_inner_texts()[[m.get_attribute("data-id") for m in mine.all()].index(ua_case)]
    mission_case = page.locator("#cases-body li.case-item", has_text="Heavy guns at Kramatorsk")
    assert mission_case.count() == 0  # the mission's own case is not UA's
    shot(page, "cases-mine-UA")


def _sign_in_again(page, token: str) -> None:
    page.click("#signout-button")
    page.wait_for_selector("#whoami[data-role=public]")
    page.fill("#token", token)
    page.click("#signin-button")
    page.wait_for_selector("#whoami[data-role=party_liaison]")
    page.wait_for_selector("body[data-ready]")


def test_an_analyst_opens_a_case_from_a_finding(page, served, dash_world, shot):
    _open(page)
    _sign_in(page, dash_world.tokens["analyst"], "analyst")
    item = page.locator("#findings li[data-status=violation]").first
    finding_id = item.get_attribute("data-id")
    item.click()
    form = page.locator("#open-case")
    form.locator("button").click()  # no reason: refused in the page, nothing sent
    assert form.locator("textarea").get_attribute("aria-invalid") == "true"
    form.locator("textarea").fill("two patrols to confirm")
    form.locator("button").click()
    page.wait_for_selector("#case-details")
    case_id = page.get_attribute("#case-details", "data-id")
    page.wait_for_selector(f"#cases-body li.case-item[data-id='{case_id}']")
    shot(page, "case-opened-from-finding")
    analyst = {"Authorization": f"Bearer {dash_world.tokens['analyst']}"}
    case = httpx.get(f"{served.url}/api/v1/cases/{case_id}", headers=analyst).json()
    finding = httpx.get(f"{served.url}/api/v1/findings/{finding_id}", headers=analyst).json()
    assert case["incident_ids"] == finding["incident_ids"] and case["state"] == "allegation"
    assert case["event_date"] == finding["date"]


def test_the_public_cannot_open_a_case(page, served):
    _open(page)
    page.locator("#findings li").first.click()
    page.wait_for_selector("#finding-details")
    assert page.locator("#open-case").count() == 0


def test_an_incident_links_to_its_findings_and_cases_and_back(page, served, dash_world, shot):
    _open(page, "#cluster=0")
    page.locator("path.i-dash-02").dispatch_event("click")
    details = page.locator("#incident-details[data-id=dash-02]")
    details.wait_for()
    assert details.locator("dd[data-field=type]").inner_text() == "Shelling"  # names, not ids
    cited = details.locator("dd[data-field=cases] a[data-case]")
    assert cited.count() >= 1
    findings = details.locator("dd[data-field=findings] a[data-finding]")
    assert findings.count() >= 1
    shot(page, "incident-links")
    case_id = cited.first.get_attribute("data-case")
    cited.first.click()
    page.wait_for_selector(f"#case-details[data-id='{case_id}']")
    assert f"case={case_id}" in page.url  # a link to the case
    page.locator("#case-details a[data-incident=dash-02]").click()  # and back to the incident
    page.wait_for_selector("#incident-details[data-id=dash-02]")
    page.locator("#incident-details dd[data-field=findings] a[data-finding]").first.click()
    finding = page.locator("#finding-details")
    finding.wait_for()
    assert finding.locator("a[data-incident=dash-02]").count() == 1
    assert "incident=" not in page.url and "finding=" in page.url


def test_a_monitor_sees_the_source_and_its_grade(page, served, dash_world):
    _open(page, "#cluster=0")
    _sign_in(page, dash_world.tokens["monitor"], "monitor")
    page.locator("path.i-dash-01").dispatch_event("click")
    grade = page.locator("#incident-details[data-id=dash-01] dd[data-field=grade]")
    grade.wait_for()
    assert grade.inner_text().startswith("reliability ")


def test_the_occupied_area_of_the_chosen_day_is_shaded(page, served, shot):
    _open(page, "#line=2026-01-02")
    page.wait_for_selector("path.occupied")
    assert page.get_attribute("#map-note", "data-control") == "2026-01-02"
    held = httpx.get(f"{served.url}/dashboard/api/control", params={"date": "2026-01-02"}).json()
    assert held["properties"] == {"date": "2026-01-02", "party": "RU", "source": held["properties"]["source"]}
    assert held["geometry"]["type"] in ("Polygon", "MultiPolygon")
    page.fill("#f-line", "2026-01-31")
    page.dispatch_event("#f-line", "change")
    page.wait_for_selector("#map-note[data-control='2026-01-31']")
    assert page.locator("path.occupied").count() == 1
    assert httpx.get(f"{served.url}/dashboard/api/control", params={"date": "1999-01-01"}).status_code == 404
    shot(page, "occupied")


def test_exports_follow_every_filter_and_carry_the_checkpoint(page, served):
    _open(page, "#from=2026-01-01&to=2026-01-31&party=RU&types=shelling,drone_strike,missile_strike")
    with page.expect_download() as caught:
        page.click("#exports button[data-export=geojson]")
    saved = json.loads(caught.value.path().read_bytes())
    features = saved["features"]
    incidents = [f for f in features if f["properties"].get("record") != "finding"]
    assert incidents and {f["properties"]["actor"] for f in incidents} == {"RU"}
    assert {f["properties"]["type"] for f in incidents} <= {"shelling", "drone_strike", "missile_strike"}
    assert saved["checkpoint"].startswith(httpx.get(f"{served.url}/api/v1/log").json()["treeID"])
    unfiltered = httpx.get(f"{served.url}/api/v1/exports/geojson", params=JANUARY)
    assert len(unfiltered.json()["features"]) > len(features)
    csv = httpx.get(
        f"{served.url}/api/v1/exports/csv",
        params={**JANUARY, "party": "RU", "type": "shelling", "status": "reported"},
    )
    note = base64.b64decode(csv.headers["Truce-Log-Checkpoint"]).decode()
    assert note == saved["checkpoint"]
    lines = csv.text.strip().splitlines()
    assert len(lines) >= 2 and all(",shelling," in line for line in lines[1:])


def test_an_export_by_zone_keeps_only_what_lies_in_the_zone(served):
    params = {**JANUARY, "agreement": AGREEMENT, "zone": "fez-ru"}
    inside = httpx.get(f"{served.url}/api/v1/exports/geojson", params=params).json()["features"]
    url = f"{served.url}/dashboard/api/incidents"
    markers = httpx.get(url, params={**JANUARY, "agreement": AGREEMENT}).json()["features"]
    placed = [f for f in markers if not f["properties"]["approx"]]
    expected = {f["id"] for f in placed if "fez-ru" in f["properties"]["zones"]}
    assert {f["id"] for f in inside if f["properties"].get("record") != "finding"} == expected
    bad = httpx.get(f"{served.url}/api/v1/exports/csv", params={**params, "zone": "nowhere"})
    assert bad.status_code == 400 and "nowhere" in bad.json()["detail"]


@pytest.mark.parametrize(
    ("fragment", "wrong"),
    [
        ("#incident=no-such-incident", "incident=no-such-incident"),
        ("#case=case-000000000000", "case=case-000000000000"),
        ("#finding=f-nothing", "finding=f-nothing"),
        ("#lang=xx", "lang=xx"),
        ("#incident=%3Cscript%3E", "incident=<script>"),
        ("#from=%E0%A4%A", "from="),
    ],
)
def test_a_link_to_what_does_not_exist_says_so(page, served, fragment, wrong, shot):
    _open(page, fragment)
    box = page.locator("#link-problems")
    assert box.is_visible() and wrong in box.inner_text()
    assert page.locator(".marker-cluster, path.incident").count() > 0  # the rest of the page is there
    assert page.locator("#details .hint").count() == 1  # nothing opened
    shot(page, f"bad-link-{_safe(fragment)}")


def test_a_protected_incident_named_in_a_link_is_not_opened_for_the_public(page, served, dash_world):
    _open(page, f"#incident={dash_world.ids['secret_incident']}")
    assert "incident=" in page.inner_text("#link-problems")
    assert page.locator("#incident-details").count() == 0
