// Priorities (#/priorities): a district's quarterly priorities, each with what residents said
// behind it counted from the notes (the dashboard's chain), and, for supervisors, "Set a
// priority": pick the place and the time, then the topics residents raised there and the words to
// quote, as synthesis' insight lists them (GET /v1/insights). Nothing is typed but the title and
// the outcome: the counts and quotes come from the notes (issue 18: "no typing of figures").

import { call, fieldErrors, webConfig } from "../api.js";
import { fmt, h, replace, toast } from "../dom.js";
import { panel } from "../panels.js";
import { ownDistrict } from "../session.js";
import { readingView } from "../wins.js";
import { answeredView, chainLink } from "./chain.js";

const MAX_QUOTES = 5;

function quarterOf(d) { return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`; }
function quarterStart(q) { const [y, n] = [Number(q.slice(0, 4)), Number(q.slice(-1))]; return new Date(Date.UTC(y, 3 * n - 3, 1)); }
/** The first day of the quarter before ``q``: what residents said before the priority was set. */
function heardSince(q) { const s = quarterStart(q); return new Date(Date.UTC(s.getUTCFullYear(), s.getUTCMonth() - 3, 1)).toISOString().slice(0, 10); }

export async function render(main, { session }) {
  const own = ownDistrict(session);
  const config = await webConfig();
  const districts = config.districts || [];
  const supervisor = session.roles.includes("supervisor") || session.roles.includes("admin");
  const chooser = h("select", { id: "pr-list-district" },
    (own ? districts.filter((d) => d.code === own) : districts).map((d) => h("option", { value: d.code }, d.name)));
  const list = panel("Priorities and what residents said", { id: "priority-list", wide: true });
  const form = supervisor ? panel("Set a priority", { id: "priority-new", wide: true }) : null;
  const bulletin = supervisor ? panel("Tell the neighborhood (a bulletin)", { id: "bulletin-new", wide: true }) : null;
  replace(main, h("h1", {}, "Priorities"),
    h("div", { class: "field inline" }, h("label", { for: "pr-list-district" }, "District"), chooser),
    h("div", { class: "grid" }, list.el, form ? form.el : null, bulletin ? bulletin.el : null));
  const geo = await call("dashboard", "/v1/city.geojson");
  const hoods = geo.ok ? geo.data.features.filter((f) => f.properties.kind === "neighborhood").map((f) => f.properties) : [];

  async function load() {
    const district = chooser.value;
    const r = await call("projects", `/v1/priorities?district=${encodeURIComponent(district)}`);
    if (!r.ok) { list.show(r); return; }
    const answered = await Promise.all(r.data.map((p) => call("dashboard", `/v1/chain/priorities/${p.id}`)));
    list.show(r, (priorities) => priorities.length
      ? h("ul", { class: "chain-list", id: "priorities" }, priorities.map((p, i) => h("li", { dataset: { priority: p.id } },
        h("strong", {}, chainLink("priority", p.id, p.title)), h("span", { class: "muted" }, ` · ${p.quarter} · ${p.neighborhood || p.district}`),
        answered[i].ok ? answeredView(answered[i].data.priorities[0].answered)
          : h("p", { class: "muted" }, "What residents said: not in the dashboard yet."))))
      : h("p", { class: "muted" }, "No priorities set for this district yet."));
  }
  chooser.addEventListener("change", () => { load(); if (form) drawForm(); });
  function drawForm() {
    form.show({ ok: true, data: null }, () => priorityForm(chooser.value, hoods, load));
    bulletin.show({ ok: true, data: null }, () => bulletinForm(chooser.value, hoods));
  }
  if (form) drawForm();
  await load();
}

function field(id, label, input, hint = null) {
  input.id = id;
  input.name ||= id.replace(/^pr-/, "");
  return h("div", { class: "field" }, h("label", { for: id }, label),
    hint ? h("p", { class: "muted", id: `${id}-hint` }, hint) : null, input, h("p", { class: "field-error", id: `${id}-error` }));
}

function priorityForm(district, hoods, saved) {
  const now = new Date();
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 1));
  const title = h("input", { type: "text", maxlength: 200, required: true, placeholder: "Safer streets after dark" });
  const neighborhood = h("select", {}, h("option", { value: "" }, "The whole district"),
    hoods.filter((n) => n.district === district).map((n) => h("option", { value: n.code }, n.name)));
  const quarter = h("select", {}, [quarterOf(now), quarterOf(next)].map((q) => h("option", { value: q }, q)));
  const since = h("input", { type: "date", value: heardSince(quarter.value), required: true });
  const measure = h("input", { type: "text", maxlength: 300, placeholder: "Violent incidents reported per month" });
  const picks = h("fieldset", { id: "pr-picks", class: "picks", tabindex: "-1", dataset: { field: "concerns" } },
    h("legend", {}, "What residents raised there (pick the topics this priority answers, and up to 5 of their words to quote)"),
    h("p", { class: "muted" }, "Loading…"));
  const status = h("p", { class: "form-status", role: "status" });
  const form = h("form", { id: "priority-form", novalidate: true },
    field("pr-title", "Title", title),
    field("pr-neighborhood", "Where", neighborhood),
    field("pr-quarter", "Quarter", quarter),
    field("pr-heard_since", "Count what residents said from", since, "The counts and words below are of the notes from this day on."),
    picks,
    field("pr-outcome_measure", "How you will know it worked (optional)", measure),
    status, h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Set the priority")));
  let insight = null;
  let asked = 0; // the latest request: an earlier answer arriving late draws nothing

  async function loadPicks() {
    const run = ++asked;
    // Up to today (the insight's period otherwise ends a quarter after ``from``).
    const q = new URLSearchParams({ district, from: since.value, to: new Date().toISOString().slice(0, 10), emerging: "false" });
    if (neighborhood.value) q.set("neighborhood", neighborhood.value);
    const r = await call("synthesis", `/v1/insights?${q}`);
    if (run !== asked) return;
    insight = r.ok ? r.data : null;
    const legend = picks.querySelector("legend");
    if (!r.ok) { replace(picks, legend, h("p", { class: "unavailable-note" }, `Not available: ${r.problem?.detail || "synthesis does not answer"}`)); return; }
    const topics = insight.topics.filter((t) => t.notes > 0);
    replace(picks, legend, topics.length ? h("ul", { class: "pick-list" }, topics.map((t) => {
      const box = h("input", { type: "checkbox", id: `pick-${t.topic}`, value: t.topic, name: "topic" });
      const quotes = (t.quotes || []).filter((x) => x.position !== null && x.position !== undefined);
      const about = t.estimate ? ` (about ${fmt.int(t.estimate.count)}, ${fmt.int(t.estimate.low)}–${fmt.int(t.estimate.high)})` : "";
      return h("li", {},
        h("label", { for: `pick-${t.topic}` }, box, ` ${t.label}: ${fmt.int(t.notes)} note${t.notes === 1 ? "" : "s"}${about}`),
        quotes.length ? h("ul", { class: "pick-quotes" }, quotes.map((x) => {
          const id = `quote-${x.note_id}-${x.position}`;
          return h("li", {}, h("label", { for: id },
            h("input", { type: "checkbox", id, name: "quote", value: JSON.stringify({ note_id: x.note_id, position: x.position }) }),
            " Quote: ", h("q", {}, x.text)));
        })) : null);
    })) : h("p", { class: "muted" }, "No notes from this place since that day."));
  }
  neighborhood.addEventListener("change", loadPicks);
  since.addEventListener("change", loadPicks);
  quarter.addEventListener("change", () => { since.value = heardSince(quarter.value); loadPicks(); });
  form.addEventListener("change", (e) => {
    if (e.target.name !== "quote") return;
    const chosen = form.querySelectorAll("input[name=quote]:checked");
    if (chosen.length > MAX_QUOTES) { e.target.checked = false; status.textContent = `Quote at most ${MAX_QUOTES} residents' words.`; }
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const topics = [...form.querySelectorAll("input[name=topic]:checked")].map((b) => b.value);
    const body = {
      title: title.value.trim(), district, quarter: quarter.value, heard_since: since.value || null,
      neighborhood: neighborhood.value || null, topics, concerns: topics.map((topic) => ({ topic })),
      quotes: [...form.querySelectorAll("input[name=quote]:checked")].map((b) => JSON.parse(b.value)),
      outcome_measure: measure.value.trim() || null,
    };
    form.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
    if (!topics.length) {
      status.textContent = "Pick at least one topic residents raised: a priority answers what they said.";
      picks.focus();
      return;
    }
    const r = await call("projects", "/v1/priorities", { method: "POST", body });
    if (!r.ok) {
      let first = null;
      for (const [name, messages] of Object.entries(fieldErrors(r.problem))) {
        const input = form.querySelector(`#pr-${name.split(".")[0]}`);
        if (!input) continue;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", `${input.id}-error`);
        const err = form.querySelector(`#${input.id}-error`);
        if (err) err.textContent = messages.join("; ");
        first ||= input;
      }
      status.textContent = `Not saved: ${r.problem?.detail || "check the fields marked"}`;
      (first || title).focus();
      return;
    }
    toast(`Priority set: ${r.data.title}`);
    status.textContent = `Set: ${r.data.title}.`;
    form.reset();
    since.value = heardSince(quarter.value);
    saved();
  });
  loadPicks();
  return form;
}

