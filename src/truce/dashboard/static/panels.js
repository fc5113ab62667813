// The side and bottom panels: details of what was clicked (only what the server sent for the
// viewer's role), the findings and cases lists, the cases queue with its transition buttons, the
// what-if panel and the legend. Text goes in through textContent, never as HTML; words come from
// the label files (i18n.js). What people wrote (titles, evidence, rationales, place names) is data
// and is shown as written, marked class="data".

import { date, name, num, t } from "./i18n.js";

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export { h };

const data = (text) => h("span", { class: "data" }, text);

// Zones and parties are shown by their names in the page's language, never by their ids.
let zoneNames = new Map();
let partyNames = {};
let provisionNames = {};
export function setNames({ zones, parties, provisions }) {
  zoneNames = new Map(Object.entries(zones));
  partyNames = parties;
  provisionNames = provisions;
}
export function addZoneNames(pairs) {
  for (const [id, zone] of pairs) if (!zoneNames.has(id)) zoneNames.set(id, zone);
}
export const zoneName = (id) => zoneNames.get(id) || id;
export const provisionName = (id) => provisionNames[id] || id;
export const partyName = (id) => (id ? partyNames[id] || id : t("unattributed"));
export const parameterName = (key) => t(`param_${key}`) === `param_${key}` ? key.replace(/_/g, " ") : t(`param_${key}`);

function show(value) {
  if (value === null || value === undefined || value === "") return null;
  if (Array.isArray(value)) return value.length ? value.join(", ") : null;
  if (typeof value === "boolean") return value ? t("word_yes") : t("word_no");
  if (typeof value === "object") {
    const parts = Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => `${t(`count_${k}`)} ${num(v)}`);
    return parts.length ? parts.join(", ") : null;
  }
  return String(value);
}

function link(text, onclick, attrs = {}) { // text: words or nodes
  return h("a", { href: "#", ...attrs, onclick: (e) => { e.preventDefault(); onclick(); } }, text);
}

const joinedBy = (mark, nodes) => nodes.flatMap((node, i) => (i ? [mark, node] : [node]));
const joined = (nodes) => joinedBy("; ", nodes);

// An incident in words: "Shelling · 12 January 2026 · Orikhiv, Zaporizhzhia Oblast".
function incidentLabel(id, describe) {
  const feature = describe(id);
  if (!feature?.properties?.type) return t("incident_unloaded");
  const p = feature.properties;
  return [`${name("types", p.type)} · ${date(p.date)}`, p.place && " · ", p.place && data(p.place)];
}

function incidentLinks(ids, links) {
  return joined(ids.map((id) => link(incidentLabel(id, links.describe), () => links.incident(id), { "data-incident": id })));
}

function findingLabel(f) {
  return `${name("statuses", f.status)} · ${date(f.date)} · ${provisionName(f.provision_id)}${f.party ? ` · ${partyName(f.party)}` : ""}`;
}

function caseLabel(c) {
  return [name("case_states", c.state), c.event_date && date(c.event_date)].filter(Boolean).join(" · ");
}

export function clearDetails(panel) {
  panel.replaceChildren(h("h2", {}, t("details")), h("p", { class: "hint" }, t("details_hint")));
}

const INCIDENT_FIELDS = [
  "type", "date", "time", "status", "actor", "target", "place", "weapons", "weapon_class", "counts", "killed",
  "injured", "claimed_by", "denied_by", "source", "grade", "evidence", "zones",
  // mission staff only: the server leaves these out for everyone else
  "protected", "owner_party", "submitted_by", "note", "source_record",
];
// Fields whose words are what someone wrote (shown as written, in its language).
const WRITTEN = new Set(["target", "place", "weapons", "claimed_by", "denied_by", "source", "evidence", "note", "source_record"]);

