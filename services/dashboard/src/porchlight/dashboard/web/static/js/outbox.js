// The officer's contact queue: a contact is saved on the phone first, then sent.
//
// Each contact gets a client-generated id and an Idempotency-Key when it is logged, and keeps
// both through every retry. Intake stores the first request under that key and answers a
// repeat with the same contact (Idempotent-Replayed), so a send whose answer was lost — the
// signal dropped after the server wrote it — is counted once when it is sent again.
// localStorage (not IndexedDB): the queue is a few small records, read and written whole.

import { call, newId } from "./api.js";

const KEY = "porchlight.outbox";
const REJECTED = "porchlight.outbox.rejected";
const listeners = new Set();
let flight = null;

function read(key) {
  try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch { return []; }
}

function write(key, items) {
  localStorage.setItem(key, JSON.stringify(items));
  for (const fn of listeners) fn();
}

export function pending() { return read(KEY); }
export function rejected() { return read(REJECTED); }
export function onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
export function dismissRejected() { write(REJECTED, []); }

/** Queue a contact (saved before anything is sent); returns the queued record. */
export function enqueue(contact, owner) {
  const id = newId();
  const item = { id, key: `contact-${id}`, owner, queued_at: new Date().toISOString(),
                 body: { ...contact, id, occurred_at: contact.occurred_at || new Date().toISOString() } };
  write(KEY, [...pending(), item]);
  return item;
}

/**
 * Send what is queued, oldest first; one sync at a time per page. Returns how many were sent.
 * Kept in the queue: anything that failed for the network or a server error (sent again later,
 * same key). Moved to "rejected": a 4xx that a resend would not fix (shown to the officer).
 */
export function sync(owner) {
  flight ||= (async () => {
    let sent = 0;
    try {
      for (const item of pending()) {
        if (item.owner !== owner) continue; // another officer's queue waits for them to sign in
        const r = await call("intake", "/v1/contacts", {
          method: "POST", body: item.body, headers: { "Idempotency-Key": item.key },
        });
        if (r.ok) {
          write(KEY, pending().filter((p) => p.id !== item.id));
          sent += 1;
        } else if (r.state === "offline" || r.state === "down" || r.status >= 500 || r.status === 429) {
          break; // no signal or a busy server: stop here, try again later
        } else if (r.state === "denied") {
          break; // signed out or expired: keep the contact until someone signs in again
        } else {
          write(KEY, pending().filter((p) => p.id !== item.id));
          write(REJECTED, [...rejected(), { ...item, problem: r.problem }]);
        }
      }
    } finally {
      flight = null;
    }
    return sent;
  })();
  return flight;
}
