// Same-block connections (layers' API): a department record, incidents above the place's own
// baseline and residents' concerns nearby. Each opens to its evidence; a supervisor turns one
// into a micro-project of the district's current priority in one step.

import { call } from "./api.js";
import { fmt, h, toast } from "./dom.js";

const REMEDY = { physical: "Physical change", positive_activity: "Positive activity", ownership: "Ownership of the space", policy: "Policy or zoning", enforcement: "Enforcement" };

export function connectionsList(items, { code, isSupervisor }) {
  if (!items.length) return h("p", { class: "muted" }, "No open connections in this district.");
  return h("ul", { id: "connections", class: "connections" }, items.map((c) => connectionItem(c, code, isSupervisor)));
}

function connectionItem(c, code, isSupervisor) {
  const ev = c.evidence;
  const t = ev.test;
  const details = h("details", { class: "evidence" },
    h("summary", {}, "Evidence"),
    h("dl", { class: "figures" },
      h("div", {}, h("dt", {}, "Department record"), h("dd", {}, `${ev.record.category} — ${ev.record.department} #${ev.record.external_id}`)),
      h("div", {}, h("dt", {}, `Incidents within ${fmt.int(ev.radius_m)} m, last ${t.window_days} days`), h("dd", {}, fmt.int(t.incidents),
        h("span", { class: "delta" }, `${t.expected.toFixed(1)} expected from the place's own ${t.baseline_days} days (${t.test}, p = ${t.p_value < 0.0001 ? "< 0.0001" : t.p_value.toFixed(4)})`))),
      h("div", {}, h("dt", {}, "Residents' notes nearby"), h("dd", {}, fmt.int(ev.note_ids.length)))),
    ev.quotes.length ? h("div", {}, ev.quotes.map((q) => h("blockquote", {}, `“${q}”`))) : null,
    h("p", { class: "muted" }, `Incident records: ${ev.incident_ids.length}. Notes: ${ev.note_ids.join(", ") || "none"}.`));
  const convert = h("button", { type: "button", "aria-label": `Make it a micro-project: ${ev.title}` }, "Make it a micro-project");
  convert.addEventListener("click", async () => {
    convert.disabled = true;
    const done = await toProject(c, code);
    convert.disabled = false;
    if (done) convert.replaceWith(h("p", { class: "ok" }, `On the board: ${done}`));
  });
  return h("li", { class: "connection", "data-id": c.correlation_id },
    h("strong", {}, ev.title), h("p", {}, ev.explanation),
    h("p", { class: "muted" }, `Suggested remedy: ${REMEDY[ev.remedy_kind] || ev.remedy_kind}${ev.department ? `, owned by ${ev.department}` : ""}.`),
    details, isSupervisor ? convert : null);
}

async function toProject(c, code) {
  const ev = c.evidence;
  const pr = await call("projects", `/v1/priorities?district=${encodeURIComponent(code)}&limit=1`);
  if (!pr.ok || !pr.data.length) {
    toast("Set a priority for this district first: a micro-project belongs to one.");
    return null;
  }
  const today = new Date();
  const due = new Date(today.getTime() + 14 * 86400000);
  const day = (d) => d.toISOString().slice(0, 10);
  const title = `${ev.title}: ${ev.record.category} #${ev.record.external_id}`.slice(0, 200);
  const r = await call("projects", "/v1/projects", {
    method: "POST",
    body: {
      priority_id: pr.data[0].id,
      title,
      description: ev.explanation.slice(0, 2000),
      point: { lat: c.lat, lon: c.lon },
      district: code,
      department: ev.department || ev.record.department,
      remedy_kind: ev.remedy_kind || "physical",
      starts_on: day(today),
      due_on: day(due),
    },
  });
  if (!r.ok) { toast(`Not created: ${r.problem.detail}`); return null; }
  toast(`Micro-project created: ${r.data.title}`);
  return r.data.title;
}
