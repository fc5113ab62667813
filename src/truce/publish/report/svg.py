"""The report's map and charts as inline SVG, drawn from shapely geometries and the figures: no
image files, no scripts, nothing fetched, so the HTML and the PDF made from it stand alone."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

import numpy as np
import shapely

from truce.geo.admin import ukraine_outline
from truce.geo.projection import to_metric, to_metric_xy
from truce.publish.report.figures import MapLayers
from truce.publish.report.i18n import Labels
from truce.publish.report.style import STATUS_STYLE, TYPE_COLORS, ZONE_COLORS, party_color

__all__ = ["bar_chart", "line_chart", "map_svg", "zone_color"]

Project = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def zone_color(index: int) -> str:
    return ZONE_COLORS[index % len(ZONE_COLORS)]


# --- the map -------------------------------------------------------------------------------------


class _Frame:
    """Metric coordinates (the Ukraine projection) -> SVG pixels for a box of the given width."""

    def __init__(self, bounds: tuple[float, float, float, float], width: float, margin: float = 0.04) -> None:
        minx, miny, maxx, maxy = bounds
        pad_x, pad_y = (maxx - minx) * margin, (maxy - miny) * margin
        self.minx, self.maxy = minx - pad_x, maxy + pad_y
        span_x, span_y = (maxx - minx) + 2 * pad_x, (maxy - miny) + 2 * pad_y
        self.scale = width / span_x
        self.width, self.height = width, span_y * self.scale
        self.box = shapely.box(self.minx, self.maxy - span_y, self.minx + span_x, self.maxy)

    def xy(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (x - self.minx) * self.scale, (self.maxy - y) * self.scale

    def path(self, geom_m: shapely.Geometry) -> str:
        """SVG path data for a metric geometry, clipped to the frame and simplified to ~0.4 px."""
        if geom_m is None or geom_m.is_empty:
            return ""
        geom = shapely.clip_by_rect(geom_m, *self.box.bounds)
        geom = shapely.simplify(geom, 0.4 / self.scale)
        parts: list[str] = []
        for part in shapely.get_parts(geom):
            if isinstance(part, shapely.Polygon):
                for ring in (part.exterior, *part.interiors):
                    parts.append(self._ring(np.asarray(ring.coords), close=True))
            elif isinstance(part, shapely.LineString):
                parts.append(self._ring(np.asarray(part.coords), close=False))
            elif isinstance(
                part, shapely.MultiPolygon | shapely.MultiLineString | shapely.GeometryCollection
            ):
                parts.append(self.path(part))
        return " ".join(p for p in parts if p)

    def _ring(self, coords: np.ndarray, close: bool) -> str:
        if len(coords) < 2:
            return ""
        x, y = self.xy(coords[:, 0], coords[:, 1])
        points = " ".join(f"{a:.1f} {b:.1f}" for a, b in zip(x, y, strict=True))
        return f"M{points}{'Z' if close else ''}"


def _marker(x: float, y: float, kind: str, status: str, radius: float, title: str) -> str:
    style = STATUS_STYLE.get(status, STATUS_STYLE["reported"])
    color = TYPE_COLORS.get(kind, "#444")
    dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{color}" '
        f'fill-opacity="{style["fill_opacity"]}" stroke="#1a1a1a" '
        f'stroke-width="{style["weight"]}"{dash}><title>{escape(title)}</title></circle>'
    )


def _diamond(x: float, y: float, size: float, title: str) -> str:
    points = f"{x:.1f},{y - size:.1f} {x + size:.1f},{y:.1f} {x:.1f},{y + size:.1f} {x - size:.1f},{y:.1f}"
    return (
        f'<polygon points="{points}" fill="#ffffff" stroke="#b2182b" stroke-width="2">'
        f"<title>{escape(title)}</title></polygon>"
    )


def map_svg(
    layers: MapLayers,
    labels: Labels,
    *,
    width: float = 900,
    focus: shapely.Geometry | None = None,
    element_id: str = "report-map",
    title: str = "",
) -> str:
    """The map: oblasts, the area the occupying party holds, the contact line, the zones, the
    incidents since the ceasefire (today's larger) and today's violations. `focus` (lon/lat) sets the
    extent; by default Ukraine's."""
    extent = to_metric(focus if focus is not None and not focus.is_empty else ukraine_outline())
    frame = _Frame(extent.bounds, width)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{element_id}" class="map" role="img" '
        f'viewBox="0 0 {frame.width:.0f} {frame.height:.0f}" width="{frame.width:.0f}" '
        f'height="{frame.height:.0f}"><title>{escape(title)}</title>',
        f'<rect width="{frame.width:.0f}" height="{frame.height:.0f}" fill="#dfeaf2"/>',
    ]
    oblast_paths = [frame.path(to_metric(g)) for _, g in layers.oblasts]
    out.append('<g class="oblasts" fill="#f7f5ef" stroke="#a8a08e" stroke-width="0.7">')
    out += [f'<path d="{d}"/>' for d in oblast_paths if d]
    out.append("</g>")
    if layers.held is not None:
        out.append(
            f'<path class="held" d="{frame.path(to_metric(layers.held))}" fill="#e3c9c4" '
            'fill-opacity="0.85" stroke="none"/>'
        )
    out.append('<g class="zones">')
    for n, zone in enumerate(layers.zones):
        color = zone_color(n)
        out.append(
            f'<path d="{frame.path(to_metric(zone["geometry"]))}" fill="{color}" fill-opacity="0.28" '
            f'stroke="{color}" stroke-width="1.2" data-zone="{escape(zone["id"])}">'
            f"<title>{escape(zone.get('names', {}).get(labels.lang, zone['name']))}</title></path>"
        )
    out.append("</g>")
    if layers.line is not None:
        out.append(
            f'<path class="line" d="{frame.path(to_metric(layers.line))}" fill="none" stroke="#b2182b" '
            'stroke-width="2" stroke-linejoin="round"/>'
        )
    out.append(_anomaly_cells(frame, layers, labels))
    out.append(_points(frame, layers, labels))
    out.append(_place_labels(frame, layers, labels))
    out.append(_scale_bar(frame, labels))
    out.append(_north_arrow(frame, labels))
    out.append("</svg>")
    return "".join(out)


