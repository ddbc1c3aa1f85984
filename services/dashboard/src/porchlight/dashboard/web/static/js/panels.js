// A page section that loads on its own and says plainly when its API is missing or down,
// instead of showing anything made up.

import { h, replace } from "./dom.js";

const WHY = {
  unavailable: "Not available: this API is not part of this build yet.",
  down: "Not available: the service does not answer right now.",
  offline: "Not available offline.",
  denied: "Not available for your role.",
};

export function panel(title, { id, wide = false } = {}) {
  const body = h("div", { class: "panel-body" }, h("p", { class: "muted" }, "Loading…"));
  const headingId = `${id}-h`;
  const el = h("section", { class: `card${wide ? " wide" : ""}`, id, "aria-labelledby": headingId, "aria-busy": "true" },
    h("h2", { id: headingId }, title), body);
  return {
    el,
    body,
    /** Show a call's result: `draw(data)` when it worked, else why not. */
    show(result, draw) {
      el.removeAttribute("aria-busy");
      if (result.ok) { el.classList.remove("unavailable"); delete el.dataset.state; replace(body, draw(result.data)); return; }
      el.classList.add("unavailable");
      el.dataset.state = result.state;
      replace(body, h("p", { class: "unavailable-note" }, WHY[result.state] || `Not available: ${result.problem?.detail || "error"}`));
    },
  };
}

export function figures(items) {
  return h("dl", { class: "figures" }, items.map(([label, value, delta, id]) =>
    h("div", {}, h("dt", {}, label), h("dd", id ? { id } : {}, value, delta ? h("span", { class: "delta" }, delta) : null))));
}

export function monthRange(month) {
  const [y, m] = month.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}
