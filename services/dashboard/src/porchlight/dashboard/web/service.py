"""The web UI's same-origin API proxy (``/api/<service>/...``) and where the other services answer;
the sign-in at the city's OpenID Connect provider (at the end; docs/adr/0012-oidc-sign-in.md).

In order: ``PORCHLIGHT_WEB_UPSTREAMS`` (a JSON object, e.g. ``{"intake": "http://intake:8001"}``,
what a Kubernetes deployment sets); in standalone mode the ports ``porchlight run`` wrote to
``<data_dir>/runtime.json``; then ``PORCHLIGHT_<SERVICE>_PORT``; then the service's default port,
on the configured host.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections.abc import AsyncIterator

import httpx
import jwt
from fastapi import Request
from fastapi.responses import StreamingResponse

from porchlight.dashboard.settings import WebSettings
from porchlight.dashboard.web.schemas import OidcSignIn, SignedIn
from porchlight.kit import oidc
from porchlight.kit.auth import Authenticator
from porchlight.kit.errors import BadRequest, Forbidden, NotFound, Unauthorized, Unavailable
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
    mode ``porchlight run`` has written their ports by then); tests may hand in fixed ``urls``.

    It also holds the proxy's one HTTP client: a client per request built a TLS context each time
    (tens of milliseconds of CPU on the event loop, every page load making several requests) and
    opened a new connection for each; one client keeps connections to the services alive."""

    def __init__(self, kit: KitSettings, web: WebSettings, urls: dict[str, str] | None = None) -> None:
        self._kit, self._web, self._urls = kit, web, urls
        self._client: httpx.AsyncClient | None = None

    def get(self, service: str) -> str | None:
        if self._urls is None:
            self._urls = resolve_upstreams(self._kit, self._web)
        return self._urls.get(service)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(timeout=TIMEOUT, limits=LIMITS)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


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
#: No cap on open connections: each open SSE stream (a board, an events page) holds one for as
#: long as it is open, and a cap would make the next page wait for one to end.
LIMITS = httpx.Limits(max_connections=None, max_keepalive_connections=32)


async def forward(service: str, path: str, request: Request, upstreams: Upstreams) -> StreamingResponse:
    """Send the request on to ``service`` and stream its answer back unbuffered."""
    base = upstreams.get(service)
    if base is None or not path.startswith("v1/"):
        raise NotFound(f"no API /api/{service}/{path}")
    headers = {k: v for k, v in request.headers.items() if k in FORWARDED_REQUEST}
    headers["accept-encoding"] = "identity"  # bytes pass through as they are, never re-encoded
    client = upstreams.client
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
        raise Unavailable(f"{service} is not reachable ({type(exc).__name__})") from None

    async def body() -> AsyncIterator[bytes]:
        # Closed in `finally`: also when the browser goes away in the middle of an SSE stream.
        try:
            async for chunk in upstream.aiter_raw():
                yield chunk
        finally:
            await upstream.aclose()

    out_headers = {k: v for k, v in upstream.headers.items() if k not in DROPPED_RESPONSE}
    if (location := upstream.headers.get("location")) and location.startswith("/"):
        out_headers["location"] = f"/api/{service}{location}"
    if upstream.headers.get("content-type", "").startswith("text/event-stream"):
        out_headers["x-accel-buffering"] = "no"  # no buffering in an nginx in front either
        out_headers["cache-control"] = "no-cache"
    return StreamingResponse(body(), status_code=upstream.status_code, headers=out_headers)


# --- sign-in at the city's OpenID Connect provider -----------------------------------------
#
# The dashboard is the relying party: ``begin`` sends the browser to the provider with a PKCE
# challenge, a state and a nonce, keeping their secrets in an HttpOnly cookie of this origin only;
# the provider sends the browser back to the redirect URI (the app shell), whose page hands the
# code and state to ``finish``: the state must be the cookie's, the code is exchanged with the
# verifier, the ID token checked (signature, iss, aud, exp, nonce), and the bearer the browser
# keeps is verified as every service will verify it. The cookie is spent at once, so a state
# cannot be played twice. The ADR says why here and not in the browser.

