// The host's page: schedule a micro-meeting, then file its notes on the standardized form
// (top concerns, place, sentiment, attendees, follow-ups, free text). Every bad field is named
// by intake's problem document and shown next to the field. Notes are filed on purpose only:
// Enter in a one-line box does not send the form (Ctrl+Enter or the button does), and a meeting
// that has not started yet cannot be chosen.

import { call, newId, webConfig } from "../api.js";
import { clearErrors, errorSummary, field, isoToLocal, localToIso, showErrors, submitOnlyOnPurpose } from "../forms.js";
import { fmt, h, replace, toast } from "../dom.js";

const VENUES = ["living_room", "library", "place_of_worship", "coffee_shop", "school", "park", "online", "other"];
const SENTIMENT = [[1, "1 — very negative"], [2, "2 — negative"], [3, "3 — mixed"], [4, "4 — positive"], [5, "5 — very positive"]];
const MAX_CONCERNS = 5;
// The languages offered for a meeting (codes as intake stores them); the API takes any other tag.
const LANGUAGES = [["en", "English"], ["es", "Spanish"], ["ht", "Haitian Creole"], ["pt", "Portuguese"],
  ["kea", "Cape Verdean Creole"], ["zh", "Chinese"], ["vi", "Vietnamese"], ["ar", "Arabic"], ["so", "Somali"],
  ["ru", "Russian"], ["fr", "French"]];

function started(meeting) {
  return Date.parse(meeting.starts_at) <= Date.now();
}

function districtSelect(districts, chosen, id) {
  return h("select", { id },
    h("option", { value: "" }, "Choose a district"),
    districts.map((d) => h("option", { value: d.code, selected: d.code === chosen }, `${d.code} — ${d.name}`)));
}

function num(value) {
  return value === "" || value === null ? undefined : Number(value);
}

