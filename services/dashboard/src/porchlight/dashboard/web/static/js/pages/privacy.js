// The city's privacy policy (docs/privacy.md, served by the dashboard's /v1/privacy): what
// engagement data may and may not be used for, and who reads residents' words. Admins and
// auditors have it in their menu; the text is rendered on the server with raw HTML escaped.

import { call } from "../api.js";
import { h, replace } from "../dom.js";

export async function render(main) {
  const body = h("div", { id: "privacy-policy", class: "policy" }, h("p", { class: "muted" }, "Loading…"));
  replace(main, body);
  const r = await call("dashboard", "/v1/privacy");
  if (!r.ok) {
    replace(body, h("h1", {}, "Privacy"), h("p", { class: "unavailable-note" }, `Not available: ${r.problem?.detail || "error"}`));
    return;
  }
  const holder = document.createElement("div");
  holder.innerHTML = r.data.html; // the server's rendering: markdown with raw HTML escaped
  replace(body, ...holder.childNodes);
}
