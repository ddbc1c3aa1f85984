"""HTTP metrics and the request-id middleware.

Requests are labelled by route *template* (``/v1/notes/{note_id}``), never the raw path, so the
number of series stays bounded and no id or personal data lands in a label.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence

from prometheus_client import Counter, Histogram
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from porchlight.events.logcontext import request_id_var

try:  # FastAPI >= 0.16x keeps included routers in app.routes as lazy entries without a path
    from fastapi.routing import iter_route_contexts
except ImportError:  # older FastAPI: app.routes is already flat

    def iter_route_contexts(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:  # type: ignore[misc]
        return iter(routes)


#: Requests served, by service, method, route template and status code.
HTTP_REQUESTS = Counter(
    "porchlight_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
#: Request latency in seconds, by service, method and route template.
HTTP_LATENCY = Histogram(
    "porchlight_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def route_template(scope: Scope) -> str:
    """The template of the route that served ``scope`` ("unmatched" when none did)."""
    # Each route as served: included routers flattened, with their prefixes in the path.
    for route in iter_route_contexts(scope["app"].router.routes):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return str(getattr(route, "path", "unmatched"))
    return "unmatched"


class RequestContextMiddleware:
    """Request id (header in, header out, on every log line) and the request metrics.

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware runs the app in a task of its own
    with memory streams between, about 0.3 ms of CPU per request (measured on /healthz; see
    docs/benchmarks.md, "Intake: contacts"), more than some whole endpoints cost.
    """

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        # Route template per route object: matching every route again on each request costs
        # more than the rest of this middleware (the router leaves the route in the scope).
        self._templates: dict[int, str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
        rid = (given.decode("latin-1") or uuid.uuid4().hex)[:64]
        token = request_id_var.set(rid)
        scope.setdefault("state", {})["request_id"] = rid  # for the 500 handler, which runs after we left
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # Ours replaces any the app set (the dashboard's proxy passes upstream ones on);
                # raw pairs: cheaper than MutableHeaders on every response.
                headers = [h for h in message.get("headers", ()) if h[0].lower() != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = self._template(scope)
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, route).observe(time.perf_counter() - start)
            request_id_var.reset(token)

    def _template(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:  # nothing matched, or a mount: look the slow way
            return route_template(scope)
        template = self._templates.get(id(route))
        if template is None:
            template = route_template(scope)
            if template != "unmatched":  # a 405 matches partially: not cached, labelled as before
                self._templates[id(route)] = template
        return template
