// The selection lives in the URL's hash (#from=…&to=…&types=…&p.fez_width_km=40), so a link shares it.

const LIST_KEYS = new Set(["types"]);
const KEYS = ["agreement", "from", "to", "line", "party", "zone", "status", "types", "by", "cluster"];

export function readState() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const state = { whatif: {} };
  for (const key of KEYS) {
    const value = params.get(key);
    if (value === null || value === "") continue;
    state[key] = LIST_KEYS.has(key) ? value.split(",").filter(Boolean) : value;
  }
  for (const [key, value] of params) {
    if (key.startsWith("p.") && value !== "") state.whatif[key.slice(2)] = value;
  }
  return state;
}

export function writeState(state) {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = state[key];
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(key, value.join(","));
    } else {
      params.set(key, value);
    }
  }
  for (const [name, value] of Object.entries(state.whatif || {})) params.set(`p.${name}`, value);
  const hash = params.toString();
  if (location.hash.replace(/^#/, "") !== hash) history.replaceState(null, "", hash ? `#${hash}` : location.pathname);
}

export function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(first, last) {
  const days = [];
  for (let d = first; d <= last && days.length < 4000; d = addDays(d, 1)) days.push(d);
  return days;
}

export function isDay(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

// A shared link is checked against what this server knows; whatever is wrong is dropped (the
// default is used instead) and said, so a bad link never leaves an empty page.
export function checkState(state, { types, parties, statuses, zones, parameters }) {
  const problems = [];
  const drop = (key, why) => { problems.push(`${key}=${String(state[key]).slice(0, 40)}: ${why}`); delete state[key]; };
  for (const key of ["from", "to", "line"]) if (state[key] !== undefined && !isDay(state[key])) drop(key, "not a day (YYYY-MM-DD)");
  if (state.types) {
    const bad = state.types.filter((t) => !types.includes(t));
    if (bad.length) {
      problems.push(`types: ${bad.join(", ").slice(0, 60)} unknown`);
      state.types = state.types.filter((t) => types.includes(t));
    }
  }
  if (state.party !== undefined && !parties.includes(state.party)) drop("party", "no such party");
  if (state.status !== undefined && !statuses.includes(state.status)) drop("status", "no such claim status");
  if (state.zone !== undefined && zones && !zones.includes(state.zone)) drop("zone", "no such zone");
  if (state.by !== undefined && !["party", "type"].includes(state.by)) drop("by", "party or type");
  for (const [name, value] of Object.entries(state.whatif)) {
    const p = parameters[name];
    if (!p || !p.choices.map(String).includes(value)) {
      problems.push(`p.${name}=${value.slice(0, 20)}: not a listed choice`);
      delete state.whatif[name];
    }
  }
  if (state.from && state.to && state.from > state.to) {
    problems.push(`from=${state.from} is after to=${state.to}`);
    delete state.from;
    delete state.to;
  }
  return problems;
}
