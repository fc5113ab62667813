// The page's words in the chosen language (en, uk, ru): the dashboard's own labels and the report's
// names of types, statuses, parties and months, as the server reads them from the label files
// (src/truce/publish/report/labels/), so the page and the daily report say the same things.

export const LANGUAGES = ["en", "uk", "ru"];
const LANG_KEY = "truce-lang";
let labels = { lang: "en", text: {}, groups: {}, months: [], months_short: [], date_format: "{day} {month} {year}" };

export async function loadLabels(get, lang) {
  labels = await get("/dashboard/api/labels", { lang });
  document.documentElement.lang = labels.lang;
  return labels;
}

export const lang = () => labels.lang;

// The language a link asks for, else the one this browser chose last, else English.
export function chosenLanguage(fromLink) {
  if (fromLink && LANGUAGES.includes(fromLink)) return fromLink;
  const remembered = localStorage.getItem(LANG_KEY);
  return LANGUAGES.includes(remembered) ? remembered : "en";
}

export function remember(code) {
  localStorage.setItem(LANG_KEY, code);
}

const fill = (text, vars) => String(text).replace(/\{(\w+)\}/g, (whole, key) => (key in vars ? String(vars[key]) : whole));

// A label of the dashboard with its {placeholders} filled in; the key itself if none is known.
export function t(key, vars = {}) {
  return fill(labels.text[key] ?? key, vars);
}

// A translated name from a group of the report's labels (types, statuses, case_states ...).
export function name(group, key) {
  if (key === null || key === undefined || key === "") return t("none");
  return labels.groups[group]?.[key] ?? String(key).replace(/_/g, " ");
}

// Numbers as the report writes them ("1,479" / "1 479").
export function num(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  const [whole, fraction] = Math.abs(Number(value)).toFixed(digits).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, labels.thousands_separator ?? ",");
  return `${Number(value) < 0 ? "−" : ""}${grouped}${fraction ? (labels.decimal_mark ?? ".") + fraction : ""}`;
}

// A number JavaScript wrote ("0.37", "1.2e-7") with the language's decimal mark.
export function decimal(text) {
  return String(text).replace(".", labels.decimal_mark ?? ".");
}

// "15 January 2026" / "15 січня 2026 р." from "2026-01-15"; anything else is given back as it is.
export function date(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || "");
  if (!m) return day || "–";
  return fill(labels.date_format, { day: Number(m[3]), month: labels.months[Number(m[2]) - 1], year: m[1] });
}

export function shortDate(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || "");
  return m ? `${Number(m[3])} ${labels.months_short[Number(m[2]) - 1]}` : day;
}

// The page's fixed words: elements marked data-t (text), data-t-title, data-t-placeholder,
// data-t-aria-label take their label.
export function translatePage(root = document) {
  for (const node of root.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const attr of ["title", "placeholder", "aria-label"]) {
    for (const node of root.querySelectorAll(`[data-t-${attr}]`)) node.setAttribute(attr, t(node.getAttribute(`data-t-${attr}`)));
  }
  document.title = t("page_title");
}
