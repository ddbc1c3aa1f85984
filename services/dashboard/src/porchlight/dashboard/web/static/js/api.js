// Calls to the services. The dashboard's own API is same-origin (/v1/...); the others go
// through the dashboard's same-origin proxy (/api/<service>/v1/...), see web/proxy.py.

import { current } from "./session.js";

export function url(service, path) {
  return service === "dashboard" ? path : `/api/${service}${path}`;
}

/**
 * One call; never throws. Returns {ok, status, data, problem, state} where state is one of
 * "ok", "unavailable" (the API is not in this build: an unknown route), "down" (the service does
 * not answer), "offline" (no network), "denied" (401/403) or "error" (a problem document).
 */
export async function call(service, path, { method = "GET", body, headers = {}, signal } = {}) {
  const session = current();
  const init = { method, headers: { Accept: "application/json", ...headers }, signal };
  if (session) init.headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url(service, path), init);
  } catch (err) {
    if (err.name === "AbortError") throw err;
    network(false);
    return { ok: false, status: 0, state: "offline", problem: { detail: "No network connection." } };
  }
  network(true);
  const type = response.headers.get("content-type") || "";
  let data = null;
  if (type.includes("json")) data = await response.json().catch(() => null);
  else if (response.ok) data = await response.blob();
  if (response.ok) return { ok: true, status: response.status, data, state: "ok", response };
  const problem = data || { detail: response.statusText };
  let state = "error";
  // FastAPI's router answers an unknown path with type .../http-404: the route does not exist.
  if (response.status === 404 && String(problem.type || "").endsWith("/http-404")) state = "unavailable";
  else if (response.status === 405 && String(problem.type || "").endsWith("/http-405")) state = "unavailable";
  else if (response.status === 502 || response.status === 503 || response.status === 504) state = "down";
  else if (response.status === 401 || response.status === 403) state = "denied";
  return { ok: false, status: response.status, data: null, problem, state, response };
}

// navigator.onLine is only a hint (it says "online" behind a dead Wi-Fi): what counts is
// whether the last request got through. Pages and the contact queue listen to this.
let reachable = true;
function network(ok) {
  if (ok === reachable) return;
  reachable = ok;
  window.dispatchEvent(new CustomEvent("porchlight:network", { detail: { online: ok } }));
}
export function isReachable() { return reachable; }

/** Field errors of a problem document, keyed by field path without the "body." prefix. */
export function fieldErrors(problem) {
  const out = {};
  for (const e of (problem && problem.errors) || []) {
    const field = String(e.field || "").replace(/^body\.?/, "") || "_form";
    (out[field] ||= []).push(e.message);
  }
  return out;
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

let config = null;

/** The dashboard's public config: mode and the city's districts (cached for the page's life). */
export async function webConfig() {
  if (!config) {
    const r = await fetch("/web/config").catch(() => null);
    if (r && r.ok) config = await r.json();
  }
  return config || { districts: [], departments: [], roles: [], mode: "standalone", demo_sign_in: false,
    oidc_sign_in: false };
}
