// "Help the model" (#/help, supervisors): the concerns the topic model is least sure of (synthesis
// GET /v1/concerns/uncertain), one card each — the resident's words and "Is this about <topic>?"
// with one tap to confirm, the other topics it hesitates between, or any topic. Each answer is a
// correction (PUT /v1/concerns/{id}/topic): the card goes and the page says what the model learned
// (labels learned N → N+1, the model version when it changes). A district supervisor sees their
// district's concerns; one without a district claim, the whole city's.

import { call } from "../api.js";
import { append, h, replace } from "../dom.js";
import { ownDistrict } from "../session.js";

const ASKED = 20;

export async function render(main, { session }) {
  const own = ownDistrict(session);
  const learned = h("dd", { id: "help-learned" }, "–");
  const version = h("dd", { id: "help-version" }, "–");
  const status = h("p", { id: "help-status", role: "status", class: "help-status" });
  const list = h("ol", { id: "help-list", class: "help-list", "aria-label": "Concerns the model is unsure of" });
  const note = h("p", { id: "help-note", class: "muted" }, "Loading…");
  replace(main,
    h("h1", {}, "Help the model"),
    h("p", {}, "These are the concerns the topic model is least sure of",
      own ? ` in district ${own}` : " across the city", ". Each answer teaches it: ",
      "later notes like these get the topic you gave, and the figures count this concern under it at once."),
    h("dl", { class: "figures help-figures" },
      h("div", {}, h("dt", {}, "Labels learned"), learned),
      h("div", {}, h("dt", {}, "Model version"), version)),
    status, note, list);

  const taxonomy = await call("synthesis", "/v1/taxonomy");
  const topics = taxonomy.ok ? taxonomy.data.topics : [];
  const state = { learned: null, version: null };
  let retry = null;

  const load = async () => {
    clearTimeout(retry);
    const q = new URLSearchParams({ limit: String(ASKED) });
    if (own) q.set("district", own);
    const r = await call("synthesis", `/v1/concerns/uncertain?${q}`);
    if (!r.ok) {
      replace(note, r.problem?.detail || "Not available right now.");
      note.className = "unavailable-note";
      return;
    }
    if (r.data.model_loading) {
      // Synthesis has just started and its model is loading (a minute at most): ask again soon.
      replace(note, "The model is still loading: the concerns it is unsure of come in a moment.");
      retry = setTimeout(load, 5000);
      return;
    }
    state.learned = r.data.labels_learned;
    state.version = r.data.model_version_number;
    learned.textContent = String(state.learned);
    version.textContent = String(state.version);
    replace(list, r.data.concerns.map((c) => card(c, topics, answered)));
    note.className = "muted";
    replace(note, r.data.concerns.length
      ? `${r.data.concerns.length} concern${r.data.concerns.length === 1 ? "" : "s"} of ${r.data.period.start} to ${r.data.period.end}, least sure first.`
      : "Nothing to ask: no unlabeled concern of the last days leaves the model in doubt.");
  };

  // After an answer: the card goes, focus moves on to the next card (or the status line), and
  // the figures say what changed, read from the model itself (GET /v1/model).
  const answered = async (item, c, result) => {
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    const model = await call("synthesis", "/v1/model");
    const nowLearned = model.ok ? model.data.corrections : state.learned + 1;
    const nowVersion = model.ok ? model.data.version : result.model_version_number;
    const parts = [`Labels learned ${state.learned} → ${nowLearned}`];
    if (nowVersion !== state.version) parts.push(`model version ${state.version} → ${nowVersion}`);
    status.textContent = `Thank you: “${short(c.text)}” is now counted under ${labelOf(topics, result.topic)}. ${parts.join("; ")}.`;
    learned.textContent = String(nowLearned);
    version.textContent = String(nowVersion);
    state.learned = nowLearned;
    state.version = nowVersion;
    const focusable = next && next.querySelector("button");
    if (focusable) focusable.focus();
    else { status.setAttribute("tabindex", "-1"); status.focus(); await load(); }
  };

  await load();
  return () => clearTimeout(retry);
}

function labelOf(topics, name) {
  return topics.find((t) => t.name === name)?.label || String(name).replaceAll("_", " ");
}

function short(text) {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function pct(p) {
  return `${Math.round(p * 100)} %`;
}

function card(c, topics, answered) {
  const id = c.concern_id;
  const error = h("p", { class: "field-error", id: `help-${id}-error`, role: "alert" });
  const item = h("li", { class: "card help-card", id: `help-${id}`, dataset: { concern: String(id) } });
  const send = async (topic, buttons) => {
    buttons.forEach((b) => { b.disabled = true; });
    error.textContent = "";
    const r = await call("synthesis", `/v1/concerns/${id}/topic`, { method: "PUT", body: { topic } });
    if (r.ok) { await answered(item, c, r.data); return; }
    buttons.forEach((b) => { b.disabled = false; });
    error.textContent = r.problem?.errors?.[0]?.message || r.problem?.detail || "Not saved: try again.";
  };
  const where = [c.neighborhood, `district ${c.district}`].filter(Boolean).join(", ");
  const when = new Date(c.occurred_at).toLocaleDateString("en-US", { dateStyle: "medium", timeZone: "UTC" });
  const question = `help-${id}-q`;
  const confirm = h("button", { type: "button", class: "help-confirm" }, `Yes, ${c.suggested_label}`);
  const others = c.alternatives.slice(1).map((a) =>
    h("button", { type: "button", class: "secondary help-alt", dataset: { topic: a.topic } },
      `No: ${a.label}`, h("span", { class: "help-chance" }, ` (${pct(a.probability)})`)));
  const select = h("select", { id: `help-${id}-topic`, name: "topic" },
    h("option", { value: "" }, "Choose a topic…"),
    topics.map((t) => h("option", { value: t.name }, t.label)));
  const save = h("button", { type: "submit", class: "secondary" }, "Save topic");
  const buttons = [confirm, ...others, save];
  confirm.addEventListener("click", () => send(c.suggested_topic, buttons));
  others.forEach((b) => b.addEventListener("click", () => send(b.dataset.topic, buttons)));
  const form = h("form", { class: "help-other", "aria-label": "Another topic" },
    h("label", { for: `help-${id}-topic` }, "Another topic"), select, save);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!select.value) { error.textContent = "Choose a topic first."; select.focus(); return; }
    send(select.value, buttons);
  });
  return append(item, [
    h("blockquote", { class: "help-words" }, c.text),
    h("p", { class: "muted help-meta" }, `${where} · ${when} · counted under ${c.topic === "unassigned" ? "no topic yet" : c.topic_label}`),
    h("p", { class: "help-question", id: question }, "Is this about ", h("strong", {}, c.suggested_label),
      "?", h("span", { class: "muted" }, ` (the model says ${pct(c.alternatives[0].probability)})`)),
    h("div", { class: "help-actions", role: "group", "aria-labelledby": question }, confirm, others),
    form, error]);
}
