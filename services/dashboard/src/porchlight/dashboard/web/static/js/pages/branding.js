// "Outreach branding" (#/branding, admins): how the outreach team looks on its public pages and
// flyers — its name, tagline, contact, colours and logo (dashboard GET/PUT /v1/branding, PUT
// /v1/branding/logo). A preview draws the public page's band as the form stands. The API decides:
// text unreadable on the primary colour (WCAG 4.5:1), an accent that cannot be seen (3:1), or a
// primary colour close to a police or enforcement colour is refused, nothing changes, and the
// reason is said next to its field in plain words, focus on the first field to change.

import { call, fieldErrors, webConfig } from "../api.js";
import { h, replace } from "../dom.js";
import { current } from "../session.js";

const MAX_LOGO_MB = 15; // the API's limit (photos/imaging/clean.py MAX_BYTES)

const TEXTS = [
  ["name", "Team name", "As residents know the team, e.g. Roxbury Community Outreach (3 to 80 characters).",
    { maxlength: 80, required: true }],
  ["tagline", "Tagline (optional)", "A short line under the name, e.g. Neighbors and city working together.",
    { maxlength: 120 }],
  ["contact", "Contact (optional)", "How residents reach the team, e.g. an email address and a phone number.",
    { maxlength: 160 }],
];
const COLOURS = [
  ["primary", "Primary colour", "The background of the band at the top of each public page and flyer."],
  ["on_primary", "Text on the primary colour", "The team's name and tagline on the band: it must be easy to read."],
  ["accent", "Accent colour", "Lines under headings and the bars beside quotes."],
];
// Why the API refuses a colour, in the page's words; its own message (with the figures) follows.
const WHY = {
  primary: "This colour looks too much like police or enforcement.",
  on_primary: "People could not read the team's name on the primary colour.",
  accent: "The accent would hardly be seen.",
};
const ORDER = [...TEXTS, ...COLOURS].map(([name]) => name);

/** "#1F6F5C", "1f6f5c" or "#1f6" -> "#1f6f5c"; null when it is no colour. */
function hex(value) {
  let v = String(value || "").trim().toLowerCase();
  if (!v.startsWith("#")) v = `#${v}`;
  if (/^#[0-9a-f]{3}$/.test(v)) v = `#${[...v.slice(1)].map((c) => c + c).join("")}`;
  return /^#[0-9a-f]{6}$/.test(v) ? v : null;
}

/** WCAG 2.1 contrast of two colours (for the preview only: the API checks again). */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16) / 255)
      .map((x) => (x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return Math.floor(((hi + 0.05) / (lo + 0.05)) * 100) / 100;
}

function sentence(text) {
  const t = String(text || "").replace(/\bbody\.\S*\s*/g, "").trim();
  if (!t) return "";
  return t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".");
}

function lamp(brand) {
  // The public page's own mark when no logo is set: a lamp on the accent colour.
  return h("svg", { viewBox: "0 0 48 48", "aria-hidden": "true", focusable: "false" },
    h("circle", { cx: 24, cy: 24, r: 22, fill: brand.accent }),
    h("path", { d: "M24 10c-6 0-10 4.5-10 10 0 4 2.5 6.5 4 8v5h12v-5c1.5-1.5 4-4 4-8 0-5.5-4-10-10-10zM19 36h10v3H19z",
      fill: brand.primary }));
}

function logoSrc(brand) {
  // The logo's address never changes: a new one is asked for by the time it was set.
  return `${brand.logo_url}?v=${encodeURIComponent(brand.updated_at || "")}`;
}