ANOMALY_STYLE = {  # (fill, stroke) of a thermal anomaly's cell: on the report's day, earlier
    True: ("#f16913", "#7f2704"),
    False: ("#fdd0a2", "#a63603"),
}
_MIN_CELL_PX = 5.0  # a 0.1° cell is ~7 px on the map of Ukraine: never drawn smaller than this


def _anomaly_cells(frame: _Frame, layers: MapLayers, labels: Labels) -> str:
    """Satellite thermal anomalies as their grid cells (at least a few pixels wide), earlier ones
    first so that the day's are drawn on top."""
    if not layers.anomalies:
        return ""
    out = ['<g class="thermal-anomalies">']
    for today in (False, True):
        cells = [c for c in layers.anomalies if c[4] is today]
        if not cells:
            continue
        xs, ys = to_metric_xy(
            [c[0] for c in cells] + [c[2] for c in cells], [c[1] for c in cells] + [c[3] for c in cells]
        )
        px, py = frame.xy(xs, ys)
        n = len(cells)
        fill, stroke = ANOMALY_STYLE[today]
        title = escape(labels["anomaly_legend_today" if today else "anomaly_legend_earlier"])
        for k in range(n):
            x0, x1 = sorted((px[k], px[k + n]))
            y0, y1 = sorted((py[k], py[k + n]))
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            w, h = max(x1 - x0, _MIN_CELL_PX), max(y1 - y0, _MIN_CELL_PX)
            if not (0 <= cx <= frame.width and 0 <= cy <= frame.height):
                continue
            out.append(
                f'<rect x="{cx - w / 2:.1f}" y="{cy - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" '
                f'fill="{fill}" fill-opacity="0.9" stroke="{stroke}" stroke-width="{1.4 if today else 0.7}" '
                f'data-today="{str(today).lower()}"><title>{title}</title></rect>'
            )
    out.append("</g>")
    return "".join(out)


_LABEL_FONT = 11.0  # px; a label's box is estimated from its length (no font metrics offline)


