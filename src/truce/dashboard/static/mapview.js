// The map: oblasts drawn from the server (no tiles unless a tile URL is configured), the agreement's
// zones, the contact line on the chosen day, incidents coloured by type and styled by claim status,
// and findings that have a place. Everything is drawn with Leaflet's SVG renderer.

const UKRAINE = [[44.0, 22.0], [52.5, 40.5]];

export class MapView {
  constructor(element, config, onSelect) {
    this.config = config;
    this.onSelect = onSelect;
    this.map = L.map(element, { zoomSnap: 0.25, attributionControl: true, minZoom: 4, maxZoom: 14 });
    this.map.fitBounds(UKRAINE);
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution("Oblasts © Minregion 2020 (CC BY-SA) · control: DeepStateMap");
    for (const [name, z] of [["oblasts", 250], ["zones", 350], ["line", 420], ["incidents", 450], ["findings", 460]]) {
      this.map.createPane(name).style.zIndex = z;
    }
    if (config.tiles && config.tiles.url) {
      L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution || "", maxZoom: 18 }).addTo(this.map);
    }
    this.layers = {
      oblasts: L.layerGroup().addTo(this.map),
      zones: L.layerGroup().addTo(this.map),
      line: L.layerGroup().addTo(this.map),
      incidents: L.layerGroup().addTo(this.map),
      findings: L.layerGroup().addTo(this.map),
    };
    L.control.layers(null, {
      Oblasts: this.layers.oblasts, Zones: this.layers.zones, "Contact line": this.layers.line,
      Incidents: this.layers.incidents, Findings: this.layers.findings,
    }, { collapsed: true }).addTo(this.map);
  }

  setOblasts(collection, lang = "en") {
    this.layers.oblasts.clearLayers();
    L.geoJSON(collection, {
      pane: "oblasts",
      style: { color: "#a8a08e", weight: 0.8, fillColor: "#f7f5ef", fillOpacity: this.config.tiles?.url ? 0.2 : 1, className: "oblast" },
      onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties[`name_${lang}`] || feature.id, { sticky: true }),
    }).addTo(this.layers.oblasts);
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
          const area = p.area_km2 !== undefined ? ` · ${Math.round(p.area_km2).toLocaleString("en")} km²` : "";
          return `${escapeHtml(p.name)}${area}`;
        }, { sticky: true })
        .addTo(this.layers.zones);
    });
    this.zoneColors = Object.fromEntries((collection.features || []).map((f, n) => [f.id, colors[n % colors.length]]));
  }

  setLine(feature) {
    this.layers.line.clearLayers();
    if (!feature) return;
    L.geoJSON(feature, { pane: "line", style: { color: "#b2182b", weight: 2.5, className: "contact-line" }, interactive: false })
      .addTo(this.layers.line);
  }

  setIncidents(features) {
    this.layers.incidents.clearLayers();
    const types = this.config.palette.types;
    const statuses = this.config.palette.statuses;
    for (const feature of features) {
      if (!feature.geometry) continue;
      const p = feature.properties;
      const style = statuses[p.status] || statuses.reported;
      const [lon, lat] = feature.geometry.coordinates;
      L.circleMarker([lat, lon], {
        pane: "incidents",
        radius: p.approx ? 6 : 7,
        color: "#1a1a1a",
        weight: style.weight,
        dashArray: p.approx ? "2 3" : (style.dash || null),
        fillColor: types[p.type] || "#888",
        fillOpacity: style.fill_opacity,
        className: `incident incident-${p.type} status-${p.status} i-${safeClass(feature.id)}${p.approx ? " approx" : ""}`,
      })
        .bindTooltip(`${escapeHtml(p.type.replace(/_/g, " "))} · ${escapeHtml(p.date)}${p.approx ? " (oblast only)" : ""}`)
        .on("click", () => this.onSelect({ kind: "incident", feature }))
        .addTo(this.layers.incidents);
    }
  }

  setFindings(findings) {
    this.layers.findings.clearLayers();
    for (const f of findings) {
      if (f.lon === null || f.lat === null || f.lon === undefined) continue;
      if (!["violation", "possible_violation"].includes(f.status)) continue;
      L.marker([f.lat, f.lon], {
        pane: "findings",
        icon: L.divIcon({ className: `finding finding-${f.status} f-${safeClass(f.id)}`, html: '<span class="diamond"></span>', iconSize: [16, 16] }),
        title: `${f.provision_id}: ${f.status}`,
        keyboard: true,
      })
        .on("click", () => this.onSelect({ kind: "finding", finding: f }))
        .addTo(this.layers.findings);
    }
  }
}

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
