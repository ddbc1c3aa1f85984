// The supervisor's district page: what residents raise (ranked, with trend and their own words),
// sentiment, emerging topics, engagement, a map of the concerns, and the project board (whose
// wins to review, live, are board.js's).

import { call, fieldErrors, webConfig } from "../api.js";
import { fmt, h, replace, thisMonth, toast } from "../dom.js";
import { mountBoard } from "../board.js";
import { connectionsList } from "../connections.js";
import { drawMap } from "../map.js";
import { listeningPanel } from "../listening.js";
import { aboutCount, estimateNote } from "../estimates.js";
import { figures, monthRange, panel } from "../panels.js";
import { ownDistrict } from "../session.js";


export async function render(main, { session, args }) {
  const config = await webConfig();
  // A supervisor of one district (a district claim) sees theirs only: the switcher offers no other.
  const own = ownDistrict(session);
  const districts = own ? config.districts.filter((d) => d.code === own) : config.districts;
  const code = args[0] || session.district || districts[0]?.code;
  const month = args[1] || thisMonth();
  if (own && code !== own) {
    replace(main, h("h1", {}, "Not your district"),
      h("p", {}, `You see the page of district ${own} only.`),
      h("p", {}, h("a", { href: `#/district/${encodeURIComponent(own)}/${month}` }, `Go to district ${own}`)));
    return null;
  }
  const isSupervisor = session.roles.some((r) => r === "supervisor" || r === "admin");
  const name = districts.find((d) => d.code === code)?.name || code;
  // The notes behind a figure: #/district/<code>/<month>/notes[/<topic>[/<note>]] (notes.js).
  if (args[2] === "notes") {
    const notes = await import("./notes.js");
    return notes.render(main, { session, code, month, topic: args[3] || null, noteId: args[4] || null, name });
  }
  // What a figure counts: #/district/<code>/<month>/sources/<kind>[/<category>] (sources.js).
  if (args[2] === "sources") {
    const sources = await import("./sources.js");
    return sources.render(main, { session, code, month, kind: args[3], extra: args[4] || null, name });
  }
  const sourcesHref = (kind, extra) => `#/district/${encodeURIComponent(code)}/${month}/sources/${kind}`
    + (extra ? `/${encodeURIComponent(extra)}` : "");
  const figureLink = (kind, id, text, what) => h("a", { href: sourcesHref(kind), id, title: `Open ${what}` }, text);
  const notesHref = (topic, noteId) => `#/district/${encodeURIComponent(code)}/${month}/notes`
    + (topic ? `/${encodeURIComponent(topic)}` : "") + (noteId ? `/${noteId}` : "");

  const picker = h("form", { class: "row", id: "district-picker", "aria-label": "Choose district and month" },
    h("div", {}, h("label", { for: "pick-district" }, "District"),
      h("select", { id: "pick-district" }, districts.map((d) => h("option", { value: d.code, selected: d.code === code }, `${d.code} — ${d.name}`)))),
    h("div", {}, h("label", { for: "pick-month" }, "Month"), h("input", { id: "pick-month", type: "month", value: month })),
    h("div", { style: "align-self:end" }, h("button", { type: "submit" }, "Show")));
  picker.addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `#/district/${encodeURIComponent(picker.querySelector("#pick-district").value)}/${picker.querySelector("#pick-month").value}`;
  });

  const engagement = panel("Engagement", { id: "engagement", wide: true });
  const topics = panel("What residents raise", { id: "topics", wide: true });
  const sentiment = panel("Sentiment", { id: "sentiment" });
  const summary = panel("In plain words", { id: "summary" });
  const emerging = panel("Emerging topics", { id: "emerging" });
  const map = panel("Map of concerns", { id: "map" });
  const boardPanel = panel("Micro-project board", { id: "board", wide: true });
  const crime = panel("Crime this month", { id: "crime" });
  const connections = panel("Connections on the same block", { id: "connections-panel", wide: true });
  const flaggedPanel = panel("Issues departments flagged", { id: "flagged-panel" });
  const listening = listeningPanel({ month, district: code });

  // The city names its districts in full ("District D4 (South End)"): the heading is that name.
  replace(main, h("h1", {}, name), picker,
    h("p", {}, h("a", { href: `#/risk/${encodeURIComponent(code)}` }, "Place risk: which city layers draw crime to the blocks near them")),
    // What residents read, without signing in: the district's public page, its flyer, and the
    // priorities with what residents said behind them.
    h("p", { id: "public-links" }, "What residents see: ",
      h("a", { href: `/public/en/districts/${encodeURIComponent(code)}`, target: "_blank", rel: "noopener" }, "the public page"), " (",
      h("a", { href: `/public/es/districts/${encodeURIComponent(code)}`, target: "_blank", rel: "noopener", hreflang: "es" }, "en español"), "), ",
      h("a", { href: `/public/en/districts/${encodeURIComponent(code)}/flyer.pdf` }, "its flyer (PDF)"), " · ",
      h("a", { href: "#/priorities" }, "Priorities and what residents said")),
    h("div", { class: "grid" }, engagement.el, topics.el, summary.el, sentiment.el, emerging.el, map.el, crime.el, connections.el, flaggedPanel.el, listening.el, boardPanel.el));

  const { from, to } = monthRange(month);
  const q = `district=${encodeURIComponent(code)}`;
  const page = call("dashboard", `/v1/districts/${encodeURIComponent(code)}/page?month=${month}`);
  // A month under way is summarised up to today, so synthesis sets it against as many days
  // before it, never against a whole month.
  const today = new Date().toISOString().slice(0, 10);
  const underWay = month === thisMonth() && today < to;
  const insightUrl = `/v1/insights?${q}&from=${from}&to=${underWay ? today : to}`;

  page.then((r) => {
    // A month still under way is "so far" (the API says so: period.under_way) and is compared
    // only with the same days of last month, or not at all: "-91 % vs last month" on the 4th
    // says nothing true. Figures kept per month stand next to the whole of the month before.
    const partial = r.ok && r.data.period.under_way;
    const soFar = partial ? " so far" : "";
    const lastMonth = (n) => `${n} ${partial ? "in all of " : ""}last month`;
    engagement.show(r, (d) => {
      const e = d.engagement;
      return [
        partial ? h("p", { class: "muted", id: "district-period" }, `${d.period.label}: counted up to today.`) : null,
        figures([
          // Every figure opens what it counts (sources.js); "Notes filed" opens the notes (notes.js).
          [`Meetings hosted${soFar}`, figureLink("meetings", "meetings-hosted-link", fmt.int(e.meetings_hosted), "the meetings counted"), `${fmt.int(e.meetings_upcoming)} upcoming`, "fig-meetings"],
          [`Notes filed${soFar}`, h("a", { href: notesHref(), id: "notes-filed-link", title: "Open the notes filed" }, fmt.int(e.notes)), null, "fig-notes"],
          [`Residents reached${soFar}`, figureLink("residents", "residents-reached-link", fmt.int(e.residents_reached), "the residents counted"),
            h("a", { href: sourcesHref("meetings"), id: "residents-at-meetings-link" }, `${fmt.int(e.residents_at_meetings)} at meetings`), "fig-residents"],
          [`Positive contacts${soFar}`, figureLink("contacts", "contacts-link", fmt.int(e.contacts), "the contacts counted"), lastMonth(fmt.int(e.contacts_previous_month)), "fig-contacts"],
          [`Engagement hours${soFar}`, figureLink("hours", "engagement-hours-link", fmt.hours(e.engagement_hours), "the hours counted"), lastMonth(fmt.hours(e.engagement_hours_previous_month)), "fig-hours"],
        ]),
      ];
    });
    sentiment.show(r, (d) => sentimentView(d.sentiment, d.period.under_way));
    crime.show(r, (d) => [
      figures(partial ? [
        ["Incidents so far", figureLink("incidents", "incidents-link", fmt.int(d.crime.total), "the incidents counted"), d.crime.vs_previous_month, "fig-incidents"],
        ["A year ago", fmt.int(d.crime.last_year), "the whole month"],
      ] : [
        ["Incidents", figureLink("incidents", "incidents-link", fmt.int(d.crime.total), "the incidents counted"), d.crime.vs_previous_month, "fig-incidents"],
        ["A year ago", fmt.int(d.crime.last_year), d.crime.vs_last_year],
      ]),
      // A category of this month opens its records; one counted only in earlier months has none here.
      d.crime.by_category.length ? h("ul", { id: "crime-categories" }, d.crime.by_category.slice(0, 5).map((c) => h("li", {},
        c.count ? h("a", { href: sourcesHref("incidents", c.category), class: "crime-category-link" }, c.category) : c.category,
        `: ${fmt.int(c.count)}`))) : null,
    ]);
  });

  // Synthesis analyses a note a moment after it is filed; while some are waiting it says so, and
  // the summary is fetched again until they are counted (for two minutes, then the user reloads).
  let refresh = null;
  let left = false;
  const showInsight = (r, tries) => {
    summary.show(r, (d) => [
      underWay ? h("p", { class: "muted", id: "summary-period" }, `This month so far (${d.period.days} days), against ${d.against || "the days before"}.`) : null,
      d.summary.length ? d.summary.map((s) => h("p", {}, s.text)) : h("p", { class: "muted" }, "Nothing to summarise yet."),
      // Figures for every reader; residents' words only for those who work in the district (docs/privacy.md).
      d.words_withheld ? h("p", { class: "muted", id: "words-withheld" }, "Residents' own words are shown to those who work in this district.") : null,
      // Synthesis' representative quotes: residents' own words (redacted), per leading topic,
      // each with where it comes from and a link to its note.
      d.topics.slice(0, 3).filter((t) => t.quotes.length).map((t) => h("div", {},
        h("h3", { style: "font-size:1rem;margin:.5rem 0 .25rem" }, `${t.label}: ${fmt.int(t.notes)} note${t.notes === 1 ? "" : "s"}`),
        t.quotes.slice(0, 2).map((q) => quoteView(q, notesHref(t.topic, q.note_id))))),
    ]);
    // The table and the summary are one response's figures: one name, one number for each topic.
    topics.show(r, (d) => (d.topics.length ? topicTable(d, notesHref, underWay) : h("p", { class: "muted" }, "No concerns with a topic this month yet.")));
    emerging.show(r, (d) => (d.emerging.length ? h("ul", {}, d.emerging.map((c) => emergingItem(c, isSupervisor, insightUrl, () => call("synthesis", insightUrl).then((next) => showInsight(next, 40))))) : h("p", { class: "muted" }, "No emerging topics: every concern fits a topic.")));
    if (!left && r.ok && r.data.pending > 0 && tries > 0) {
      refresh = setTimeout(() => call("synthesis", insightUrl).then((next) => showInsight(next, tries - 1)), 3000);
    }
  };
  call("synthesis", insightUrl).then((r) => showInsight(r, 40));

  // Layers' same-block connections, with their evidence (see connections.js).
  const links = call("layers", `/v1/connections?${q}&status=open`);
  links.then((r) => connections.show(r, (items) => connectionsList(items, { code, isSupervisor })));

  // Issues any department flagged here (issue.flagged, the dashboard's read model).
  const flags = call("dashboard", `/v1/districts/${encodeURIComponent(code)}/flagged.geojson`);
  flags.then((r) => flaggedPanel.show(r, (d) => (d.features.length
    ? h("ul", { id: "flagged-issues" }, d.features.map((f) => h("li", {},
      h("strong", {}, f.properties.category), ` — ${f.properties.department}, ${f.properties.flagged_at.slice(0, 10)}`,
      f.properties.place ? h("div", { class: "muted" }, f.properties.place) : null,
      f.properties.description ? h("p", {}, f.properties.description) : null)))
    : h("p", { class: "muted" }, "No issue flagged in this district."))));
  // Other departments' open records (layers), newest first: outages, graffiti, vehicles, permits.
  const records = call("layers", `/v1/records.geojson?${q}&status=open&limit=2000`);
  Promise.all([call("dashboard", "/v1/city.geojson"), call("dashboard", `/v1/districts/${encodeURIComponent(code)}/concerns.geojson?month=${month}`), links, records, flags])
    .then(([cityR, pointsR, linksR, recordsR, flagsR]) => {
      map.show(cityR, (city) => {
        const points = pointsR.ok ? pointsR.data.features : [];
        const marks = linksR.ok ? linksR.data.map((c) => ({ lat: c.lat, lon: c.lon, title: c.evidence.title })) : [];
        const flagMarks = flagsR.ok ? flagsR.data.features.filter((f) => f.geometry)
          .map((f) => ({ lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0], title: `Flagged: ${f.properties.category}`, kind: "flag" })) : [];
        const open = recordsR.ok ? recordsR.data.features.filter((f) => f.properties.layer !== "incident") : [];
        return [
          drawMap({ city, current: code, points, marks: [...marks, ...flagMarks], records: open, title: `${name}: ${points.length} located concerns this month, ${open.length} open department records, ${marks.length} connections, ${flagMarks.length} flagged issues` }),
          h("p", { class: "muted", id: "map-legend" },
            pointsR.ok ? `${points.length} located concern${points.length === 1 ? "" : "s"} this month (red dots)` : "Concern locations not available",
            recordsR.ok ? `; ${open.length} open department record${open.length === 1 ? "" : "s"} (grey triangles)` : "",
            linksR.ok ? `; ${marks.length} open connection${marks.length === 1 ? "" : "s"} (orange squares)` : "",
            flagsR.ok ? `; ${flagMarks.length} flagged issue${flagMarks.length === 1 ? "" : "s"} (blue squares).` : "."),
        ];
      });
    });

  const status = h("p", { class: "muted", role: "status", id: "board-status" });
  const boardHolder = h("div", { id: "board-columns" });
  const board = mountBoard(boardHolder, status, q);
  board.ready.then((r) => boardPanel.show(r, () => [status, boardHolder]));

  return () => { left = true; board.stop(); clearTimeout(refresh); };
}

