// The listening gap (who was heard against who lives there): neighborhoods shaded by residents
// reached per 1,000 residents, a legend, and the under-heard list, which is also the map's text
// alternative (with the table of every neighborhood). The figures are the API's
// (/v1/listening-gap, listening/ in the dashboard): the page only draws them.

import { call } from "./api.js";
import { fmt, h } from "./dom.js";
import { projection } from "./map.js";
import { panel } from "./panels.js";

const LEVELS = 5;
const RATE = "residents reached per 1,000 residents";

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  return [];
}

const one = (n) => Number(n).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** The panel of a district (``district``: its code) or of the whole city (``district``: null). */
export function listeningPanel({ month, district = null }) {
  const p = panel("The listening gap: who was heard against who lives there", { id: "listening-gap", wide: true });
  const q = `month=${encodeURIComponent(month)}${district ? `&district=${encodeURIComponent(district)}` : ""}`;
  Promise.all([call("dashboard", `/v1/listening-gap?${q}`), call("dashboard", "/v1/city.geojson")]).then(([gapR, cityR]) => {
    p.show(gapR, (gap) => view(gap, cityR.ok ? cityR.data : null));
  });
  return p;
}

function view(gap, city) {
  const soFar = gap.period.under_way ? " so far" : "";
  const known = gap.neighborhoods.filter((n) => n.residents_reached_per_1000 !== null);
  const top = Math.max(0.1, ...known.map((n) => n.residents_reached_per_1000));
  const level = (rate) => Math.min(LEVELS - 1, Math.floor((rate / top) * LEVELS));
  const step = top / LEVELS;
  const where = gap.district ? "this district's neighborhoods" : "the city's neighborhoods";
  return [
    h("p", {}, `Residents reached (meeting attendees and contacts) per 1,000 residents, ${gap.period.label}${soFar && !gap.period.label.endsWith("so far") ? soFar : ""}.`,
      gap.residents_reached_per_1000 !== null ? ` Across ${where}: ${one(gap.residents_reached_per_1000)} per 1,000.` : ""),
    city ? drawGap(city, gap, level) : h("p", { class: "muted" }, "The map is not available; the list below has every figure."),
    h("ul", { class: "gap-legend", id: "gap-legend", "aria-label": "Map legend" },
      [...Array(LEVELS).keys()].map((i) => h("li", {}, h("span", { class: `swatch shade-${i}`, "aria-hidden": "true" }),
        `${one(i * step)}–${one((i + 1) * step)} per 1,000`)),
      h("li", {}, h("span", { class: "swatch unknown", "aria-hidden": "true" }), "population unknown")),
    h("h3", { class: "gap-heading" }, `Under-heard${soFar}: where the next micro-meetings should be`),
    gap.under_heard.length
      ? h("ol", { id: "under-heard" }, gap.under_heard.map((u) => h("li", { "data-code": u.code },
        h("strong", {}, u.name), ` — ${one(u.residents_reached_per_1000)} ${RATE}${soFar} (${fmt.int(u.residents_reached)} of ${fmt.int(u.population)})`,
        h("div", { class: "muted" }, u.suggestion))))
      : h("p", { class: "muted", id: "under-heard" }, "No neighborhood with a known population here."),
    table(gap, soFar),
    gap.residents_reached_elsewhere
      ? h("p", { class: "muted" }, `${fmt.int(gap.residents_reached_elsewhere)} residents reached${soFar} were at meetings or contacts that named no neighborhood.`)
      : null,
    sources(gap),
  ];
}

function drawGap(city, gap, level) {
  const rows = new Map(gap.neighborhoods.map((n) => [n.code, n]));
  const hoods = city.features.filter((f) => (f.properties || {}).kind === "neighborhood" && rows.has(f.properties.code));
  const districts = city.features.filter((f) => (f.properties || {}).kind === "district" && (!gap.district || f.properties.code === gap.district));
  const all = [...hoods, ...districts].flatMap((f) => rings(f.geometry).flat());
  if (!all.length) return h("p", { class: "muted" }, "No neighborhood boundaries to draw; the list below has every figure.");
  const { x, y, width, height } = projection(all);
  const path = (f) => rings(f.geometry).map((ring) => `M${ring.map((c) => `${x(c[0])},${y(c[1])}`).join("L")}Z`).join("");
  const titleId = `gap-title-${Math.random().toString(36).slice(2, 8)}`;
  return h("svg", { class: "citymap gap-map", id: "gap-map", viewBox: `-10 -10 ${width + 20} ${height + 20}`, role: "img", "aria-labelledby": titleId },
    h("title", { id: titleId }, `Map of ${RATE} by neighborhood; the under-heard list and the table below give the same figures`),
    h("g", {}, districts.map((f) => h("path", { class: "district", d: path(f) }))),
    h("g", {}, hoods.map((f) => {
      const n = rows.get(f.properties.code);
      const rate = n.residents_reached_per_1000;
      return h("path", { class: `hood ${rate === null ? "unknown" : `shade-${level(rate)}`}`, d: path(f), "data-code": n.code },
        h("title", {}, rate === null ? `${n.name}: population unknown` : `${n.name}: ${one(rate)} ${RATE} (${fmt.int(n.residents_reached)} of ${fmt.int(n.population)})`));
    })));
}

function table(gap, soFar) {
  // Scrolls sideways on a narrow phone: reachable by keyboard too (tabindex), named for screen readers.
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Residents reached per neighborhood" }, h("table", { id: "listening-table" },
    h("caption", { class: "muted", style: "text-align:left" }, `Every neighborhood, ${gap.period.label}`),
    h("thead", {}, h("tr", {}, ["Neighborhood", `Residents reached${soFar}`, "Population", `Per 1,000 residents${soFar}`]
      .map((t, i) => h("th", { scope: "col", class: i ? "num" : null }, t)))),
    h("tbody", {}, gap.neighborhoods.map((n) => h("tr", { "data-code": n.code },
      h("th", { scope: "row" }, n.name),
      h("td", { class: "num" }, fmt.int(n.residents_reached)),
      h("td", { class: "num" }, n.population === null ? "population unknown" : fmt.int(n.population)),
      h("td", { class: "num" }, n.residents_reached_per_1000 === null ? "population unknown" : one(n.residents_reached_per_1000)))))));
}

function sources(gap) {
  const named = [...new Set(gap.neighborhoods.filter((n) => n.population_source)
    .map((n) => `${n.name} (${n.population_year || "year not given"}): ${n.population_source}`))];
  if (!named.length) return null;
  return h("details", { class: "gap-sources" }, h("summary", {}, "Where the population figures come from"),
    h("ul", {}, named.map((s) => h("li", {}, s))));
}
