// The place-risk page (layers' GET /v1/risk, RTM-style): for chosen offences, which city layers
// raise them in the blocks nearby, by how much (with the 95 % interval), the district's risk
// surface, and any block's narrative with the department records and residents' words behind it.

import { call, webConfig } from "../api.js";
import { fmt, h, replace } from "../dom.js";
import { projection } from "../map.js";
import { figures, panel } from "../panels.js";
import { ownDistrict } from "../session.js";

// Offence groups by NIBRS code (layers also takes an incident category as the department wrote it).
export const OFFENCE_GROUPS = {
  all: { name: "All incidents", codes: [] },
  vehicle: { name: "Vehicle crime", codes: ["240", "23F", "23G"] },
  burglary: { name: "Burglary", codes: ["220"] },
  robbery: { name: "Robbery", codes: ["120"] },
  assault: { name: "Assault", codes: ["13A", "13B", "13C"] },
  vandalism: { name: "Vandalism", codes: ["290"] },
  larceny: { name: "Other theft", codes: ["23A", "23B", "23C", "23D", "23E", "23H"] },
};

// Relative risk score bands of the map, with their legend.
const BANDS = [[4, "rrs-4", "4 times or more"], [2, "rrs-2", "2 to 4 times"], [1.0001, "rrs-1", "more than 1, under 2"], [0, "rrs-0", "near no risk factor"]];

export async function render(main, { session, args }) {
  const config = await webConfig();
  const own = ownDistrict(session);
  const districts = own ? config.districts.filter((d) => d.code === own) : config.districts;
  const code = own || args[0] || districts[0]?.code;
  const group = OFFENCE_GROUPS[args[1]] ? args[1] : "vehicle";
  const name = districts.find((d) => d.code === code)?.name || code;

  const picker = h("form", { class: "row", id: "risk-picker", "aria-label": "Choose district and offences" },
    h("div", {}, h("label", { for: "risk-district" }, "District"),
      h("select", { id: "risk-district" }, districts.map((d) => h("option", { value: d.code, selected: d.code === code }, `${d.code} — ${d.name}`)))),
    h("div", {}, h("label", { for: "risk-offence" }, "Offences"),
      h("select", { id: "risk-offence" }, Object.entries(OFFENCE_GROUPS).map(([key, g]) => h("option", { value: key, selected: key === group }, g.name)))),
    h("div", { style: "align-self:end" }, h("button", { type: "submit" }, "Show")));
  picker.addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `#/risk/${encodeURIComponent(picker.querySelector("#risk-district").value)}/${picker.querySelector("#risk-offence").value}`;
  });

  const overview = panel("The model", { id: "risk-model", wide: true });
  const factors = panel("Risk factors", { id: "risk-factors", wide: true });
  const surface = panel("Risk by block", { id: "risk-map" });
  const place = panel("One block", { id: "risk-place" });
  replace(main, h("h1", {}, `Place risk — ${name}`),
    h("p", { class: "muted" }, "Which department layers draw these offences to the blocks near them: Risk Terrain Modeling on the city's own records."),
    picker, h("div", { class: "grid" }, overview.el, factors.el, surface.el, place.el));

  const query = new URLSearchParams({ district: code });
  for (const c of OFFENCE_GROUPS[group].codes) query.append("offence", c);
  const r = await call("layers", `/v1/risk?${query}`);
  overview.show(r, (d) => modelView(d));
  factors.show(r, (d) => (d.model ? factorTable(d) : h("p", { class: "muted" }, "No model, so no risk factors.")));
  surface.show(r, (d) => (d.model ? riskMap(d, (cell) => showPlace(place, query, cell)) : h("p", { class: "muted" }, "No surface without a model.")));
  place.show(r, (d) => (d.model ? riskiest(d, (cell) => showPlace(place, query, cell)) : h("p", { class: "muted" }, "—")));
  return null;
}

function window_(d) {
  const day = (iso) => new Date(iso).toLocaleDateString("en-US", { dateStyle: "medium" });
  return `Incidents from ${day(d.incidents_from)} to ${day(d.until)}; department records present from ${day(d.features_from)}.`;
}

function modelView(d) {
  if (!d.model) {
    return [h("p", { id: "risk-reason" }, `Too little to model ${d.subject} in this district: ${d.reason}.`), h("p", { class: "muted" }, window_(d))];
  }
  const m = d.model;
  return [
    figures([
      ["Incidents modelled", fmt.int(m.incidents), d.subject],
      ["Blocks", fmt.int(m.cells), "H3 cells, about a block each"],
      ["Risk factors", fmt.int(d.factors.filter((f) => f.selected).length), `of ${fmt.int(d.factors.length)} ${d.factors.length === 1 ? "layer" : "layers"} tested`],
      ["Expected per block", m.baseline.toFixed(2), "near no risk factor"],
    ]),
    h("ul", { id: "risk-narrative", class: "narrative" }, d.narrative.map((s) => h("li", {}, s.text))),
    h("p", { class: "muted" }, window_(d)),
  ];
}

