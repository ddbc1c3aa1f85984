// The officer's phone: log a positive contact in three taps (what, how long, log it), with or
// without signal, and see my hours this month.

import { call } from "../api.js";
import { fmt, h, replace, thisMonth } from "../dom.js";
import { dismissRejected, enqueue, onChange, pending, rejected, sync } from "../outbox.js";

// One name per kind of contact: the button shows it and every message about a contact says it.
const TYPES = [
  ["conversation", "Conversation"],
  ["youth_activity", "Youth activity"],
  ["business_checkin", "Business check-in"],
  ["event", "Community event"],
  ["referral", "Referral"],
  ["other", "Other"],
];
const MINUTES = [5, 15, 30, 60];
const RESIDENTS = [[1, "1"], [3, "2–5"], [8, "6–10"], [15, "More"]];
const SUMMARY_KEY = "porchlight.summary";
const TYPE_LABEL = new Map(TYPES);

/** What the officer tapped, in the button's words ("Business check-in", never "business checkin"). */
export function contactLabel(type) {
  return TYPE_LABEL.get(type) || fmt.label(type);
}

function choices(name, legend, options, checked) {
  return h("fieldset", { class: `choices choices-${options.length}` }, h("legend", {}, legend),
    options.map(([value, label]) => [
      h("input", { type: "radio", name, id: `${name}-${value}`, value, checked: value === checked, required: true }),
      h("label", { for: `${name}-${value}` }, label),
    ]));
}

export async function render(main, { session }) {
  const owner = session.subject;
  const hours = h("dl", { class: "figures", id: "my-month" });
  const queue = h("div", { id: "queue", "aria-live": "polite" });
  // What happened to the last tap, in the page's own line under the button: a floating toast
  // over the button swallowed the next tap (the contact was never logged, and nobody knew).
  const status = h("p", { id: "contact-status", class: "contact-status", role: "status", "aria-live": "polite" });
  const form = h("form", { id: "contact-form", class: "contact-form", "aria-label": "Log a positive contact" },
    choices("contact_type", "1. What kind of contact?", TYPES, null),
    choices("minutes", "2. How long?", MINUTES.map((m) => [m, `${m} min`]), 15),
    choices("residents", "Residents reached", RESIDENTS, 1),
    h("button", { type: "submit", class: "log-button" }, "3. Log contact"),
    status);

  // The form first: its button is on the first screen of a phone (390×844), the month below it.
  replace(main,
    h("h1", {}, "Log a positive contact"),
    form,
    h("section", { class: "card", "aria-labelledby": "month-h" }, h("h2", { id: "month-h" }, "My month"), hours, queue));

  function say(message, kind = "done") {
    status.dataset.kind = kind;
    status.textContent = message;
  }

  function showQueue() {
    const waiting = pending().filter((p) => p.owner === owner);
    const refused = rejected().filter((p) => p.owner === owner);
    replace(queue,
      waiting.length ? h("p", { class: "pending", id: "pending-count" },
        `${waiting.length} contact${waiting.length === 1 ? "" : "s"} saved on this phone, waiting to sync`) : null,
      refused.length ? h("div", { class: "rejected" },
        h("p", {}, `${refused.length} contact${refused.length === 1 ? " was" : "s were"} refused by the server:`),
        h("ul", {}, refused.map((r) => h("li", {}, `${contactLabel(r.body.contact_type)}, ${r.body.minutes} min — ${r.problem?.detail || "invalid"}`))),
        h("button", { type: "button", class: "secondary", onclick: () => dismissRejected() }, "Dismiss")) : null);
  }

  let asked = 0;
  async function showMonth() {
    const mine = ++asked;
    const r = await call("intake", `/v1/contacts/me/summary?month=${thisMonth()}`);
    if (mine !== asked) return; // a later call (a later tap) draws the month: an older answer must not
    let summary = null;
    let stale = false;
    if (r.ok) {
      summary = r.data;
      localStorage.setItem(SUMMARY_KEY, JSON.stringify({ owner, at: new Date().toISOString(), summary }));
    } else {
      const saved = JSON.parse(localStorage.getItem(SUMMARY_KEY) || "null");
      if (saved && saved.owner === owner && saved.summary.month === thisMonth()) { summary = saved.summary; stale = saved.at; }
    }
    if (!summary) {
      replace(hours, h("p", { class: "muted" }, r.state === "offline" ? "Offline: your month shows when the signal is back." : `Not available: ${r.problem?.detail || ""}`));
      return;
    }
    replace(hours,
      h("div", {}, h("dt", {}, "Hours this month"), h("dd", { id: "my-hours" }, fmt.hours(summary.hours))),
      h("div", {}, h("dt", {}, "Contacts"), h("dd", { id: "my-contacts" }, fmt.int(summary.contacts))),
      h("div", {}, h("dt", {}, "Residents reached"), h("dd", {}, fmt.int(summary.residents_reached))),
      stale ? h("p", { class: "muted wide" }, `As of ${fmt.date(stale)} (offline)`) : null);
  }

  async function syncNow() {
    const sent = await sync(owner);
    if (sent) say(`${sent} saved contact${sent === 1 ? "" : "s"} synced`);
    await showMonth();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    if (!data.get("contact_type")) {
      say("Pick what kind of contact it was.", "problem");
      form.querySelector("input[name=contact_type]").focus();
      return;
    }
    const contact = {
      contact_type: data.get("contact_type"),
      minutes: Number(data.get("minutes")),
      residents_reached: Number(data.get("residents")),
    };
    const item = enqueue(contact, owner); // on the phone first: nothing is lost if the send fails
    form.querySelectorAll("input[name=contact_type]").forEach((i) => { i.checked = false; });
    const label = `${contactLabel(contact.contact_type)}, ${contact.minutes} min`;
    say(`Saving: ${label}…`, "waiting");
    await sync(owner);
    // A sync already under way (the background one) may have started before this contact was
    // queued: send again so this tap's contact goes now, not at the next signal change.
    if (pending().some((p) => p.id === item.id)) await sync(owner);
    const refusal = rejected().find((r) => r.id === item.id);
    if (refusal) say(`Not logged: ${label} — ${refusal.problem?.detail || "refused by the server"}`, "problem");
    else if (pending().some((p) => p.id === item.id)) say(`Saved on this phone: ${label}. It syncs when the signal is back.`, "waiting");
    else say(`Logged: ${label}`);
    await showMonth();
  });

  // Whenever the queue changes (a contact sent by the background sync too), redraw it and,
  // once it has emptied, the month's figures.
  const off = onChange(() => { showQueue(); if (!pending().some((p) => p.owner === owner)) showMonth(); });
  window.addEventListener("online", syncNow);
  showQueue();
  await showMonth();
  return () => { off(); window.removeEventListener("online", syncNow); };
}
