// Satellite thermal anomalies (truce sensors): the grid cells where NASA FIRMS saw improbably many
// fires, recurring nearby. Read from the public OGC API collection (the same for every role), drawn
// as their cells on their own pane and layer (a toggle in the legend and in the layers control),
// each with a popup: date, place, detections, expected count, probability, why it counts, and the
// cloud caveat. Corroborating evidence only: never a violation on its own. Words from the label
// files (i18n.js); the server's reasons and caveat are shown as written (in English).

import * as api from "./api.js";
import { date, decimal, num, t } from "./i18n.js";
import { h } from "./panels.js";

const ITEMS = "/ogc/collections/thermal-anomalies/items";
const PAGE = 1000;
const MAX_PAGES = 50; // 50,000 cells at most: beyond that the period is too long to draw usefully
const STYLE = { color: "#7f2704", weight: 1.2, fillColor: "#f16913", fillOpacity: 0.75 };
const english = (text) => h("span", { class: "data", lang: "en" }, text);

function probability(p) {
  return decimal(p < 0.001 ? p.toExponential(1) : p.toPrecision(2));
}

function popup(p) {
  return h("div", { class: "anomaly-popup" },
    h("b", { "data-date": p.date }, t("anomaly_title", { date: date(p.date) })),
    h("dl", {},
      h("dt", {}, t("anomaly_where")), h("dd", {}, p.admin1 ? h("span", { class: "data" }, p.admin1) : t("anomaly_outside"),
        ` · ${t("anomaly_cell", { lat: num(p.lat, 2), lon: num(p.lon, 2), grid: decimal(String(p.grid_deg)) })}`),
      h("dt", {}, t("anomaly_detections")), h("dd", { "data-field": "detections" }, num(p.detections)),
      h("dt", {}, t("anomaly_expected")), h("dd", {}, decimal(p.expected.toPrecision(2))),
      h("dt", {}, t("anomaly_probability")), h("dd", { "data-field": "p_value" }, probability(p.p_value)),
      h("dt", {}, t("anomaly_kind")), h("dd", {}, t(`anomaly_kind_${p.kind}`)),
      h("dt", {}, t("anomaly_why")), h("dd", {}, english(p.basis))),
    h("p", { class: "caveat" }, english(p.caveat)),
    h("p", { class: "hint" }, t("anomaly_corroborating")));
}

export class AnomalyLayer {
  constructor(view) {
    this.map = view.map;
    this.map.createPane("anomalies").style.zIndex = 430; // above the zones and line, below markers
    this.layer = L.featureGroup();
    this.mark = L.divIcon({ className: "anomaly-mark", iconSize: [9, 9] });
    this.visible = true;
    this.count = 0;
    this.layer.addTo(this.map);
    view.control?.addOverlay(this.layer, t("anomaly_layer"));
    this.map.on("overlayadd overlayremove", (event) => {
      if (event.layer === this.layer) this.show(event.type === "overlayadd");
    });
    this.seq = 0;
  }

  // The anomalies dated from..to (as written: the satellites' UTC days), every page of them.
  async load(from, to) {
    const seq = ++this.seq;
    const features = [];
    let params = { limit: PAGE, datetime: `${from}/${to}`, "date-match": "exact" };
    for (let n = 0; n < MAX_PAGES && params; n++) {
      const page = await api.get(ITEMS, params);
      features.push(...page.features);
      const next = page.links.find((l) => l.rel === "next");
      params = next ? Object.fromEntries(new URL(next.href).searchParams) : null;
    }
    if (seq !== this.seq) return; // a later choice of dates has been asked for
    this.draw(features);
  }

  draw(features) {
    this.layer.clearLayers();
    for (const feature of features) {
      const p = feature.properties;
      // the cell itself, and a square mark at its centre (a 0.1° cell is a pixel or two at country
      // zoom); square, unlike the round incident markers
      L.geoJSON(feature, { pane: "anomalies", style: () => ({ ...STYLE, className: `anomaly a-${feature.id} anomaly-${p.kind}` }) })
        .bindPopup(() => popup(p), { maxWidth: 340 })
        .addTo(this.layer);
      L.marker([p.lat, p.lon], { pane: "anomalies", icon: this.mark, keyboard: false, title: t("anomaly_marker", { date: date(p.date) }) })
        .bindPopup(() => popup(p), { maxWidth: 340 })
        .addTo(this.layer);
    }
    this.count = features.length;
    this.map.getContainer().dataset.anomalies = String(features.length);
    this.renderToggle();
  }

  show(visible) {
    this.visible = visible;
    if (visible && !this.map.hasLayer(this.layer)) this.layer.addTo(this.map);
    if (!visible && this.map.hasLayer(this.layer)) this.map.removeLayer(this.layer);
    this.renderToggle();
  }

  // The legend's entry: a checkbox that shows or hides the layer, the count, and the caveat.
  legend(list) {
    this.list = list;
    this.renderToggle();
  }

  renderToggle() {
    if (!this.list) return;
    this.list.querySelector("li.anomaly-legend")?.remove();
    const box = h("input", { type: "checkbox", id: "layer-anomalies", checked: this.visible, onchange: () => this.show(box.checked) });
    this.list.append(h("li", { class: "anomaly-legend" },
      h("label", {}, box, h("span", { class: "swatch anomaly" }), `${t("anomaly_layer")}: ${num(this.count)}`),
      h("div", { class: "hint" }, t("anomaly_caveat_short"))));
  }
}
