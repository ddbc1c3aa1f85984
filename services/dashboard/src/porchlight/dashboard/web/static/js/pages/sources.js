// What a district page figure counts (#/district/<code>/<month>/sources/<kind>[/<category>]), issue
// 14: "every figure opens what it counts". Each list is the dashboard's own rows behind the figure
// (/v1/districts/<code>/sources/...: the page's rule, listed instead of summed), and its total row
// is the figure. Kinds: meetings, contacts, incidents; hours and residents are sums of two figures,
// each part opening its own list.

import { call } from "../api.js";
import { fmt, h, replace } from "../dom.js";
import { venueName, when } from "./notes.js";

export const KINDS = {
  meetings: "Meetings hosted",
  contacts: "Positive contacts",
  hours: "Engagement hours",
  residents: "Residents reached",
  incidents: "Incidents",
};

export function sourcesHref(code, month, kind, extra) {
  return `#/district/${encodeURIComponent(code)}/${month}/sources/${kind}` + (extra ? `/${encodeURIComponent(extra)}` : "");
}

export async function render(main, { code, month, kind, extra, name }) {
  const back = `#/district/${encodeURIComponent(code)}/${month}`;
  if (!(kind in KINDS)) {
    replace(main, h("h1", {}, "No such list"),
      h("p", {}, h("a", { href: back, id: "sources-back" }, "Back to the district page")));
    return null;
  }
  const body = h("div", { id: "sources-body" }, h("p", { class: "muted" }, "Loading…"));
  replace(main,
    h("h1", {}, `${KINDS[kind]}: what is counted — ${name}`),
    h("p", {}, h("a", { href: back, id: "sources-back" }, "Back to the district page")),
    body);
  const base = `/v1/districts/${encodeURIComponent(code)}`;
  const draw = { meetings: meetingsView, contacts: contactsView, incidents: incidentsView, hours: sumView, residents: sumView }[kind];
  const path = kind === "hours" || kind === "residents" ? `${base}/page?month=${month}`
    : kind === "incidents" ? `${base}/sources/incidents?month=${month}${extra ? `&category=${encodeURIComponent(extra)}` : ""}`
      : `${base}/sources/${kind}?month=${month}`;
  const r = await call("dashboard", path);
  if (!r.ok) { replace(body, h("p", { class: "unavailable-note" }, `Not available: ${r.problem?.detail || "error"}`)); return null; }
  replace(body, draw(r.data, { code, month, kind, extra }));
  return null;
}

// A table that reflows at 200 % zoom or on a phone (app.css .reflow): each cell names its column.
function table(id, caption, heads, rows, total) {
  const cell = (label, value, attrs = {}) => h("td", { role: "cell", "data-label": label, ...attrs }, value);
  const line = (values, attrs = {}) => h("tr", { role: "row", ...attrs },
    values.map((v, i) => cell(heads[i][0], v, heads[i][1] ? { class: "num" } : {})));
  return h("div", { class: "reflow" }, h("div", { class: "table-scroll" }, h("table", { id, role: "table" },
    h("caption", { class: "muted", style: "text-align:left" }, caption),
    h("thead", { role: "rowgroup" }, h("tr", { role: "row" },
      heads.map(([t, num]) => h("th", { scope: "col", role: "columnheader", class: num ? "num" : null }, t)))),
    h("tbody", { role: "rowgroup" }, rows.map((values) => line(values))),
    total ? h("tfoot", { role: "rowgroup" }, h("tr", { role: "row", class: "total-row" },
      total.map((v, i) => cell(heads[i][0], v, heads[i][1] ? { class: "num" } : {})))) : null)));
}

// The period's label says "so far" for a month under way ("1-5 December 2026 so far").
const soFar = (period) => (period.under_way ? " (counted up to today)" : "");
const plural = (n, word) => `${fmt.int(n)} ${word}${n === 1 ? "" : "s"}`;
const strong = (id, text) => h("strong", { id }, text);