#: The sign-in attempt's cookie, sent back only to the sign-in routes.
ATTEMPT_COOKIE = "porchlight_oidc"
ATTEMPT_PATH = "/web/oidc"
#: A person has this long at the provider's sign-in page.
ATTEMPT_TTL_S = 600


def redirect_uri(kit: KitSettings, request: Request) -> str:
    return kit.oidc_redirect_url or str(request.base_url).rstrip("/") + ATTEMPT_PATH + "/callback"


def _provider(kit: KitSettings) -> oidc.Provider:
    if not kit.oidc_issuer or not kit.oidc_client_id:
        raise NotFound("sign-in at an identity provider is not configured (PORCHLIGHT_OIDC_ISSUER)")
    try:
        return oidc.discover(kit.oidc_issuer)
    except oidc.OidcError as exc:
        raise Unavailable(f"the identity provider does not answer: {exc}") from None


async def begin(kit: KitSettings, request: Request) -> tuple[str, str]:
    """The provider's sign-in URL and the cookie value that remembers this attempt."""
    provider = await asyncio.to_thread(_provider, kit)  # discovery is a blocking call, once in 10 minutes
    attempt = oidc.Attempt.new(redirect_uri(kit, request))
    cookie = {**attempt.__dict__, "expires": int(time.time()) + ATTEMPT_TTL_S}
    raw = base64.urlsafe_b64encode(json.dumps(cookie).encode()).decode()
    assert kit.oidc_client_id  # _provider checked it
    return oidc.authorization_url(provider, kit.oidc_client_id, kit.oidc_scopes, attempt), raw


def _attempt(raw: str | None) -> oidc.Attempt | None:
    try:
        saved = json.loads(base64.urlsafe_b64decode((raw or "").encode()))
        if int(saved.pop("expires")) < time.time():
            return None
        return oidc.Attempt(**saved)
    except (ValueError, TypeError, KeyError):
        return None


async def finish(kit: KitSettings, authenticator: Authenticator, body: OidcSignIn, raw: str | None) -> SignedIn:
    """The person's bearer for the code the provider sent back, once everything checks out."""
    provider = await asyncio.to_thread(_provider, kit)
    attempt = _attempt(raw)
    if attempt is None or not secrets.compare_digest(attempt.state, body.state):
        # No attempt of this browser's (expired, spent, or never begun here), or another's state.
        raise BadRequest(
            "This sign-in was not started here or has expired: sign in again.",
            errors=[{"field": "body.state", "message": "is not the state of this browser's sign-in"}],
        )
    assert kit.oidc_client_id
    try:
        tokens = await oidc.exchange_code(provider, kit.oidc_client_id, kit.oidc_client_secret, body.code, attempt)
        claims = await asyncio.to_thread(
            oidc.verify_id_token, provider, kit.oidc_client_id, tokens["id_token"], attempt.nonce
        )
    except oidc.OidcError as exc:
        raise Unauthorized(f"The identity provider's answer was refused: {exc}") from None
    bearer = str(tokens.get(kit.oidc_bearer) or "")
    try:
        who = await asyncio.to_thread(authenticator.from_token, bearer)
    except Unauthorized as exc:
        raise Unauthorized(
            f"The services would not accept the {kit.oidc_bearer} from the provider ({exc.detail}): "
            "check PORCHLIGHT_OIDC_BEARER and PORCHLIGHT_AUTH_AUDIENCE"
        ) from None
    if not who.roles:
        raise Forbidden(
            f"Your account has no Porchlight role: ask your administrator to give you one "
            f"(the {kit.auth_roles_claim!r} claim)."
        )
    # Read again without the checks: ``from_token`` has just made them.
    expires = int(jwt.decode(bearer, options={"verify_signature": False})["exp"])
    name = claims.get("name") or claims.get("preferred_username")
    return SignedIn(
        token=bearer,
        subject=who.subject,
        name=str(name) if name else None,
        roles=sorted(r.value for r in who.roles),
        district=who.district,
        department=who.department,
        expires_in=max(0, expires - int(time.time())),
    )