export function showIncident(panel, feature, { findings, cases, links }) {
  const p = { ...feature.properties };
  if (Array.isArray(p.zones)) p.zones = p.zones.map(zoneName);
  p.type = name("types", p.type);
  p.status = name("claim_statuses", p.status);
  p.date = date(p.date);
  p.actor = p.actor ? partyName(p.actor) : null;
  p.owner_party = p.owner_party ? partyName(p.owner_party) : null;
  if (p.weapon_class) p.weapon_class = name("weapon_classes", p.weapon_class);
  const loc = p.location || {};
  const where = [loc.name, loc.admin1].filter(Boolean).join(", ");
  p.place = where ? where + (loc.precision ? ` (${t(`precision_${loc.precision}`)}${p.approx ? `, ${t("drawn_in_oblast")}` : ""})` : "") : null;
  if (p.source_record) {
    const s = p.source_record;
    if (!p.source) p.source = s.name; // the report's registered source, when the incident names none
    p.grade = t("grade", { reliability: s.reliability, meaning: s.reliability_meaning });
    p.source_record = `${s.name} · ${s.kind}${s.protected ? ` · ${t("protected")}` : ""}`;
  }
  if (p.source === "protected source") p.source = t("protected_source");
  const list = h("dl", { id: "incident-details", "data-id": feature.id });
  for (const key of INCIDENT_FIELDS) {
    const text = show(p[key]);
    if (text === null) continue;
    list.append(h("dt", {}, t(`field_${key}`)), h("dd", { "data-field": key }, WRITTEN.has(key) ? data(text) : text));
  }
  list.append(h("dt", {}, t("cited_by_findings")), h("dd", { "data-field": "findings" },
    findings.length ? joined(findings.map((f) => link(findingLabel(f), () => links.finding(f.id), { "data-finding": f.id }))) : t("none")));
  list.append(h("dt", {}, t("cited_by_cases")), h("dd", { "data-field": "cases" },
    cases.length ? joined(cases.map((c) => link(c.title, () => links.case(c.id), { "data-case": c.id, class: "data" }))) : t("none")));
  panel.replaceChildren(h("h2", {}, t("incident")), list);
}

export function showFinding(panel, f, { links, cases, openCase }) {
  const list = h("dl", { id: "finding-details", "data-id": f.id });
  const add = (label, value, key, written = false) => {
    const text = show(value);
    if (text !== null) list.append(h("dt", {}, t(label)), h("dd", { "data-field": key }, written ? data(text) : text));
  };
  add("field_provision", provisionName(f.provision_id), "provision_id");
  add("field_finding_status", name("statuses", f.status), "status");
  add("field_severity", name("severities", f.severity), "severity");
  add("field_party", f.party ? partyName(f.party) : null, "party");
  add("field_date", date(f.date), "date");
  add("field_zone", f.zone_id ? zoneName(f.zone_id) : null, "zone_id");
  add("field_places", f.places, "places", true);
  if (f.rationale) list.append(h("dt", {}, t("field_rationale")), h("dd", { "data-field": "rationale" }, h("span", { class: "data", lang: "en" }, f.rationale)));
  if (f.incident_ids?.length) list.append(h("dt", {}, t("field_rests_on")), h("dd", { "data-field": "incident_ids" }, incidentLinks(f.incident_ids, links)));
  if (f.withheld_incidents) add("field_withheld", t("withheld_incidents", { n: f.withheld_incidents }), "withheld_incidents");
  list.append(h("dt", {}, t("cited_by_cases")), h("dd", { "data-field": "cases" },
    cases.length ? joined(cases.map((c) => link(c.title, () => links.case(c.id), { "data-case": c.id, class: "data" }))) : t("none")));
  const children = [h("h2", {}, t("finding")), list];
  if (openCase) children.push(caseForm(f, openCase));
  panel.replaceChildren(...children);
}

// Opening a case from a finding (monitors and analysts): its incidents, day, zone and party go with it.
function caseForm(f, openCase) {
  const title = h("input", { class: "case-title", value: `${provisionName(f.provision_id)} · ${date(f.date)}`, "aria-label": t("case_title") });
  const reason = h("textarea", { class: "case-reason", rows: 2, placeholder: t("case_reason"), "aria-label": t("case_reason") });
  const send = () => {
    for (const input of [title, reason]) input.setAttribute("aria-invalid", String(!input.value.trim()));
    if (title.value.trim() && reason.value.trim()) openCase(title.value.trim(), reason.value.trim());
  };
  return h("form", { id: "open-case", class: "open-case", onsubmit: (e) => { e.preventDefault(); send(); } },
    h("b", {}, t("open_case")), title, reason, h("button", { type: "submit", class: "btn-open-case" }, t("open_case_button")));
}

