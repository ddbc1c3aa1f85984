// The auditor's page: who read or changed what, asked of every service's own audit trail
// (docs/adr/0013-audit-trail.md), and whether each trail's hash chain still holds. Ids, routes and
// filters only: the trail never holds residents' words.

import { call } from "../api.js";
import { fmt, h, replace } from "../dom.js";
import { panel } from "../panels.js";

const SERVICES = ["intake", "synthesis", "dashboard", "projects", "layers"];
const ACTIONS = ["", "read", "export", "create", "update", "delete"];

function daysAgo(n) {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

function field(id, label, input) {
  return h("div", { class: "field" }, h("label", { for: id }, label), input);
}

function listed(map) {
  return Object.entries(map).map(([kind, values]) => `${kind}: ${values.slice(0, 3).join(", ")}${values.length > 3 ? ` (+${values.length - 3})` : ""}`).join("; ");
}

const COLUMNS = ["When", "Who", "Roles", "Action", "Route or command", "Status", "Districts", "Ids touched", "Asked for"];

// A page of entries per service at a time: 5 services' full pages at once were thousands of cells,
// more than a person reads and slow to draw; older ones come on asking, as far back as the filters go.
const PAGE = 25;

function rows(entries) {
  const cell = (label, ...content) => h("td", { role: "cell", "data-label": label }, ...content);
  return entries.map((e) => h("tr", { role: "row", dataset: { seq: e.seq } },
    cell("When", fmt.date(e.at)),
    cell("Who", e.actor, e.actor_district ? h("span", { class: "muted" }, ` · ${e.actor_district}`) : null),
    cell("Roles", e.roles.join(", ")),
    cell("Action", e.action),
    cell("Route or command", h("code", {}, e.route)),
    cell("Status", String(e.status)),
    cell("Districts", e.districts.join(", ")),
    cell("Ids touched", listed(e.ids)),
    cell("Asked for", listed(e.filters))));
}

function table(service, data, query) {
  if (!data.entries.length) return [h("p", { class: "muted" }, "No entries match.")];
  const body = h("tbody", { role: "rowgroup" }, rows(data.entries));
  const shown = h("p", { class: "muted", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "secondary", id: `audit-more-${service}` }, `Show ${PAGE} older entries`);
  let cursor = data.next_cursor;
  const update = () => {
    replace(shown, `${fmt.int(body.children.length)} entries shown, newest first${cursor ? "; older ones match too." : "; that is every one that matches."}`);
    more.hidden = !cursor;
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    const r = await call(service, `/v1/audit?${query}&cursor=${encodeURIComponent(cursor)}`);
    more.disabled = false;
    if (!r.ok) { replace(shown, "Older entries could not be loaded right now."); return; }
    body.append(...rows(r.data.entries));
    cursor = r.data.next_cursor;
    update();
  });
  update();
  // Reflows into one block per entry in a narrow card (app.css .reflow), as the meetings list;
  // between that and a wide screen it scrolls inside its card (a data table may, WCAG 1.4.10).
  return [h("div", { class: "table-scroll", tabindex: "0", "aria-label": `Audit entries of ${service}` }, h("div", { class: "reflow" }, h("table", { role: "table" },
    h("caption", { class: "visually-hidden" }, `Audit entries of ${service}, newest first`),
    h("thead", { role: "rowgroup" }, h("tr", { role: "row" }, COLUMNS.map((t) => h("th", { scope: "col", role: "columnheader" }, t)))),
    body))), shown, more];
}

export async function render(main) {
  const district = h("input", { id: "a-district", name: "district", autocomplete: "off", placeholder: "e.g. B2" });
  const action = h("select", { id: "a-action", name: "action" }, ACTIONS.map((a) => h("option", { value: a }, a || "any")));
  const actor = h("input", { id: "a-actor", name: "actor", autocomplete: "off" });
  const from = h("input", { id: "a-from", name: "from", type: "date", value: daysAgo(7) });
  const to = h("input", { id: "a-to", name: "to", type: "date", value: daysAgo(0) });
  const form = h("form", { id: "audit-form", class: "filters" },
    field("a-district", "District", district), field("a-action", "Action", action), field("a-actor", "Who (subject)", actor),
    field("a-from", "From", from), field("a-to", "To", to), h("button", { type: "submit" }, "Search"));
  const results = h("div", { id: "audit-results", class: "grid" });
  replace(main, h("h1", {}, "Audit trail"),
    h("p", { class: "muted" }, "Who read or changed what, by service. Each service keeps its own trail; reading it is recorded too."),
    form, results);

  async function search(event) {
    if (event) event.preventDefault();
    const q = new URLSearchParams({ limit: String(PAGE) });
    for (const [k, el] of [["district", district], ["action", action], ["actor", actor], ["from", from], ["to", to]]) {
      if (el.value.trim()) q.set(k, el.value.trim());
    }
    const panels = SERVICES.map((s) => panel(s, { id: `audit-${s}`, wide: true }));
    replace(results, panels.map((p) => p.el));
    await Promise.all(SERVICES.map(async (s, i) => {
      // Checking a chain walks all of it (long on a trail of years, and heavy for the service
      // meanwhile): the auditor asks for it, it is not done at every search.
      const state = h("p", { class: "muted chain-state", "aria-live": "polite" });
      const verify = h("button", { type: "button", class: "secondary", "aria-label": `Check the chain: ${s}` }, "Check the chain");
      verify.addEventListener("click", async () => {
        verify.disabled = true;
        replace(state, "Checking the chain…");
        const chain = await call(s, "/v1/audit/verify");
        verify.disabled = false;
        if (!chain.ok) { replace(state, "The chain could not be checked right now."); return; }
        state.className = chain.data.intact ? "muted chain-state" : "unavailable-note chain-state";
        state.dataset.intact = String(chain.data.intact);
        replace(state, chain.data.intact
          ? `Chain intact: ${fmt.int(chain.data.entries)} entries.`
          : `Chain broken at entry ${chain.data.broken_seq}: ${chain.data.reason}`);
      });
      const page = await call(s, `/v1/audit?${q}`);
      panels[i].show(page, (data) => [h("div", { class: "chain-check" }, verify, state), ...table(s, data, q)]);
    }));
  }
  form.addEventListener("submit", search);
  await search();
}
