// Field-level errors from RFC 9457 problem documents: each message next to its field
// (aria-invalid + aria-describedby), and a summary at the top that links to every field.
// The messages are the API's, written for people; its field paths and codes are for programs
// and never shown.

import { fieldErrors } from "./api.js";
import { h, replace } from "./dom.js";

/** A labelled input; `field` is the API's field path (e.g. "place.district"). */
export function field(label, field, control, hint) {
  const id = control.id || `f-${field.replace(/[^a-z0-9]+/gi, "-")}`;
  control.id = id;
  control.dataset.field = field;
  if (!control.name) control.name = field;
  const hintEl = hint ? h("p", { class: "muted", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "form-field", dataset: { wraps: field } }, h("label", { for: id }, label), hintEl, control);
}

export function clearErrors(form, summary) {
  form.querySelectorAll(".field-error[data-for]").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && !x.endsWith("-error"));
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
  });
  replace(summary);
  summary.hidden = true;
}

/** Show a problem's errors on a form; fields not on the form are listed in the summary. */
export function showErrors(form, summary, problem) {
  clearErrors(form, summary);
  const errors = fieldErrors(problem);
  const links = [];
  let first = null;
  for (const [path, messages] of Object.entries(errors)) {
    const control = findControl(form, path);
    const text = `${messages.join("; ")}`;
    if (control) {
      const errorId = `${control.id}-error`;
      const message = h("p", { class: "field-error", id: errorId, dataset: { for: path } }, text);
      const holder = control.closest(".form-field, fieldset");
      if (holder) holder.append(message);
      else control.after(message);
      control.setAttribute("aria-invalid", "true");
      const described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      control.setAttribute("aria-describedby", [...described, errorId].join(" "));
      links.push(h("li", {}, h("a", { href: `#${control.id}`, onclick: (e) => { e.preventDefault(); control.focus(); } },
        `${labelOf(form, control)}: ${text}`)));
      first ||= control;
    } else {
      links.push(h("li", {}, path === "_form" ? text : `${plainName(path)}: ${text}`));
    }
  }
  // A validation problem's title is the same for every form: say it in the page's own words.
  const heading = problem.errors ? "Some answers need correcting" : problem.title || "Something went wrong";
  replace(summary, h("h2", { id: `${form.id}-summary-h` }, heading),
    problem.errors ? null : h("p", {}, problem.detail || ""), links.length ? h("ul", {}, links) : null);
  summary.hidden = false;
  summary.setAttribute("aria-labelledby", `${form.id}-summary-h`);
  (first || summary).focus();
}

function findControl(form, path) {
  // The most specific control first: "concerns.0.text", then its parents ("concerns.0", "concerns").
  const parts = path.split(".");
  while (parts.length) {
    const el = form.querySelector(`[data-field="${CSS.escape(parts.join("."))}"]`);
    if (el) return el;
    parts.pop();
  }
  return null;
}

/** "place.point.lat" -> "Lat", "follow_ups.2" -> "Follow ups": a field the form does not show. */
function plainName(path) {
  const name = path.split(".").filter((p) => !/^\d+$/.test(p)).pop() || path;
  const words = name.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Enter in a one-line box does not send the whole form (a stray Enter filed empty notes): only
 * the submit button, or Ctrl+Enter (⌘+Enter) from any field, does. Enter in a text area starts a
 * new line as usual.
 */
export function submitOnlyOnPurpose(form) {
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    const target = event.target;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (target.tagName === "INPUT" && !["submit", "button", "reset", "image"].includes(target.type)) {
      event.preventDefault();
    }
  });
}

function labelOf(form, control) {
  if (control.tagName === "FIELDSET") return control.querySelector("legend")?.textContent || control.id;
  const label = form.querySelector(`label[for="${CSS.escape(control.id)}"]`);
  return label ? label.textContent : control.name;
}

export function errorSummary() {
  return h("div", { class: "error-summary", role: "alert", tabindex: "-1", hidden: true });
}

/** datetime-local value -> ISO 8601 with the browser's offset (the API wants an aware time). */
export function localToIso(value) {
  if (!value) return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value; // let the API name the field
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${value.length === 16 ? `${value}:00` : value}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

export function isoToLocal(date) {
  const d = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}
