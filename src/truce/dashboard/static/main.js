// The dashboard: reads its settings, signs in with a token (what is shown follows the role), loads
// incidents, findings, zones and the contact line, and keeps the map, timeline, lists and the URL
// in step with the filters. The what-if panel asks the server to redraw the zones and re-assess.

import { AnomalyLayer } from "./anomalies.js";
import * as api from "./api.js";
import { MapView } from "./mapview.js";
import * as ui from "./panels.js";
import { checkState, daysBetween, readState, writeState } from "./state.js";
import { drawTimeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const MISSION = ["admin", "monitor", "analyst"];
const state = readState();
let config = null;
let agreement = null;
let me = null;
let view = null;
let anomalies = null; // the satellite thermal-anomaly layer (anomalies.js)
let incidents = [];
let findings = [];
let drafted = { type: "FeatureCollection", features: [] };
let whatIfSeq = 0;
let currentLine = null;

const typeName = (t) => t.replace(/_/g, " ");
const dateText = (d) => d;

// --- start ---------------------------------------------------------------------------------------

async function start() {
  config = await api.get("/dashboard/api/config");
  agreement = config.agreements.find((a) => a.id === state.agreement) || config.agreements[0] || null;
  if (agreement) {
    state.agreement = agreement.id;
    $("agreement-title").textContent = agreement.title;
  }
  const problems = checkState(state, {
    types: config.types,
    parties: [...(agreement?.parties || []).map((p) => p.id), "unattributed"],
    statuses: config.statuses,
    parameters: agreement?.parameters || {},
  });
  if (state.agreement !== agreement?.id && state.agreement) problems.push(`agreement=${state.agreement}: not stored here`);
  const lastDay = config.snapshot_days.at(-1) || new Date().toISOString().slice(0, 10);
  state.from ??= agreement ? agreement.effective_day : lastDay;
  state.to ??= lastDay;
  state.line ??= state.to;
  state.by ??= "party";
  await signInFromStorage();
  buildFilters();
  if (typeof L === "undefined") {
    $("map").replaceChildren(ui.h("p", { class: "map-missing" }, "Leaflet is not installed: run `npm ci` in the source tree (make does)."));
  } else {
    view = new MapView($("map"), { ...config, cluster: state.cluster !== "0", typeName, dateText, approxText: "oblast only" }, select);
    view.setOblasts(await api.get("/dashboard/api/oblasts"));
    anomalies = new AnomalyLayer(view);
    api.get("/dashboard/api/places").then((rows) => view.setPlaces(rows, "en")).catch(() => {});
  }
  await Promise.all([loadZones(), loadLine(), loadData(), loadQueue()]);
  if (state.zone && !drafted.features.some((f) => f.id === state.zone)) {
    problems.push(`zone=${state.zone.slice(0, 40)}: no such zone`);
    delete state.zone;
  }
  showProblems(problems);
  render();
  view?.fitFront(currentLine, incidents.filter((f) => matches(f)));
  document.body.dataset.ready = "1";
  runWhatIf();
}

function showProblems(problems) {
  const box = $("link-problems");
  box.hidden = !problems.length;
  box.replaceChildren(ui.h("b", {}, "This link had parts this dashboard cannot use; the defaults are shown instead: "),
    problems.join("; "));
  box.dataset.count = String(problems.length);
}

// --- sign-in -------------------------------------------------------------------------------------

async function signInFromStorage() {
  me = null;
  if (api.token()) {
    try {
      me = await api.get(`${config.api}/me`);
    } catch (error) {
      api.setToken(null);
      ui.toast(error.status === 401 ? "That token is unknown or revoked." : `Sign-in failed: ${error.message}`);
    }
  }
  $("whoami").textContent = me ? `${me.name} (${me.role}${me.party ? `, ${me.party}` : ""})` : "public";
  $("whoami").dataset.role = me ? me.role : "public";
  $("token").hidden = Boolean(me);
  $("signin-button").hidden = Boolean(me);
  $("signout-button").hidden = !me;
}

async function changeIdentity(token) {
  api.setToken(token);
  $("details").replaceChildren(ui.h("h2", {}, "Details"), ui.h("p", { class: "hint" }, "Click an incident or a finding."));
  await signInFromStorage();
  delete document.body.dataset.ready;
  await Promise.all([loadData(), loadQueue()]);
  render();
  document.body.dataset.ready = "1";
  runWhatIf();
}

// --- loading -------------------------------------------------------------------------------------

async function loadZones() {
  if (!agreement) return;
  try {
    drafted = await api.get(`${config.api}/agreements/${encodeURIComponent(agreement.id)}/zones`);
  } catch (error) {
    drafted = { type: "FeatureCollection", features: [] };
    $("map-note").textContent = `Zones: ${error.message}`;
  }
  view?.setZones(drafted);
  ui.setZoneNames(drafted.features);
  fillSelect($("f-zone"), drafted.features.map((f) => [f.id, f.properties.name]), state.zone);
}

async function loadLine() {
  try {
    const line = await api.get("/dashboard/api/line", { date: state.line });
    view?.setLine(line);
    currentLine = line;
    $("map-note").textContent = `Contact line of ${line.properties.date} (snapshot on or before ${state.line}).`;
    $("map-note").dataset.line = line.properties.date;
  } catch (_) {
    view?.setLine(null);
    $("map-note").textContent = `No control snapshot on or before ${state.line}.`;
  }
}

async function loadData() {
  const since = agreement && agreement.effective_day < state.from ? agreement.effective_day : state.from;
  const params = { agreement: agreement?.id, since, until: state.to };
  const [markers, list] = await Promise.all([
    loadIncidents(params),
    api.get("/dashboard/api/findings", { ...params, since: state.from }),
    anomalies?.load(state.from, state.to).catch((error) => ui.toast(`Thermal anomalies: ${error.message}`)),
  ]);
  incidents = markers;
  findings = list;
}

// Markers come in pages (the server caps and streams each); follow `next` until the range is in.
async function loadIncidents(params) {
  const features = [];
  let after = null;
  do {
    const page = await api.get("/dashboard/api/incidents", { ...params, after });
    features.push(...page.features);
    after = page.next;
  } while (after);
  return features;
}

async function loadQueue() {
  const panel = $("queue");
  if (!me || !MISSION.includes(me.role)) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  const [waiting, investigating] = await Promise.all(
    ["allegation", "under_investigation"].map((s) => api.get(`${config.api}/cases`, { state: s, limit: 100 })),
  );
  const canTransition = (me.permissions.cases || []).includes("transition");
  ui.renderQueue($("queue-body"), [...waiting.items, ...investigating.items], {
    canTransition, me: me.name, onTransition: transition,
  });
}

async function transition(c, body) {
  try {
    const moved = await api.post(`${config.api}/cases/${encodeURIComponent(c.id)}/transitions`, body);
    ui.toast(`${moved.id}: ${moved.state.replace(/_/g, " ")}`);
  } catch (error) {
    ui.toast(`${c.id}: ${error.message}`);
  }
  await loadQueue();
}

// --- filters -------------------------------------------------------------------------------------

function fillSelect(select, options, chosen) {
  const first = select.options[0];
  select.replaceChildren(first, ...options.map(([value, label]) => ui.h("option", { value }, label)));
  select.value = options.some(([v]) => v === chosen) ? chosen : "";
}

function buildFilters() {
  $("f-from").value = state.from;
  $("f-to").value = state.to;
  $("f-line").value = state.line;
  $("timeline-by").value = state.by;
  const parties = [...(agreement?.parties || []).map((p) => [p.id, `${p.id} — ${p.name}`]), ["unattributed", "not attributed"]];
  fillSelect($("f-party"), parties, state.party);
  fillSelect($("f-status"), config.statuses.map((s) => [s, s]), state.status);
  const chosen = new Set(state.types || []);
  $("f-types").replaceChildren(
    ui.h("legend", {}, "Types"),
    ...config.types.map((t) => ui.h("label", {},
      ui.h("input", { type: "checkbox", value: t, checked: !chosen.size || chosen.has(t), onchange: typesChanged }),
      ui.h("span", { class: "dot", style: `background:${config.palette.types[t] || "#888"}` }), t.replace(/_/g, " "))),
  );
  for (const [id, key] of [["f-party", "party"], ["f-zone", "zone"], ["f-status", "status"]]) {
    $(id).addEventListener("change", () => { state[key] = $(id).value || undefined; render(); });
  }
  $("f-from").addEventListener("change", () => datesChanged("from"));
  $("f-to").addEventListener("change", () => datesChanged("to"));
  $("f-line").addEventListener("change", async () => { state.line = $("f-line").value || state.to; await loadLine(); writeState(state); });
  $("timeline-by").addEventListener("change", () => { state.by = $("timeline-by").value; render(); });
  $("f-reset").addEventListener("click", () => { location.hash = ""; location.reload(); });
  $("f-share").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      ui.toast("Link copied.");
    } catch (_) {
      window.prompt("Copy this link:", location.href);
    }
  });
  $("signin").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    $("token").value = "";
    if (token) changeIdentity(token);
  });
  $("signout-button").addEventListener("click", () => changeIdentity(null));
  renderParameters();
  buildDayControls();
}

