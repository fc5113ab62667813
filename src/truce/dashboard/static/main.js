// The dashboard: reads its settings and its words (en, uk, ru), signs in with a token (what is
// shown follows the role), loads incidents, findings, cases, zones, the contact line and the
// occupied area, and keeps the map, timeline, lists and the URL in step with the filters. The
// what-if panel asks the server to redraw the zones and re-assess.

import { AnomalyLayer } from "./anomalies.js";
import * as api from "./api.js";
import { chosenLanguage, date, lang, loadLabels, name, remember, t, translatePage } from "./i18n.js";
import { MapView } from "./mapview.js";
import * as ui from "./panels.js";
import { checkState, daysBetween, readState, writeState } from "./state.js";
import { drawTimeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const MISSION = ["admin", "monitor", "analyst"];
const CASE_OPENERS = ["monitor", "analyst"]; // the mission's case workers open cases from findings
const state = readState();
let config = null;
let agreement = null;
let me = null;
let view = null;
let anomalies = null; // the satellite thermal-anomaly layer (anomalies.js)
let incidents = [];
let findings = [];
let cases = [];
let drafted = { type: "FeatureCollection", features: [] };
let whatIfSeq = 0;
let currentLine = null;

// --- start ---------------------------------------------------------------------------------------

async function start() {
  const linkLang = state.lang;
  await loadLabels(api.get, chosenLanguage(linkLang));
  translatePage();
  config = await api.get("/dashboard/api/config");
  agreement = config.agreements.find((a) => a.id === state.agreement) || config.agreements[0] || null;
  const problems = checkState(state, {
    types: config.types,
    parties: [...(agreement?.parties || []).map((p) => p.id), "unattributed"],
    statuses: config.statuses,
    parameters: agreement?.parameters || {},
    languages: config.languages,
  }, t);
  if (state.agreement !== agreement?.id && state.agreement) {
    problems.push(`agreement=${state.agreement.slice(0, 40)}: ${t("problem_agreement")}`);
  }
  if (agreement) {
    state.agreement = agreement.id;
    $("agreement-title").textContent = agreement.names.title[lang()] || agreement.title;
  }
  if (linkLang && state.lang) remember(state.lang);
  state.lang = lang();
  const lastDay = config.snapshot_days.at(-1) || new Date().toISOString().slice(0, 10);
  state.from ??= agreement ? agreement.effective_day : lastDay;
  state.to ??= lastDay;
  state.line ??= state.to;
  state.by ??= "party";
  ui.setNames({
    zones: zoneNamesOf(agreement?.zone_names || {}),
    parties: partyNames(),
    provisions: Object.fromEntries(Object.entries(agreement?.names.provisions || {}).map(([id, byLang]) => [id, byLang[lang()] || id])),
  });
  await signInFromStorage();
  buildFilters();
  if (typeof L === "undefined") {
    $("map").replaceChildren(ui.h("p", { class: "map-missing" }, t("leaflet_missing")));
  } else {
    view = new MapView($("map"), { ...config, cluster: state.cluster !== "0" }, select);
    view.setOblasts(await api.get("/dashboard/api/oblasts"), lang());
    anomalies = new AnomalyLayer(view);
    api.get("/dashboard/api/places").then((rows) => view.setPlaces(rows, lang())).catch(() => {});
  }
  await Promise.all([loadZones(), loadLine(), loadData(), loadCases()]);
  if (state.zone && !drafted.features.some((f) => f.id === state.zone)) {
    problems.push(`zone=${state.zone.slice(0, 40)}: ${t("problem_zone")}`);
    delete state.zone;
  }
  render();
  view?.fitFront(currentLine, incidents.filter((f) => matches(f)));
  problems.push(...(await openFromLink()));
  showProblems(problems);
  document.body.dataset.ready = "1";
  runWhatIf();
}

const zoneNamesOf = (names) => Object.fromEntries(Object.entries(names).map(([id, byLang]) => [id, byLang[lang()] || id]));
const partyNames = () => Object.fromEntries((agreement?.parties || []).map((p) => [p.id, agreement.names.parties[p.id]?.[lang()] || p.name]));

function showProblems(problems) {
  const box = $("link-problems");
  box.hidden = !problems.length;
  box.replaceChildren(ui.h("b", {}, `${t("link_problems")} `), problems.join("; "));
  box.dataset.count = String(problems.length);
}

// A link may name an incident, a finding or a case to open (#incident=ID): one that does not
// exist, or that the viewer may not see, is said, not shown as an empty panel.
async function openFromLink() {
  const asked = { incident: state.incident, finding: state.finding, case: state.case };
  const problems = [];
  const missing = (key, why) => problems.push(`${key}=${asked[key].slice(0, 40)}: ${t(why)}`);
  if (asked.incident) {
    const feature = incidents.find((f) => f.id === asked.incident);
    const opened = feature ? await select({ kind: "incident", feature }) : await openIncident(asked.incident);
    if (!opened) missing("incident", "problem_unknown_incident");
  }
  if (asked.finding) {
    const finding = findings.find((f) => f.id === asked.finding);
    if (finding) select({ kind: "finding", finding });
    else missing("finding", "problem_unknown_finding");
  }
  if (asked.case) {
    const found = cases.find((c) => c.id === asked.case);
    if (found) select({ kind: "case", item: found });
    else missing("case", "problem_unknown_case");
  }
  if (problems.length) ui.clearDetails($("details"));
  writeState(state);
  return problems;
}

// --- sign-in -------------------------------------------------------------------------------------

async function signInFromStorage() {
  me = null;
  if (api.token()) {
    try {
      me = await api.get(`${config.api}/me`);
    } catch (error) {
      api.setToken(null);
      ui.toast(error.status === 401 ? t("token_unknown") : t("signin_failed", { error: error.message }));
    }
  }
  const role = me ? t(`role_${me.role}`) : t("role_public");
  const party = me?.party ? `, ${partyNames()[me.party] || me.party}` : "";
  $("whoami").replaceChildren(...(me ? [ui.h("span", { class: "data" }, me.name), ` (${role}${party})`] : [role]));
  $("whoami").dataset.role = me ? me.role : "public";
  $("token").hidden = Boolean(me);
  $("signin-button").hidden = Boolean(me);
  $("signout-button").hidden = !me;
}

async function changeIdentity(token) {
  api.setToken(token);
  ui.clearDetails($("details"));
  await signInFromStorage();
  delete document.body.dataset.ready;
  await Promise.all([loadData(), loadCases()]);
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
    $("map-note").textContent = t("zones_failed", { error: error.message });
  }
  view?.setZones(drafted);
  fillSelect($("f-zone"), drafted.features.map((f) => [f.id, ui.zoneName(f.id)]), state.zone);
}