function meetingsView(d, { code, month }) {
  const heads = [["When"], ["Meeting"], ["Meetings", true], ["Hours", true], ["Residents", true], ["Notes", true]];
  // What, where and (for supervisors and leadership: the API decides) who hosted it, in one cell.
  const what = (r) => {
    const where = [r.neighborhood, r.host_id ? `hosted by ${r.host_id}` : null].filter(Boolean).join(", ");
    const first = r.kind === "note"
      ? h("a", { href: `#/district/${encodeURIComponent(code)}/${month}/notes//${r.note_id}` }, "Notes filed without a scheduled meeting")
      : `${venueName(r.venue_type)} (${r.duration_minutes ? `${fmt.int(r.duration_minutes)} min` : `no length given: ${fmt.hours(d.default_hours)}`})`;
    return [first, where ? h("div", { class: "muted" }, where) : null,
      r.counted ? null : h("div", { class: "muted" }, "Held in another month: only its notes' residents count here")];
  };
  const rows = d.rows.map((r) => [r.held_at ? when(r.held_at) : "–", what(r), fmt.int(r.meetings), fmt.hours(r.hours), fmt.int(r.attendees), fmt.int(r.notes)]);
  const total = ["Total", "", strong("sources-total-meetings", fmt.int(d.meetings_hosted)),
    strong("sources-total-meeting-hours", fmt.hours(d.meeting_hours)), strong("sources-total-residents", fmt.int(d.residents_at_meetings)), fmt.int(d.notes)];
  return [
    h("p", {}, `${d.period.label}: ${plural(d.meetings_hosted, "meeting")} hosted, ${fmt.hours(d.meeting_hours)}, ${plural(d.residents_at_meetings, "resident")} at them.`),
    d.rows.length
      ? table("sources-table", `Each scheduled meeting held in ${d.period.label}${soFar(d.period)}, for its own length (${fmt.hours(d.default_hours)} when none was given), and each note filed without a scheduled meeting, counted as one meeting of ${fmt.hours(d.default_hours)}; residents are the attendees its notes give.`, heads, rows, total)
      : h("p", { class: "muted", id: "sources-empty" }, "No meeting held and no notes filed in this period."),
  ];
}

function contactsView(d) {
  const heads = (first) => [[first], ["Contacts", true], ["Hours", true], ["Residents", true]];
  const rows = (groups, name) => groups.map((g) => [name(g), fmt.int(g.contacts), fmt.hours(g.hours), fmt.int(g.residents)]);
  const total = (ids) => ["Total", ids ? strong("sources-total-contacts", fmt.int(d.contacts)) : fmt.int(d.contacts),
    ids ? strong("sources-total-contact-hours", fmt.hours(d.contact_hours)) : fmt.hours(d.contact_hours),
    ids ? strong("sources-total-residents", fmt.int(d.residents)) : fmt.int(d.residents)];
  const label = (s) => fmt.label(s).replace(/^./, (c) => c.toUpperCase());
  const period = `${d.period.label}${soFar(d.period)}`;
  if (!d.by_type.length) return h("p", { class: "muted", id: "sources-empty" }, "No positive contact logged in this period.");
  return [
    h("p", {}, `${d.period.label}: ${plural(d.contacts, "positive contact")}, ${fmt.hours(d.contact_hours)}, ${plural(d.residents, "resident")} reached. Contacts carry no name and no address.`),
    table("sources-table", `Positive contacts logged in ${period}, by kind of contact`, heads("Kind of contact"), rows(d.by_type, (g) => label(g.key)), total(true)),
    h("h2", {}, "By unit"),
    table("sources-by-unit", `The same contacts by the unit that logged them`, heads("Unit"), rows(d.by_unit, (g) => g.key || "No unit given"), total(false)),
    d.by_officer ? [h("h2", {}, "By officer"),
      table("sources-by-officer", `The same contacts by officer`, heads("Officer"), rows(d.by_officer, (g) => (g.unit ? `${g.key} (${g.unit})` : g.key)), total(false))] : null,
  ];
}

