// Porchlight's service worker: the app shell works with no signal.
// The server fills in the version (a hash of the assets) and the list of shell URLs.
const CACHE = "porchlight-shell-__VERSION__";
const SHELL = ["__SHELL__"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("porchlight-shell-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Pages: the network first (fresh shell), the cached shell when offline.
    event.respondWith(fetch(request).catch(() => caches.match("/", { cacheName: CACHE })));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Assets: the cached copy of this version, else the network.
    event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  }
  // Everything else (the APIs) goes to the network untouched: data is never served stale by
  // the worker; the pages keep what they need (the contact queue, the last summary) themselves.
});
