// A department partner's board: the micro-projects of their department (all when none), live,
// and the "Flag an issue" form: a problem at a place, on the shared map (layers' POST /v1/issues).

import { call } from "../api.js";
import { h, replace, toast } from "../dom.js";
import { mountBoard } from "../board.js";
import { panel } from "../panels.js";

export async function render(main, { session }) {
  const scope = session.department ? `department=${encodeURIComponent(session.department)}` : "";
  const boardPanel = panel(session.department ? `${session.department}: micro-projects` : "All micro-projects", { id: "board", wide: true });
  const flag = panel("Flag an issue", { id: "flag-issue" });
  replace(main, h("h1", {}, "Project board"), h("div", { class: "grid" }, flag.el, boardPanel.el));
  flag.show({ ok: true, data: null }, () => flagForm(session));
  const status = h("p", { class: "muted", role: "status", id: "board-status" });
  const holder = h("div", { id: "board-columns" });
  const board = mountBoard(holder, status, scope);
  board.ready.then((r) => boardPanel.show(r, () => [status, holder]));
  return () => board.stop();
}

function field(id, label, input, hint) {
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), hint ? h("p", { class: "muted", id: `${id}-hint` }, hint) : null, input);
}

function flagForm(session) {
  const department = h("input", { type: "text", value: session.department || "", required: true, autocomplete: "organization" });
  const category = h("input", { type: "text", required: true, maxlength: 200, placeholder: "Street light out" });
  const lat = h("input", { type: "number", step: "any", min: -90, max: 90, required: true, inputmode: "decimal" });
  const lon = h("input", { type: "number", step: "any", min: -180, max: 180, required: true, inputmode: "decimal" });
  const place = h("input", { type: "text", maxlength: 200, placeholder: "Park path behind 12 Elm St" });
  const records = h("input", { type: "text", placeholder: "SL-2026-000481, SL-2026-000482" });
  const description = h("textarea", { maxlength: 2000, rows: 3 });
  const errors = h("ul", { class: "errors", role: "alert" });
  const here = h("button", { type: "button", class: "secondary" }, "Use my location");
  here.addEventListener("click", () => navigator.geolocation?.getCurrentPosition(
    (p) => { lat.value = p.coords.latitude.toFixed(6); lon.value = p.coords.longitude.toFixed(6); },
    () => toast("Location not available: type the point."),
  ));
  const form = h("form", { id: "flag-form", novalidate: true },
    field("flag-department", "Your department (code)", department),
    field("flag-category", "What is it?", category),
    h("div", { class: "row" }, field("flag-lat", "Latitude", lat), field("flag-lon", "Longitude", lon), h("div", { style: "align-self:end" }, here)),
    field("flag-place", "Where, in words", place),
    field("flag-records", "Your records it is about (ids, comma-separated)", records),
    field("flag-description", "Details", description),
    errors,
    h("button", { type: "submit" }, "Flag the issue"));
  const inputs = { department, category, point: lat, description, place, record_ids: records };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    const body = {
      department: department.value.trim(),
      category: category.value.trim(),
      point: { lat: Number(lat.value), lon: Number(lon.value) },
      description: description.value.trim(),
      place: place.value.trim() || null,
      record_ids: records.value.split(",").map((s) => s.trim()).filter(Boolean),
    };
    const r = await call("layers", "/v1/issues", { method: "POST", body });
    if (r.ok) {
      toast(`Flagged in ${r.data.district}: ${r.data.category}`);
      form.reset();
      department.value = session.department || "";
      return;
    }
    for (const err of r.problem.errors || [{ field: "", message: r.problem.detail || "Not flagged" }]) {
      const name = String(err.field || "").replace(/^body\./, "").split(".")[0];
      errors.append(h("li", {}, `${name ? `${name.replace("_", " ")}: ` : ""}${err.message}`));
      inputs[name]?.setAttribute("aria-invalid", "true");
    }
  });
  return form;
}
