// The side and bottom panels: details of what was clicked (only what the server sent for the
// viewer's role), the findings list, the cases queue with its transition buttons, the what-if
// panel and the legend. Text goes in through textContent, never as HTML.

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export { h };

const INCIDENT_FIELDS = [
  ["id", "id"], ["type", "type"], ["date", "date"], ["time", "time"], ["status", "claim status"],
  ["actor", "alleged party"], ["target", "target"], ["place", "place"], ["weapons", "weapons"],
  ["weapon_class", "weapon class"], ["counts", "counts"], ["killed", "killed"], ["injured", "injured"],
  ["claimed_by", "claimed by"], ["denied_by", "denied by"], ["source", "source"], ["evidence", "evidence"],
  ["zones", "inside zones"], ["report_id", "report"],
  // mission staff only: the server leaves these out for everyone else
  ["protected", "protected allegation"], ["owner_party", "filed by party"], ["submitted_by", "submitted by"],
  ["note", "internal note"], ["source_record", "source record"],
];

function show(value) {
  if (value === null || value === undefined || value === "") return null;
  if (Array.isArray(value)) return value.length ? value.join(", ") : null;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "object") {
    const parts = Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => `${k} ${v}`);
    return parts.length ? parts.join(", ") : null;
  }
  return String(value);
}

// Zone ids are shown by their names ("Free economic zone pull-back belts (UA-10km)"), when known.
let zoneNames = new Map();
export function setZoneNames(features) {
  zoneNames = new Map(features.map((f) => [f.id, f.properties.name || f.id]));
}
const zoneName = (id) => zoneNames.get(id) || id;

export function showIncident(panel, feature) {
  const p = { ...feature.properties };
  if (Array.isArray(p.zones)) p.zones = p.zones.map(zoneName);
  const loc = p.location || {};
  const where = [loc.name, loc.admin1].filter(Boolean).join(", ");
  const precision = loc.precision ? ` (${loc.precision}${p.approx ? ", drawn inside the oblast" : ""})` : "";
  p.place = where ? where + precision : null;
  if (p.source_record) {
    const s = p.source_record;
    if (!p.source) p.source = s.name; // the report's registered source, when the incident names none
    p.source_record = `${s.name} · reliability ${s.reliability} (${s.reliability_meaning}) · ${s.kind}${s.protected ? " · protected" : ""}`;
  }
  const list = h("dl", { id: "incident-details", "data-id": feature.id });
  for (const [key, label] of INCIDENT_FIELDS) {
    if (!(key in p)) continue;
    const text = show(p[key]);
    if (text === null) continue;
    list.append(h("dt", {}, label), h("dd", { "data-field": key }, text));
  }
  panel.replaceChildren(h("h2", {}, "Incident"), list);
}

export function showFinding(panel, f, selectIncident) {
  const list = h("dl", { id: "finding-details", "data-id": f.id });
  const add = (label, value, key) => {
    const text = show(value);
    if (text !== null) list.append(h("dt", {}, label), h("dd", { "data-field": key || label }, text));
  };
  add("provision", f.provision_id, "provision_id");
  add("status", f.status, "status");
  add("severity", f.severity, "severity");
  add("party", f.party, "party");
  add("date", f.date, "date");
  add("zone", f.zone_id ? zoneName(f.zone_id) : null, "zone_id");
  add("places", f.places, "places");
  add("rationale", f.rationale, "rationale");
  if (f.incident_ids?.length) {
    const links = f.incident_ids.map((id) => h("a", { href: "#", onclick: (e) => { e.preventDefault(); selectIncident(id); } }, id));
    list.append(h("dt", {}, "sources"), h("dd", { "data-field": "incident_ids" }, ...links.flatMap((a, i) => (i ? [", ", a] : [a]))));
  }
  if (f.withheld_incidents) add("withheld", `${f.withheld_incidents} incident(s) you may not see`, "withheld_incidents");
  panel.replaceChildren(h("h2", {}, "Finding"), list);
}

export function listFindings(list, countEl, findings, onPick) {
  list.replaceChildren(
    ...findings.map((f) =>
      h("li", { "data-id": f.id, "data-status": f.status, onclick: () => onPick(f) },
        h("span", { class: `badge ${f.status}` }, f.status.replace(/_/g, " ")), " ",
        `${f.date || ""} · ${f.provision_id}${f.party ? ` · ${f.party}` : ""}`)),
  );
  const notable = findings.filter((f) => ["violation", "possible_violation"].includes(f.status)).length;
  countEl.textContent = `${findings.length} (${notable} violations or possible)`;
}

// --- the cases queue -----------------------------------------------------------------------------

const OUTCOMES = [
  ["verified_violation", "established"], ["no_violation", "refuted"], ["no_violation", "established"],
  ["insufficient_evidence", "not_established"], ["fabricated", "staged"],
];

export function renderQueue(body, cases, { canTransition, me, onTransition }) {
  if (!cases.length) {
    body.replaceChildren(h("p", { class: "hint" }, "No case awaits investigation or a decision."));
    return;
  }
  body.replaceChildren(...cases.map((c) => caseRow(c, canTransition, me, onTransition)));
}

