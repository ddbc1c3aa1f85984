"""The web UI's same-origin API proxy (``/api/<service>/...``) and where the other services answer.

In order: ``PORCHLIGHT_WEB_UPSTREAMS`` (a JSON object, e.g. ``{"intake": "http://intake:8001"}``,
what a Kubernetes deployment sets); in standalone mode the ports ``porchlight run`` wrote to
``<data_dir>/runtime.json``; then ``PORCHLIGHT_<SERVICE>_PORT``; then the service's default port,
on the configured host.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
from fastapi import Request
from fastapi.responses import StreamingResponse

from porchlight.dashboard.settings import WebSettings
from porchlight.kit.errors import NotFound, Unavailable
from porchlight.kit.service import discover_services
from porchlight.kit.settings import KitSettings, service_port


def resolve_upstreams(kit: KitSettings, web: WebSettings) -> dict[str, str]:
    """Base URL of every installed service but the dashboard itself."""
    ports: dict[str, int] = {}
    runtime = kit.data_dir / "runtime.json"
    if kit.mode == "standalone" and runtime.exists():
        ports = {k: int(v) for k, v in json.loads(runtime.read_text()).get("ports", {}).items()}
    out = {}
    for name, spec in discover_services().items():
        if name == "dashboard":
            continue
        if name in web.upstreams:
            out[name] = web.upstreams[name].rstrip("/")
            continue
        port = ports.get(name) or service_port(name, spec.default_port)
        out[name] = f"http://{kit.host}:{port}"
    return out


class Upstreams:
    """The other services' base URLs, found once, at the first proxied request (in standalone
    mode ``porchlight run`` has written their ports by then); tests may hand in fixed ``urls``."""

    def __init__(self, kit: KitSettings, web: WebSettings, urls: dict[str, str] | None = None) -> None:
        self._kit, self._web, self._urls = kit, web, urls

    def get(self, service: str) -> str | None:
        if self._urls is None:
            self._urls = resolve_upstreams(self._kit, self._web)
        return self._urls.get(service)


# --- the proxy ---------------------------------------------------------------------------
#
# Same-origin reverse proxy: ``/api/<service>/v1/...`` on the dashboard goes to that service.
#
# Why a proxy and not CORS: the browser then talks to one origin only. The service worker and the
# offline contact queue stay same-origin (a service worker cannot cache or replay cross-origin
# requests without extra opt-ins), no preflight doubles each write from a phone on a slow network,
# no service needs to know the dashboard's public URL, and in production the ingress can route the
# same ``/api/<service>/`` prefixes straight to the services without changing the UI. The cost is
# one local hop, paid only by the browser (service-to-service traffic never goes through here).
#
# The proxy adds no authority: it forwards the caller's ``Authorization`` header and the upstream
# service checks it, as it does for any client. Only ``v1/`` paths of known services are
# forwarded; responses stream through unbuffered, so Server-Sent Events pass as they come.

#: Request headers worth forwarding (an allow-list: cookies and hop-by-hop headers stay here).
FORWARDED_REQUEST = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "idempotency-key",
    "if-match",
    "if-none-match",
    "last-event-id",
    "x-api-key",
    "x-request-id",
)
#: Response headers not passed back (hop-by-hop, or recomputed by our own server).
DROPPED_RESPONSE = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date", "te", "trailer", "upgrade"}
)
#: Connecting is quick or the service is down; reading has no limit (an SSE stream stays open).
TIMEOUT = httpx.Timeout(connect=5.0, read=None, write=30.0, pool=5.0)


async def forward(service: str, path: str, request: Request, upstreams: Upstreams) -> StreamingResponse:
    """Send the request on to ``service`` and stream its answer back unbuffered."""
    base = upstreams.get(service)
    if base is None or not path.startswith("v1/"):
        raise NotFound(f"no API /api/{service}/{path}")
    headers = {k: v for k, v in request.headers.items() if k in FORWARDED_REQUEST}
    headers["accept-encoding"] = "identity"  # bytes pass through as they are, never re-encoded
    client = httpx.AsyncClient(timeout=TIMEOUT)
    upstream_request = client.build_request(
        request.method,
        f"{base}/{path}",
        params=str(request.query_params),
        headers=headers,
        content=await request.body(),
    )
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.TransportError as exc:
        await client.aclose()
        raise Unavailable(f"{service} is not reachable ({type(exc).__name__})") from None

    async def body() -> AsyncIterator[bytes]:
        # Closed in `finally`: also when the browser goes away in the middle of an SSE stream.
        try:
            async for chunk in upstream.aiter_raw():
                yield chunk
        finally:
            await upstream.aclose()
            await client.aclose()

    out_headers = {k: v for k, v in upstream.headers.items() if k not in DROPPED_RESPONSE}
    if (location := upstream.headers.get("location")) and location.startswith("/"):
        out_headers["location"] = f"/api/{service}{location}"
    if upstream.headers.get("content-type", "").startswith("text/event-stream"):
        out_headers["x-accel-buffering"] = "no"  # no buffering in an nginx in front either
        out_headers["cache-control"] = "no-cache"
    return StreamingResponse(body(), status_code=upstream.status_code, headers=out_headers)