function buildDayControls() {
  const first = agreement?.effective_day || state.from;
  const last = config.snapshot_days.at(-1) || state.to;
  const days = daysBetween(first, last);
  const slider = $("f-slider");
  slider.max = String(Math.max(days.length - 1, 0));
  $("f-day").min = first;
  $("f-day").max = last;
  slider.addEventListener("input", () => { $("day-note").textContent = days[Number(slider.value)]; });
  slider.addEventListener("change", () => chooseDay(days[Number(slider.value)]));
  $("f-day").addEventListener("change", () => { if ($("f-day").value) chooseDay($("f-day").value); });
  for (const button of document.querySelectorAll("#exports button")) {
    button.addEventListener("click", async () => {
      const fmt = button.dataset.export;
      try {
        const name = await api.download(`${config.api}/exports/${fmt}`, { since: state.from, until: state.to }, `truce.${fmt}`);
        ui.toast(`Saved ${name}.`);
      } catch (error) {
        ui.toast(`Export failed: ${error.message}`);
      }
    });
  }
  slider.dataset.first = first;
}

// One day: the map, counts, contact line and report link follow it.
async function chooseDay(day) {
  state.from = state.to = state.line = day;
  $("f-from").value = $("f-to").value = $("f-line").value = day;
  await Promise.all([datesChanged(null), loadLine()]);
}

