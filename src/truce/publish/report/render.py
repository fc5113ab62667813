"""The daily report's figures written out: HTML (with the map and charts inline), Markdown and JSON,
in English, Ukrainian or Russian. The PDF is printed from the HTML (truce.publish.report.pdf)."""

from __future__ import annotations

import datetime as dt
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import jinja2
import shapely

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
        if key.startswith("country:"):
            code = key.split(":", 1)[1]
            return labels.text("outside_ukraine", country=labels.name("countries", code, code))
        return labels["several_oblasts"] if key == "several" else labels["unlocated"]

    def party_name(party: str | None) -> str:
        if party is None or party == "unattributed":
            return labels["unattributed"]
        names = {p["id"]: p["name"] for p in f["agreement"]["parties"]}
        return labels.name("parties", party, names.get(party, party))

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
        "type_color": lambda kind: TYPE_COLORS.get(kind, "#888"),
        "effective_time": effective.strftime("%H:%M"),
        "version": _truce_version(),
    }


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
        css=(_TEMPLATES / "report.css").read_text(encoding="utf-8"),
        map_main=map_svg(layers, labels, title=labels.text("map_title", date=labels.date(day))),
        map_zones=map_svg(
            layers, labels, focus=zones_focus, element_id="report-map-zones", title=labels["map_legend_zones"]
        )
        if zones_focus is not None
        else "",
        zones=[{"name": z["name"], "color": zone_color(n)} for n, z in enumerate(layers.zones)],
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
        ),
        chart_violations=bar_chart(
            f["series"]["days"],
            f["series"]["violations_by_party"],
            labels,
            title=labels["chart_violations"],
            highlight=day,
            element_id="chart-violations",
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