const num = (x, digits = 1) => (x === null || x === undefined ? "–" : x.toFixed(digits));

function factorTable(d) {
  return h("div", { class: "table-scroll" }, h("table", { id: "risk-table" },
    h("caption", { class: "muted", style: "text-align:left" }, `How many times as many ${d.subject} happen within the distance of a layer's records (95 % interval)`),
    h("thead", {}, h("tr", {}, ["Layer", "Relative risk", "95 % interval", "Within", "Blocks that close", "Records", "Risk factor"]
      .map((t, i) => h("th", { scope: "col", class: i >= 1 && i !== 6 ? "num" : null }, t)))),
    h("tbody", {}, d.factors.map((f) => h("tr", { class: f.selected ? "selected" : null },
      h("th", { scope: "row" }, f.layer_name),
      h("td", { class: "num" }, f.distance_m ? `${num(f.relative_risk)}×` : "not tested"),
      h("td", { class: "num" }, f.distance_m ? `${num(f.ci_low)} – ${num(f.ci_high)}` : "–"),
      h("td", { class: "num" }, f.distance_m ? `${fmt.int(f.distance_m)} m` : "–"),
      h("td", { class: "num" }, f.distance_m ? fmt.int(f.exposed_cells) : "–"),
      h("td", { class: "num" }, fmt.int(f.features)),
      h("td", {}, f.selected ? "yes" : "no"))))));
}

function band(rrs) {
  return BANDS.find(([low]) => rrs >= low);
}

function riskMap(d, open) {
  const cells = d.surface.features;
  const { x, y, width, height } = projection(cells.flatMap((f) => f.geometry.coordinates[0]));
  const svg = h("svg", { class: "citymap riskmap", viewBox: `-5 -5 ${width + 10} ${height + 10}`, role: "img", "aria-labelledby": "risk-map-title" },
    h("title", { id: "risk-map-title" }, `${d.subject}: relative risk score of ${cells.length} blocks; the list beside names the riskiest`),
    h("g", {}, cells.map((f) => {
      const p = f.properties;
      const hex = h("path", {
        class: `cell ${band(p.rrs)[1]}`, "data-cell": p.cell,
        d: `M${f.geometry.coordinates[0].map((c) => `${x(c[0])},${y(c[1])}`).join("L")}Z`,
      }, h("title", {}, `Risk ${num(p.rrs)}× — ${fmt.int(p.observed)} recorded, ${num(p.expected)} expected${p.factors.length ? ` — near ${p.factors.join(", ")}` : ""}`));
      hex.addEventListener("click", () => open(p.cell));
      return hex;
    })));
  const legend = h("ul", { class: "legend" }, BANDS.map(([, cls, label]) =>
    h("li", {}, h("span", { class: `swatch ${cls}`, "aria-hidden": "true" }), label)));
  return [svg, legend];
}

function riskiest(d, open) {
  const top = d.surface.features.filter((f) => f.properties.rrs > 1.0001).slice(0, 8);
  if (!top.length) return h("p", { class: "muted" }, "No block is near a risk factor: pick a block on the map to read its narrative.");
  return [
    h("p", {}, "The riskiest blocks (or pick one on the map):"),
    h("ol", { id: "riskiest" }, top.map((f) => h("li", {},
      h("button", { type: "button", class: "linklike", onclick: () => open(f.properties.cell) },
        `${num(f.properties.rrs)}× — near ${f.properties.factors.join(", ")}`)))),
  ];
}

async function showPlace(place, query, cell) {
  place.el.setAttribute("aria-busy", "true");
  const q = new URLSearchParams(query);
  q.set("cell", cell);
  const r = await call("layers", `/v1/risk?${q}`);
  place.show(r, (d) => {
    const p = d.place;
    return [
      figures([
        ["Relative risk score", `${num(p.rrs)}×`, "against a block near no risk factor"],
        ["Recorded here", fmt.int(p.observed), `${num(p.expected)} expected by the model`],
      ]),
      h("ul", { id: "place-narrative", class: "narrative" }, p.narrative.map((s) => h("li", {}, s.text,
        s.records && s.records.length
          ? h("details", { class: "evidence" }, h("summary", {}, `${fmt.int(s.records.length)} ${s.records.length === 1 ? "record" : "records"} behind this`),
            h("ul", {}, s.records.map((rec) => h("li", { class: "record-item" },
              `${rec.category} — ${rec.department} #${rec.external_id}, opened ${new Date(rec.opened_at).toLocaleDateString("en-US", { dateStyle: "medium" })}${rec.closed_at ? ", closed" : ", open"}`))))
          : null))),
      p.concerns.length
        ? h("div", { id: "place-concerns" }, h("h3", {}, "What residents said around this block"), p.concerns.map((c) => h("blockquote", {}, `“${c.quote}”`)))
        : h("p", { class: "muted" }, "No resident raised a concern placed around this block."),
    ];
  });
  place.el.scrollIntoView({ block: "nearest" });
}