export async function render(main) {
  replace(main, h("h1", {}, "Outreach branding"), h("p", { class: "muted" }, "Loading…"));
  const [r, config] = await Promise.all([call("dashboard", "/v1/branding"), webConfig()]);
  if (!r.ok) {
    replace(main, h("h1", {}, "Outreach branding"),
      h("p", { class: "unavailable-note" }, `Not available: ${r.problem?.detail || "the dashboard does not answer."}`));
    return;
  }
  let brand = r.data;
  const district = config.districts[0]?.code || null;

  // --- the fields -------------------------------------------------------------------------
  const controls = {};
  const hints = {};
  const wraps = {};
  const box = (name, id, label, hint, ...inputs) => {
    hints[name] = COLOURS.some(([c]) => c === name) ? `${id}-hint branding-colours-hint` : `${id}-hint`;
    wraps[name] = h("div", { class: "form-field", dataset: { wraps: name } },
      h("label", { for: id }, label), h("p", { class: "muted field-hint", id: hints[name] }, hint), ...inputs);
    return wraps[name];
  };
  const texts = TEXTS.map(([name, label, hint, attrs]) => {
    const id = `brand-${name.replace("_", "-")}`;
    controls[name] = h("input", { type: "text", id, name, autocomplete: "off", "aria-describedby": `${id}-hint`,
      dataset: { field: name }, ...attrs });
    controls[name].value = brand[name] || "";
    return box(name, id, label, hint, controls[name]);
  });
  const pickers = {};
  const colours = COLOURS.map(([name, label, hint]) => {
    const id = `brand-${name.replace("_", "-")}`;
    controls[name] = h("input", { type: "text", id, name, autocomplete: "off", spellcheck: "false", maxlength: 7,
      class: "hex", "aria-describedby": `${id}-hint branding-colours-hint`, dataset: { field: name } });
    controls[name].value = brand[name];
    pickers[name] = h("input", { type: "color", id: `${id}-picker`, "aria-label": `${label}: pick it on a palette` });
    pickers[name].value = brand[name];
    pickers[name].addEventListener("input", () => { controls[name].value = pickers[name].value; draw(); });
    controls[name].addEventListener("input", () => {
      const v = hex(controls[name].value);
      if (v) pickers[name].value = v;
      draw();
    });
    return box(name, id, label, hint,
      h("div", { class: "colour-pair" }, pickers[name], controls[name]));
  });
  for (const name of ["name", "tagline"]) controls[name].addEventListener("input", () => draw());

  const save = h("button", { type: "submit" }, "Save");
  const status = h("p", { id: "branding-status", class: "brand-status", role: "status" });
  const formError = h("p", { id: "branding-form-error", class: "field-error", hidden: true });
  const publicLink = h("p", { id: "branding-public-link", hidden: true });
  const form = h("form", { id: "branding-form", class: "branding-form", novalidate: true, "aria-labelledby": "branding-form-h" },
    texts,
    h("fieldset", {}, h("legend", {}, "Colours"),
      h("p", { class: "muted field-hint", id: "branding-colours-hint" },
        "Pick each colour on its palette, or write it as # and six digits or letters a to f, e.g. #1f6f5c."),
      colours),
    formError,
    h("div", { class: "form-actions" }, save),
    status, publicLink);

  // --- the preview ------------------------------------------------------------------------
  const band = h("div", { class: "brand-band", id: "brand-preview" });
  const sample = h("div", { class: "brand-sample" },
    h("p", { class: "brand-sample-heading" }, "What neighbors raised"),
    h("p", { class: "brand-sample-quote" }, "Lines under headings and quote bars use the accent colour."));
  const checks = h("ul", { class: "brand-checks", id: "brand-checks" });

  function shown() {
    const colour = (name) => hex(controls[name].value) || brand[name];
    return { name: controls.name.value.trim() || brand.name, tagline: controls.tagline.value.trim(),
      primary: colour("primary"), on_primary: colour("on_primary"), accent: colour("accent"),
      logo_url: brand.logo_url, updated_at: brand.updated_at };
  }

  function draw() {
    const b = shown();
    for (const el of [band, sample]) {
      el.style.setProperty("--b-primary", b.primary);
      el.style.setProperty("--b-ink", b.on_primary);
      el.style.setProperty("--b-accent", b.accent);
    }
    replace(band,
      b.logo_url ? h("img", { src: logoSrc(b), alt: "" }) : lamp(b),
      h("div", {}, h("p", { class: "brand-band-name" }, b.name), b.tagline ? h("p", { class: "brand-band-tagline" }, b.tagline) : null));
    const text = contrast(b.primary, b.on_primary);
    const accent = Math.max(contrast(b.accent, "#ffffff"), contrast(b.accent, b.primary));
    replace(checks,
      h("li", {}, `Name on the band: contrast ${text}:1, ${text >= 4.5 ? "easy to read" : "too low to read (4.5:1 needed)"}.`),
      h("li", {}, `Accent: contrast ${accent}:1, ${accent >= 3 ? "easy to see" : "too faint (3:1 needed)"}.`));
  }

  // --- errors next to their fields ----------------------------------------------------------
  function clearErrors() {
    form.querySelectorAll(".field-error[data-for]").forEach((el) => el.remove());
    for (const [name, control] of Object.entries(controls)) {
      control.removeAttribute("aria-invalid");
      control.setAttribute("aria-describedby", hints[name]);
    }
    formError.hidden = true;
    formError.textContent = "";
  }

  function showError(name, message) {
    const control = controls[name];
    const id = `${control.id}-error`;
    wraps[name].append(h("p", { class: "field-error", id, dataset: { for: name } }, message));
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", `${hints[name]} ${id}`);
  }

  /** Show each field's problems (`why`: the API's refusals, said with the reason first); focus the first bad field. */
  function showErrors(errors, why = false) {
    clearErrors();
    const rest = [];
    for (const [name, messages] of Object.entries(errors)) {
      const text = messages.map(sentence).join(" ");
      if (controls[name]) showError(name, why && WHY[name] ? `${WHY[name]} ${text}` : text);
      else rest.push(text);
    }
    if (rest.length) { formError.textContent = rest.join(" "); formError.hidden = false; }
    const first = ORDER.find((name) => name in errors);
    if (first) controls[first].focus();
    const count = Object.keys(errors).length;
    say(`Not saved: ${count === 1 ? "one answer needs" : `${count} answers need`} changing. Nothing was changed.`, "problem");
  }

  function say(message, kind = "done") {
    status.dataset.kind = kind;
    status.textContent = message;
  }

  function showPublicLink() {
    if (!district) return;
    replace(publicLink, h("a", { href: `/public/en/districts/${encodeURIComponent(district)}` }, "See the public page"),
      ` of district ${district}: it shows the change within a few seconds.`);
    publicLink.hidden = false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // A colour the API could not even read is said here, before anything is sent.
    const errors = {};
    for (const [name] of COLOURS) {
      if (!hex(controls[name].value)) {
        errors[name] = ["Write the colour as # and six digits or letters a to f, e.g. #1f6f5c, or pick it on the palette."];
      }
    }
    if (Object.keys(errors).length) { showErrors(errors); return; }
    const body = {
      name: controls.name.value.trim(),
      tagline: controls.tagline.value.trim(),
      primary: hex(controls.primary.value),
      on_primary: hex(controls.on_primary.value),
      accent: hex(controls.accent.value),
      contact: controls.contact.value.trim() || null,
    };
    save.disabled = true;
    say("Saving…", "waiting");
    const result = await call("dashboard", "/v1/branding", { method: "PUT", body });
    save.disabled = false;
    if (!result.ok) {
      if (result.problem?.errors) { showErrors(fieldErrors(result.problem), true); return; }
      clearErrors();
      say(refusal(result.state, result.problem), "problem");
      return;
    }
    clearErrors();
    brand = result.data;
    for (const [name] of [...TEXTS, ...COLOURS]) controls[name].value = brand[name] || "";
    for (const [name] of COLOURS) pickers[name].value = brand[name];
    draw();
    say(`Saved: the public pages show ${brand.name} in these colours.`);
    showPublicLink();
  });

  // --- the logo -----------------------------------------------------------------------------
  const logoNow = h("div", { id: "brand-logo-current", class: "brand-logo" });
  const file = h("input", { type: "file", id: "brand-logo-file", name: "file", accept: "image/png,image/jpeg,image/webp",
    "aria-describedby": "brand-logo-file-hint" });
  const upload = h("button", { type: "submit" }, "Upload logo");
  const logoStatus = h("p", { id: "branding-logo-status", class: "brand-status", role: "status" });
  const logoField = h("div", { class: "form-field" },
    h("label", { for: file.id }, "New logo"),
    h("p", { class: "muted field-hint", id: "brand-logo-file-hint" },
      `A PNG, JPEG or WebP image, at most ${MAX_LOGO_MB} MB. It is shown at most 256 pixels a side, with its hidden details (camera, place) removed.`),
    file);
  const logoForm = h("form", { id: "branding-logo-form", novalidate: true, "aria-labelledby": "branding-logo-h" },
    logoField, h("div", { class: "form-actions" }, upload), logoStatus);

  function drawLogo() {
    replace(logoNow, brand.logo_url
      ? h("img", { src: logoSrc(brand), alt: `The logo in use for ${brand.name}` })
      : h("p", { class: "muted" }, "No logo yet: the public pages show a lamp drawn in the team's colours."));
  }

  function logoError(message) {
    logoField.querySelector(".field-error")?.remove();
    file.removeAttribute("aria-invalid");
    file.setAttribute("aria-describedby", "brand-logo-file-hint");
    if (!message) return;
    logoField.append(h("p", { class: "field-error", id: "brand-logo-file-error" }, message));
    file.setAttribute("aria-invalid", "true");
    file.setAttribute("aria-describedby", "brand-logo-file-hint brand-logo-file-error");
    file.focus();
    logoStatus.dataset.kind = "problem";
    logoStatus.textContent = "The logo was not changed.";
  }

  logoForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) { logoError("Choose an image file first."); return; }
    if (chosen.size > MAX_LOGO_MB * 1024 * 1024) {
      logoError(`This file is ${(chosen.size / 1048576).toFixed(1)} MB: a logo may be at most ${MAX_LOGO_MB} MB.`);
      return;
    }
    logoError(null);
    upload.disabled = true;
    logoStatus.dataset.kind = "waiting";
    logoStatus.textContent = "Uploading…";
    const result = await sendLogo(chosen);
    upload.disabled = false;
    if (!result.ok) { logoError(result.message); return; }
    // Only the logo changed: the fields keep what the admin typed and has not saved yet.
    brand = { ...brand, logo_url: result.data.logo_url, updated_at: result.data.updated_at };
    file.value = "";
    drawLogo();
    draw();
    logoStatus.dataset.kind = "done";
    logoStatus.textContent = "Logo saved: the public pages show it.";
    showPublicLink();
  });

  replace(main,
    h("h1", {}, "Outreach branding"),
    h("p", {}, "How the outreach team looks on its public pages and flyers: its name, colours and logo. ",
      "Colours must be easy to read and must not look like police or enforcement; the page says why when one is refused."),
    h("div", { class: "grid branding-grid" },
      h("section", { class: "card wide", "aria-labelledby": "branding-preview-h" },
        h("h2", { id: "branding-preview-h" }, "Preview"),
        h("p", { class: "muted" }, "The band at the top of each public page, as the form stands (saved only with Save)."),
        band, sample, checks),
      h("section", { class: "card", "aria-labelledby": "branding-form-h" },
        h("h2", { id: "branding-form-h" }, "Name, contact and colours"), form),
      h("section", { class: "card", "aria-labelledby": "branding-logo-h" },
        h("h2", { id: "branding-logo-h" }, "Logo"), logoNow, logoForm)));
  draw();
  drawLogo();
}