// Each topic against what synthesis compares it with (the same days of last month for a month
// under way, else last month): the same figures the summary's sentences are written from. A row
// opens the notes behind it; a quote opens its note.
function topicTable(d, notesHref, underWay) {
  const max = Math.max(...d.topics.map((t) => t.notes), 1);
  const basis = d.topics.map((t) => t.estimate).find(Boolean);
  const heads = ["#", "Topic", underWay ? "Notes so far" : "Notes", underWay ? "Same days last month" : "Last month", "Change", "Adjusted for model errors", "In their words"];
  return [h("table", { id: "topic-table" },
    h("caption", { class: "muted", style: "text-align:left" }, `Notes that raised each topic${underWay ? " so far" : ""}, against ${d.against}; a topic opens its notes`),
    h("thead", {}, h("tr", {}, heads.map((t, i) =>
      h("th", { scope: "col", class: i === 2 || i === 3 ? "num" : null }, t)))),
    h("tbody", {}, d.topics.map((t) => h("tr", { class: "topic-row", dataset: { topic: t.topic } },
      h("td", {}, String(t.rank)),
      h("td", {}, h("a", { href: notesHref(t.topic), class: "topic-link" }, t.label), h("br"),
        h("span", { class: "bar", style: `width:${Math.round((t.notes / max) * 8)}rem`, "aria-hidden": "true" })),
      h("td", { class: "num" }, fmt.int(t.notes)),
      h("td", { class: "num" }, fmt.int(t.previous_notes)),
      h("td", { class: t.change > 0 ? "trend-up" : t.change < 0 ? "trend-down" : null }, changeWords(t)),
      h("td", { class: "estimate" }, t.estimate ? aboutCount(t.estimate) : h("span", { class: "muted" }, "–")),
      h("td", {}, t.quotes.length ? quoteView(t.quotes[0], notesHref(t.topic, t.quotes[0].note_id)) : h("span", { class: "muted" }, "–")))))),
  basis ? estimateNote(basis) : null];
}