/** A bulletin: written here, checked for plain language as it is typed, sent to every channel. */
function bulletinForm(district, hoods) {
  const neighborhood = h("select", {}, h("option", { value: "" }, "The whole district"),
    hoods.filter((n) => n.district === district).map((n) => h("option", { value: n.code }, n.name)));
  const title = h("input", { type: "text", maxlength: 200, required: true });
  const body = h("textarea", { rows: 4, maxlength: 2000, required: true });
  const titleEs = h("input", { type: "text", maxlength: 200, lang: "es" });
  const bodyEs = h("textarea", { rows: 4, maxlength: 2000, lang: "es" });
  const reason = h("textarea", { rows: 2, maxlength: 1000 });
  const checks = { en: h("div", { class: "live-reading", "aria-live": "polite" }), es: h("div", { class: "live-reading", "aria-live": "polite" }) };
  const status = h("p", { class: "form-status", role: "status" });
  let timer = null;
  const check = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      for (const [lang, t, b] of [["en", title, body], ["es", titleEs, bodyEs]]) {
        if (!t.value.trim() || !b.value.trim()) { replace(checks[lang]); continue; }
        const r = await call("projects", "/v1/plain-language", { method: "POST", body: { text: `${t.value.trim()}\n\n${b.value.trim()}`, language: lang } });
        replace(checks[lang], r.ok ? readingView(r.data, lang) : null);
      }
    }, 400);
  };
  for (const input of [title, body, titleEs, bodyEs]) input.addEventListener("input", check);
  const form = h("form", { id: "bulletin-form", novalidate: true },
    field("bl-neighborhood", "Where", neighborhood),
    field("bl-title", "Title", title), field("bl-body", "What residents read", body), checks.en,
    field("bl-title_es", "Title in Spanish (optional)", titleEs), field("bl-body_es", "What residents read, in Spanish", bodyEs), checks.es,
    field("bl-reason", "Why it cannot be plainer (only above grade 10)", reason),
    status, h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Send to every channel")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    form.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
    const sent = { district, neighborhood: neighborhood.value || null, title: title.value.trim(), body: body.value.trim(),
      title_es: titleEs.value.trim() || null, body_es: bodyEs.value.trim() || null, reason: reason.value.trim() || null };
    const r = await call("projects", "/v1/bulletins", { method: "POST", body: sent });
    if (!r.ok) {
      let first = null;
      for (const [name, messages] of Object.entries(fieldErrors(r.problem))) {
        const input = form.querySelector(`#bl-${name.split(".")[0]}`);
        if (!input) continue;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", `${input.id}-error`);
        form.querySelector(`#${input.id}-error`).textContent = messages.join("; ");
        first ||= input;
      }
      status.textContent = `Not sent: ${r.problem?.detail || "check the fields marked"}`;
      (first || title).focus();
      return;
    }
    toast(`Sent: ${r.data.title}`);
    status.textContent = `Sent: ${r.data.title}. It is on the public page, its feed and the city's tools, and goes to the subscribers.`;
    form.reset();
    replace(checks.en);
    replace(checks.es);
  });
  return form;
}
