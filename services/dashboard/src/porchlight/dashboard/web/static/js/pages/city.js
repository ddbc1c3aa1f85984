// Leadership's city page: every district side by side, the topic that dominates each, and the
// monthly community report (HTML or PDF) for the month.

import { call, url } from "../api.js";
import { fmt, h, replace, thisMonth, toast } from "../dom.js";
import { figures, panel } from "../panels.js";
import { listeningPanel } from "../listening.js";
import { aboutCount, estimateNote } from "../estimates.js";
import { current } from "../session.js";

// What each city total adds up (#/city/<month>/sources/<kind>): the districts' figures, each
// opening that district's list of what it counts (sources.js).
const TOTALS = {
  meetings: ["Meetings hosted", (e) => fmt.int(e.meetings_hosted)],
  residents: ["Residents reached", (e) => fmt.int(e.residents_reached)],
  contacts: ["Positive contacts", (e) => fmt.int(e.contacts)],
  hours: ["Engagement hours", (e) => fmt.hours(e.engagement_hours)],
  incidents: ["Incidents", null],
};

export async function render(main, { args }) {
  const month = args[0] || thisMonth();
  if (args[1] === "sources" && args[2] in TOTALS) return breakdown(main, month, args[2]);
  const picker = h("form", { class: "row", "aria-label": "Choose month" },
    h("div", {}, h("label", { for: "city-month" }, "Month"), h("input", { id: "city-month", type: "month", value: month })),
    h("div", { style: "align-self:end" }, h("button", { type: "submit" }, "Show")));
  picker.addEventListener("submit", (e) => { e.preventDefault(); location.hash = `#/city/${picker.querySelector("#city-month").value}`; });

  const report = panel("Monthly community report", { id: "report" });
  const totals = panel("The whole city", { id: "totals", wide: true });
  const districts = panel("Districts side by side", { id: "districts", wide: true });
  const listening = listeningPanel({ month });
  replace(main, h("h1", {}, "City"), picker, h("div", { class: "grid" }, report.el, totals.el, districts.el, listening.el));

  const r = await call("dashboard", `/v1/city/page?month=${month}`);
  // A month still under way is "so far" and never compared with whole months: the API says
  // whether it is (period.under_way, months/comparison.py), the page only shows it.
  const partial = r.ok ? r.data.period.under_way : month === thisMonth();
  const soFar = partial ? " so far" : "";
  // The report opens on the last complete month: a few days' report is asked for by name.
  const reportMonth = partial ? previousMonth(month) : month;
  report.show({ ok: true, data: null }, () => [
    h("p", {}, `One page a council member reads in two minutes, for ${monthName(reportMonth)}${partial ? " (the last complete month)" : ""}.`),
    h("div", { class: "form-actions" },
      h("button", { type: "button", id: "open-report", onclick: () => openReport(reportMonth, "html") }, "Open the report"),
      h("button", { type: "button", class: "secondary", onclick: () => openReport(reportMonth, "pdf") }, "Download PDF"),
      partial ? h("button", { type: "button", class: "secondary", id: "open-report-so-far", onclick: () => openReport(month, "html") }, `${monthName(month)} so far`) : null),
  ]);
  const lastMonth = (n) => `${n} ${partial ? "in all of " : ""}last month`;
  totals.show(r, (d) => [
    partial ? h("p", { class: "muted", id: "city-period" }, `${d.period.label}: counted up to today, not compared with whole months.`) : null,
    // Each total opens its breakdown by district (below: breakdown()).
    figures([
      [`Meetings hosted${soFar}`, totalLink(month, "meetings", fmt.int(d.totals.meetings_hosted))],
      [`Residents reached${soFar}`, totalLink(month, "residents", fmt.int(d.totals.residents_reached))],
      [`Positive contacts${soFar}`, totalLink(month, "contacts", fmt.int(d.totals.contacts)), lastMonth(fmt.int(d.totals.contacts_previous_month))],
      [`Engagement hours${soFar}`, totalLink(month, "hours", fmt.hours(d.totals.engagement_hours)), lastMonth(fmt.hours(d.totals.engagement_hours_previous_month))],
      [`Incidents${soFar}`, totalLink(month, "incidents", fmt.int(d.crime_total)), lastMonth(fmt.int(d.crime_previous_month))],
    ]),
  ]);
  districts.show(r, (d) => {
    const most = Math.max(...d.districts.map((s) => s.engagement.engagement_hours), 1);
    const basis = d.districts.map((s) => s.top_concern && s.top_concern.estimate).find(Boolean);
    return h("div", {}, h("div", { class: "table-scroll" }, h("table", { id: "district-table" },
      h("caption", { class: "muted", style: "text-align:left" }, `${d.city}, ${d.period.label}: the topic residents raised most in each district, next to engagement and crime`),
      h("thead", {}, h("tr", {}, ["District", `Dominant topic${soFar}`, `Meetings${soFar}`, `Contacts${soFar}`, `Engagement hours${soFar}`, "Sentiment", `Incidents${soFar}`, partial ? "All of last month" : "vs last month", "Projects done", "Overdue"]
        .map((t, i) => h("th", { scope: "col", class: i >= 2 && i !== 4 ? "num" : null }, t)))),
      h("tbody", {}, d.districts.map((s) => h("tr", {},
        h("th", { scope: "row" }, h("a", { href: `#/district/${encodeURIComponent(s.district.code)}/${month}` }, s.district.name)),
        // The topic's name and figure as the API gives them: synthesis' name and its count of notes
        // (the district page's table and summary say the same), never a name made from the code.
        h("td", { class: "dominant-cell" }, s.top_concern ? h("span", { class: "dominant" }, `${s.top_concern.label} (${notes(s.top_concern.count)})`) : h("span", { class: "muted" }, "none yet"),
          s.top_concern && s.top_concern.estimate ? h("div", { class: "estimate" }, aboutCount(s.top_concern.estimate)) : null,
          s.top_concerns.length > 1 ? h("div", { class: "muted" }, `then ${s.top_concerns.slice(1).map((c) => c.label).join(", ")}`) : null),
        // Each figure opens the district's list of what it counts (sources.js).
        h("td", { class: "num" }, sourceLink(s.district.code, month, "meetings", fmt.int(s.engagement.meetings_hosted))),
        h("td", { class: "num" }, sourceLink(s.district.code, month, "contacts", fmt.int(s.engagement.contacts))),
        h("td", {}, h("span", { class: "bar", style: `width:${(s.engagement.engagement_hours / most) * 5}rem`, "aria-hidden": "true" }), " ",
          sourceLink(s.district.code, month, "hours", fmt.hours(s.engagement.engagement_hours))),
        h("td", { class: "num" }, fmt.sentiment(s.sentiment_average)),
        h("td", { class: "num" }, sourceLink(s.district.code, month, "incidents", fmt.int(s.crime.total))),
        // The change as the API words it ("-12%", or "2 → 7" between small counts).
        h("td", { class: "num" }, partial ? fmt.int(s.crime.previous_month) : s.crime.vs_previous_month.replace(/ vs last month$/, "")),
        h("td", { class: "num" }, fmt.int(s.projects.done_in_month)),
        h("td", { class: "num" }, fmt.int(s.projects.overdue))))))),
      basis ? estimateNote(basis, "city-estimate-note") : null);
  });
}