export function showCase(panel, c, { links }) {
  const list = h("dl", { id: "case-details", "data-id": c.id });
  const add = (label, value, key, written = false) => {
    const text = show(value);
    if (text !== null) list.append(h("dt", {}, t(label)), h("dd", { "data-field": key }, written ? data(text) : text));
  };
  add("field_case", c.id, "id");
  add("field_title", c.title, "title", true);
  add("field_state", name("case_states", c.state), "state");
  add("field_event_date", c.event_date ? date(c.event_date) : null, "event_date");
  add("field_zone", c.zone ? zoneName(c.zone) : null, "zone");
  add("field_alleged_against", c.alleged_against ? partyName(c.alleged_against) : null, "alleged_against");
  if (c.alleged_by) {
    const party = c.alleged_by.startsWith("party:") ? partyName(c.alleged_by.slice(6)) : null;
    const who = party ?? (c.alleged_by === "mission" ? t("the_mission") : null);
    add("field_alleged_by", who ?? c.alleged_by, "alleged_by", who === null); // a user's name is shown as written
  }
  add("field_facts", c.facts ? t(`facts_${c.facts}`) : null, "facts");
  add("field_facts_rationale", c.facts_rationale, "facts_rationale", true);
  add("field_attribution", c.attribution ? partyName(c.attribution) : null, "attribution");
  if (c.incident_ids?.length) list.append(h("dt", {}, t("field_rests_on")), h("dd", { "data-field": "incident_ids" }, incidentLinks(c.incident_ids, links)));
  if (c.withheld_incidents) add("field_withheld", t("withheld_incidents", { n: c.withheld_incidents }), "withheld_incidents");
  const steps = (c.history || []).map((e) => h("li", {}, `${date(e.at.slice(0, 10))} ${e.at.slice(11, 16)} · ${name("case_states", e.to_state)}`));
  panel.replaceChildren(h("h2", {}, t("case")), list, h("h3", {}, t("case_history")), h("ol", { class: "history" }, steps));
}

export function listFindings(list, countEl, findings, onPick) {
  list.replaceChildren(
    ...findings.map((f) =>
      h("li", { "data-id": f.id, "data-status": f.status, onclick: () => onPick(f) },
        h("span", { class: `badge ${f.status}` }, name("statuses", f.status)), " ",
        `${date(f.date)} · ${provisionName(f.provision_id)}${f.party ? ` · ${partyName(f.party)}` : ""}`)),
  );
  const notable = findings.filter((f) => ["violation", "possible_violation"].includes(f.status)).length;
  countEl.textContent = t("findings_count", { n: num(findings.length), notable: num(notable) });
}

export function listCases(body, countEl, cases, onPick, { others } = {}) {
  countEl.textContent = num(cases.length);
  const items = cases.map((c) => h("li", { class: "case-item", "data-id": c.id, "data-state": c.state, onclick: () => onPick(c) },
    h("span", { class: `badge ${c.state}` }, name("case_states", c.state)), " ", data(c.title),
    h("span", { class: "hint" }, ` · ${[c.event_date && date(c.event_date), c.zone && zoneName(c.zone)].filter(Boolean).join(" · ")}`)));
  const children = [items.length ? h("ol", { class: "cases-list" }, items) : h("p", { class: "hint" }, t("no_cases"))];
  if (others) children.push(h("p", { class: "hint" }, t("cases_others", { n: num(others) })));
  body.replaceChildren(...children);
}

// --- the cases queue -----------------------------------------------------------------------------

const OUTCOMES = [
  ["verified_violation", "established"], ["no_violation", "refuted"], ["no_violation", "established"],
  ["insufficient_evidence", "not_established"], ["fabricated", "staged"],
];

export function renderQueue(body, cases, { canTransition, me, onTransition }) {
  if (!cases.length) {
    body.replaceChildren(h("p", { class: "hint" }, t("queue_empty")));
    return;
  }
  body.replaceChildren(...cases.map((c) => caseRow(c, canTransition, me, onTransition)));
}

function caseRow(c, canTransition, me, onTransition) {
  const reason = h("input", { class: "reason", placeholder: t("reason_required"), "aria-label": t("reason_for", { id: c.id }) });
  const acts = h("div", { class: "acts" });
  const send = (body) => {
    if (!reason.value.trim()) {
      reason.focus();
      reason.setAttribute("aria-invalid", "true");
      return;
    }
    onTransition(c, { ...body, reason: reason.value.trim(), expected_version: c.version });
  };
  if (canTransition && c.state === "allegation") {
    acts.append(reason, h("button", { class: "btn-assign", onclick: () => send({ action: "assign", investigator: me }) }, t("assign_to_me")));
  } else if (canTransition && c.state === "under_investigation") {
    const outcome = h("select", { class: "outcome", "aria-label": t("decision_for", { id: c.id }) },
      ...OUTCOMES.map(([o, f]) => h("option", { value: `${o}|${f}` }, `${name("case_states", o)} (${t(`facts_${f}`)})`)));
    acts.append(reason, outcome, h("button", {
      class: "btn-decide",
      onclick: () => {
        const [value, facts] = outcome.value.split("|");
        send({ action: "decide", outcome: value, facts });
      },
    }, t("decide")));
  }
  return h("div", { class: "case", "data-id": c.id, "data-state": c.state },
    h("b", {}, c.id), ` · ${name("case_states", c.state)} · `, data(c.title),
    h("div", { class: "hint" }, joinedBy(" · ", [c.event_date && t("event_on", { date: date(c.event_date) }), c.zone && zoneName(c.zone),
      c.alleged_against && t("against", { party: partyName(c.alleged_against) }),
      c.assigned_to && [t("investigator"), " ", data(c.assigned_to)]].filter(Boolean))),
    acts);
}

