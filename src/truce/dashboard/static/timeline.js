// Daily counts since the ceasefire began, stacked by party or by type, as inline SVG. The chosen
// date range is shaded; a click on a day draws the contact line of that day.

import { num, shortDate } from "./i18n.js";
import { daysBetween } from "./state.js";

const NS = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function niceTop(value) {
  if (value <= 4) return Math.max(value, 1);
  const raw = value / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((s) => s * power).find((s) => s >= raw);
  return Math.ceil(step) * 4;
}

export function drawTimeline(container, { first, last, features, by, colors, keyName, range, onDay, label }) {
  container.replaceChildren();
  const days = daysBetween(first, last);
  const keys = [];
  const counts = new Map(days.map((d) => [d, new Map()]));
  for (const f of features) {
    const day = f.properties.date;
    if (!counts.has(day)) continue;
    const key = by === "type" ? f.properties.type : f.properties.party;
    if (!keys.includes(key)) keys.push(key);
    const row = counts.get(day);
    row.set(key, (row.get(key) || 0) + 1);
  }
  keys.sort();
  const width = Math.max(container.clientWidth || 800, 300);
  const height = 170;
  const [left, right, top, bottom] = [30, 10, 8, 40];
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const totals = days.map((d) => [...counts.get(d).values()].reduce((a, b) => a + b, 0));
  const maxValue = niceTop(Math.max(0, ...totals));
  const ticks = Math.min(maxValue, 4);
  const step = plotW / Math.max(days.length, 1);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, "data-days": days.length });
  days.forEach((day, i) => {
    if (range && day >= range[0] && day <= range[1]) {
      svg.append(el("rect", { class: "sel", x: left + i * step, y: top, width: step, height: plotH }));
    }
  });
  for (let k = 0; k <= ticks; k++) {
    const y = top + plotH - (plotH * k) / ticks;
    svg.append(el("line", { x1: left, x2: left + plotW, y1: y, y2: y, stroke: "#e4e0d6" }));
    svg.append(el("text", { x: left - 4, y: y + 3, "text-anchor": "end" }, num(Math.round((maxValue * k) / ticks))));
  }
  days.forEach((day, i) => {
    let base = top + plotH;
    for (const key of keys) {
      const n = counts.get(day).get(key) || 0;
      if (!n) continue;
      const h = (n / maxValue) * plotH;
      base -= h;
      const bar = el("rect", {
        class: "bar", x: left + i * step + step * 0.14, y: base, width: Math.max(step * 0.72, 1), height: h,
        fill: colors(key), "data-day": day, "data-key": key, "data-count": n,
      });
      bar.append(el("title", {}, `${shortDate(day)}: ${keyName(key)} ${num(n)}`));
      bar.addEventListener("click", () => onDay(day));
      svg.append(bar);
    }
  });
  const every = Math.max(1, Math.ceil(days.length / 12));
  days.forEach((day, i) => {
    if (i % every === 0 || i === days.length - 1) {
      svg.append(el("text", { x: left + (i + 0.5) * step, y: top + plotH + 13, "text-anchor": "middle" }, shortDate(day)));
    }
  });
  let x = left;
  for (const key of keys) {
    svg.append(el("rect", { x, y: height - 14, width: 10, height: 10, fill: colors(key) }));
    const words = keyName(key);
    svg.append(el("text", { x: x + 13, y: height - 5 }, words));
    x += 26 + words.length * 6;
  }
  container.append(svg);
}
