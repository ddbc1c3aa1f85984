// Wins on the board. A supervisor reviews the drafts: edit, send back to the author with a
// reason, or approve (it goes out to the neighborhood). A win sent back waits, with the reason,
// on its department's board, to be edited and sent again. The board's stream brings every new
// draft and change (event `win`), so nobody reloads to see them.

import { call, fieldErrors } from "./api.js";
import { h, replace, toast } from "./dom.js";

export function mountWins(container, session, query) {
  const roles = session?.roles || [];
  const reviewer = roles.includes("supervisor") || roles.includes("admin");
  const department = session?.department || null;
  // What this person acts on: drafts to review, or their department's wins sent back.
  const listed = reviewer ? "draft" : department ? "returned" : null;
  const wins = new Map();
  const open = new Map(); // win id -> its item, kept as it is while a form in it is open

  function mine(w) {
    return w.status === listed && (reviewer || w.department === department);
  }

  async function load() {
    if (!listed) return;
    const filter = new URLSearchParams(query);
    filter.set("status", listed);
    if (!reviewer) filter.set("department", department);
    const r = await call("projects", `/v1/wins?${filter}`);
    wins.clear();
    if (r.ok) for (const w of r.data) wins.set(w.id, w);
    draw(r.ok ? null : r.problem?.detail || "not available");
  }

  async function apply(win) {
    if (!listed) return;
    // A long win comes without its body (a notification has a size limit): read it whole.
    if (win.body === undefined && mine(win)) {
      const r = await call("projects", `/v1/wins/${win.id}`);
      if (!r.ok) return;
      win = r.data;
    }
    if (mine(win)) wins.set(win.id, win);
    else { wins.delete(win.id); open.delete(win.id); }
    draw();
  }

  function draw(problem = null) {
    const items = [...wins.values()].sort((a, b) => b.drafted_at.localeCompare(a.drafted_at));
    if (!reviewer && !items.length) { replace(container); return; }
    const title = reviewer ? "Wins to review" : "Wins sent back to your department";
    replace(container, h("section", { class: "board-wins", "aria-labelledby": "board-wins-h" },
      h("h3", { id: "board-wins-h" }, `${title} `, h("span", { class: "muted count" }, `(${items.length})`)),
      problem ? h("p", { class: "unavailable-note" }, `Not available: ${problem}`) : null,
      items.length
        ? h("ul", { id: "board-wins" }, items.map((w) => open.get(w.id) || item(w)))
        : h("p", { class: "muted" }, "No wins waiting for review.")));
  }

  function item(w) {
    const li = h("li", { class: "win", dataset: { win: w.id, status: w.status } });
    const actions = h("div", { class: "form-actions" });
    const button = (label, what, onclick, secondary = true) =>
      h("button", { type: "button", class: secondary ? "secondary" : null, "aria-label": `${label}: “${w.title}”`, onclick }, what);
    if (reviewer) {
      actions.append(
        button("Approve", "Approve", () => approve(w), false),
        button("Edit", "Edit", () => showForm(li, w, editForm(w))),
        button("Send back", "Send back", () => showForm(li, w, sendBackForm(w))));
    } else {
      actions.append(
        button("Edit", "Edit", () => showForm(li, w, editForm(w))),
        button("Send for approval again", "Send for approval again", () => resubmit(w), false));
    }
    const by = [w.author, w.department].filter(Boolean).join(", ");
    const note = w.status === "returned"
      ? h("p", { class: "win-reason" }, `Sent back${w.returned_by ? ` by ${w.returned_by}` : ""}: “${w.return_reason}”`)
      : w.return_reason ? h("p", { class: "meta" }, `Sent again after: “${w.return_reason}”`) : null;
    return append(li, h("strong", { class: "win-title" }, w.title), h("p", { class: "win-body" }, w.body),
      h("div", { class: "meta" }, `${w.district}${w.place ? ` · ${w.place}` : ""}${by ? ` · by ${by}` : ""}`),
      note, actions);
  }

  function append(el, ...children) { for (const c of children) if (c) el.append(c); return el; }

  function showForm(li, w, form) {
    open.set(w.id, li);
    li.querySelector("form")?.remove();
    li.append(form);
    form.querySelector("input, textarea")?.focus();
  }

  function closeForm(w) {
    open.delete(w.id);
    draw();
  }

  function field(id, label, input) {
    input.id = id;
    input.name = id.split("-")[1];
    return h("div", { class: "field" }, h("label", { for: id }, label), input, h("p", { class: "field-error", id: `${id}-error` }));
  }

  function showErrors(form, problem) {
    const errors = fieldErrors(problem);
    form.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
    let first = null;
    for (const [name, messages] of Object.entries(errors)) {
      const input = form.querySelector(`[name=${name}]`);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", `${input.id}-error`);
        form.querySelector(`#${input.id}-error`).textContent = messages.join("; ");
        first ||= input;
      }
    }
    form.querySelector(".form-status").textContent = problem?.detail || "Not saved.";
    (first || form.querySelector("input, textarea"))?.focus();
  }

  function editForm(w) {
    const title = h("input", { type: "text", value: w.title, maxlength: 200, required: true });
    const body = h("textarea", { rows: 4, maxlength: 2000, required: true });
    body.value = w.body;
    const form = h("form", { class: "win-form", novalidate: true, "aria-label": `Edit the win “${w.title}”` },
      field(`win-title-${w.id}`, "Title", title), field(`win-body-${w.id}`, "What residents read", body),
      h("p", { class: "form-status", role: "status" }),
      h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Save"),
        h("button", { type: "button", class: "secondary", onclick: () => closeForm(w) }, "Cancel")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const r = await call("projects", `/v1/wins/${w.id}`, { method: "PATCH", body: { title: title.value.trim(), body: body.value.trim() } });
      if (!r.ok) { showErrors(form, r.problem); return; }
      open.delete(w.id);
      toast(`Saved: ${r.data.title}`);
      apply(r.data);
    });
    return form;
  }

  function sendBackForm(w) {
    const reason = h("textarea", { rows: 3, maxlength: 500, required: true });
    const form = h("form", { class: "win-form", novalidate: true, "aria-label": `Send the win “${w.title}” back` },
      field(`win-reason-${w.id}`, "What should the author change?", reason),
      h("p", { class: "form-status", role: "status" }),
      h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Send back"),
        h("button", { type: "button", class: "secondary", onclick: () => closeForm(w) }, "Cancel")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const r = await call("projects", `/v1/wins/${w.id}/return`, { method: "POST", body: { reason: reason.value } });
      if (!r.ok) { showErrors(form, r.problem); return; }
      open.delete(w.id);
      toast(`Sent back to ${r.data.author || r.data.department || "its author"}: ${r.data.title}`);
      apply(r.data);
    });
    return form;
  }

  async function approve(w) {
    const r = await call("projects", `/v1/wins/${w.id}/approval`, { method: "POST" });
    if (!r.ok) { toast(`Not approved: ${r.problem.detail || r.problem.title}`); return; }
    toast(`Published: ${r.data.title}`);
    apply(r.data);
  }

  async function resubmit(w) {
    const r = await call("projects", `/v1/wins/${w.id}/submission`, { method: "POST" });
    if (!r.ok) { toast(`Not sent: ${r.problem.detail || r.problem.title}`); return; }
    toast(`Sent for approval again: ${r.data.title}`);
    apply(r.data);
  }

  return { ready: load(), load, apply };
}
