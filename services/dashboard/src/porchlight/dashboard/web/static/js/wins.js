// Wins on the board. A supervisor reviews the drafts: edit, send back to the author with a
// reason, or approve (it goes out to the neighborhood). A win sent back waits, with the reason,
// on its department's board, to be edited and sent again. The board's stream brings every new
// draft and change (event `win`), so nobody reloads to see them.
//
// Before approving, a supervisor sees what residents will get (issue 18): both languages with
// the plain-language check's grade and every flag (checked again as they type), what residents
// said that the win answers (counted from the notes: the dashboard's chain of its project), the
// photos of the work (added with their description, approved one by one: only approved photos
// are public), and the newsletter as it will be mailed, with how many addresses get it. A win
// that reads above grade 10 is approved with a written reason.

import { call, fieldErrors } from "./api.js";
import { h, replace, toast } from "./dom.js";
import { answeredView, chainLink } from "./pages/chain.js";
import { current } from "./session.js";

const LANGUAGES = { en: "English", es: "Spanish" };

/** The plain-language check of one version: its grade against the target and each flag. */
export function readingView(reading, lang) {
  if (!reading) return null;
  const verdict = { plain: "reads plainly", review: "could be plainer", needs_reason: "needs a reason to publish" }[reading.verdict] || reading.verdict;
  return h("div", { class: `reading ${reading.verdict}`, dataset: { language: lang, verdict: reading.verdict } },
    h("p", {}, h("strong", {}, `${LANGUAGES[lang] || lang}: grade ${reading.grade}`),
      ` (target ${reading.target} or below) · ${verdict}`),
    reading.flags.length
      ? h("ul", { class: "reading-flags" }, reading.flags.map((f) => h("li", { dataset: { kind: f.kind } },
        f.kind === "jargon" ? [h("q", {}, f.text), ": ", f.message, f.instead ? ` Say “${f.instead}”.` : ""] : f.message)))
      : null);
}

