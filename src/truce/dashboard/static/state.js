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