// Changes between small counts in counts ("2 → 7"), as the dashboard's months/comparison.py says.
function changeWords(t) {
  if (t.change === 0) return "no change";
  if (t.previous_notes === 0) return "✦ new";
  const arrow = t.change > 0 ? "▲" : "▼";
  if (Math.min(t.notes, t.previous_notes) < 10) return `${arrow} ${t.previous_notes} → ${t.notes}`;
  return `${arrow} ${t.change_pct > 0 ? "+" : ""}${t.change_pct}%`;
}

// A resident's words and where they come from: the note's date and place; the link opens the note
// (meeting, and host for supervisors, are on the notes page).
function quoteView(q, href) {
  const when = q.occurred_at ? new Date(q.occurred_at).toLocaleDateString("en-US", { dateStyle: "medium", timeZone: "UTC" }) : null;
  const where = [q.neighborhood, q.district].filter(Boolean).join(", ");
  return h("figure", { class: "quote" },
    h("blockquote", {}, `“${q.text}”`),
    h("figcaption", { class: "muted" }, h("a", { href, class: "quote-source" }, ["Note", when ? ` of ${when}` : "", where ? `, ${where}` : ""].join(""))));
}

// "12 of 20 notes analysed": what the model's share is of (a month's notes not analysed yet are in no share).
function analysedOf(m) {
  if (!m) return null;
  const analysed = m.positive + m.neutral + m.negative;
  return analysed ? `${m.positive} of ${analysed} analysed ${analysed === 1 ? "note" : "notes"}` : null;
}