function renderDay() {
  const first = $("f-slider").dataset.first;
  const day = state.from === state.to ? state.from : state.to;
  const index = daysBetween(first, day).length - 1;
  $("f-slider").value = String(Math.max(index, 0));
  $("f-day").value = state.from === state.to ? state.from : "";
  $("day-note").textContent = state.from === state.to ? `${day} (day ${index + 1} of the ceasefire)` : `${state.from} – ${state.to}`;
  const number = index + 1;
  const year = day.slice(0, 4);
  const valid = index >= 0;
  for (const [id, fmt] of [["report-link", "html"], ["report-pdf", "pdf"]]) {
    const link = $(id);
    link.hidden = !valid;
    link.href = valid ? `/reports/${number}-${year}.${fmt}?lang=en&agreement=${encodeURIComponent(agreement?.id || "")}` : "#";
    link.dataset.day = day;
  }
  $("report-link").textContent = `Daily report ${number}/${year}`;
}

function typesChanged() {
  const boxes = [...$("f-types").querySelectorAll("input[type=checkbox]")];
  const checked = boxes.filter((b) => b.checked).map((b) => b.value);
  state.types = checked.length === boxes.length ? [] : checked;
  render();
}

async function datesChanged(which) {
  const value = which ? $(`f-${which}`).value : state.from;
  if (!value) return;
  if (which) state[which] = value;
  if (state.from > state.to) {
    state[which === "from" ? "to" : "from"] = value;
    $("f-from").value = state.from;
    $("f-to").value = state.to;
  }
  delete document.body.dataset.ready;
  await loadData();
  render();
  document.body.dataset.ready = "1";
  runWhatIf();
}

function matches(feature, { dates = true } = {}) {
  const p = feature.properties;
  if (dates && (p.date < state.from || p.date > state.to)) return false;
  if (state.types?.length && !state.types.includes(p.type)) return false;
  if (state.party && p.party !== state.party) return false;
  if (state.status && p.status !== state.status) return false;
  if (state.zone && !(p.zones || []).includes(state.zone)) return false;
  return true;
}

function findingMatches(f) {
  if (state.party && (f.party || "unattributed") !== state.party) return false;
  if (state.zone && f.zone_id !== state.zone) return false;
  return true;
}

// --- drawing -------------------------------------------------------------------------------------