export async function render(main, { session }) {
  const { districts } = await webConfig();
  const canFileNotes = session.roles.some((r) => ["officer", "liaison", "supervisor", "admin"].includes(r));
  const meetingList = h("div", { id: "meeting-list" }, h("p", {}, "Loading…"));
  let meetings = [];

  // --- schedule ------------------------------------------------------------------------
  const scheduleSummary = errorSummary();
  const start = new Date(Date.now() + 2 * 86400000);
  start.setHours(18, 30, 0, 0);
  const schedule = h("form", { id: "schedule-form", novalidate: true },
    scheduleSummary,
    h("div", { class: "row" },
      h("div", {}, field("Venue", "venue_type", h("select", {},
        VENUES.map((v) => h("option", { value: v }, fmt.label(v)))))),
      h("div", {}, field("District", "place.district", districtSelect(districts, session.district, "m-district")))),
    field("Named place (optional)", "place.place_name", h("input", { type: "text", autocomplete: "off" }), 'e.g. "Elm St branch library"'),
    h("div", { class: "row" },
      h("div", {}, field("Starts at", "starts_at", h("input", { type: "datetime-local", value: isoToLocal(start) }))),
      h("div", {}, field("Duration (minutes)", "duration_minutes", h("input", { type: "number", min: 1, max: 600, value: 60 }), "1–600; empty if unknown (counted as 60)")),
      h("div", {}, field("Residents expected", "expected_attendees", h("input", { type: "number", min: 0, max: 500, value: 8 })))),
    h("div", { class: "row" },
      h("div", {}, field("Language", "language", h("select", {},
        LANGUAGES.map(([code, name]) => h("option", { value: code }, name))), "The language the meeting is held in")),
      h("div", {}, field("Co-hosts (optional)", "co_hosts", h("input", { type: "text" }), "Comma-separated"))),
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Schedule meeting")));

  schedule.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = (name) => schedule.querySelector(`[data-field="${name}"]`).value.trim();
    const body = {
      id: newId(),
      venue_type: v("venue_type"),
      place: { district: v("place.district") || null, place_name: v("place.place_name") || null },
      starts_at: localToIso(v("starts_at")),
      duration_minutes: num(v("duration_minutes")),
      expected_attendees: num(v("expected_attendees")),
      language: v("language") || "en",
      co_hosts: v("co_hosts") ? v("co_hosts").split(",").map((s) => s.trim()).filter(Boolean) : [],
    };
    const r = await call("intake", "/v1/meetings", { method: "POST", body });
    if (!r.ok) { showErrors(schedule, scheduleSummary, r.problem); return; }
    clearErrors(schedule, scheduleSummary);
    toast(`Meeting scheduled for ${fmt.date(r.data.starts_at)}`);
    await loadMeetings();
  });

  // --- notes ---------------------------------------------------------------------------
  const notesSummary = errorSummary();
  const meetingSelect = h("select", { id: "n-meeting" });
  const concernRows = h("div", { id: "concerns" });
  const addConcern = h("button", { type: "button", class: "secondary" }, "Add a concern");
  const notes = h("form", { id: "notes-form", novalidate: true },
    notesSummary,
    field("Meeting", "meeting_id", meetingSelect, "Notes of a scheduled meeting take its place and time"),
    h("div", { class: "row" },
      h("div", {}, field("District (without a meeting)", "place.district", districtSelect(districts, session.district, "n-district"))),
      h("div", {}, field("Held at (optional)", "held_at", h("input", { type: "datetime-local" })))),
    field("Residents who came", "attendees", h("input", { type: "number", min: 0, max: 500, inputmode: "numeric" })),
    h("fieldset", { id: "n-sentiment", dataset: { field: "sentiment" }, tabindex: "-1" },
      h("legend", {}, "Overall sentiment"),
      SENTIMENT.map(([value, label]) => h("div", { class: "radio-line" },
        h("input", { type: "radio", name: "sentiment", id: `sentiment-${value}`, value }),
        h("label", { for: `sentiment-${value}` }, label)))),
    h("fieldset", { id: "n-concerns", dataset: { field: "concerns" }, tabindex: "-1" },
      h("legend", {}, "Top concerns (up to five, in residents' words)"), concernRows, addConcern),
    field("Follow-ups residents asked for (one per line)", "follow_ups", h("textarea", {})),
    field("Notes", "notes", h("textarea", { rows: 5 })),
    h("div", { class: "form-actions" }, h("button", { type: "submit", "aria-describedby": "n-submit-hint" }, "File notes"),
      h("p", { id: "n-submit-hint", class: "muted submit-hint" }, "Enter in a box does not file the notes: use this button, or Ctrl+Enter from any box.")));
  submitOnlyOnPurpose(notes);

  // A meeting's notes take its time and place: those fields are the meeting's while one is chosen.
  const heldAt = notes.querySelector("[data-field=held_at]");
  const noteDistrict = notes.querySelector("#n-district");
  function syncMeeting() {
    const chosen = meetings.find((m) => m.id === meetingSelect.value);
    heldAt.disabled = noteDistrict.disabled = Boolean(chosen);
    if (chosen) heldAt.value = "";
    // The form's own hint, found in the form: a partner's page shows no notes form at all.
    notes.querySelector("#n-meeting-hint").textContent = chosen
      ? `Held ${fmt.date(chosen.starts_at)} in ${chosen.place.district}: these notes take that time and place.`
      : "Notes of a scheduled meeting take its place and time";
  }
  meetingSelect.addEventListener("change", syncMeeting);

  function concernRow(i) {
    return h("div", { class: "row concern-row", dataset: { row: i } },
      h("div", { class: "form-field" }, h("label", { for: `c${i}-text` }, `Concern ${i + 1}`), h("input", { id: `c${i}-text`, class: "c-text", type: "text" })),
      h("div", { class: "form-field" }, h("label", { for: `c${i}-topic` }, "Topic (optional)"), h("input", { id: `c${i}-topic`, class: "c-topic", type: "text" })),
      h("div", { class: "form-field" }, h("label", { for: `c${i}-location` }, "Where (optional)"), h("input", { id: `c${i}-location`, class: "c-location", type: "text" })));
  }
  for (let i = 0; i < 3; i += 1) concernRows.append(concernRow(i));
  addConcern.addEventListener("click", () => {
    const n = concernRows.children.length;
    if (n < MAX_CONCERNS) concernRows.append(concernRow(n));
    if (n + 1 >= MAX_CONCERNS) addConcern.disabled = true;
    concernRows.lastElementChild.querySelector("input").focus();
  });

  notes.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = (name) => notes.querySelector(`[data-field="${name}"]`).value.trim();
    // Empty concern rows are left out; the rows sent get the field paths the API will name.
    const concerns = [];
    for (const row of concernRows.children) {
      const inputs = { text: row.querySelector(".c-text"), topic: row.querySelector(".c-topic"), location: row.querySelector(".c-location") };
      for (const input of Object.values(inputs)) delete input.dataset.field;
      if (!inputs.text.value.trim() && !inputs.topic.value.trim() && !inputs.location.value.trim()) continue;
      const k = concerns.length;
      for (const [key, input] of Object.entries(inputs)) input.dataset.field = `concerns.${k}.${key}`;
      concerns.push({ text: inputs.text.value.trim(), topic: inputs.topic.value.trim() || null, location: inputs.location.value.trim() || null });
    }
    const meetingId = meetingSelect.value || null;
    const sentiment = notes.querySelector("input[name=sentiment]:checked");
    const body = {
      id: newId(),
      meeting_id: meetingId,
      place: meetingId ? null : { district: v("place.district") || null },
      held_at: meetingId ? null : localToIso(v("held_at")),
      attendees: num(v("attendees")),
      sentiment: sentiment ? Number(sentiment.value) : undefined,
      concerns,
      follow_ups: v("follow_ups").split("\n").map((s) => s.trim()).filter(Boolean),
      notes: v("notes"),
    };
    const r = await call("intake", "/v1/notes", { method: "POST", body });
    if (r.status === 409 && r.problem.meeting_id) {
      // Another host's notes of this meeting: theirs to correct, not a second set to count.
      showErrors(notes, notesSummary, { title: "This meeting's notes are already filed",
        detail: "Another host filed the notes of this meeting; only they can correct them." });
      return;
    }
    if (!r.ok) { showErrors(notes, notesSummary, r.problem); return; }
    clearErrors(notes, notesSummary);
    notes.reset();
    syncMeeting();
    const where = `${fmt.date(r.data.held_at)} in ${r.data.place.district}`;
    let said = `Filed: notes of ${where}.`;
    if (r.status === 200 && r.data.revision > 1) said = `Corrected: the notes of ${where} already filed are now at revision ${r.data.revision}.`;
    else if (r.status === 200) said = `Already filed: the notes of ${where} were filed before, unchanged.`;
    toast(said);
    document.getElementById("notes-status").textContent = said;
  });

  // --- my meetings -----------------------------------------------------------------------
  async function loadMeetings() {
    const r = await call("intake", "/v1/meetings?limit=20");
    if (!r.ok) { replace(meetingList, h("p", { class: "unavailable-note" }, `Meetings not available: ${r.problem.detail}`)); return; }
    meetings = r.data.items;
    replace(meetingSelect, h("option", { value: "" }, "No meeting (a conversation elsewhere)"),
      meetings.map((m) => h("option", { value: m.id, disabled: !started(m) },
        `${fmt.date(m.starts_at)} — ${fmt.label(m.venue_type)}, ${m.place.district}${started(m) ? "" : " (not started yet)"}`)));
    syncMeeting();
    if (!meetings.length) { replace(meetingList, h("p", { class: "muted" }, "No meetings yet.")); return; }
    // The table reflows into one block per meeting in a narrow card (app.css .reflow): each cell
    // names its column, and the ARIA roles keep it a table for screen readers whatever its display.
    const cell = (label, attrs, ...content) => h("td", { role: "cell", "data-label": label, ...attrs }, ...content);
    const head = (text, attrs = {}) => h("th", { scope: "col", role: "columnheader", ...attrs }, text);
    replace(meetingList, h("div", { class: "reflow" }, h("table", { role: "table", "aria-labelledby": "mine-h" },
      h("caption", { class: "muted", style: "text-align:left" }, "Newest first"),
      h("thead", { role: "rowgroup" }, h("tr", { role: "row" }, head("When"), head("Where"),
        head("Minutes", { class: "num" }), head("Expected", { class: "num" }), head(h("span", { class: "visually-hidden" }, "Action")))),
      h("tbody", { role: "rowgroup" }, meetings.map((m) => h("tr", { role: "row" },
        cell("When", {}, fmt.date(m.starts_at)),
        cell("Where", {}, `${fmt.label(m.venue_type)}, ${m.place.district}${m.place.place_name ? ` (${m.place.place_name})` : ""}`),
        cell("Minutes", { class: "num" }, fmt.int(m.duration_minutes)),
        cell("Expected", { class: "num" }, fmt.int(m.expected_attendees)),
        h("td", { role: "cell" }, !canFileNotes ? null : !started(m) ? h("span", { class: "muted" }, "Notes once it starts")
          : h("button", { type: "button", class: "secondary",
            "aria-label": `File notes of the meeting on ${fmt.date(m.starts_at)}`,
            onclick: () => { meetingSelect.value = m.id; syncMeeting(); notes.querySelector("[data-field=attendees]").focus(); } }, "File notes"))))))));
  }

  replace(main,
    h("h1", {}, "Meetings & notes"),
    h("div", { class: "grid" },
      h("section", { class: "card", "aria-labelledby": "sched-h" }, h("h2", { id: "sched-h" }, "Schedule a micro-meeting"), schedule),
      h("section", { class: "card", "aria-labelledby": "mine-h" }, h("h2", { id: "mine-h" }, "My meetings"), meetingList),
      canFileNotes ? h("section", { class: "card wide", "aria-labelledby": "notes-h" },
        h("h2", { id: "notes-h" }, "File a meeting's notes"),
        h("p", { id: "notes-status", role: "status", class: "muted" }), notes) : null));
  // The page is drawn (and its heading focused by the router) before the list arrives: the list
  // fills in later without the page being drawn again, so nothing moves under a person's hands.
  loadMeetings();
}
