// Porchlight's web app: a hash router over a few pages, each shown only to the roles it is for.

import { h, replace } from "./dom.js";
import { HOME, PAGES, allowed, current, ownDistrict, signOut } from "./session.js";
import { isReachable } from "./api.js";
import { pending, sync } from "./outbox.js";

const PAGE_MODULES = {
  signin: () => import("./pages/signin.js"),
  contact: () => import("./pages/contact.js"),
  meetings: () => import("./pages/meetings.js"),
  district: () => import("./pages/district.js"),
  city: () => import("./pages/city.js"),
  board: () => import("./pages/boardpage.js"),
  risk: () => import("./pages/risk.js"),
  evaluation: () => import("./pages/evaluation.js"),
  help: () => import("./pages/helpmodel.js"),
  audit: () => import("./pages/audit.js"),
  privacy: () => import("./pages/privacy.js"),
  priorities: () => import("./pages/priorities.js"),
  chain: () => import("./pages/chain.js"),
  branding: () => import("./pages/branding.js"),
};

let cleanup = null;
let routing = 0; // the latest route change: an earlier one still loading no longer moves focus
// Whether focus moved since the route change began: a person who clicked or tabbed into the page
// while it loaded keeps their place (the heading took it back a second later, issue 14 item 9).
let focusMoved = false;
document.addEventListener("focusin", () => { focusMoved = true; });

/** Focus the page's heading (screen readers announce the new page), unless the person has moved on. */
function focusHeading(main, run) {
  if (run !== routing || focusMoved) return;
  const heading = main.querySelector("h1");
  if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
}

function parse() {
  const [name = "", ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  return { name, args: rest.map(decodeURIComponent) };
}

async function route() {
  const run = ++routing;
  focusMoved = false;
  const session = current();
  let { name, args } = parse();
  if (!session && name !== "signin") name = "signin";
  if (session && (name === "" || name === "signin")) name = HOME[session.role] || "meetings";
  renderChrome(session, name);
  const main = document.getElementById("main");
  if (cleanup) { cleanup(); cleanup = null; }
  if (name !== "signin" && !(name in PAGES)) {
    replace(main, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "#/" }, "Go to your start page")));
    focusHeading(main, run);
    return;
  }
  if (name !== "signin" && !allowed(session, name)) {
    const own = ownDistrict(session);
    const why = name === "city" && own
      ? h("p", {}, `The city page is for city-wide roles. You see district ${own}: `,
        h("a", { href: `#/district/${encodeURIComponent(own)}` }, "go to your district page"), ".")
      : h("p", {}, `The ${PAGES[name].title} page is for: ${PAGES[name].roles.join(", ")}.`);
    replace(main, h("h1", {}, "Not for your role"), why);
    focusHeading(main, run);
    return;
  }
  const module = await PAGE_MODULES[name]();
  if (run !== routing) return; // the person went on while the page's code loaded: theirs is drawn, not this
  cleanup = (await module.render(main, { session, args })) || null;
  focusHeading(main, run);
}

function renderChrome(session, name) {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  if (!session) { replace(nav); replace(who); return; }
  // A page reached from a link only (the chain of one note or win) has no place in the menu.
  const items = Object.entries(PAGES).filter(([page, info]) => !info.linked && allowed(session, page)).map(([page, info]) =>
    h("li", {}, h("a", { href: `#/${page}`, "aria-current": page === name ? "page" : null }, info.title)));
  replace(nav, h("ul", {}, items));
  replace(who,
    // The person's name when their provider gave one (OIDC), else the token's subject.
    h("span", {}, `${session.name || session.subject} · ${session.role}${session.district ? ` · ${session.district}` : ""}`),
    h("button", { type: "button", onclick: () => { signOut(); location.hash = "#/signin"; route(); } }, "Sign out"));
}

function showNetwork() {
  const el = document.getElementById("netstatus");
  el.textContent = navigator.onLine && isReachable() ? "" : "Offline: contacts are saved on this device and sent when the signal is back.";
}

// Queued contacts are sent at start, when the signal comes back, and every few seconds while
// any wait (navigator.onLine cannot be trusted to say when the network really works).
function trySync() {
  const session = current();
  if (session && pending().some((p) => p.owner === session.subject)) sync(session.subject);
}

window.addEventListener("hashchange", route);
window.addEventListener("online", () => { showNetwork(); trySync(); });
window.addEventListener("offline", showNetwork);
window.addEventListener("porchlight:network", (e) => { showNetwork(); if (e.detail.online) trySync(); });
setInterval(trySync, 5_000);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch((err) => console.warn("service worker not registered", err));
}
showNetwork();
route();
trySync();
