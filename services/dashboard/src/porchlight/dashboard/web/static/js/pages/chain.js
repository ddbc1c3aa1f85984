// "You said, we did" (#/chain/<note|priority|project|update>/<id>): from any link of the chain
// note -> concern -> priority -> micro-project -> task -> win, every other (the dashboard's
// GET /v1/chain/...). Every count comes from the notes as they are now; residents' words show
// only to who reads the district's (the API leaves them out otherwise, and the page says so).

import { call } from "../api.js";
import { fmt, h, replace } from "../dom.js";

const STARTS = { note: "notes", priority: "priorities", project: "projects", update: "updates" };
const WHAT = { note: "a note", priority: "a priority", project: "a micro-project", update: "a published win" };

export function chainLink(start, id, text) {
  return h("a", { href: `#/chain/${start}/${encodeURIComponent(id)}` }, text);
}

const day = (iso) => new Date(iso).toLocaleDateString("en-US", { dateStyle: "medium" });
const where = (c) => [c.label || fmt.label(c.topic), c.neighborhood || c.district].filter(Boolean).join(" in ");

/** "Street lighting in south-end: 6 notes at 4 meetings since Sep 8" for each picked concern. */
export function answeredView(a, { quotes = true } = {}) {
  const since = a.heard_since ? ` since ${day(a.heard_since)}` : "";
  const until = a.until ? `, up to ${day(a.until)}` : "";
  return h("div", { class: "answered" },
    h("p", {}, h("strong", {}, `${fmt.int(a.notes)} note${a.notes === 1 ? "" : "s"} at ${fmt.int(a.meetings)} meeting${a.meetings === 1 ? "" : "s"}`),
      `${since}${until}.`),
    a.concerns.length
      ? h("ul", { class: "answered-concerns" }, a.concerns.map((c) =>
        h("li", {}, `${where(c)}: ${fmt.int(c.notes)} note${c.notes === 1 ? "" : "s"}, ${fmt.int(c.meetings)} meeting${c.meetings === 1 ? "" : "s"}`)))
      : h("p", { class: "muted" }, "No concerns picked."),
    quotes && a.quotes.length
      ? a.quotes.map((q) => h("figure", { class: "quote" },
        q.text ? h("blockquote", {}, `“${q.text}”`)
          : h("p", { class: "muted" }, q.available ? "Residents' words of another district: not shown to you." : "These words were erased."),
        h("figcaption", { class: "muted" }, [q.held_at ? day(q.held_at) : null, q.neighborhood || q.district].filter(Boolean).join(" · "), " · ",
          chainLink("note", q.note_id, "the note"))))
      : null);
}

export async function render(main, { args }) {
  const [start, id] = args;
  if (!STARTS[start] || !id) {
    replace(main, h("h1", {}, "You said, we did"), h("p", {}, "Open this page from a note, a priority, a micro-project or a win."));
    return;
  }
  replace(main, h("h1", {}, "You said, we did"), h("p", { class: "muted" }, "Loading…"));
  const r = await call("dashboard", `/v1/chain/${STARTS[start]}/${encodeURIComponent(id)}`);
  if (!r.ok) {
    const why = r.status === 404 ? `No such ${WHAT[start].replace(/^an? /, "")}: it may not have reached the dashboard yet.`
      : r.problem?.detail || "Not available right now.";
    replace(main, h("h1", {}, "You said, we did"), h("p", { class: "unavailable-note" }, why));
    return;
  }
  const c = r.data;
  replace(main,
    h("h1", {}, "You said, we did"),
    h("p", { class: "muted" }, `From ${WHAT[start]} in district ${c.district}: what residents said, and the work that answers it.`),
    c.words_withheld ? h("p", { class: "muted" }, "Residents' words of this district are not shown to you: the counts are.") : null,
    section("chain-notes", `What residents said (${fmt.int(c.notes_total)} note${c.notes_total === 1 ? "" : "s"})`,
      c.notes.length ? h("ol", { class: "chain-notes" }, c.notes.map(noteView)) : h("p", { class: "muted" }, "No notes."),
      c.notes_total > c.notes.length ? h("p", { class: "muted" }, `The newest ${c.notes.length} are listed.`) : null),
    section("chain-priorities", "Priorities", c.priorities.length
      ? h("ul", { class: "chain-list" }, c.priorities.map((p) => h("li", {},
        h("strong", {}, start === "priority" ? p.title : chainLink("priority", p.priority_id, p.title)),
        h("span", { class: "muted" }, ` · ${p.quarter} · ${p.neighborhood || p.district}`), answeredView(p.answered))))
      : h("p", { class: "muted" }, "No priority picks these concerns yet.")),
    section("chain-projects", "Micro-projects and their tasks", c.projects.length
      ? h("ul", { class: "chain-list" }, c.projects.map(projectView(start)))
      : h("p", { class: "muted" }, "No micro-project yet.")),
    section("chain-wins", "Wins published", c.wins.length
      ? h("ul", { class: "chain-list" }, c.wins.map((w) => h("li", {},
        h("strong", {}, start === "update" ? w.title : chainLink("update", w.update_id, w.title)),
        h("span", { class: "muted" }, ` · published ${day(w.published_at)}`),
        w.answered ? answeredView(w.answered) : h("p", { class: "muted" }, "It names no concerns."))))
      : h("p", { class: "muted" }, "Nothing published yet.")));
}

function section(id, title, ...body) {
  return h("section", { class: "card wide", id, "aria-labelledby": `${id}-h` }, h("h2", { id: `${id}-h` }, title), body);
}

function noteView(n) {
  return h("li", { class: "chain-note" },
    h("div", {}, chainLink("note", n.note_id, day(n.held_at)), h("span", { class: "muted" }, ` · ${n.neighborhood || n.district}`)),
    h("ul", {}, n.concerns.map((k) => h("li", {},
      h("span", { class: "tag" }, k.label || fmt.label(k.topic || "unassigned")), " ",
      k.text ? h("q", {}, k.text) : null))));
}

function projectView(start) {
  return (p) => h("li", {},
    h("strong", {}, start === "project" ? p.title : chainLink("project", p.project_id, p.title)),
    h("span", { class: "muted" }, ` · ${p.department} · ${p.status.replaceAll("_", " ")}${p.place ? ` · ${p.place}` : ""}${p.public ? "" : " · internal"}`),
    p.tasks.length
      ? h("ul", { class: "chain-tasks" }, p.tasks.map((t) => h("li", {},
        t.done ? `Done ${day(t.completed_at)}: ` : "To do: ", t.title || "(untitled task)", t.public ? "" : " (internal)")))
      : h("p", { class: "muted" }, "No tasks."));
}