// The contact line and the occupied area of the chosen day (the latest snapshot on or before it).
async function loadLine() {
  const [line, held] = await Promise.all([
    api.get("/dashboard/api/line", { date: state.line }).catch(() => null),
    api.get("/dashboard/api/control", { date: state.line }).catch(() => null),
  ]);
  view?.setControl(held, held ? t("occupied_on", { party: partyNames()[held.properties.party] || held.properties.party, date: date(held.properties.date) }) : "");
  view?.setLine(line);
  currentLine = line;
  const note = $("map-note");
  if (line) {
    note.textContent = t("line_note", { date: date(line.properties.date), day: date(state.line) });
    note.dataset.line = line.properties.date;
    note.dataset.control = held ? held.properties.date : "";
  } else {
    note.textContent = t("no_snapshot", { day: date(state.line) });
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

// Every case the viewer may see (the API cuts them to the role): the public record for the
// public and guarantors, a liaison's own party's cases besides, everything for mission staff.
async function loadCases() {
  const found = [];
  let cursor = null;
  do {  // follow each page's `next` link (a cursor), up to 10,000 cases
    const page = await api.get(`${config.api}/cases`, { limit: 1000, cursor });
    found.push(...page.items);
    cursor = page.next ? new URL(page.next, location.origin).searchParams.get("cursor") : null;
  } while (cursor && found.length < 10_000);
  cases = found;
  renderCases();
  renderQueue();
}

function renderCases() {
  const mine = me?.role === "party_liaison" ? `party:${me.party}` : null;
  const title = mine ? "cases_mine" : me && MISSION.includes(me.role) ? "cases_all" : "cases_public";
  $("cases-title").textContent = t(title);
  $("cases").dataset.view = title;
  const shown = mine ? cases.filter((c) => c.alleged_by === mine) : cases;
  ui.listCases($("cases-body"), $("cases-count"), shown, (c) => select({ kind: "case", item: c }),
    mine ? { others: cases.length - shown.length } : {});
}

function renderQueue() {
  const panel = $("queue");
  if (!me || !MISSION.includes(me.role)) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  const waiting = cases.filter((c) => ["allegation", "under_investigation"].includes(c.state));
  const canTransition = (me.permissions.cases || []).includes("transition");
  ui.renderQueue($("queue-body"), waiting, { canTransition, me: me.name, onTransition: transition });
}

async function transition(c, body) {
  try {
    const moved = await api.post(`${config.api}/cases/${encodeURIComponent(c.id)}/transitions`, body);
    ui.toast(`${moved.id}: ${name("case_states", moved.state)}`);
  } catch (error) {
    ui.toast(`${c.id}: ${error.message}`);
  }
  await loadCases();
}

async function openCase(finding, title, reason) {
  try {
    const opened = await api.post(`${config.api}/cases`, {
      title,
      reason,
      incident_ids: finding.incident_ids || [],
      event_date: finding.date || undefined,
      zone: finding.zone_id || undefined,
      alleged_against: finding.party || undefined,
    });
    ui.toast(t("case_opened", { id: opened.id }));
    await loadCases();
    select({ kind: "case", item: cases.find((c) => c.id === opened.id) || opened });
  } catch (error) {
    ui.toast(t("case_failed", { error: error.message }));
  }
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
  $("lang").value = lang();
  const parties = [...(agreement?.parties || []).map((p) => [p.id, partyNames()[p.id]]), ["unattributed", t("unattributed")]];
  fillSelect($("f-party"), parties, state.party);
  fillSelect($("f-status"), config.statuses.map((s) => [s, name("claim_statuses", s)]), state.status);
  const chosen = new Set(state.types || []);
  $("f-types").replaceChildren(
    ui.h("legend", {}, t("types")),
    ...config.types.map((x) => ui.h("label", {},
      ui.h("input", { type: "checkbox", value: x, checked: !chosen.size || chosen.has(x), onchange: typesChanged }),
      ui.h("span", { class: "dot", style: `background:${config.palette.types[x] || "#888"}` }), name("types", x))),
  );
  for (const [id, key] of [["f-party", "party"], ["f-zone", "zone"], ["f-status", "status"]]) {
    $(id).addEventListener("change", () => { state[key] = $(id).value || undefined; render(); });
  }
  $("f-from").addEventListener("change", () => datesChanged("from"));
  $("f-to").addEventListener("change", () => datesChanged("to"));
  $("f-line").addEventListener("change", async () => { state.line = $("f-line").value || state.to; await loadLine(); writeState(state); });
  $("timeline-by").addEventListener("change", () => { state.by = $("timeline-by").value; render(); });
  $("lang").addEventListener("change", () => {
    remember($("lang").value);
    state.lang = $("lang").value;
    writeState(state);
    location.reload();
  });
  $("f-reset").addEventListener("click", () => { location.hash = lang() === "en" ? "" : `lang=${lang()}`; location.reload(); });
  $("f-share").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      ui.toast(t("link_copied"));
    } catch (_) {
      window.prompt(t("copy_this_link"), location.href);
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

// What the exports are asked for: the dates and every filter of the page.
function exportFilter() {
  return {
    since: state.from, until: state.to, party: state.party, status: state.status, zone: state.zone,
    agreement: state.zone ? agreement?.id : undefined, type: state.types?.length ? state.types : undefined,
  };
}

function buildDayControls() {
  const first = agreement?.effective_day || state.from;
  const last = config.snapshot_days.at(-1) || state.to;
  const days = daysBetween(first, last);
  const slider = $("f-slider");
  slider.max = String(Math.max(days.length - 1, 0));
  $("f-day").min = first;
  $("f-day").max = last;
  slider.addEventListener("input", () => { $("day-note").textContent = date(days[Number(slider.value)]); });
  slider.addEventListener("change", () => chooseDay(days[Number(slider.value)]));
  $("f-day").addEventListener("change", () => { if ($("f-day").value) chooseDay($("f-day").value); });
  for (const button of document.querySelectorAll("#exports button")) {
    button.addEventListener("click", async () => {
      const fmt = button.dataset.export;
      try {
        const saved = await api.download(`${config.api}/exports/${fmt}`, exportFilter(), `truce.${fmt}`);
        ui.toast(t("saved", { name: saved }));
      } catch (error) {
        ui.toast(t("export_failed", { error: error.message }));
      }
    });
  }
  slider.dataset.first = first;
}

// One day: the map, counts, contact line, occupied area and report link follow it.
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
  $("day-note").textContent = state.from === state.to
    ? t("day_of_ceasefire", { date: date(day), n: index + 1 })
    : `${date(state.from)} – ${date(state.to)}`;
  const number = index + 1;
  const year = day.slice(0, 4);
  const valid = index >= 0;
  for (const [id, fmt] of [["report-link", "html"], ["report-pdf", "pdf"]]) {
    const link = $(id);
    link.hidden = !valid;
    link.href = valid ? `/reports/${number}-${year}.${fmt}?lang=${lang()}&agreement=${encodeURIComponent(agreement?.id || "")}` : "#";
    link.dataset.day = day;
  }
  $("report-link").textContent = t("daily_report", { number, year });
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
  const inRange = incidents.filter((f) => f.properties.date >= state.from && f.properties.date <= state.to).length;
  count.textContent = t("count_shown", { shown: shown.length, all: inRange }) + (unplaced ? ` ${t("count_unplaced", { n: unplaced })}` : "");
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
    keyName: (key) => (state.by === "type" ? name("types", key) : key === "unattributed" ? t("unattributed") : ui.partyName(key)),
    range: [state.from, state.to],
    label: t("timeline_label"),
    onDay: (day) => chooseDay(day),
  });
  ui.renderLegend($("legend-list"), {
    types: [...new Set(incidents.map((f) => f.properties.type))].sort(),
    colors: config.palette.types,
    zones: (view?.currentZones || drafted).features.map((f) => ({ id: f.id, name: ui.zoneName(f.id) })),
    zoneColors: view?.zoneColors || {},
    occupied: view?.controlParty ? partyNames()[view.controlParty] || view.controlParty : null,
  });
  anomalies?.legend($("legend-list"));
  renderDay();
  writeState(state);
}

