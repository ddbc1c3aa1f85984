// Who is signed in: the bearer token (kept in localStorage so an officer stays signed in
// offline) and who the sign-in said it is (roles, subject, district, department). The APIs
// check the token; the UI only uses the rest to show each role its own pages.

const KEY = "porchlight.session";

export function current() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || "null");
    if (!saved || !saved.token) return null;
    const claims = decode(saved.token);
    if (!claims || (claims.exp && claims.exp * 1000 < Date.now())) return null;
    // Who the dashboard said the token is (sign-in reads the provider's claims by the configured
    // names); a token saved without it (older sessions) speaks for itself.
    const who = saved.profile || { subject: claims.sub, roles: claims.roles || [], district: claims.district,
                                   department: claims.department };
    const roles = who.roles || [];
    return { token: saved.token, subject: who.subject, name: who.name || null, roles, role: roles[0],
             district: who.district || null, department: who.department || null };
  } catch {
    return null;
  }
}

export function signIn(token, profile = null) {
  if (!decode(token)) throw new Error("That is not a bearer token (JWT).");
  localStorage.setItem(KEY, JSON.stringify({ token, profile }));
}

export function signOut() {
  localStorage.removeItem(KEY);
}

function decode(token) {
  const part = String(token).split(".")[1];
  if (!part) return null;
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
  return JSON.parse(json);
}

// The pages of each role (PRODUCT.md: who uses Porchlight, for what). Admins see everything.
export const PAGES = {
  contact: { title: "Log a contact", roles: ["officer", "liaison", "supervisor"] },
  meetings: { title: "Meetings & notes", roles: ["officer", "liaison", "supervisor", "partner"] },
  district: { title: "District", roles: ["supervisor", "analyst"] },
  city: { title: "City", roles: ["analyst", "supervisor"] },
  risk: { title: "Place risk", roles: ["supervisor", "analyst"] },
  evaluation: { title: "Evaluation", roles: ["supervisor", "analyst", "partner"] },
  help: { title: "Help the model", roles: ["supervisor"] }, // its answers relabel concerns: supervisors' (synthesis)
  board: { title: "Project board", roles: ["partner"] },
  audit: { title: "Audit trail", roles: ["auditor"] },
  privacy: { title: "Privacy", roles: ["auditor"] }, // and admins, who see every page
  priorities: { title: "Priorities", roles: ["supervisor", "analyst"] },
  // "You said, we did" of one note, priority, micro-project or win: opened from their links.
  chain: { title: "You said, we did", roles: ["officer", "liaison", "supervisor", "analyst"], linked: true },
  branding: { title: "Outreach branding", roles: ["admin"] },
};

export const HOME = { officer: "contact", liaison: "meetings", supervisor: "district", analyst: "city", partner: "board", auditor: "audit" };

/**
 * The one district a supervisor's token limits them to (its district claim), or null for
 * city-wide callers: analysts, admins and supervisors without the claim. The same rule as the
 * dashboard API (pages/access.py): the API answers 403 for another district, the UI does not offer it.
 */
export function ownDistrict(session) {
  if (!session || session.roles.includes("admin") || session.roles.includes("analyst")) return null;
  return session.roles.includes("supervisor") && session.district ? session.district : null;
}

export function allowed(session, page) {
  if (!session) return false;
  if (session.roles.includes("admin")) return true;
  // The city page is leadership's: a supervisor of one district has their district page instead.
  if (page === "city" && ownDistrict(session)) return false;
  return PAGES[page].roles.some((r) => session.roles.includes(r));
}
