// Building DOM without innerHTML: every text from an API lands as a text node (no injection).

export function h(tag, attrs = {}, ...children) {
  const el = tag === "svg" || SVG_TAGS.has(tag)
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

const SVG_TAGS = new Set(["path", "circle", "g", "title", "rect", "text", "line", "polyline"]);

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.textContent = ""; }, 5000);
}

export const fmt = {
  int: (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US")),
  hours: (n) => (n === null || n === undefined ? "–" : `${Number(n).toLocaleString("en-US", { maximumFractionDigits: 1 })} h`),
  pct: (n) => (n === null || n === undefined ? "–" : `${Math.round(n * 100)} %`),
  change: (n) => (n === null || n === undefined ? "no base" : `${n > 0 ? "+" : ""}${Math.round(n * 100)} %`),
  sentiment: (n) => (n === null || n === undefined ? "–" : `${Number(n).toFixed(1)} / 5`),
  label: (s) => String(s).replaceAll("_", " "),
  date: (iso) => new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" }),
};

export function thisMonth() {
  return new Date().toISOString().slice(0, 7);
}

/** Go to a page, re-rendering it when the address is already that page. */
export function navigate(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}
