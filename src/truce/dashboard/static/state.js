// The selection lives in the URL's hash (#from=…&to=…&types=…&p.fez_width_km=40), so a link shares it.

const LIST_KEYS = new Set(["types"]);
const KEYS = ["lang", "agreement", "from", "to", "line", "party", "zone", "status", "types", "by", "cluster", "incident", "finding", "case"];

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
// `t` gives the words in the page's language (problem_* labels).
export function checkState(state, { types, parties, statuses, zones, parameters, languages }, t) {
  const problems = [];
  const shown = (value, n = 40) => String(value).slice(0, n);
  const drop = (key, why) => { problems.push(`${key}=${shown(state[key])}: ${t(why)}`); delete state[key]; };
  if (state.lang !== undefined && !languages.includes(state.lang)) drop("lang", "problem_lang");
  for (const key of ["from", "to", "line"]) if (state[key] !== undefined && !isDay(state[key])) drop(key, "problem_day");
  if (state.types) {
    const bad = state.types.filter((x) => !types.includes(x));
    if (bad.length) {
      problems.push(`types: ${shown(bad.join(", "), 60)} — ${t("problem_types")}`);
      state.types = state.types.filter((x) => types.includes(x));
    }
  }
  if (state.party !== undefined && !parties.includes(state.party)) drop("party", "problem_party");
  if (state.status !== undefined && !statuses.includes(state.status)) drop("status", "problem_status");
  if (state.zone !== undefined && zones && !zones.includes(state.zone)) drop("zone", "problem_zone");
  if (state.by !== undefined && !["party", "type"].includes(state.by)) drop("by", "problem_by");
  if (state.cluster !== undefined && !["0", "1"].includes(state.cluster)) drop("cluster", "problem_cluster");
  for (const key of ["incident", "finding", "case"]) {
    if (state[key] !== undefined && !/^[A-Za-z0-9_.:-]{1,200}$/.test(state[key])) drop(key, "problem_id");
  }
  for (const [name, value] of Object.entries(state.whatif)) {
    const p = parameters[name];
    if (!p || !p.choices.map(String).includes(value)) {
      problems.push(`p.${shown(name, 30)}=${shown(value, 20)}: ${t("problem_choice")}`);
      delete state.whatif[name];
    }
  }
  if (state.from && state.to && state.from > state.to) {
    problems.push(t("problem_order", { from: state.from, to: state.to }));
    delete state.from;
    delete state.to;
  }
  return problems;
}