def _place_labels(frame: _Frame, layers: MapLayers, labels: Labels) -> str:
    """The settlements the day's incidents and findings name, labelled where a label fits: a later
    label that would overlap an earlier one (or leave the frame) is left out, never drawn over it."""
    if not layers.places:
        return ""
    xs, ys = to_metric_xy([p[0] for p in layers.places], [p[1] for p in layers.places])
    px, py = frame.xy(xs, ys)
    taken: list[tuple[float, float, float, float]] = []
    out = ['<g class="place-labels" font-size="11" fill="#1d1d1b">']
    for x, y, (_, _, names) in zip(px, py, layers.places, strict=True):
        text = names.get(labels.lang) or names.get("en", "")
        width = 0.58 * _LABEL_FONT * len(text)
        box = (x + 5, y - _LABEL_FONT, x + 7 + width, y + 3)
        inside = 0 <= box[0] and box[2] <= frame.width and 0 <= box[1] and box[3] <= frame.height
        overlaps = any(not (box[2] < t[0] or t[2] < box[0] or box[3] < t[1] or t[3] < box[1]) for t in taken)
        if not inside or overlaps:
            continue
        taken.append(box)
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="#1d1d1b"/>'
            f'<text x="{x + 6:.1f}" y="{y - 1:.1f}" stroke="#fff" stroke-width="3" paint-order="stroke" '
            f'data-place="{escape(text)}">{escape(text)}</text>'
        )
    out.append("</g>")
    return "".join(out)


def _scale_bar(frame: _Frame, labels: Labels) -> str:
    """A bar about a fifth of the map's width, a round number of kilometres long (the projection
    is equal-area and conformal enough over Ukraine for a bar to read distances to ~1 %)."""
    km = _nice_step(frame.width / 5 / frame.scale / 1000)
    length = km * 1000 * frame.scale
    x, y = 14.0, frame.height - 16
    half = length / 2
    return (
        f'<g class="scale-bar" data-km="{km:g}" font-size="10" fill="#1d1d1b">'
        f'<rect x="{x - 4:.1f}" y="{y - 16:.1f}" width="{length + 44:.1f}" height="26" '
        'fill="#fff" fill-opacity="0.75"/>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{half:.1f}" height="4" fill="#1d1d1b"/>'
        f'<rect x="{x + half:.1f}" y="{y:.1f}" width="{half:.1f}" height="4" fill="#fff" '
        'stroke="#1d1d1b" stroke-width="0.8"/>'
        f'<text x="{x:.1f}" y="{y - 4:.1f}">0</text>'
        f'<text x="{x + length:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
        f"{labels.number(km, 0 if km >= 1 else 1)} {escape(labels['km'])}</text></g>"
    )


def _north_arrow(frame: _Frame, labels: Labels) -> str:
    x, y = frame.width - 24, 16.0
    return (
        f'<g class="north-arrow" font-size="11" font-weight="bold" fill="#1d1d1b" text-anchor="middle">'
        f'<path d="M{x:.1f} {y + 4:.1f} L{x - 7:.1f} {y + 26:.1f} L{x:.1f} {y + 20:.1f} '
        f'L{x + 7:.1f} {y + 26:.1f} Z"/>'
        f'<text x="{x:.1f}" y="{y + 1:.1f}">{escape(labels["north"])}</text></g>'
    )


def _points(frame: _Frame, layers: MapLayers, labels: Labels) -> str:
    out = ['<g class="incidents">']
    for group, radius in ((layers.earlier, 3), (layers.today, 6.5)):
        if not group:
            continue
        xs, ys = to_metric_xy([p[0] for p in group], [p[1] for p in group])
        px, py = frame.xy(xs, ys)
        for (x, y), point in zip(zip(px, py, strict=True), group, strict=True):
            if not (0 <= x <= frame.width and 0 <= y <= frame.height):
                continue
            status = point[3] if len(point) > 3 else "reported"
            out.append(_marker(x, y, point[2], status, radius, labels.name("types", point[2])))
    if layers.findings:
        xs, ys = to_metric_xy([p[0] for p in layers.findings], [p[1] for p in layers.findings])
        px, py = frame.xy(xs, ys)
        for x, y, point in zip(px, py, layers.findings, strict=True):
            if 0 <= x <= frame.width and 0 <= y <= frame.height:
                out.append(_diamond(x, y, 9, labels.name("statuses", point[2])))
    out.append("</g>")
    return "".join(out)


# --- charts --------------------------------------------------------------------------------------


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at least `raw`."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if raw <= step * power)


def _count_axis(largest: int) -> tuple[int, int]:
    """(top, ticks) for counts: whole-number ticks, at most four intervals."""
    if largest <= 4:
        top = max(largest, 1)
        return top, top
    step = math.ceil(_nice_step(largest / 4))
    return step * 4, 4


def _x_labels(days: Sequence[str], labels: Labels, x_of: Callable[[int], float], y: float) -> list[str]:
    every = max(1, math.ceil(len(days) / 10))
    return [
        f'<text x="{x_of(i):.1f}" y="{y:.1f}" text-anchor="middle">{escape(labels.short_date(d))}</text>'
        for i, d in enumerate(days)
        if i % every == 0 or i == len(days) - 1
    ]