function sourceLink(code, month, kind, text) {
  return h("a", { href: `#/district/${encodeURIComponent(code)}/${month}/sources/${kind}`, class: "source-link" }, text);
}

function totalLink(month, kind, text) {
  return h("a", { href: `#/city/${month}/sources/${kind}`, id: `city-total-${kind}`, title: `Open ${TOTALS[kind][0].toLowerCase()} by district` }, text);
}

// A city total by district: the same response's figures, a total row equal to the city's figure.
async function breakdown(main, month, kind) {
  const [title, value] = TOTALS[kind];
  const body = h("div", { id: "city-sources" }, h("p", { class: "muted" }, "Loading…"));
  replace(main, h("h1", {}, `${title} by district`),
    h("p", {}, h("a", { href: `#/city/${month}`, id: "sources-back" }, "Back to the city page")), body);
  const r = await call("dashboard", `/v1/city/page?month=${month}`);
  if (!r.ok) { replace(body, h("p", { class: "unavailable-note" }, `Not available: ${r.problem?.detail || "error"}`)); return null; }
  const d = r.data;
  const of = value || ((e, s) => fmt.int(s.crime.total));
  const total = kind === "incidents" ? fmt.int(d.crime_total) : value(d.totals);
  const cell = (label, content, num) => h("td", { role: "cell", "data-label": label, class: num ? "num" : null }, content);
  replace(body, h("div", { class: "reflow" }, h("table", { id: "sources-table", role: "table" },
    h("caption", { class: "muted", style: "text-align:left" },
      `${title} in ${d.period.label}${d.period.under_way ? " (counted up to today)" : ""}, per district; a district's figure opens what it counts`),
    h("thead", { role: "rowgroup" }, h("tr", { role: "row" },
      h("th", { scope: "col", role: "columnheader" }, "District"), h("th", { scope: "col", role: "columnheader", class: "num" }, title))),
    h("tbody", { role: "rowgroup" }, d.districts.map((s) => h("tr", { role: "row" },
      cell("District", s.district.name),
      cell(title, sourceLink(s.district.code, month, kind, of(s.engagement, s)), true)))),
    h("tfoot", { role: "rowgroup" }, h("tr", { role: "row", class: "total-row" },
      cell("District", "The whole city"), cell(title, h("strong", { id: "sources-total-city" }, total), true))))));
  return null;
}

function notes(n) {
  return n === 1 ? "1 note" : `${fmt.int(n)} notes`;
}

function previousMonth(month) {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 2, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

function monthName(month) {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}

// The report needs the bearer token, which a plain link cannot carry: fetch it, then open it.
async function openReport(month, format) {
  const session = current();
  const response = await fetch(url("dashboard", `/v1/reports/monthly?month=${month}&format=${format}`), {
    headers: { Authorization: `Bearer ${session.token}` },
  }).catch(() => null);
  if (!response || !response.ok) {
    toast(response && response.status === 404 ? "The monthly report is not available in this build." : "The report could not be made right now.");
    return;
  }
  const link = URL.createObjectURL(await response.blob());
  const a = h("a", { href: link, target: "_blank", rel: "noopener", download: format === "pdf" ? `porchlight-report-${month}.pdf` : null });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(link), 60_000);
}