function caseRow(c, canTransition, me, onTransition) {
  const reason = h("input", { class: "reason", placeholder: "reason (required)", "aria-label": `reason for ${c.id}` });
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
    acts.append(reason, h("button", { class: "btn-assign", onclick: () => send({ action: "assign", investigator: me }) }, "Assign to me"));
  } else if (canTransition && c.state === "under_investigation") {
    const outcome = h("select", { class: "outcome", "aria-label": `decision for ${c.id}` },
      ...OUTCOMES.map(([o, f]) => h("option", { value: `${o}|${f}` }, `${o.replace(/_/g, " ")} (facts ${f.replace(/_/g, " ")})`)));
    acts.append(reason, outcome, h("button", {
      class: "btn-decide",
      onclick: () => {
        const [value, facts] = outcome.value.split("|");
        send({ action: "decide", outcome: value, facts });
      },
    }, "Decide"));
  }
  return h("div", { class: "case", "data-id": c.id, "data-state": c.state },
    h("b", {}, c.id), ` · ${c.state.replace(/_/g, " ")} · `, c.title,
    h("div", { class: "hint" }, [c.event_date && `event ${c.event_date}`, c.zone && `zone ${c.zone}`,
      c.alleged_against && `against ${c.alleged_against}`, c.assigned_to && `investigator ${c.assigned_to}`]
      .filter(Boolean).join(" · ")),
    acts);
}

// --- what-if -------------------------------------------------------------------------------------

export function renderParameters(container, parameters, chosen, onChoose) {
  container.replaceChildren(
    ...Object.entries(parameters).map(([name, p]) => {
      const current = chosen[name] ?? String(p.value);
      const buttons = p.choices.map((choice) =>
        h("button", {
          type: "button", "data-param": name, "data-value": String(choice),
          "aria-pressed": String(String(choice) === current),
          onclick: () => onChoose(name, String(choice), String(choice) === String(p.value)),
        }, `${choice}${p.unit ? ` ${p.unit}` : ""}${String(choice) === String(p.value) ? " (draft)" : ""}`));
      return h("label", { title: p.description || "" }, h("b", {}, name.replace(/_/g, " ")), h("div", { class: "choices" }, buttons));
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
        h("td", {}, p.name),
        h("td", { class: old && old.area_km2 === p.area_km2 ? "" : "changed", "data-field": "area" }, Math.round(p.area_km2).toLocaleString("en")),
        h("td", { "data-field": "inside", class: old && old.incidents_inside === p.incidents_inside ? "" : "changed" }, p.incidents_inside));
    }),
  );
  const statuses = [...new Set([...Object.keys(base.findings_by_status), ...Object.keys(next.findings_by_status)])].sort();
  findingsBody.replaceChildren(
    ...statuses.map((s) => {
      const a = base.findings_by_status[s] || 0;
      const b = next.findings_by_status[s] || 0;
      return h("tr", { "data-status": s }, h("td", {}, s.replace(/_/g, " ")), h("td", {}, a), h("td", { class: a === b ? "" : "changed", "data-field": "whatif" }, b));
    }),
  );
}

const STATUS_WORDS = (s) => (s ? s.replace(/_/g, " ") : "none");

export function renderChanges(list, changes, changed) {
  if (!changed) {
    list.replaceChildren();
    return;
  }
  if (!changes.length) {
    list.replaceChildren(h("li", { class: "hint", "data-change": "none" }, "No finding in the period changes."));
    return;
  }
  list.replaceChildren(...changes.map((c) => h("li", { "data-change": c.change, "data-provision": c.provision_id },
    `${c.change === "added" ? "+" : c.change === "removed" ? "−" : "≠"} ${c.date || ""} · ${c.provision_id}${c.party ? ` · ${c.party}` : ""}: `,
    c.change === "changed" ? `${STATUS_WORDS(c.before)} → ${STATUS_WORDS(c.after)}` : STATUS_WORDS(c.after || c.before))));
}

// --- legend ------------------------------------------------------------------------------------

export function renderLegend(list, { types, colors, zones, zoneColors }) {
  const items = [
    h("li", {}, h("span", { class: "swatch", style: "background:#b2182b;height:3px;vertical-align:3px" }), "contact line"),
    h("li", {}, h("span", { class: "finding-legend", style: "display:inline-block;width:9px;height:9px;border:2px solid #b2182b;transform:rotate(45deg);margin-right:5px" }), "violation (finding)"),
    ...zones.map((z) => h("li", {}, h("span", { class: "swatch", style: `background:${zoneColors[z.id] || "#888"};opacity:.5` }), z.name)),
    ...types.map((t) => h("li", {}, h("span", { class: "dot", style: `background:${colors[t] || "#888"}` }), t.replace(/_/g, " "))),
    h("li", {}, h("span", { class: "dot", style: "background:#fff;border-style:dashed" }), "claimed, disputed or oblast only"),
  ];
  list.replaceChildren(...items);
}

export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove("show"), 3500);
}
