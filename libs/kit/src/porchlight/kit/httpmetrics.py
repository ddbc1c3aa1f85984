"""HTTP metrics and the request-id middleware.

Requests are labelled by route *template* (``/v1/notes/{note_id}``), never the raw path, so the
number of series stays bounded and no id or personal data lands in a label.
"""

from __future__ import annotations

import time
import uuid

from prometheus_client import Counter, Histogram
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from porchlight.events.logcontext import request_id_var

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


def route_template(request: Request) -> str:
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return str(getattr(route, "path", "unmatched"))
    return "unmatched"


class RequestContextMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: object, service: str) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.service = service

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex
        token = request_id_var.set(rid[:64])
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers["X-Request-ID"] = rid[:64]
            return response
        finally:
            route = route_template(request)
            HTTP_REQUESTS.labels(self.service, request.method, route, str(status)).inc()
            HTTP_LATENCY.labels(self.service, request.method, route).observe(time.perf_counter() - start)
            request_id_var.reset(token)
