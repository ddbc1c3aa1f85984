"""Load shedding: refuse quickly (503 + ``Retry-After``) before latency runs away.

Issue 15 measured 200 concurrent connections against ``POST /v1/notes`` and the district page:
every request was taken, each waited behind all the others on the one event loop, and p99 grew
to 9 s with never a 503. A client that gets a quick 503 with ``Retry-After`` retries later (the
officer's phone keeps the contact in its outbox; a department system backs off); a client that
waits 9 s times out and retries at once, which makes it worse.

The rule, the one load balancers use (Envoy's and HAProxy's max connections with a bounded
queue): at most ``shed_max_in_flight`` requests inside the handlers of a process; a request
beyond that waits for a slot up to ``shed_queue_wait_s``; one that gets none in that time is
answered 503 at once. The accepted ones keep a latency of about (slots x service time + wait).

Not counted: probes and /metrics (an overloaded process must still say so) and event streams
(``Accept: text/event-stream``: a live board holds its connection for hours, by design); a stream
asked for without that header gives its slot back as soon as its headers go out.
"""

from __future__ import annotations

import asyncio
import json

from prometheus_client import Counter, Gauge
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SHED = Counter("porchlight_http_shed_total", "Requests refused with 503 because the process was full", ["service"])
IN_FLIGHT = Gauge("porchlight_http_in_flight", "Requests inside the handlers now", ["service"])

#: Paths that are never shed: the probes and the scrape.
EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})

_BODY = json.dumps(
    {
        "type": "https://porchlight.city/problems/overloaded",
        "title": "Too busy",
        "status": 503,
        "detail": "The service is at capacity; try again in a moment (see Retry-After).",
    }
).encode()


class LoadShedding:
    """Pure ASGI middleware (no per-request task, unlike ``BaseHTTPMiddleware``)."""

    def __init__(self, app: ASGIApp, *, service: str, max_in_flight: int, queue_wait_s: float, retry_after_s: int):
        self.app = app
        self.slots = asyncio.Semaphore(max_in_flight)
        self.queue_wait_s = queue_wait_s
        self.retry_after = str(retry_after_s).encode()
        self.shed = SHED.labels(service)
        self.in_flight = IN_FLIGHT.labels(service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT or _streams(scope):
            await self.app(scope, receive, send)
            return
        if self.slots.locked():
            try:
                await asyncio.wait_for(self.slots.acquire(), self.queue_wait_s)
            except TimeoutError:
                self.shed.inc()
                await self._refuse(send)
                return
        else:
            await self.slots.acquire()  # free: returns at once
        self.in_flight.inc()
        held = True

        async def streams_free(message: Message) -> None:
            # An event stream's handler is done once its headers go out; the connection then
            # idles for hours. Its slot is given back then, whatever the client's Accept said.
            nonlocal held
            if held and message["type"] == "http.response.start" and _is_stream(message):
                held = False
                self.in_flight.dec()
                self.slots.release()
            await send(message)

        try:
            await self.app(scope, receive, streams_free)
        finally:
            if held:
                self.in_flight.dec()
                self.slots.release()

    async def _refuse(self, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(_BODY)).encode()),
                    (b"retry-after", self.retry_after),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": _BODY})


def _is_stream(start: Message) -> bool:
    for name, value in start.get("headers", ()):
        if name.lower() == b"content-type":
            return bytes(value).startswith(b"text/event-stream")
    return False


def _streams(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return b"text/event-stream" in value
    return False