// The links between what cites what: an incident's findings and cases, a finding's or a case's
// incidents, each opening the other in the details panel.
const links = {
  incident: (id) => openIncident(id),
  finding: (id) => {
    const finding = findings.find((f) => f.id === id);
    if (finding) select({ kind: "finding", finding });
  },
  case: (id) => {
    const item = cases.find((c) => c.id === id);
    if (item) select({ kind: "case", item });
  },
  describe: (id) => incidents.find((f) => f.id === id),
};

async function openIncident(id) {
  const feature = incidents.find((f) => f.id === id);
  if (feature && view?.reveal(id)) return true;
  return select({ kind: "incident", feature: feature || { id, properties: {} } });
}

async function select(item) {
  const panel = $("details");
  for (const key of ["incident", "finding", "case"]) delete state[key];
  if (item.kind === "incident") {
    // the marker carries what the map needs; the details are the API's, as the caller may see them
    try {
      const detail = await api.get(`${config.api}/incidents/${encodeURIComponent(item.feature.id)}`);
      ui.showIncident(panel, { ...item.feature, properties: { ...item.feature.properties, ...detail } }, {
        findings: findings.filter((f) => (f.incident_ids || []).includes(item.feature.id)),
        cases: cases.filter((c) => (c.incident_ids || []).includes(item.feature.id)),
        links,
      });
      state.incident = item.feature.id;
    } catch (error) {
      ui.toast(error.status === 404 ? t("not_yours", { id: item.feature.id }) : `${item.feature.id}: ${error.message}`);
      writeState(state);
      return false;
    }
  } else if (item.kind === "finding") {
    ui.showFinding(panel, item.finding, {
      links,
      cases: cases.filter((c) => (c.incident_ids || []).some((id) => (item.finding.incident_ids || []).includes(id))),
      openCase: me && CASE_OPENERS.includes(me.role) ? (title, reason) => openCase(item.finding, title, reason) : null,
    });
    state.finding = item.finding.id;
  } else {
    ui.showCase(panel, item.item, { links });
    state.case = item.item.id;
  }
  writeState(state);
  return true;
}

