// Sign-in. Standalone mode: a demo user picks a role (and a district) and gets a token from
// the dashboard. Distributed mode: people sign in at the city's identity provider; a token it
// issued may be pasted here.

import { fieldErrors } from "../api.js";
import { h, navigate, replace } from "../dom.js";
import { signIn } from "../session.js";

const ROLE_TEXT = {
  officer: ["Officer", "Log positive contacts from a phone"],
  liaison: ["Community liaison / host", "Schedule micro-meetings and file their notes"],
  supervisor: ["Supervisor", "The district page: concerns, projects, wins"],
  analyst: ["Analyst / leadership", "The city page and the monthly report"],
  partner: ["Department partner", "The shared project board"],
};

export async function render(main) {
  replace(main, h("h1", {}, "Sign in"), h("p", {}, "Loading…"));
  let config;
  try {
    config = await (await fetch("/web/config")).json();
  } catch {
    config = null;
  }
  if (!config) {
    replace(main, h("h1", {}, "Sign in"), h("p", {}, "The dashboard is not reachable. Try again when online."));
    return;
  }
  replace(main, h("h1", {}, "Sign in"), config.demo_sign_in ? demoForm(config) : tokenForm());
}

function demoForm(config) {
  const error = h("p", { class: "field-error", id: "signin-error", role: "alert" });
  const district = h("select", { id: "district", name: "district" },
    h("option", { value: "" }, "No district (whole city)"),
    config.districts.map((d, i) => h("option", { value: d.code, selected: i === 0 }, `${d.code} — ${d.name}`)));
  const department = h("select", { id: "department", name: "department" },
    config.departments.map((d) => h("option", { value: d }, d.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join(" "))));
  const roles = h("fieldset", { class: "choices roles" }, h("legend", {}, "I am…"),
    config.roles.map((role, i) => [
      h("input", { type: "radio", name: "role", id: `role-${role}`, value: role, checked: i === 0 }),
      h("label", { for: `role-${role}` }, ROLE_TEXT[role][0], h("br"), h("small", {}, ROLE_TEXT[role][1])),
    ]));
  const form = h("form", { "aria-describedby": "demo-help" },
    h("p", { id: "demo-help" }, "Demo city, standalone mode: pick a role to see Porchlight as that person does."),
    roles,
    h("div", { class: "row" },
      h("div", {}, h("label", { for: "district" }, "District"), district),
      h("div", {}, h("label", { for: "department" }, "Department (partners)"), department)),
    error,
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Sign in")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const role = form.elements.role.value;
    const body = { role, district: district.value || null };
    if (role === "partner") body.department = department.value;
    const response = await fetch("/web/demo-token", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    }).catch(() => null);
    if (!response) { error.textContent = "No network connection."; return; }
    const data = await response.json();
    if (!response.ok) {
      const errors = fieldErrors(data);
      error.textContent = Object.values(errors).flat().join("; ") || data.detail;
      return;
    }
    signIn(data.token);
    navigate("#/");
  });
  return form;
}

function tokenForm() {
  const error = h("p", { class: "field-error", role: "alert" });
  const input = h("textarea", { id: "token", name: "token", required: true, autocomplete: "off" });
  const form = h("form", {},
    h("p", {}, "Sign in at your identity provider, then paste the bearer token it gave you."),
    h("label", { for: "token" }, "Bearer token"), input, error,
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Sign in")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    try { signIn(input.value.trim()); navigate("#/"); } catch (err) { error.textContent = err.message; }
  });
  return form;
}
