// The notes behind a figure of the district page (#/district/<code>/<month>/notes[/<topic>[/<note>]]):
// each with its date, meeting, place — and host for supervisors and leadership (the dashboard's
// /v1/notes/sources decides) — the statements counted, and for a supervisor one control per
// statement to correct its topic. Synthesis counts from the corrected topics at once, so the
// district page's table and summary follow the correction.

import { call } from "../api.js";
import { h, replace } from "../dom.js";
import { monthRange } from "../panels.js";

const VENUES = { kitchen_table: "Kitchen-table meeting" };

export function venueName(type) {
  return VENUES[type] || String(type || "meeting").replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
}

export function when(iso) {
  return new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";
}

/** The range synthesis counts for a month: up to today for the month under way (as the page). */
export function insightRange(month) {
  const { from, to } = monthRange(month);
  const today = new Date().toISOString().slice(0, 10);
  return { from, to: today >= from && today < to ? today : to };
}

export async function render(main, { session, code, month, topic, noteId, name }) {
  const isSupervisor = session.roles.some((r) => r === "supervisor" || r === "admin");
  const { from, to } = insightRange(month);
  const back = `#/district/${encodeURIComponent(code)}/${month}`;
  const status = h("p", { role: "status", id: "notes-status", class: "muted" });
  const list = h("div", { id: "notes-list" }, h("p", { class: "muted" }, "Loading…"));
  const taxonomy = await call("synthesis", "/v1/taxonomy");
  const topics = taxonomy.ok ? taxonomy.data.topics : [];
  const labelOf = (t) => topics.find((x) => x.name === t)?.label || (t === "unassigned" ? "No topic yet" : t);
  replace(main,
    h("h1", {}, topic ? `Notes on “${labelOf(topic)}”` : "Notes filed", ` — ${name}`),
    h("p", {}, h("a", { href: back, id: "notes-back" }, "Back to the district page"),
      topic ? [" · ", h("a", { href: `${back}/notes` }, "all notes filed")] : null),
    status, list);

  const load = async () => {
    const q = new URLSearchParams({ district: code, from, to, limit: "100" });
    if (topic) q.set("topic", topic);
    const r = await call("synthesis", `/v1/insights/notes?${q}`);
    if (!r.ok) { replace(list, h("p", { class: "unavailable-note" }, `Not available: ${r.problem?.detail || "error"}`)); return; }
    const ids = r.data.notes.map((n) => n.note_id);
    const sources = {};
    if (ids.length) {
      const s = await call("dashboard", `/v1/notes/sources?${ids.map((i) => `id=${i}`).join("&")}`);
      if (s.ok) for (const x of s.data) sources[x.note_id] = x;
    }
    replace(list,
      h("p", { id: "notes-total" }, `${r.data.total} note${r.data.total === 1 ? "" : "s"}, ${from} to ${to}${r.data.next_cursor ? " (the newest 100 shown)" : ""}.`),
      r.data.notes.map((n) => noteCard(n, sources[n.note_id], { isSupervisor, topics, labelOf, onCorrected })));
    if (noteId) {
      const el = document.getElementById(`note-${noteId}`);
      if (el) { el.classList.add("picked"); el.setAttribute("tabindex", "-1"); el.scrollIntoView({ block: "center" }); }
    }
  };
  const onCorrected = (text) => { status.textContent = text; load(); };
  await load();
  return null;
}

function noteCard(n, src, { isSupervisor, topics, labelOf, onCorrected }) {
  const place = [n.neighborhood, `district ${n.district}`].filter(Boolean).join(", ");
  const meeting = src?.meeting
    ? `${venueName(src.meeting.venue_type)}, ${when(src.meeting.starts_at)}`
    : "No scheduled meeting (notes filed on their own)";
  return h("article", { class: "card note-source", id: `note-${n.note_id}` },
    h("h2", { style: "font-size:1rem" }, `Note of ${when(n.occurred_at)}`),
    h("dl", { class: "source" },
      h("dt", {}, "Meeting"), h("dd", { class: "source-meeting" }, meeting),
      h("dt", {}, "Place"), h("dd", { class: "source-place" }, place),
      src?.host_id ? [h("dt", {}, "Host"), h("dd", { class: "source-host" }, src.host_id)] : null,
      src?.attendees != null ? [h("dt", {}, "Attendees"), h("dd", {}, String(src.attendees))] : null),
    h("blockquote", { class: "note-text" }, n.document),
    h("ul", { class: "note-concerns" }, n.concerns.map((c) => h("li", { id: `concern-${c.concern_id}` },
      h("span", {}, `“${c.text}”`), " — ", h("strong", { class: "concern-topic" }, labelOf(c.topic)),
      c.topic_source === "supervisor" ? h("span", { class: "muted" }, " (corrected)") : null,
      isSupervisor && topics.length ? correction(c, topics, labelOf, onCorrected) : null))));
}

// One control: the topic list and Save. The API (PUT /v1/concerns/{id}/topic) checks the topic
// and the supervisor's district, and answers in words when it refuses.
function correction(c, topics, labelOf, onCorrected) {
  const id = `fix-${c.concern_id}`;
  const select = h("select", { id, name: "topic" },
    topics.map((t) => h("option", { value: t.name, selected: t.name === c.topic }, t.label)));
  const error = h("span", { class: "field-error", id: `${id}-error`, role: "alert" });
  const form = h("form", { class: "row correct-topic", "aria-label": `Correct the topic of “${c.text}”` },
    h("label", { for: id }, "Topic"), select, h("button", { type: "submit" }, "Save topic"), error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (select.value === c.topic) { error.textContent = "Choose another topic to move this statement."; return; }
    const r = await call("synthesis", `/v1/concerns/${c.concern_id}/topic`, { method: "PUT", body: { topic: select.value } });
    if (r.ok) onCorrected(`Moved “${c.text}” from ${labelOf(r.data.previous_topic)} to ${labelOf(r.data.topic)}: the figures count it there now.`);
    else error.textContent = r.problem?.errors?.[0]?.message || r.problem?.detail || "Not saved.";
  });
  return form;
}