// Engagement hours = meeting hours + contact hours; residents reached = at meetings + via contacts.
function sumView(d, { code, month, kind }) {
  const e = d.engagement;
  const [first, second, sum, unit] = kind === "hours"
    ? [["Meeting hours", e.meeting_hours, "meetings"], ["Contact hours", e.contact_hours, "contacts"], e.engagement_hours, fmt.hours]
    : [["Residents at meetings", e.residents_at_meetings, "meetings"], ["Residents reached by contacts", e.residents_via_contacts, "contacts"], e.residents_reached, fmt.int];
  const part = ([label, value, list]) => [h("a", { href: sourcesHref(code, month, list), class: "sources-part" }, label), unit(value)];
  return table("sources-table",
    `${KINDS[kind]} in ${d.period.label}${soFar(d.period)}: the sum of two figures, each opening its list${kind === "hours" ? " (each rounded to one decimal)" : ""}`,
    [["Part"], [kind === "hours" ? "Hours" : "Residents", true]],
    [part(first), part(second)],
    ["Total", strong(kind === "hours" ? "sources-total-hours" : "sources-total-residents", unit(sum))]);
}

function incidentsView(d, { code, month, extra }) {
  const heads = [["Category"], ["NIBRS code"], ["Incidents", true]];
  const cats = d.by_category.map((c) => [h("a", { href: sourcesHref(code, month, "incidents", c.category) }, c.category), c.nibrs_code || "–", fmt.int(c.count)]);
  const records = h("div", { id: "incident-records" });
  const detail = h("div", { id: "record-detail", "aria-live": "polite" });
  const showRecords = (page, more) => {
    const list = h("ul", { class: "record-list" }, page.records.map((rec) => h("li", {},
      h("button", { type: "button", class: "secondary open-record", onclick: () => openRecord(rec.record_id, detail) },
        `Open: ${rec.category}${rec.nibrs_code ? ` (${rec.nibrs_code})` : ""}`), " ",
      h("span", { class: "muted" }, rec.record_id))));
    const next = page.next_cursor ? h("button", { type: "button", class: "secondary", id: "more-records", onclick: async () => {
      const r = await call("dashboard", `/v1/districts/${encodeURIComponent(code)}/sources/incidents?month=${month}${extra ? `&category=${encodeURIComponent(extra)}` : ""}&cursor=${encodeURIComponent(page.next_cursor)}`);
      next.remove();
      if (r.ok) showRecords(r.data, true);
    } }, "Show the next 500") : null;
    if (more) records.append(list, next || ""); else replace(records, list, next);
  };
  showRecords(d, false);
  return [
    table("sources-table", `Incidents recorded in ${d.period.label}${soFar(d.period)}, by category; a category opens its records`, heads, cats,
      ["Total", "", strong("sources-total-incidents", fmt.int(d.total))]),
    h("h2", {}, extra ? `Records: ${extra}` : "Records"),
    extra ? h("p", {}, h("a", { href: sourcesHref(code, month, "incidents") }, "All categories")) : null,
    h("p", { id: "records-total" }, `${plural(d.records_total, "record")}${d.next_cursor ? `, the first ${fmt.int(d.records.length)} shown` : ""}. A record opens what the department recorded.`),
    records, detail,
  ];
}

// Layers' record (GET /v1/records/{id}): what the department recorded, as layers holds it now.
async function openRecord(id, into) {
  const r = await call("layers", `/v1/records/${id}`);
  if (!r.ok) { replace(into, h("p", { class: "unavailable-note" }, `Record not available: ${r.problem?.detail || "error"}`)); return; }
  const rec = r.data;
  const attrs = Object.entries(rec.attributes || {});
  replace(into, h("section", { class: "card", "aria-labelledby": "record-h" },
    h("h2", { id: "record-h", tabindex: "-1" }, `${rec.category} — ${rec.department}`),
    h("dl", { class: "source" },
      h("dt", {}, "Opened"), h("dd", {}, when(rec.opened_at)),
      rec.closed_at ? [h("dt", {}, "Closed"), h("dd", {}, when(rec.closed_at))] : null,
      h("dt", {}, "Status"), h("dd", {}, rec.status),
      h("dt", {}, "Department's id"), h("dd", {}, rec.external_id),
      rec.description ? [h("dt", {}, "Description"), h("dd", {}, rec.description)] : null,
      attrs.map(([k, v]) => [h("dt", {}, fmt.label(k)), h("dd", {}, String(v))]))));
  into.querySelector("h2").focus();
}