function sentimentView(s, partial) {
  const months = s.trend || [];
  const bars = months.map((m, i) => {
    const height = m.average ? (m.average / 5) * 60 : 0;
    return h("g", {}, h("rect", { x: i * 40 + 5, y: 70 - height, width: 30, height, fill: "#123c69" },
      h("title", {}, `${m.month}: ${fmt.sentiment(m.average)} (${m.notes} notes)`)),
    h("text", { x: i * 40 + 20, y: 85, "text-anchor": "middle", "font-size": 10, fill: "#1b1f24" }, m.month.slice(5)));
  });
  return [
    figures([
      // A month under way: its notes so far, beside all of last month's (an average, not a count).
      [`Hosts' rating${partial ? " so far" : ""}`, fmt.sentiment(s.average),
        `${fmt.sentiment(s.previous_average)} ${partial ? "in all of " : ""}last month`, "fig-sentiment"],
      // The model's reading (sentiment.scored), beside the hosts' own rating.
      [`Positive notes, as the model read them${partial ? " so far" : ""}`, fmt.pct(s.positive_share),
        analysedOf(months[months.length - 1]), "fig-model-sentiment"],
    ]),
    // One measure, its unit written on the chart (the bars are hosts' average rating, 1 to 5).
    months.length ? h("svg", { viewBox: `0 0 ${months.length * 40 + 10} 90`, role: "img", "aria-label": `Average rating over the last ${months.length} months`, style: "max-width:22rem", class: "chart" },
      h("text", { x: 2, y: 8, "font-size": 9, fill: "#444", class: "axis-unit" }, "average rating, 1-5"), bars) : null,
  ];
}

