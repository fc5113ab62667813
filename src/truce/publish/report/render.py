"""The daily report's figures written out: HTML (with the map and charts inline), Markdown and JSON,
in English, Ukrainian or Russian. The PDF is printed from the HTML (truce.publish.report.pdf)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import jinja2
import shapely

from truce.geo.admin import find_oblast
from truce.publish.report.anomalies import year_spans
from truce.publish.report.explain import explain
from truce.publish.report.figures import ReportData
from truce.publish.report.i18n import Labels, labels_for
from truce.publish.report.style import TYPE_COLORS
from truce.publish.report.svg import bar_chart, line_chart, map_svg, zone_color

__all__ = ["render_html", "render_json", "render_markdown"]

_TEMPLATES = Path(__file__).parent / "templates"


def _md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell or list item."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def md_html_escape(value: object) -> object:
    """Every value written into the Markdown report, with HTML's special characters as entities:
    Markdown renderers pass raw HTML through, so an `actor` of `<img onerror=...>` would run."""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=autoescape,
        finalize=None if autoescape else md_html_escape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md_cell
    return env


def _truce_version() -> str:
    try:
        return version("truce")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "dev"


def _context(data: ReportData, labels: Labels) -> dict:
    f = data.figures
    effective = dt.datetime.fromisoformat(f["agreement"]["effective"])

    def area_name(row: dict) -> str:
        key = row["key"]
        if row.get("names"):
            return row["names"][labels.lang]
        if key == "outside":  # a satellite detection's cell beyond Ukraine's oblasts
            return labels["outside_oblasts"]
        if key.startswith("country:"):
            code = key.split(":", 1)[1]
            return labels.text("outside_ukraine", country=labels.name("countries", code, code))
        return labels["several_oblasts"] if key == "several" else labels["unlocated"]

    names = f["agreement"]["names"]

    def party_name(party: str | None) -> str:
        if party is None or party == "unattributed":
            return labels["unattributed"]
        if party in names["parties"]:
            return names["parties"][party][labels.lang]
        return labels.name("parties", party, party)

    zones = {z["id"]: z["names"][labels.lang] for z in f["zones"]}

    def zone_name(zone_id: str | None) -> str:
        return zones.get(zone_id, zone_id or "") if zone_id else ""

    def place_name(row: dict) -> str:
        """A settlement and its raion, else the oblast (or country) it was reported in."""
        place = (row.get("place") or {}).get("names")
        where = area_name({"key": row["area"], "names": row.get("area_names")})
        return labels.text("place_in_oblast", place=place[labels.lang], oblast=where) if place else where

    def admin1_name(admin1: str | None) -> str:
        """An oblast reported by name, in the report's language (as written if not an oblast)."""
        unit = find_oblast(admin1) if admin1 else None
        return (
            {"en": unit.name_en, "uk": unit.name_uk, "ru": unit.name_ru}[labels.lang]
            if unit
            else admin1 or ""
        )

    def anomaly_place(row: dict) -> str:
        """Near the settlement closest to the cell, else its oblast; with the cell's centre."""
        where = area_name({"key": row["area"], "names": row.get("area_names")})
        if row.get("near"):
            where = labels.text("place_in_oblast", place=row["near"][labels.lang], oblast=where)
        centre = labels.text("lat_lon", lat=labels.number(row["lat"], 2), lon=labels.number(row["lon"], 2))
        return f"{where} ({centre})"

    def explain_finding(n: dict) -> tuple[str, str]:
        return explain(n, labels, party_name, area_name, zone_name)

    return {
        "f": f,
        "L": labels,
        "num": labels.number,
        "signed": lambda value, digits=0: (
            labels.number(value, digits, signed=True) if value else labels.number(0)
        ),
        "date": labels.date,
        "area_name": area_name,
        "party_name": party_name,
        "zone_name": zone_name,
        "admin1_name": admin1_name,
        "place_name": place_name,
        "anomaly_place": anomaly_place,
        "sig": lambda value: _significant(value, labels),
        "year_spans": year_spans,
        "explain": explain_finding,
        # some explanation had no template in this language and is shown as the terms file wrote it
        "english_fallback": any(explain_finding(n)[1] != labels.lang for n in f["notable"]),
        "title": names["title"][labels.lang],
        "agreement_version": names["version"][labels.lang],
        "provision_title": lambda pid: names["provisions"].get(pid, {}).get(labels.lang, pid),
        "type_color": lambda kind: TYPE_COLORS.get(kind, "#888"),
        "effective_time": effective.strftime("%H:%M"),
        "version": _truce_version(),
    }


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _significant(value: float, labels: Labels, digits: int = 2) -> str:
    """A small figure (an expected count, a probability) to two significant digits, in the
    language's decimal mark; below 0.001 as 3.4 × 10⁻⁸."""
    if value == 0 or abs(value) >= 0.001:
        places = max(0, digits - 1 - math.floor(math.log10(abs(value)))) if value else 0
        return labels.number(value, places)
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{labels.number(float(mantissa), digits - 1)} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def _css_string(text: str) -> str:
    """Text as a CSS string literal, safe inside an HTML <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{escaped}"'


def page_footer_css(labels: Labels, report_label: str) -> str:
    """The printed page's footer: the report number and "page N of M" on every page (CSS paged
    media margin boxes, which Chromium prints)."""
    template = labels.text("report_number", label=report_label)
    parts = re.split(r"(\{page\}|\{pages\})", labels["page_footer"].replace("{label}", template))
    content = " ".join(
        "counter(page)" if part == "{page}" else "counter(pages)" if part == "{pages}" else _css_string(part)
        for part in parts
        if part
    )
    return (
        "@page { @bottom-center { content: " + content + "; font-family: 'DejaVu Sans', sans-serif; "
        "font-size: 8pt; color: #5d5a53; } }"
    )


def render_markdown(data: ReportData, lang: str = "en") -> str:
    labels = labels_for(lang)
    return _environment(False).get_template("report.md.j2").render(**_context(data, labels))


def render_json(data: ReportData) -> str:
    return json.dumps(data.figures, ensure_ascii=False, indent=2, default=str) + "\n"


def render_html(data: ReportData, lang: str = "en") -> str:
    labels = labels_for(lang)
    f = data.figures
    context = _context(data, labels)
    day = f["report"]["date"]
    held_party = context["party_name"](f["agreement"]["occupying_party"])
    layers = data.layers
    zones_focus = shapely.union_all([z["geometry"] for z in layers.zones]) if layers.zones else None
    types_shown = sorted({p[2] for p in layers.today} | {p[2] for p in layers.earlier})
    context.update(
        css=(_TEMPLATES / "report.css").read_text(encoding="utf-8")
        + "\n"
        + page_footer_css(labels, f["report"]["label"]),
        map_main=map_svg(
            dataclasses.replace(layers, anomalies=[]),
            labels,
            title=labels.text("map_title", date=labels.date(day)),
        ),
        map_anomalies=map_svg(
            dataclasses.replace(layers, today=[], earlier=[], findings=[], places=[]),
            labels,
            width=640,
            element_id="report-map-anomalies",
            title=labels.text("anomaly_map_title", date=labels.date(day)),
        )
        if f["thermal_anomalies"]["available"]
        else "",
        map_zones=map_svg(
            layers, labels, focus=zones_focus, element_id="report-map-zones", title=labels["map_legend_zones"]
        )
        if zones_focus is not None
        else "",
        zones=[
            {"name": context["zone_name"](z["id"]), "color": zone_color(n)}
            for n, z in enumerate(layers.zones)
        ],
        legend_types=[
            {"name": labels.name("types", t), "color": TYPE_COLORS.get(t, "#888")} for t in types_shown
        ],
        chart_incidents=bar_chart(
            f["series"]["days"],
            f["series"]["incidents_by_party"],
            labels,
            title=labels["chart_incidents"],
            highlight=day,
            element_id="chart-incidents",
            name_of=context["party_name"],
        ),
        chart_violations=bar_chart(
            f["series"]["days"],
            f["series"]["violations_by_party"],
            labels,
            title=labels["chart_violations"],
            highlight=day,
            element_id="chart-violations",
            name_of=context["party_name"],
        ),
        chart_area=line_chart(
            [(a["date"], a["area_km2"]) for a in f["territory"]["areas"]],
            labels,
            title=labels.text("chart_area", party=held_party),
            highlight=day,
            width=880,
            element_id="chart-area",
        )
        if f["territory"]["areas"]
        else "",
    )
    return _environment(True).get_template("report.html.j2").render(**context)