/** PUT the logo as a multipart upload (call() sends JSON only). Never throws. */
async function sendLogo(chosen) {
  const data = new FormData();
  data.append("file", chosen, chosen.name);
  const headers = { Accept: "application/json" };
  const session = current();
  if (session) headers.Authorization = `Bearer ${session.token}`;
  let response;
  try {
    response = await fetch("/v1/branding/logo", { method: "PUT", headers, body: data });
  } catch {
    return { ok: false, message: "No network connection: try again when online." };
  }
  const body = await response.json().catch(() => null);
  if (response.ok) return { ok: true, data: body };
  if (response.status === 413) return { ok: false, message: `This file is too big: a logo may be at most ${MAX_LOGO_MB} MB.` };
  const state = response.status === 401 || response.status === 403 ? "denied" : "error";
  if (state === "error" && body?.errors?.length) {
    return { ok: false, message: body.errors.map((e) => sentence(e.message)).join(" ") };
  }
  return { ok: false, message: refusal(state, body) };
}

function refusal(state, problem) {
  if (state === "denied") return "Not saved: only an administrator may change the branding. Sign in again as one.";
  if (state === "offline") return "Not saved: no network connection. Try again when online.";
  if (state === "down") return "Not saved: the dashboard does not answer right now. Try again in a moment.";
  return `Not saved: ${sentence(problem?.detail) || "something went wrong. Try again."}`;
}