async function upload(path, form) {
  const session = current();
  const r = await fetch(path, { method: "POST", body: form, headers: session ? { Authorization: `Bearer ${session.token}` } : {} });
  const data = await r.json().catch(() => null);
  return { ok: r.ok, status: r.status, data: r.ok ? data : null, problem: r.ok ? null : data || { detail: r.statusText } };
}

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
    if (reviewer) actions.append(button("Preview the email", "Preview the email", () => preview(li, w)));
    const es = w.title_es && w.body_es
      ? h("div", { lang: "es", class: "win-es" }, h("strong", { class: "win-title" }, w.title_es), h("p", { class: "win-body" }, w.body_es))
      : null;
    const readings = h("div", { class: "win-readings" }, Object.entries(w.reading || {}).map(([lang, r]) => readingView(r, lang)));
    const said = h("div", { class: "win-said", "aria-live": "polite" });
    const photos = h("div", { class: "win-photos" });
    if (reviewer) { showSaid(said, w); showPhotos(photos, w); }
    return append(li, h("strong", { class: "win-title" }, w.title), h("p", { class: "win-body" }, w.body), es,
      h("div", { class: "meta" }, `${w.district}${w.place ? ` · ${w.place}` : ""}${by ? ` · by ${by}` : ""}`),
      readings, reviewer ? said : null, reviewer ? photos : null, note, actions);
  }

  /** What residents said that the win answers: its project's chain, counted from the notes now. */
  async function showSaid(el, w) {
    const r = await call("dashboard", `/v1/chain/projects/${w.project_id}`);
    const priority = r.ok ? r.data.priorities[0] : null;
    replace(el, h("h4", {}, "You said"), priority
      ? [answeredView(priority.answered, { quotes: true }), h("p", {}, chainLink("project", w.project_id, "Open every note behind it"))]
      : h("p", { class: "muted" }, r.ok ? "Its priority names no concerns." : "Not available yet (the dashboard has not heard of its project)."));
  }

  /** The photos of the work: each with its description; a pending one is approved or refused here. */
  async function showPhotos(el, w) {
    const r = await call("dashboard", `/v1/projects/${w.project_id}/photos`);
    const list = r.ok ? r.data : [];
    const file = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp", id: `photo-file-${w.id}`, name: "file" });
    const alt = h("input", { type: "text", maxlength: 300, id: `photo-alt-${w.id}`, name: "alt_text", placeholder: "Two workers replace a street lamp on Tremont St" });
    const status = h("p", { class: "form-status", role: "status" });
    const form = h("form", { class: "photo-form", novalidate: true, "aria-label": `Add a photo to “${w.title}”` },
      h("div", { class: "field" }, h("label", { for: file.id }, "Add a photo of the work"), file, h("p", { class: "field-error", id: `${file.id}-error` })),
      h("div", { class: "field" }, h("label", { for: alt.id }, "What the photo shows (for people who cannot see it)"), alt,
        h("p", { class: "field-error", id: `${alt.id}-error` })),
      status, h("div", { class: "form-actions" }, h("button", { type: "submit", class: "secondary" }, "Add the photo")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = new FormData();
      if (file.files[0]) body.append("file", file.files[0]);
      body.append("alt_text", alt.value.trim());
      const added = await upload(`/v1/projects/${w.project_id}/photos`, body);
      if (!added.ok) {
        const errors = fieldErrors(added.problem);
        form.querySelector(`#${file.id}-error`).textContent = (errors.file || []).join("; ");
        form.querySelector(`#${alt.id}-error`).textContent = (errors.alt_text || []).join("; ");
        status.textContent = added.status === 413 ? "That photo is too large." : `Not added: ${added.problem?.detail || "error"}`;
        (errors.alt_text ? alt : file).focus();
        return;
      }
      toast("Photo added: approve it to show it to residents.");
      showPhotos(el, w);
    });
    replace(el, h("h4", {}, "Photos of the work"),
      list.length ? h("ul", { class: "photo-list" }, list.map((p) => photoItem(p, () => showPhotos(el, w)))) : h("p", { class: "muted" }, "No photos yet."),
      form);
  }

  function photoItem(p, changed) {
    const img = h("img", { alt: p.alt_text, width: 160 });
    call("dashboard", `/v1/photos/${p.id}/thumb.jpg`).then((r) => { if (r.ok) img.src = URL.createObjectURL(r.data); });
    const review = async (approve) => {
      const body = approve ? { approve: true } : { approve: false, reason: "Not for the public pages." };
      const r = await call("dashboard", `/v1/photos/${p.id}/review`, { method: "POST", body });
      toast(r.ok ? (approve ? "Photo approved: residents see it with the win." : "Photo refused.") : `Not saved: ${r.problem?.detail}`);
      changed();
    };
    return h("li", { class: "photo", dataset: { photo: p.id, status: p.status } }, img,
      h("p", {}, p.alt_text, h("span", { class: "muted" }, ` · ${p.status}`)),
      p.status === "pending" ? h("div", { class: "form-actions" },
        h("button", { type: "button", onclick: () => review(true), "aria-label": `Approve photo: ${p.alt_text}` }, "Approve photo"),
        h("button", { type: "button", class: "secondary", onclick: () => review(false), "aria-label": `Refuse: ${p.alt_text}` }, "Refuse")) : null);
  }

  /** The newsletter as its subscribers would get it, in each language, and how many get it. */
  async function preview(li, w) {
    li.querySelector(".win-preview")?.remove();
    const box = h("section", { class: "win-preview", "aria-label": `Email preview of “${w.title}”` }, h("p", { class: "muted" }, "Loading…"));
    li.append(box);
    const draft = {
      district: w.district, neighborhood: w.neighborhood, title: w.title, body: w.body, place: w.place,
      project_id: w.project_id, topics: w.topics, concerns: w.concerns, heard_since: w.heard_since, quotes: w.quotes,
      translations: w.title_es && w.body_es ? { es: { title: w.title_es, body: w.body_es } } : {},
    };
    const r = await call("dashboard", "/v1/newsletters/preview", { method: "POST", body: draft });
    if (!r.ok) { replace(box, h("p", { class: "unavailable-note" }, `No preview: ${r.problem?.detail || "error"}`)); return; }
    const counts = await Promise.all(r.data.neighborhoods.map((n) => call("intake", `/v1/subscriptions/counts?neighborhood=${encodeURIComponent(n)}`)));
    const by = { en: 0, es: 0 };
    for (const c of counts) if (c.ok) for (const [lang, n] of Object.entries(c.data.confirmed)) by[lang] = (by[lang] || 0) + n;
    const total = Object.values(by).reduce((a, b) => a + b, 0);
    replace(box, h("h4", {}, "The email residents will get"),
      h("p", { class: "preview-count" }, counts.every((c) => c.ok)
        ? `On approval it goes to ${total} address${total === 1 ? "" : "es"}: ${by.en} in English, ${by.es} in Spanish.`
        : "How many addresses get it: not available right now."),
      Object.entries(r.data.editions).map(([lang, e]) => h("details", { class: "preview-edition", open: lang === "en" ? true : null },
        h("summary", {}, `${LANGUAGES[lang] || lang}: “${e.subject}”`),
        // The mail exactly as sent, in a sandboxed frame: no script runs, no link leaves the app.
        h("iframe", { title: `The ${LANGUAGES[lang] || lang} email`, sandbox: "", srcdoc: e.html, class: "preview-frame" }))));
  }

  function append(el, ...children) { for (const c of children) if (c) el.append(c); return el; }

  function showForm(li, w, form) {
    open.set(w.id, li);
    li.querySelector("form.win-form")?.remove();
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
    const titleEs = h("input", { type: "text", value: w.title_es || "", maxlength: 200, lang: "es" });
    const bodyEs = h("textarea", { rows: 4, maxlength: 2000, lang: "es" });
    bodyEs.value = w.body_es || "";
    const checks = { en: h("div", { class: "live-reading", "aria-live": "polite" }), es: h("div", { class: "live-reading", "aria-live": "polite" }) };
    // Checked as the supervisor writes (projects' POST /v1/plain-language), a moment after each pause.
    let timer = null;
    const check = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        for (const [lang, t, b] of [["en", title, body], ["es", titleEs, bodyEs]]) {
          const text = `${t.value.trim()}\n\n${b.value.trim()}`.trim();
          if (!t.value.trim() || !b.value.trim()) { replace(checks[lang]); continue; }
          const r = await call("projects", "/v1/plain-language", { method: "POST", body: { text, language: lang } });
          replace(checks[lang], r.ok ? readingView(r.data, lang) : null);
        }
      }, 400);
    };
    for (const input of [title, body, titleEs, bodyEs]) input.addEventListener("input", check);
    const form = h("form", { class: "win-form", novalidate: true, "aria-label": `Edit the win “${w.title}”` },
      field(`win-title-${w.id}`, "Title", title), field(`win-body-${w.id}`, "What residents read", body), checks.en,
      field(`win-title_es-${w.id}`, "Title in Spanish", titleEs), field(`win-body_es-${w.id}`, "What residents read, in Spanish", bodyEs),
      checks.es,
      h("p", { class: "form-status", role: "status" }),
      h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Save"),
        h("button", { type: "button", class: "secondary", onclick: () => closeForm(w) }, "Cancel")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const change = { title: title.value.trim(), body: body.value.trim() };
      if (titleEs.value.trim() || bodyEs.value.trim()) Object.assign(change, { title_es: titleEs.value.trim(), body_es: bodyEs.value.trim() });
      const r = await call("projects", `/v1/wins/${w.id}`, { method: "PATCH", body: change });
      if (!r.ok) { showErrors(form, r.problem); return; }
      open.delete(w.id);
      toast(`Saved: ${r.data.title}`);
      apply(r.data);
    });
    check();
    return form;
  }

  function reasonForm(w, problem) {
    const reason = h("textarea", { rows: 3, maxlength: 1000, required: true });
    const form = h("form", { class: "win-form", novalidate: true, "aria-label": `Why “${w.title}” cannot read plainer` },
      h("p", {}, problem?.detail || "This win reads above grade 10."),
      field(`win-reason-${w.id}`, "Why it cannot be plainer (kept with the update)", reason),
      h("p", { class: "form-status", role: "status" }),
      h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Approve with this reason"),
        h("button", { type: "button", class: "secondary", onclick: () => closeForm(w) }, "Cancel")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const r = await call("projects", `/v1/wins/${w.id}/approval`, { method: "POST", body: { reason: reason.value.trim() } });
      if (!r.ok) { showErrors(form, r.problem); return; }
      open.delete(w.id);
      toast(`Published: ${r.data.title}`);
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
    if (!r.ok && fieldErrors(r.problem).reason) {
      const li = container.querySelector(`li[data-win="${w.id}"]`);
      if (li) { showForm(li, w, reasonForm(w, r.problem)); return; }
    }
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