def bar_chart(
    days: Sequence[str],
    series: dict[str, list[int]],
    labels: Labels,
    *,
    title: str,
    highlight: str | None = None,
    width: float = 430,
    height: float = 190,
    element_id: str = "",
    name_of: Callable[[str], str] | None = None,
) -> str:
    """Stacked bars per day, one colour per party, with a legend naming the parties (`name_of`,
    by default the labels' party names)."""
    name_of = name_of or (lambda party: labels.name("parties", party))
    left, right, top, bottom = 34, 16, 26, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    top_value, ticks = _count_axis(max(totals, default=0))
    step = plot_w / max(len(days), 1)
    bar_w = max(step * 0.72, 1)

    def x_of(i: int) -> float:
        return left + step * (i + 0.5)

    out = [_chart_head(element_id, width, height, title, left)]
    out += _y_axis(0, top_value, ticks, labels, left, top, plot_w, plot_h)
    for i, day in enumerate(days):
        base = top + plot_h
        if day == highlight:
            out.append(
                f'<rect x="{x_of(i) - step / 2:.1f}" y="{top}" width="{step:.1f}" height="{plot_h}" '
                'fill="#fff3bf"/>'
            )
        for n, (party, values) in enumerate(series.items()):
            if not values[i]:
                continue
            h = values[i] / top_value * plot_h
            base -= h
            out.append(
                f'<rect x="{x_of(i) - bar_w / 2:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{party_color(party, n)}"><title>{escape(labels.short_date(day))}: '
                f"{escape(labels.name('parties', party))} {values[i]}</title></rect>"
            )
    out += _x_labels(days, labels, x_of, top + plot_h + 14)
    out += _legend([(name_of(p), party_color(p, n)) for n, p in enumerate(series)], left, height - 8)
    out.append("</svg>")
    return "".join(out)


def _chart_head(element_id: str, width: float, height: float, title: str, left: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{element_id}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">'
        f"<title>{escape(title)}</title>"
        f'<text class="chart-title" x="{left}" y="14">{escape(title)}</text>'
    )


def _y_axis(
    low: float, high: float, ticks: int, labels: Labels, left: float, top: float, plot_w: float, plot_h: float
) -> list[str]:
    out = []
    for k in range(ticks + 1):
        value = low + (high - low) * k / ticks
        y = top + plot_h - plot_h * k / ticks
        digits = 0 if float(value).is_integer() else 1
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{labels.number(value, digits)}</text>'
        )
    return out


def _legend(items: list[tuple[str, str]], x: float, y: float) -> list[str]:
    out, cursor = [], x
    for name, color in items:
        out.append(f'<rect x="{cursor:.1f}" y="{y - 8}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{cursor + 14:.1f}" y="{y + 1}">{escape(name)}</text>')
        cursor += 24 + 6.5 * len(name)
    return out


def line_chart(
    points: Sequence[tuple[str, float]],
    labels: Labels,
    *,
    title: str,
    color: str = "#b2182b",
    highlight: str | None = None,
    width: float = 430,
    height: float = 190,
    element_id: str = "",
) -> str:
    """One value per day (e.g. the area a party holds), with the axis fitted to the values' range."""
    left, right, top, bottom = 64, 18, 26, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v in points]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    tick = _nice_step(max(high - low, 1.0) / 4)
    low = math.floor(low / tick) * tick
    high = max(low + 4 * tick, math.ceil(high / tick) * tick)
    ticks = round((high - low) / tick)
    step = plot_w / max(len(points) - 1, 1)

    def x_of(i: int) -> float:
        return left + step * i

    def y_of(v: float) -> float:
        return top + plot_h - (v - low) / (high - low) * plot_h

    out = [_chart_head(element_id, width, height, title, left)]
    out += _y_axis(low, high, ticks, labels, left, top, plot_w, plot_h)
    if points:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x_of(i):.1f} {y_of(v):.1f}" for i, (_, v) in enumerate(points)
        )
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, (day, v) in enumerate(points):
            r = 4 if day == highlight else 2
            out.append(
                f'<circle cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="{r}" fill="{color}">'
                f"<title>{escape(labels.short_date(day))}: {labels.number(v, 1)}</title></circle>"
            )
    out += _x_labels([d for d, _ in points], labels, x_of, top + plot_h + 14)
    out.append("</svg>")
    return "".join(out)