// A new topic's name, as people will read it: synthesis' rule (emerging/schemas.py check_label),
// checked here first so the sentence stands next to the field (never the browser's "Please match
// the requested format"); synthesis says the same sentence if it gets there.
const TOPIC_NAME_RULE = "Give the topic a name of 3 to 60 characters that starts with a letter, "
  + "using letters, digits, spaces and - ' & , . / ( ) only, e.g. “Bowling green fees”.";
const tidyName = (value) => value.split(/\s+/).filter(Boolean).join(" ");
function topicNameProblem(value) {
  const name = tidyName(value);
  if (!name) return "Give the new topic a name, e.g. “Bowling green fees”.";
  if (name.length < 3 || name.length > 60 || !/^\p{L}[\p{L}\p{N} \-'’&,./()]*$/u.test(name)) return TOPIC_NAME_RULE;
  return null;
}

// An emerging topic; a supervisor names it and previews what making it a topic would do (which
// concerns move, the counts before → after, for the district and period shown). Only "Confirm"
// promotes, with the preview's token: if the cluster changed since, synthesis says so (409) and
// nothing moves. Afterwards the page's topics and summary are fetched again (``refresh``).
function emergingItem(cluster, isSupervisor, insightUrl, refresh) {
  const words = cluster.words.slice(0, 3).join(" ");
  const suggested = words ? words[0].toUpperCase() + words.slice(1) : "";
  const id = `topic-${cluster.cluster_id}`;
  const input = h("input", { type: "text", value: suggested, id, autocomplete: "off", "aria-describedby": `${id}-hint` });
  const error = h("p", { class: "field-error", id: `${id}-error`, role: "alert" });
  const result = h("div", { class: "promotion-preview", id: `preview-${cluster.cluster_id}`, "aria-live": "polite" });
  const form = h("form", { class: "row", novalidate: true, "aria-label": `Make “${cluster.words.join(", ")}” a topic` },
    h("div", {},
      h("label", { for: id }, "New topic's name"), input,
      h("p", { class: "muted", id: `${id}-hint` }, "The name the table and the summary will use."), error),
    h("div", { style: "align-self:end" }, h("button", { type: "submit", class: "preview-promotion" }, "Preview")));
  const scope = insightUrl.slice(insightUrl.indexOf("?"));
  const setError = (message) => {
    error.textContent = message || "";
    if (message) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${id}-hint ${id}-error`);
    } else {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", `${id}-hint`);
    }
  };
  const problemShown = (r) => {
    const byField = fieldErrors(r.problem);
    const own = byField.label || byField.name;
    if (own) { setError(own[0]); input.focus(); return; }
    replace(result, h("p", { class: "field-error" }, (byField.preview || byField.cluster_id || [r.problem.detail])[0]));
  };
  input.addEventListener("input", () => { if (error.textContent) setError(topicNameProblem(input.value)); });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const problem = topicNameProblem(input.value);
    setError(problem);
    replace(result);
    if (problem) { input.focus(); return; }
    const body = { cluster_id: cluster.cluster_id, label: tidyName(input.value) };
    const r = await call("synthesis", `/v1/emerging/preview${scope}`, { method: "POST", body });
    if (!r.ok) { problemShown(r); return; }
    const p = r.data;
    const cancel = h("button", { type: "button", class: "secondary cancel-promotion" }, "Cancel");
    const confirm = h("button", { type: "button", class: "confirm-promotion" }, `Confirm: make “${p.label}” a topic`);
    cancel.addEventListener("click", () => { replace(result); input.focus(); });
    confirm.addEventListener("click", async () => {
      confirm.disabled = true;
      const done = await call("synthesis", `/v1/emerging/promote${scope}`, { method: "POST", body: { ...body, preview: p.preview } });
      if (!done.ok) { confirm.disabled = false; problemShown(done); return; }
      toast(`“${done.data.label}” is now a topic: ${done.data.relabelled.length} concerns moved to it.`);
      refresh();
    });
    const plural = (n, word) => `${fmt.int(n)} ${word}${n === 1 ? "" : "s"}`;
    replace(result,
      h("h3", {}, `Making “${p.label}” a topic would move ${plural(p.concerns.length, "concern")}`),
      h("ul", { class: "moving-concerns" }, p.concerns.map((c) => h("li", {},
        h("blockquote", {}, `“${c.text}”`),
        h("span", { class: "muted" }, [`Note of ${new Date(c.occurred_at).toLocaleDateString("en-US", { dateStyle: "medium", timeZone: "UTC" })}`,
          [c.neighborhood, c.district].filter(Boolean).join(", "), `now: ${c.from_label}`].join(" · "))))),
      h("table", { class: "promotion-counts" },
        h("caption", {}, `${p.period.start} to ${p.period.end}, ${p.place.district || "the whole city"}: before → after`),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Topic"), h("th", { scope: "col" }, "Notes"), h("th", { scope: "col" }, "Concerns"))),
        h("tbody", {}, p.counts.map((c) => h("tr", { dataset: { topic: c.topic } },
          h("th", { scope: "row" }, c.label),
          h("td", {}, `${fmt.int(c.notes_before)} → ${fmt.int(c.notes_after)}`),
          h("td", {}, `${fmt.int(c.concerns_before)} → ${fmt.int(c.concerns_after)}`))))),
      h("p", { class: "muted" }, "Nothing changes until you confirm."),
      h("div", { class: "row" }, confirm, cancel));
    confirm.focus();
  });
  return h("li", {},
    h("strong", {}, cluster.words.join(", ")), ` — ${fmt.int(cluster.concerns)} concerns in ${fmt.int(cluster.notes)} notes`,
    cluster.quotes.slice(0, 2).map((q) => h("blockquote", {}, `“${q.text}”`)),
    isSupervisor ? [form, result] : null);
}