// --- what-if -------------------------------------------------------------------------------------

export function renderParameters(container, parameters, chosen, onChoose) {
  container.replaceChildren(
    ...Object.entries(parameters).map(([key, p]) => {
      const current = chosen[key] ?? String(p.value);
      const unit = p.unit === "km" ? ` ${t("km")}` : p.unit ? ` ${p.unit}` : "";
      const buttons = p.choices.map((choice) =>
        h("button", {
          type: "button", "data-param": key, "data-value": String(choice),
          "aria-pressed": String(String(choice) === current),
          onclick: () => onChoose(key, String(choice), String(choice) === String(p.value)),
        }, `${choice}${unit}${String(choice) === String(p.value) ? ` (${t("draft")})` : ""}`));
      return h("label", {}, h("b", {}, parameterName(key)), h("div", { class: "choices" }, buttons));
    }),
  );
}

export function renderWhatIf(zonesBody, findingsBody, result) {
  const base = result.baseline;
  const next = result.what_if;
  const baseZones = new Map(base.zones.features.map((f) => [f.id, f.properties]));
  zonesBody.replaceChildren(
    ...next.zones.features.map((f) => {
      const p = f.properties;
      const old = baseZones.get(f.id);
      return h("tr", { "data-zone": f.id },
        h("td", {}, zoneName(f.id)),
        h("td", { class: old && old.area_km2 === p.area_km2 ? "" : "changed", "data-field": "area", "data-value": Math.round(p.area_km2) }, num(p.area_km2)),
        h("td", { "data-field": "inside", class: old && old.incidents_inside === p.incidents_inside ? "" : "changed" }, p.incidents_inside));
    }),
  );
  const statuses = [...new Set([...Object.keys(base.findings_by_status), ...Object.keys(next.findings_by_status)])].sort();
  findingsBody.replaceChildren(
    ...statuses.map((s) => {
      const a = base.findings_by_status[s] || 0;
      const b = next.findings_by_status[s] || 0;
      return h("tr", { "data-status": s }, h("td", {}, name("statuses", s)), h("td", {}, a), h("td", { class: a === b ? "" : "changed", "data-field": "whatif" }, b));
    }),
  );
}

const statusWords = (s) => (s ? name("statuses", s) : t("none"));

export function renderChanges(list, changes, changed) {
  if (!changed) {
    list.replaceChildren();
    return;
  }
  if (!changes.length) {
    list.replaceChildren(h("li", { class: "hint", "data-change": "none" }, t("no_finding_changes")));
    return;
  }
  list.replaceChildren(...changes.map((c) => h("li", { "data-change": c.change, "data-provision": c.provision_id, "data-date": c.date || "" },
    `${c.change === "added" ? "+" : c.change === "removed" ? "−" : "≠"} ${c.date ? date(c.date) : ""} · ${provisionName(c.provision_id)}${c.party ? ` · ${partyName(c.party)}` : ""}: `,
    c.change === "changed" ? `${statusWords(c.before)} → ${statusWords(c.after)}` : statusWords(c.after || c.before))));
}

// --- legend ------------------------------------------------------------------------------------

export function renderLegend(list, { types, colors, zones, zoneColors, occupied }) {
  const items = [
    h("li", {}, h("span", { class: "swatch", style: "background:#b2182b;height:3px;vertical-align:3px" }), t("legend_line")),
    occupied && h("li", {}, h("span", { class: "swatch occupied-swatch" }), t("legend_occupied", { party: occupied })),
    h("li", {}, h("span", { class: "finding-legend" }), t("legend_violation")),
    ...zones.map((z) => h("li", {}, h("span", { class: "swatch", style: `background:${zoneColors[z.id] || "#888"};opacity:.5` }), z.name)),
    ...types.map((x) => h("li", {}, h("span", { class: "dot", style: `background:${colors[x] || "#888"}` }), name("types", x))),
    h("li", {}, h("span", { class: "dot", style: "background:#fff;border-style:dashed" }), t("legend_claimed")),
  ];
  list.replaceChildren(...items.filter(Boolean));
}

export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove("show"), 3500);
}
