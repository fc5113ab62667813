// The map: oblasts drawn from the server (no tiles unless a tile URL is configured), settlement
// names from the bundled gazetteer (biggest first as one zooms in), the agreement's zones, the
// contact line on the chosen day, incidents coloured by type and styled by claim status (clustered
// at low zoom by Leaflet.markercluster), and findings that have a place, drawn beside the incident
// they cite, over the area the occupying party held on the chosen day (from that day's control
// snapshot, as the report's map shades it). Everything is drawn with Leaflet's SVG renderer;
// nothing is fetched from elsewhere. Every word comes from the label files (i18n.js).

import { date, name, num, t } from "./i18n.js";
import { zoneName } from "./panels.js";

const UKRAINE = [[44.0, 22.0], [52.5, 40.5]];
const UNCLUSTERED_FROM = 10; // zoom from which every incident is its own marker
const MAX_LABELS = 400; // labels drawn at once, biggest places first

export class MapView {
  constructor(element, config, onSelect) {
    this.config = config;
    this.onSelect = onSelect;
    this.map = L.map(element, { zoomSnap: 0.25, attributionControl: true, minZoom: 4, maxZoom: 14 });
    this.map.fitBounds(UKRAINE);
    new LocalScale({ imperial: false, maxWidth: 160 }).addTo(this.map);
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution(t("map_credits"));
    this.map.zoomControl.remove();
    L.control.zoom({ zoomInTitle: t("zoom_in"), zoomOutTitle: t("zoom_out") }).addTo(this.map);
    for (const [pane, z] of [["oblasts", 250], ["control", 300], ["zones", 350], ["labels", 380], ["line", 420], ["findings", 440], ["incidents", 450]]) {
      this.map.createPane(pane).style.zIndex = z;
    }
    if (config.tiles && config.tiles.url) {
      L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution || "", maxZoom: 18 }).addTo(this.map);
    }
    this.clustered = config.cluster !== false && typeof L.markerClusterGroup === "function";
    this.layers = {
      oblasts: L.layerGroup().addTo(this.map),
      control: L.layerGroup().addTo(this.map),
      labels: L.layerGroup().addTo(this.map),
      zones: L.layerGroup().addTo(this.map),
      line: L.layerGroup().addTo(this.map),
      incidents: (this.clustered
        ? L.markerClusterGroup({
          disableClusteringAtZoom: UNCLUSTERED_FROM, chunkedLoading: true, showCoverageOnHover: false,
          maxClusterRadius: 45, clusterPane: "incidents",
        })
        : L.layerGroup()).addTo(this.map),
      findings: L.layerGroup().addTo(this.map),
    };
    this.markers = new Map(); // incident id -> its marker, to open it from a finding
    this.places = [];
    this.map.on("zoomend moveend", () => {
      this.drawLabels();
      const b = this.map.getBounds();
      Object.assign(element.dataset, { zoom: String(this.map.getZoom()), bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(3)).join(",") });
    });
    this.control = L.control.layers(null, {
      [t("layer_oblasts")]: this.layers.oblasts, [t("layer_occupied")]: this.layers.control, [t("layer_places")]: this.layers.labels,
      [t("layer_zones")]: this.layers.zones, [t("layer_line")]: this.layers.line,
      [t("layer_incidents")]: this.layers.incidents, [t("layer_findings")]: this.layers.findings,
    }, { collapsed: true }).addTo(this.map);
    this.control.getContainer().querySelector(".leaflet-control-layers-toggle").title = t("layers");
  }

  setOblasts(collection, lang = "en") {
    this.layers.oblasts.clearLayers();
    L.geoJSON(collection, {
      pane: "oblasts",
      style: { color: "#a8a08e", weight: 0.8, fillColor: "#f7f5ef", fillOpacity: this.config.tiles?.url ? 0.2 : 1, className: "oblast" },
      onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties[`name_${lang}`] || feature.id, { sticky: true }),
    }).addTo(this.layers.oblasts);
  }

  // [[name_en, name_uk, lon, lat, zoom], ...] biggest first; labels in `lang` (uk names for uk and ru)
  setPlaces(rows, lang = "en") {
    this.places = rows;
    this.placeLang = lang;
    this.drawLabels();
  }

  // Biggest places first; a label that would overlap one already drawn is left out (city
  // districts and suburbs give way to their city), as a printed map does.
  drawLabels() {
    this.layers.labels.clearLayers();
    const zoom = this.map.getZoom();
    const bounds = this.map.getBounds().pad(0.05);
    const taken = [];
    let drawn = 0;
    for (const [en, uk, lon, lat, from] of this.places) {
      if (from > zoom || !bounds.contains([lat, lon])) continue;
      const local = this.placeLang !== "en" && uk; // the gazetteer's Ukrainian name, if it has one
      const name = local || en;
      const at = this.map.latLngToContainerPoint([lat, lon]);
      const box = [at.x - 4, at.y - 9, at.x + 8 + name.length * (from <= 6 ? 7.5 : 6.5), at.y + 7];
      if (taken.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) continue;
      taken.push(box);
      L.marker([lat, lon], {
        pane: "labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: `place-label place-z${from}`, html: `<span lang="${local ? "uk" : "en"}">${escapeHtml(name)}</span>`, iconSize: null }),
      }).addTo(this.layers.labels);
      if (++drawn >= MAX_LABELS) break;
    }
    this.map.getContainer().dataset.labels = String(drawn);
  }

  // The front: the contact line and the period's incidents near it (a strike far behind the line
  // does not pull the view out to a whole country). Without a line, the middle 90 % of incidents.
  fitFront(line, features) {
    const points = features.filter((f) => f.geometry).map((f) => L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]));
    let bounds = null;
    if (line) {
      bounds = L.geoJSON(line).getBounds();
      const near = bounds.pad(0.25);
      points.filter((p) => near.contains(p)).forEach((p) => bounds.extend(p));
    } else if (points.length) {
      const q = (list, p) => list.sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(p * list.length))];
      const lats = points.map((p) => p.lat);
      const lons = points.map((p) => p.lng);
      bounds = L.latLngBounds([q(lats, 0.05), q(lons, 0.05)], [q(lats, 0.95), q(lons, 0.95)]);
    }
    if (bounds && bounds.isValid()) this.map.fitBounds(bounds, { padding: [12, 12] });
  }

  setZones(collection) {
    this.layers.zones.clearLayers();
    const colors = this.config.palette.zones;
    // Colours follow the agreement's order; the largest zones are drawn first so none hides another.
    const order = (collection.features || []).map((feature, n) => ({ feature, n, size: spread(feature) }));
    order.sort((a, b) => b.size - a.size);
    order.forEach(({ feature, n }) => {
      const color = colors[n % colors.length];
      const id = feature.id || feature.properties.zone_id;
      L.geoJSON(feature, {
        pane: "zones",
        style: { color, weight: 1.5, fillColor: color, fillOpacity: 0.25, className: `zone zone-${id}` },
      })
        .bindTooltip(() => {
          const p = feature.properties;
          const area = p.area_km2 !== undefined ? ` · ${num(p.area_km2)} ${t("km2")}` : "";
          return `${escapeHtml(zoneName(id))}${area}`;
        }, { sticky: true })
        .addTo(this.layers.zones);
    });
    this.zoneColors = Object.fromEntries((collection.features || []).map((f, n) => [f.id, colors[n % colors.length]]));
  }

  // The area the occupying party held on the chosen day, shaded under the zones and the line.
  setControl(feature, label) {
    this.layers.control.clearLayers();
    this.controlParty = feature ? feature.properties.party : null;
    if (!feature) return;
    L.geoJSON(feature, {
      pane: "control", interactive: true,
      style: { color: "#b2182b", weight: 0, fillColor: "#b2182b", fillOpacity: 0.13, className: "occupied" },
    }).bindTooltip(escapeHtml(label), { sticky: true }).addTo(this.layers.control);
  }

  setLine(feature) {
    this.layers.line.clearLayers();
    if (!feature) return;
    L.geoJSON(feature, { pane: "line", style: { color: "#b2182b", weight: 2.5, className: "contact-line" }, interactive: false })
      .addTo(this.layers.line);
  }

  setIncidents(features) {
    this.layers.incidents.clearLayers();
    this.markers.clear();
    const types = this.config.palette.types;
    const statuses = this.config.palette.statuses;
    const markers = [];
    for (const feature of features) {
      if (!feature.geometry) continue;
      const p = feature.properties;
      const style = statuses[p.status] || statuses.reported;
      const [lon, lat] = feature.geometry.coordinates;
      const marker = L.circleMarker([lat, lon], {
        pane: "incidents",
        radius: p.approx ? 6 : 7,
        color: "#1a1a1a",
        weight: style.weight,
        dashArray: p.approx ? "2 3" : (style.dash || null),
        fillColor: types[p.type] || "#888",
        fillOpacity: style.fill_opacity,
        className: `incident incident-${p.type} status-${p.status} i-${safeClass(feature.id)}${p.approx ? " approx" : ""}`,
      })
        .bindTooltip(() => this.describe(feature))
        .on("click", () => this.onSelect({ kind: "incident", feature }));
      markers.push(marker);
      this.markers.set(feature.id, marker);
    }
    if (this.clustered) this.layers.incidents.addLayers(markers);
    else markers.forEach((m) => m.addTo(this.layers.incidents));
  }

  describe(feature) {
    const p = feature.properties;
    const text = `${name("types", p.type)} · ${date(p.date)}${p.approx ? ` (${t("oblast_only")})` : ""}`;
    return escapeHtml(text) + (p.place ? `<br>${escapeHtml(p.place)}` : "");
  }

  // Zoom to an incident (out of its cluster if need be) and open it.
  reveal(id) {
    const marker = this.markers.get(id);
    if (!marker) return false;
    const open = () => { marker.openTooltip(); marker.fire("click"); };
    if (this.clustered) this.layers.incidents.zoomToShowLayer(marker, open);
    else { this.map.setView(marker.getLatLng(), Math.max(this.map.getZoom(), UNCLUSTERED_FROM)); open(); }
    return true;
  }

  setFindings(findings) {
    this.layers.findings.clearLayers();
    for (const f of findings) {
      if (f.lon === null || f.lat === null || f.lon === undefined) continue;
      if (!["violation", "possible_violation"].includes(f.status)) continue;
      L.marker([f.lat, f.lon], {
        pane: "findings",
        // anchored off its point: the diamond sits up and to the right of the incident it cites
        icon: L.divIcon({ className: `finding finding-${f.status} f-${safeClass(f.id)}`, html: '<span class="diamond"></span>', iconSize: [16, 16], iconAnchor: [-8, 24] }),
        title: `${name("statuses", f.status)} · ${date(f.date)}`,
        keyboard: true,
      })
        .on("click", () => this.onSelect({ kind: "finding", finding: f }))
        .addTo(this.layers.findings);
    }
  }
}

// Leaflet's scale bar, with its units in the page's language.
const LocalScale = typeof L === "undefined" ? null : L.Control.Scale.extend({
  _updateMetric(maxMeters) {
    const meters = this._getRoundNum(maxMeters);
    const label = meters < 1000 ? `${meters} ${t("m")}` : `${meters / 1000} ${t("km")}`;
    this._updateScale(this._mScale, label, meters / maxMeters);
  },
});

export function safeClass(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, "_");
}

function spread(feature) {
  if (feature.properties && feature.properties.area_km2 !== undefined) return feature.properties.area_km2;
  const bounds = L.geoJSON(feature).getBounds();
  return (bounds.getEast() - bounds.getWest()) * (bounds.getNorth() - bounds.getSouth());
}

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