function render() {
  const shown = incidents.filter((f) => matches(f));
  const unplaced = shown.filter((f) => !f.geometry).length;
  view?.setIncidents(shown);
  const listed = findings.filter(findingMatches);
  view?.setFindings(listed);
  ui.listFindings($("findings"), $("findings-count"), listed, (f) => select({ kind: "finding", finding: f }));
  const count = $("count-shown");
  count.textContent = `${shown.length} of ${incidents.filter((f) => f.properties.date >= state.from && f.properties.date <= state.to).length} incidents in the date range shown`
    + (unplaced ? ` (${unplaced} without a place, not on the map)` : "");
  count.dataset.shown = String(shown.length);
  count.dataset.mapped = String(shown.length - unplaced);
  const colors = state.by === "type"
    ? (key) => config.palette.types[key] || "#888"
    : (key) => config.palette.parties[key] || "#6a3d9a";
  drawTimeline($("timeline"), {
    first: agreement?.effective_day || state.from,
    last: [state.to, config.snapshot_days.at(-1) || state.to].sort().at(-1), // later days stay clickable
    features: incidents.filter((f) => matches(f, { dates: false })),
    by: state.by,
    colors,
    range: [state.from, state.to],
    label: "Incidents per day",
    onDay: (day) => chooseDay(day),
  });
  ui.renderLegend($("legend-list"), {
    types: [...new Set(incidents.map((f) => f.properties.type))].sort(),
    colors: config.palette.types,
    zones: (view?.currentZones || drafted).features.map((f) => ({ id: f.id, name: f.properties.name })),
    zoneColors: view?.zoneColors || {},
  });
  anomalies?.legend($("legend-list"));
  renderDay();
  writeState(state);
}

async function select(item) {
  if (item.kind === "incident") {
    // the marker carries what the map needs; the details are the API's, as the caller may see them
    try {
      const detail = await api.get(`${config.api}/incidents/${encodeURIComponent(item.feature.id)}`);
      ui.showIncident($("details"), { ...item.feature, properties: { ...item.feature.properties, ...detail } });
    } catch (error) {
      ui.toast(`${item.feature.id}: ${error.message}`);
    }
  } else ui.showFinding($("details"), item.finding, (id) => {
    const feature = incidents.find((f) => f.id === id);
    if (feature && view?.reveal(id)) return;
    if (feature) select({ kind: "incident", feature });
    else ui.toast(`${id} is outside the loaded dates or not yours to see.`);
  });
}

// --- what-if -------------------------------------------------------------------------------------

function renderParameters() {
  ui.renderParameters($("whatif-params"), agreement?.parameters || {}, state.whatif, (name, value, isDraft) => {
    if (isDraft) delete state.whatif[name];
    else state.whatif[name] = value;
    renderParameters();
    writeState(state);
    runWhatIf();
  });
}

async function runWhatIf() {
  if (!agreement || !Object.keys(agreement.parameters).length) {
    $("whatif").hidden = true;
    return;
  }
  const seq = ++whatIfSeq;
  const status = $("whatif-status");
  status.dataset.state = "running";
  status.textContent = "Re-assessing on the server…";
  try {
    const result = await api.get("/dashboard/api/whatif", {
      agreement: agreement.id,
      set: Object.entries(state.whatif).map(([k, v]) => `${k}=${v}`),
      since: state.from,
      until: state.to,
    });
    if (seq !== whatIfSeq) return;
    ui.setZoneNames([...drafted.features, ...result.what_if.zones.features]);
    if (view) {
      view.setZones(result.what_if.zones);
      view.currentZones = result.what_if.zones;
    }
    ui.renderWhatIf($("whatif-zones").tBodies[0], $("whatif-findings").tBodies[0], result);
    ui.renderChanges($("whatif-changes"), result.changes, Boolean(Object.keys(result.overrides).length));
    const changed = Object.entries(result.overrides).map(([k, v]) => `${k} = ${v}`).join(", ");
    status.textContent = changed ? `What if ${changed}: highlighted where it differs from the draft.` : "As drafted.";
    status.dataset.state = "done";
    status.dataset.key = Object.entries(result.overrides).map(([k, v]) => `${k}=${v}`).join("&");
    render();
  } catch (error) {
    if (seq !== whatIfSeq) return;
    status.textContent = `What-if failed: ${error.message}`;
    status.dataset.state = "error";
  }
}

start().catch((error) => {
  document.body.dataset.error = error.message;
  ui.toast(`The dashboard could not start: ${error.message}`);
});
