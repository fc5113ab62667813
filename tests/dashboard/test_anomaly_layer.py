"""The dashboard's satellite thermal-anomaly layer in headless Chromium: the cells of the period
shown (as the OGC collection gives them), a popup with the figures and the cloud caveat, a toggle,
and the layer following the chosen day. Screenshot in test-artifacts/dashboard/."""

from __future__ import annotations

import datetime as dt

import httpx

from truce.sensors.anomalies import CLOUD_CAVEAT

from .test_dashboard_browser import _open


def _anomalies(served, since: str, until: str) -> list[dict]:
    params = {"limit": 1000, "datetime": f"{since}/{until}", "date-match": "exact"}
    answer = httpx.get(f"{served.url}/ogc/collections/thermal-anomalies/items", params=params)
    answer.raise_for_status()
    return answer.json()["features"]


def test_the_layer_draws_the_periods_anomalies_with_a_popup_and_a_toggle(page, served, shot):
    _open(page, "#from=2025-12-01&to=2026-01-31")
    expected = _anomalies(served, "2025-12-01", "2026-01-31")
    assert len(expected) >= 3, "the demo holds anomalies from the real FIRMS detections"
    page.wait_for_selector(f"#map[data-anomalies='{len(expected)}']")
    assert page.locator("path.anomaly").count() == len(expected)
    for feature in expected:
        assert page.locator(f"path.a-{feature['id']}").count() == 1
    assert f"Thermal anomalies (satellite): {len(expected)}" in page.inner_text("#legend-list")
    # the whole country in view, then one anomaly's popup
    for _ in range(2):
        page.click(".leaflet-control-zoom-out")
        page.wait_for_timeout(400)
    shot(page, "thermal-anomalies-map")
    busiest = max(expected, key=lambda f: f["properties"]["detections"])
    page.locator(f"path.a-{busiest['id']}").click(force=True)
    popup = page.wait_for_selector(".anomaly-popup")
    text = popup.inner_text()
    day = dt.date.fromisoformat(busiest["properties"]["date"])
    assert f"{day.day} {day:%B %Y}" in text and CLOUD_CAVEAT in text  # the date in the page's words
    assert popup.query_selector("[data-date]").get_attribute("data-date") == busiest["properties"]["date"]
    assert popup.query_selector("[data-field=detections]").inner_text() == str(
        busiest["properties"]["detections"]
    )
    assert "Corroborating evidence only" in text
    shot(page, "thermal-anomalies")
    # the toggle hides and shows the layer
    page.uncheck("#layer-anomalies")
    page.wait_for_function("document.querySelectorAll('path.anomaly').length === 0")
    page.check("#layer-anomalies")
    page.wait_for_function(f"document.querySelectorAll('path.anomaly').length === {len(expected)}")


def test_the_layer_follows_the_chosen_day(page, served):
    _open(page)
    january = _anomalies(served, "2026-01-01", "2026-01-31")
    page.wait_for_selector(f"#map[data-anomalies='{len(january)}']")
    day = january[-1]["properties"]["date"]
    on_day = [f for f in january if f["properties"]["date"] == day]
    page.fill("#f-day", day)
    page.dispatch_event("#f-day", "change")
    page.wait_for_selector(f"#map[data-anomalies='{len(on_day)}']")
    assert page.locator("path.anomaly").count() == len(on_day) < len(january)
    quiet = "2026-01-25"
    assert not [f for f in january if f["properties"]["date"] == quiet]
    page.fill("#f-day", quiet)
    page.dispatch_event("#f-day", "change")
    page.wait_for_selector("#map[data-anomalies='0']")
    assert "No detection under cloud is not evidence of calm." in page.inner_text("#legend-list")
