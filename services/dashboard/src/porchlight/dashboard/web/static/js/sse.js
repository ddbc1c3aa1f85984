// Server-Sent Events over fetch: EventSource cannot send the bearer token, fetch can.
// Calls onEvent({event, data, id}) per event; reconnects with a growing pause until stopped.

import { url } from "./api.js";
import { current } from "./session.js";

export function subscribe(service, path, onEvent, onState = () => {}) {
  const controller = new AbortController();
  let stopped = false;
  let pause = 500;

  async function connect() {
    while (!stopped) {
      try {
        const session = current();
        const response = await fetch(url(service, path), {
          headers: { Accept: "text/event-stream", ...(session ? { Authorization: `Bearer ${session.token}` } : {}) },
          signal: controller.signal,
        });
        if (!response.ok) { onState(response.status === 404 ? "unavailable" : "down"); }
        else {
          onState("live");
          pause = 500;
          await read(response.body.getReader());
        }
      } catch (err) {
        if (stopped) return;
      }
      if (stopped) return;
      onState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 15000);
    }
  }

  async function read(reader) {
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message = { event: "message", data: [], id: null };
        for (const line of block.split("\n")) {
          if (!line || line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const name = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (name === "event") message.event = value;
          else if (name === "data") message.data.push(value);
          else if (name === "id") message.id = value;
        }
        if (message.data.length || message.event !== "message") onEvent({ ...message, data: message.data.join("\n") });
      }
    }
  }

  connect();
  return () => { stopped = true; controller.abort(); };
}
