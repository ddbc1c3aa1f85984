// The officer's phone: log a positive contact in three taps (what, how long, log it), with or
// without signal, and see my hours this month.

import { call } from "../api.js";
import { fmt, h, replace, thisMonth, toast } from "../dom.js";
import { dismissRejected, enqueue, onChange, pending, rejected, sync } from "../outbox.js";

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

function choices(name, legend, options, checked) {
  return h("fieldset", { class: "choices" }, h("legend", {}, legend),
    options.map(([value, label]) => [
      h("input", { type: "radio", name, id: `${name}-${value}`, value, checked: value === checked, required: true }),
      h("label", { for: `${name}-${value}` }, label),
    ]));
}

export async function render(main, { session }) {
  const owner = session.subject;
  const hours = h("dl", { class: "figures", id: "my-month" });
  const queue = h("div", { id: "queue", "aria-live": "polite" });
  const form = h("form", { id: "contact-form", "aria-label": "Log a positive contact" },
    choices("contact_type", "1. What kind of contact?", TYPES, null),
    choices("minutes", "2. How long?", MINUTES.map((m) => [m, `${m} min`]), 15),
    choices("residents", "Residents reached", RESIDENTS, 1),
    h("button", { type: "submit", class: "log-button" }, "3. Log contact"));

  replace(main,
    h("h1", {}, "Log a positive contact"),
    h("section", { class: "card", "aria-labelledby": "month-h" }, h("h2", { id: "month-h" }, "My month"), hours, queue),
    form);

  function showQueue() {
    const waiting = pending().filter((p) => p.owner === owner);
    const refused = rejected().filter((p) => p.owner === owner);
    replace(queue,
      waiting.length ? h("p", { class: "pending", id: "pending-count" },
        `${waiting.length} contact${waiting.length === 1 ? "" : "s"} saved on this phone, waiting to sync`) : null,
      refused.length ? h("div", { class: "rejected" },
        h("p", {}, `${refused.length} contact${refused.length === 1 ? " was" : "s were"} refused by the server:`),
        h("ul", {}, refused.map((r) => h("li", {}, `${fmt.label(r.body.contact_type)}, ${r.body.minutes} min — ${r.problem?.detail || "invalid"}`))),
        h("button", { type: "button", class: "secondary", onclick: () => dismissRejected() }, "Dismiss")) : null);
  }

  async function showMonth() {
    const r = await call("intake", `/v1/contacts/me/summary?month=${thisMonth()}`);
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
    if (sent) toast(`${sent} saved contact${sent === 1 ? "" : "s"} synced`);
    await showMonth();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    if (!data.get("contact_type")) {
      toast("Pick what kind of contact it was.");
      form.querySelector("input[name=contact_type]").focus();
      return;
    }
    const contact = {
      contact_type: data.get("contact_type"),
      minutes: Number(data.get("minutes")),
      residents_reached: Number(data.get("residents")),
    };
    enqueue(contact, owner); // on the phone first: nothing is lost if the send fails
    form.querySelectorAll("input[name=contact_type]").forEach((i) => { i.checked = false; });
    const label = `${fmt.label(contact.contact_type)}, ${contact.minutes} min`;
    const sent = await sync(owner);
    toast(sent ? `Logged: ${label}` : `Saved on this phone: ${label}. It syncs when the signal is back.`);
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
