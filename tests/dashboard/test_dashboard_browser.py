"""The dashboard end to end in headless Chromium (Debian's, driven by Playwright): the map draws the
demo's zones, line and incidents; a filter changes what is shown and the URL that shares it; the
what-if panel changes the zones and the counts; a public viewer does not see protected fields, a
monitor does; the monitors' queue moves cases. Screenshots are kept in test-artifacts/dashboard/."""

from __future__ import annotations

import http.server
import re
import socketserver
import threading

import httpx
import pytest

from truce.demo import AGREEMENT

from .conftest import INFORMANT, INFORMANT_NOTE, INFORMANT_WORDS, UA_SECRET

JANUARY = {"since": "2026-01-01", "until": "2026-01-31", "agreement": AGREEMENT}


def _features(served, token: str | None = None, **params) -> list[dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.get(f"{served.url}/dashboard/api/incidents", params={**JANUARY, **params}, headers=headers)
    answer.raise_for_status()
    return answer.json()["features"]


def _in_january(features: list[dict]) -> list[dict]:
    return [f for f in features if "2026-01-01" <= f["properties"]["date"] <= "2026-01-31"]


def _open(page, fragment: str = "") -> None:
    page.goto(f"/dashboard{fragment}")
    page.wait_for_selector("body[data-ready]")
    page.wait_for_selector("#whatif-status[data-state=done]")
    page.wait_for_selector("#map[data-zoom][data-bounds]")  # the map has drawn its first view


def _sign_in(page, token: str, role: str) -> None:
    page.fill("#token", token)
    page.click("#signin-button")
    page.wait_for_selector(f"#whoami[data-role={role}]")
    page.wait_for_selector("body[data-ready]")
    page.wait_for_selector("#whatif-status[data-state=done]")


def _safe(identifier: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", identifier)


def test_the_map_draws_the_zones_line_and_incidents_of_the_demo(page, served, shot):
    _open(page, "#cluster=0")
    zones = httpx.get(f"{served.url}/api/v1/agreements/{AGREEMENT}/zones").json()["features"]
    assert len(zones) >= 4
    assert page.locator("path.zone").count() == len(zones)
    for zone in zones:
        assert page.locator(f"path.zone-{zone['id']}").count() == 1, zone["id"]
    located = [f for f in _in_january(_features(served)) if f["geometry"]]
    assert page.locator("path.incident").count() == len(located) > 0
    # the demo's own: the missile strike on Kharkiv (2 January) and the drone strike the seed reports
    assert page.locator("path.i-seed-02.incident-missile_strike").count() == 1
    assert page.locator("path.contact-line").count() == 1
    assert page.locator("path.oblast").count() == 27
    assert page.locator(".leaflet-marker-icon.finding").count() >= 1  # violations with a place
    assert page.get_attribute("#map-note", "data-line") == "2026-01-31"
    shot(page, "map")


def test_a_filter_changes_what_is_shown_and_the_link_shares_it(page, served, shot, browser):
    _open(page, "#from=2025-12-20&to=2026-01-31&cluster=0")
    everything = [f for f in _features(served, since="2025-12-20") if f["properties"]["date"] >= "2025-12-20"]
    assert int(page.get_attribute("#count-shown", "data-shown")) == len(everything)
    page.select_option("#f-party", "RU")
    russian = [f for f in everything if f["properties"]["party"] == "RU"]
    assert 0 < len(russian) < len(everything)
    page.wait_for_selector(f"#count-shown[data-shown='{len(russian)}']")
    assert page.locator("path.incident").count() == sum(1 for f in russian if f["geometry"])
    page.uncheck("#f-types input[value=drone_strike]")
    no_drones = [f for f in russian if f["properties"]["type"] != "drone_strike"]
    page.wait_for_selector(f"#count-shown[data-shown='{len(no_drones)}']")
    assert page.locator("path.incident-drone_strike").count() == 0
    assert "party=RU" in page.url and "types=" in page.url
    assert "drone_strike" not in page.url.split("types=")[1]
    shot(page, "filtered")
    # the same link, opened fresh, shows the same selection
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    other.goto(page.url)
    other.wait_for_selector("body[data-ready]")
    assert other.input_value("#f-party") == "RU"
    assert not other.is_checked("#f-types input[value=drone_strike]")
    assert other.get_attribute("#count-shown", "data-shown") == str(len(no_drones))
    other.context.close()


def test_the_timeline_counts_per_day_and_a_click_draws_that_days_line(page, served):
    _open(page)
    january = _in_january(_features(served))
    per_day: dict[str, int] = {}
    for f in january:
        per_day[f["properties"]["date"]] = per_day.get(f["properties"]["date"], 0) + 1
    bars = page.locator("#timeline rect.bar")
    drawn: dict[str, int] = {}
    for n in range(bars.count()):
        day, count = bars.nth(n).get_attribute("data-day"), int(bars.nth(n).get_attribute("data-count"))
        drawn[day] = drawn.get(day, 0) + count
    assert drawn == per_day
    assert page.get_attribute("#timeline svg", "data-days") == "31"
    page.locator("#timeline rect.bar[data-day='2026-01-02']").first.click()  # a bar chooses its day
    page.wait_for_selector("#map-note[data-line='2026-01-02']")
    assert page.input_value("#f-line") == "2026-01-02"
    page.wait_for_selector(f"#count-shown[data-shown='{per_day['2026-01-02']}']")
    assert page.input_value("#f-from") == page.input_value("#f-to") == "2026-01-02"


def test_the_what_if_panel_changes_the_zones_and_the_counts(page, served, shot):
    _open(page)
    belt = "tr[data-zone='fez-pullback-ua-{}km'] td[data-field={}]"
    inside_10 = int(page.inner_text(belt.format(10, "inside")))
    area_10 = int(page.inner_text(belt.format(10, "area")).replace(",", ""))
    violations_10 = int(page.inner_text("#whatif-findings tr[data-status=violation] td[data-field=whatif]"))
    page.click("button[data-param=fez_width_km][data-value='40']")
    page.wait_for_selector("#whatif-status[data-key='fez_width_km=40']")
    # the howitzers at Kramatorsk, 20 km from the line, are inside the 40 km belt, not the 10 km one
    assert int(page.inner_text(belt.format(40, "inside"))) >= inside_10 + 1
    assert int(page.inner_text(belt.format(40, "area")).replace(",", "")) > 2 * area_10
    assert page.locator("path.zone-fez-pullback-ua-40km").count() == 1
    assert page.locator("path.zone-fez-pullback-ua-10km").count() == 0
    violations_40 = int(page.inner_text("#whatif-findings tr[data-status=violation] td[data-field=whatif]"))
    assert violations_40 >= violations_10 + 1  # and, being heavy guns, a violation there
    assert "p.fez_width_km=40" in page.url
    shot(page, "what-if-40km")
    page.click("button[data-param=fez_width_km][data-value='10']")
    page.wait_for_selector("#whatif-status[data-state=done]:not([data-key='fez_width_km=40'])")
    assert page.locator("path.zone-fez-pullback-ua-10km").count() == 1
    assert "fez_width_km" not in page.url


def _bodies(page) -> list[str]:
    seen: list[str] = []

    def keep(response) -> None:
        if "/api/" in response.url and response.headers.get("content-type", "").startswith("application/"):
            try:
                seen.append(response.text())
            except Exception:  # noqa: BLE001 — a body already gone (redirect): nothing to check
                pass

    page.on("response", keep)
    return seen


def test_a_public_viewer_does_not_see_protected_fields(page, served, dash_world, shot):
    bodies = _bodies(page)
    _open(page, "#from=2026-01-01&to=2026-01-31&cluster=0")
    secret = _safe(dash_world.ids["secret_incident"])
    assert page.locator(f"path.i-{secret}").count() == 0  # a party's protected allegation
    page.locator("path.i-dash-inf-01").dispatch_event("click")
    details = page.locator("#incident-details[data-id=dash-inf-01]")
    assert details.locator("dd[data-field=source]").inner_text() == "protected source"
    for hidden in ("evidence", "note", "source_record", "submitted_by", "protected"):
        assert details.locator(f"dd[data-field={hidden}]").count() == 0, hidden
    shot(page, "public-details")
    everything = "\n".join(bodies) + page.content()
    for word in (INFORMANT, INFORMANT_WORDS, INFORMANT_NOTE, UA_SECRET):
        assert word not in everything, word

    _sign_in(page, dash_world.tokens["monitor"], "monitor")
    assert page.locator(f"path.i-{secret}").count() == 1
    page.locator("path.i-dash-inf-01").dispatch_event("click")
    details = page.locator("#incident-details[data-id=dash-inf-01]")
    assert details.locator("dd[data-field=source]").inner_text() == INFORMANT
    assert INFORMANT_NOTE in details.locator("dd[data-field=note]").inner_text()
    assert INFORMANT in details.locator("dd[data-field=source_record]").inner_text()
    shot(page, "monitor-details")


def test_a_party_sees_its_own_protected_allegation_and_not_the_informant(page, served, dash_world):
    _open(page, "#cluster=0")
    _sign_in(page, dash_world.tokens["party_liaison:UA"], "party_liaison")
    secret = _safe(dash_world.ids["secret_incident"])
    page.locator(f"path.i-{secret}").dispatch_event("click")
    evidence = page.locator(
        f"#incident-details[data-id='{dash_world.ids['secret_incident']}'] dd[data-field=evidence]"
    )
    assert UA_SECRET in evidence.inner_text()
    page.locator("path.i-dash-inf-01").dispatch_event("click")
    source = page.locator("#incident-details[data-id=dash-inf-01] dd[data-field=source]")
    assert source.inner_text() == "protected source"
    assert page.locator("#queue").is_hidden()


def test_the_monitors_queue_moves_cases_through_the_api(page, served, dash_world, shot):
    waiting, probed = dash_world.ids["waiting_case"], dash_world.ids["probed_case"]
    _open(page)
    assert page.locator("#queue").is_hidden()  # the public has no queue
    _sign_in(page, dash_world.tokens["monitor"], "monitor")
    row = page.locator(f".case[data-id={waiting}]")
    row.wait_for()
    assert row.get_attribute("data-state") == "allegation"
    assert page.locator(f".case[data-id={probed}]").get_attribute("data-state") == "under_investigation"
    shot(page, "queue")
    row.locator(".btn-assign").click()  # no reason given: refused in the page, nothing sent
    assert row.locator("input.reason").get_attribute("aria-invalid") == "true"
    row.locator("input.reason").fill("team 2 is nearest")
    row.locator(".btn-assign").click()
    page.wait_for_selector(f".case[data-id={waiting}][data-state=under_investigation]")
    decided = page.locator(f".case[data-id={probed}]")
    decided.locator("select.outcome").select_option("verified_violation|established")
    decided.locator("input.reason").fill("photographs and two patrols agree")
    decided.locator(".btn-decide").click()
    page.wait_for_selector(f"#toast:text-matches('^{probed}:')")
    assert page.inner_text("#toast") == f"{probed}: Verified violation"  # the report's case-state label
    page.wait_for_selector(f".case[data-id={probed}]", state="detached")
    monitor = {"Authorization": f"Bearer {dash_world.tokens['monitor']}"}
    case = httpx.get(f"{served.url}/api/v1/cases/{probed}", headers=monitor).json()
    assert case["state"] == "verified_violation"
    assert [e["action"] for e in case["events"]][-1] == "decide"
    assignee = httpx.get(f"{served.url}/api/v1/cases/{waiting}", headers=monitor).json()
    assert assignee["assigned_to"] == "demo-monitor"


def test_an_analyst_sees_the_queue_without_transition_buttons(page, served, dash_world):
    _open(page)
    _sign_in(page, dash_world.tokens["analyst"], "analyst")
    page.locator("#queue .case").first.wait_for()
    assert page.locator("#queue .btn-assign, #queue .btn-decide").count() == 0


def test_an_unknown_token_leaves_the_viewer_public(page, served):
    _open(page)
    page.fill("#token", "trc_not-a-real-token")
    page.click("#signin-button")
    page.wait_for_selector("#toast.show")
    assert page.get_attribute("#whoami", "data-role") == "public"


@pytest.mark.parametrize("width", [1400])
def test_no_request_leaves_the_machine(page, served, width):
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(httpx.URL(request.url).host))
    _open(page)
    assert hosts <= {"127.0.0.1"}, hosts


def test_the_pages_policy_stops_an_injected_script(page, served):
    _open(page)
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = 1"; document.body.append(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in text for text in blocked), blocked


def test_no_other_site_may_frame_the_dashboard(page, served):
    outside = (
        f'<iframe name="dash" src="{served.url}/dashboard"></iframe>'
        f'<iframe name="api" src="{served.url}/api/v1/"></iframe>'
    ).encode()

    class Elsewhere(http.server.BaseHTTPRequestHandler):  # another site, on another loopback port
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(outside)

        def log_message(self, *args: object) -> None:
            pass

    with socketserver.TCPServer(("127.0.0.1", 0), Elsewhere) as site:
        threading.Thread(target=site.serve_forever, daemon=True).start()
        page.goto(f"http://127.0.0.1:{site.server_address[1]}/")
        page.wait_for_timeout(1500)
        dashboard, api = page.frame(name="dash"), page.frame(name="api")
        site.shutdown()
    assert dashboard.url.startswith("chrome-error://")  # refused by frame-ancestors 'none'
    assert api.url.startswith(f"{served.url}/api/v1")  # the control: an answer without the policy loads


def _zoom(page) -> float:
    return float(page.get_attribute("#map", "data-zoom"))


def _zoom_to(page, zoom: float) -> None:
    while _zoom(page) < zoom:
        before = page.get_attribute("#map", "data-zoom")
        page.click(".leaflet-control-zoom-in")
        page.wait_for_selector(f"#map:not([data-zoom='{before}'])")


def test_dense_incidents_cluster_at_low_zoom_and_part_as_one_zooms_in(page, served, shot):
    _open(page)
    located = [f for f in _in_january(_features(served)) if f["geometry"]]
    clusters = page.locator(".marker-cluster")
    clusters.first.wait_for()  # the clusters are drawn after the markers load
    in_clusters = sum(int(clusters.nth(n).inner_text()) for n in range(clusters.count()))
    # every located incident is drawn (earlier tests in a full run may have added more to the world)
    assert in_clusters + page.locator("path.incident").count() >= len(located)
    assert page.locator("path.incident").count() < len(located)
    shot(page, "clustered")
    before = page.get_attribute("#map", "data-zoom")
    clusters.first.click()  # a cluster opens: the map zooms to its incidents
    page.wait_for_selector(f"#map:not([data-zoom='{before}'])")
    assert _zoom(page) > float(before)
    _zoom_to(page, 10)
    page.locator(".marker-cluster").first.wait_for(state="detached")  # after the zoom's animation
    assert page.locator(".marker-cluster").count() == 0


def test_the_map_opens_on_the_front_with_a_scale_bar(page, served):
    _open(page)
    west, south, east, north = (float(v) for v in page.get_attribute("#map", "data-bounds").split(","))
    assert west > 25 and east < 45  # not the whole country (Lviv, 24 °E), nor the refinery (49.9 °E)
    assert west < 37.6 < east and south < 48.0 < north  # Donetsk oblast's front is in view
    assert page.locator(".leaflet-control-scale-line").first.inner_text().endswith("km")


def test_settlement_names_appear_by_population_as_one_zooms_in(page, served, shot):
    _open(page)
    labels = page.locator(".place-label")
    names = set(labels.all_inner_texts())
    assert {"Kharkiv", "Zaporizhzhia"} & names
    assert page.locator(".place-label.place-z9").count() == 0  # no villages at this zoom
    _zoom_to(page, 9)
    page.wait_for_selector(".place-label.place-z9")
    assert page.locator(".place-label").count() <= 400
    shot(page, "labels-zoomed")


def _wait_for_report(page, number: str) -> None:
    """Wait until both report links point at report `number` ("15-2026")."""
    page.wait_for_function(
        """(n) => ["report-link", "report-pdf"].every((id) =>
             (document.getElementById(id).getAttribute("href") || "").startsWith(`/reports/${n}.`))""",
        arg=number,
    )


def test_one_day_from_the_picker_or_the_slider_and_its_report(page, served, shot):
    _open(page)
    on_15th = [f for f in _features(served) if f["properties"]["date"] == "2026-01-15"]
    page.fill("#f-day", "2026-01-15")
    page.dispatch_event("#f-day", "change")
    page.wait_for_selector("#map-note[data-line='2026-01-15']")
    page.wait_for_selector(f"#count-shown[data-shown='{len(on_15th)}']")
    assert "from=2026-01-15&to=2026-01-15" in page.url
    # the link follows once the day's incidents are drawn, which may be after the line's note
    _wait_for_report(page, "15-2026")
    link = page.get_attribute("#report-link", "href")
    assert link.startswith("/reports/15-2026.html")
    report = httpx.get(f"{served.url}{link}", timeout=60)  # the first build of a report takes seconds
    assert report.status_code == 200 and "15/2026" in report.text
    assert page.get_attribute("#report-pdf", "href").startswith("/reports/15-2026.pdf")
    shot(page, "one-day")
    # the day's markers are held back (as 50,000 of them would be slow): the line's note comes
    # first and the link only once they are in, so the link is waited for, not read at once
    held: list = []
    page.route("**/dashboard/api/incidents?*", lambda route: held.append(route))
    page.fill("#f-slider", "1")  # the slider: day 2 of the ceasefire
    page.dispatch_event("#f-slider", "change")
    page.wait_for_selector("#map-note[data-line='2026-01-02']")
    assert page.get_attribute("#report-link", "href").startswith("/reports/15-2026.html")
    for route in held:
        route.continue_()
    page.unroute("**/dashboard/api/incidents?*")
    _wait_for_report(page, "2-2026")
    assert page.get_attribute("#report-link", "href").startswith("/reports/2-2026.html")
    assert page.get_attribute("#report-pdf", "href").startswith("/reports/2-2026.pdf")


@pytest.mark.parametrize(
    ("fmt", "starts"),
    [("geojson", b"{"), ("csv", b"id,"), ("acled", b"event_id_cnty"), ("gpkg", b"SQLite format 3")],
)
def test_the_export_buttons_download_the_dates_shown(page, served, fmt, starts):
    _open(page, "#from=2026-01-14&to=2026-01-15")
    with page.expect_download() as caught:
        page.click(f"#exports button[data-export={fmt}]")
    saved = caught.value.path().read_bytes()
    assert saved.startswith(starts), saved[:40]
    expected = httpx.get(
        f"{served.url}/api/v1/exports/{fmt}", params={"since": "2026-01-14", "until": "2026-01-15"}
    )
    if fmt != "gpkg":  # a GeoPackage differs byte for byte between writes; its header says enough
        assert saved == expected.content


def test_the_what_if_says_which_findings_change_in_the_period_shown(page, served, shot):
    _open(page, "#from=2026-01-14&to=2026-01-14")
    one_day = httpx.get(
        f"{served.url}/dashboard/api/whatif",
        params={"agreement": AGREEMENT, "since": "2026-01-14", "until": "2026-01-14"},
    ).json()
    month = httpx.get(
        f"{served.url}/dashboard/api/whatif",
        params={"agreement": AGREEMENT, "since": "2026-01-01", "until": "2026-01-31"},
    ).json()
    assert sum(one_day["baseline"]["findings_by_status"].values()) < sum(
        month["baseline"]["findings_by_status"].values()
    )
    page.click("button[data-param=fez_width_km][data-value='40']")
    page.wait_for_selector("#whatif-status[data-key='fez_width_km=40']")
    added = page.locator("#whatif-changes li[data-change=added]")
    assert added.count() >= 1  # the howitzers at Kramatorsk on the 14th, inside the 40 km belt
    assert added.first.get_attribute("data-date") == "2026-01-14"
    assert "14 January 2026" in added.first.inner_text()
    shown = int(page.inner_text("#whatif-findings tr[data-status=violation] td[data-field=whatif]"))
    answer = httpx.get(
        f"{served.url}/dashboard/api/whatif",
        params={
            "agreement": AGREEMENT,
            "since": "2026-01-14",
            "until": "2026-01-14",
            "set": "fez_width_km=40",
        },
    ).json()
    assert shown == answer["what_if"]["findings_by_status"]["violation"]
    assert [c["change"] for c in answer["changes"]].count("added") == added.count()
    shot(page, "what-if-changes")


@pytest.mark.parametrize(
    ("fragment", "wrong"),
    [
        ("#from=2026-13-45", "from=2026-13-45"),
        ("#types=bogus,shelling", "bogus"),
        ("#party=XX&status=nonsense", "party=XX"),
        ("#zone=nowhere&p.fez_width_km=7", "zone=nowhere"),
        ("#from=2026-01-20&to=2026-01-02", "after"),
    ],
)
def test_a_malformed_link_says_what_was_wrong_and_shows_the_defaults(page, served, shot, fragment, wrong):
    _open(page, fragment)
    box = page.locator("#link-problems")
    assert box.is_visible() and wrong in box.inner_text()
    assert int(page.get_attribute("#count-shown", "data-shown")) > 0  # never an empty page
    assert page.locator(".marker-cluster, path.incident").count() > 0
    assert page.input_value("#f-from") == "2026-01-01" or "from" not in wrong
    if "types" in fragment:
        assert page.is_checked("#f-types input[value=shelling]")
    shot(page, f"bad-link-{_safe(wrong)}")


def test_details_name_the_zones_rather_than_their_ids(page, served):
    _open(page, "#cluster=0")
    page.locator("path.i-dash-01").dispatch_event("click")
    zones = page.locator("#incident-details[data-id=dash-01] dd[data-field=zones]")
    zones.wait_for()
    config = httpx.get(f"{served.url}/dashboard/api/config").json()
    names = next(a for a in config["agreements"] if a["id"] == AGREEMENT)["zone_names"]
    assert zones.inner_text() == names["fez-ru"]["en"] != "fez-ru"  # the report's name of the zone
