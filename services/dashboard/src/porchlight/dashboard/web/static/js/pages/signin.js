// Sign-in. With the city's OpenID Connect provider configured, people sign in there: the
// dashboard starts the flow (/web/oidc/login: PKCE, state, nonce), the provider sends the browser
// back to /web/oidc/callback (this page), and the code goes to /web/oidc/token, which checks it
// and answers with the bearer the app keeps (docs/adr/0012-oidc-sign-in.md). Demo mode only
// (standalone, no provider): a demo user picks a role (and a district, or a partner's department).

import { fieldErrors } from "../api.js";
import { h, navigate, replace } from "../dom.js";
import { signIn } from "../session.js";

const CALLBACK = "/web/oidc/callback";

const ROLE_TEXT = {
  officer: ["Officer", "Log positive contacts from a phone"],
  liaison: ["Community liaison / host", "Schedule micro-meetings and file their notes"],
  supervisor: ["Supervisor", "The district page: concerns, projects, wins"],
  analyst: ["Analyst / leadership", "The city page and the monthly report"],
  partner: ["Department partner", "The shared project board"],
  auditor: ["Auditor", "Who read or changed what (the audit trail), never residents' words"],
};

export async function render(main) {
  replace(main, h("h1", {}, "Sign in"), h("p", {}, "Loading…"));
  if (location.pathname === CALLBACK) return finishAtProvider(main, new URLSearchParams(location.search));
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
  const ways = [];
  if (config.oidc_sign_in) ways.push(providerForm());
  if (config.demo_sign_in) ways.push(demoForm(config));
  if (!ways.length) {
    ways.push(h("p", {}, "Sign-in is not set up on this server yet. An administrator connects the city's "
      + "identity provider (PORCHLIGHT_OIDC_ISSUER and PORCHLIGHT_OIDC_CLIENT_ID)."));
  }
  replace(main, h("h1", {}, "Sign in"), ways);
}

function providerForm() {
  // A plain GET form: the browser itself goes to the provider and back (no script needed).
  return h("form", { method: "get", action: "/web/oidc/login", id: "oidc-form" },
    h("p", {}, "Sign in with your city account. You will come back here once signed in."),
    h("div", { class: "form-actions" }, h("button", { type: "submit", id: "oidc-sign-in" }, "Sign in with your city account")));
}

async function finishAtProvider(main, params) {
  // The code is single-use: out of the address bar and the history at once, whatever follows.
  history.replaceState(null, "", "/#/signin");
  const again = h("p", {}, h("a", { href: "/web/oidc/login" }, "Sign in again"));
  const fail = (message) => replace(main, h("h1", {}, "Sign in"),
    h("p", { class: "field-error", role: "alert", id: "signin-error" }, message), again);
  if (params.get("error")) {
    fail(params.get("error") === "access_denied"
      ? "Sign-in was cancelled at your identity provider."
      : `Your identity provider did not sign you in: ${params.get("error_description") || params.get("error")}.`);
    return;
  }
  if (!params.get("code") || !params.get("state")) { fail("The identity provider sent no sign-in code."); return; }
  replace(main, h("h1", {}, "Sign in"), h("p", { role: "status" }, "Signing you in…"));
  const response = await fetch("/web/oidc/token", {
    method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
    body: JSON.stringify({ code: params.get("code"), state: params.get("state") }),
  }).catch(() => null);
  if (!response) { fail("No network connection."); return; }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) { fail(data.detail || "Sign-in failed."); return; }
  signIn(data.token, { subject: data.subject, name: data.name, roles: data.roles, district: data.district,
                       department: data.department });
  navigate("#/");
}

function demoForm(config) {
  const error = h("p", { class: "field-error", id: "signin-error", role: "alert" });
  const district = h("select", { id: "district", name: "district" },
    h("option", { value: "" }, "No district (whole city)"),
    config.districts.map((d, i) => h("option", { value: d.code, selected: i === 0 }, `${d.code} — ${d.name}`)));
  const department = h("select", { id: "department", name: "department", "aria-describedby": "department-help" },
    config.departments.map((d) => h("option", { value: d }, d.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join(" "))));
  const roles = h("fieldset", { class: "choices roles" }, h("legend", {}, "I am…"),
    config.roles.map((role, i) => [
      h("input", { type: "radio", name: "role", id: `role-${role}`, value: role, checked: i === 0 }),
      h("label", { for: `role-${role}` }, ROLE_TEXT[role][0], h("br"), h("small", {}, ROLE_TEXT[role][1])),
    ]));
  // A partner stands for a department, which works across the city: no district to pick (with
  // one, projects would refuse their moves on every other district's cards). The others have no
  // department.
  const districtField = h("div", { id: "district-field" }, h("label", { for: "district" }, "District"), district);
  const departmentField = h("div", { id: "department-field" },
    h("label", { for: "department" }, "Department"), department,
    h("p", { id: "department-help" }, "Partners work across the whole city."));
  const form = h("form", { "aria-describedby": "demo-help" },
    h("p", { id: "demo-help" }, "Demo city, standalone mode: pick a role to see Porchlight as that person does."),
    roles,
    h("div", { class: "row" }, districtField, departmentField),
    error,
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Sign in")));
  const showFields = () => {
    const partner = form.elements.role.value === "partner";
    districtField.hidden = partner;
    district.disabled = partner;
    departmentField.hidden = !partner;
    department.disabled = !partner;
  };
  roles.addEventListener("change", showFields);
  showFields();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const role = form.elements.role.value;
    const body = { role };
    if (role === "partner") body.department = department.value;
    else body.district = district.value || null;
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
    signIn(data.token, { subject: data.subject, roles: [data.role], district: data.district,
                         department: data.department });
    navigate("#/");
  });
  return form;
}