// --- what-if -------------------------------------------------------------------------------------

function renderParameters() {
  ui.renderParameters($("whatif-params"), agreement?.parameters || {}, state.whatif, (param, value, isDraft) => {
    if (isDraft) delete state.whatif[param];
    else state.whatif[param] = value;
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
  status.textContent = t("whatif_running");
  try {
    const result = await api.get("/dashboard/api/whatif", {
      agreement: agreement.id,
      set: Object.entries(state.whatif).map(([k, v]) => `${k}=${v}`),
      since: state.from,
      until: state.to,
    });
    if (seq !== whatIfSeq) return;
    ui.addZoneNames([...result.baseline.zones.features, ...result.what_if.zones.features]
      .map((f) => [f.id, f.properties.names?.[lang()] || f.properties.name]));
    if (view) {
      view.setZones(result.what_if.zones);
      view.currentZones = result.what_if.zones;
    }
    ui.renderWhatIf($("whatif-zones").tBodies[0], $("whatif-findings").tBodies[0], result);
    ui.renderChanges($("whatif-changes"), result.changes, Boolean(Object.keys(result.overrides).length));
    const changed = Object.entries(result.overrides).map(([k, v]) => `${ui.parameterName(k)} = ${v}`).join(", ");
    status.textContent = changed ? t("whatif_changed", { changed }) : t("whatif_drafted");
    status.dataset.state = "done";
    status.dataset.key = Object.entries(result.overrides).map(([k, v]) => `${k}=${v}`).join("&");
    render();
  } catch (error) {
    if (seq !== whatIfSeq) return;
    status.textContent = t("whatif_failed", { error: error.message });
    status.dataset.state = "error";
  }
}

start().catch((error) => {
  document.body.dataset.error = error.message;
  ui.toast(`${t("start_failed")} ${error.message}`);
  showProblems([`${t("start_failed")} ${error.message}`]);
});
