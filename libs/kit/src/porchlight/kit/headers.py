"""Security headers on every answer, and a Content-Security-Policy on a service's web UI.

Every service: ``X-Content-Type-Options: nosniff`` (a JSON answer is never run as a script),
``Referrer-Policy: same-origin`` (addresses of the app, which may name districts or ids, stay
with it) and, only when the request came over TLS (directly or through a proxy that says so in
``X-Forwarded-Proto``), ``Strict-Transport-Security``: over plain HTTP it would mean nothing and
on localhost it would pin a developer's browser to HTTPS.

A service with a web UI (``ServiceSpec.web_ui``) adds the CSP below: scripts from the app's own
origin only (no inline script, no ``eval``), no framing (``frame-ancestors 'none'``, clickjacking),
forms to the app itself or the city's identity provider. Styles may be inline: the UI sets
``style`` attributes for bars and layout (``dom.js``), which cannot run code. FastAPI's /docs
page (inline script, Swagger UI from a CDN) keeps no CSP.

A route whose page holds a form posting to another origin (the public page's subscription form,
posted to intake) names that origin with ``allow_form_action``: its answer's ``form-action`` then
takes it too. Only code of the service can: an upstream's headers, passed through a proxy, cannot.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = b"max-age=31536000; includeSubDomains"
_WITHOUT_CSP = ("/docs",)
#: Where a route leaves the origins its answer's forms post to (in the request's state).
_FORM_ACTION = "csp_form_action"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL; ``None`` for a relative URL (the
    page's own origin) or anything a CSP source could not safely name."""
    parts = urlsplit(url)
    origin = f"{parts.scheme.lower()}://{parts.netloc}"
    return origin if parts.scheme and _ORIGIN.match(origin) else None


def allow_form_action(request: Request, url: str) -> None:
    """Let this request's answer post forms to ``url``'s origin (nothing for a relative URL)."""
    origin = origin_of(url)
    if origin is not None:
        request.scope.setdefault("state", {}).setdefault(_FORM_ACTION, []).append(origin)


def content_security_policy(oidc_issuer: str | None = None) -> str:
    """The web UI's policy; ``oidc_issuer``'s origin may receive the sign-in form's redirect."""
    form_action = "'self'"
    if oidc_issuer:
        parts = urlsplit(oidc_issuer)
        form_action += f" {parts.scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            f"form-action {form_action}",
            "frame-ancestors 'none'",
        ]
    )


def _over_tls(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    forwarded = next((v for k, v in scope["headers"] if k == b"x-forwarded-proto"), b"")
    return forwarded.split(b",")[0].strip().lower() == b"https"


class SecurityHeaders:
    """Set the headers on every HTTP answer (replacing any an upstream sent through a proxy)."""

    def __init__(self, app: ASGIApp, csp: str | None = None) -> None:
        self.app = app
        self.fixed: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]
        self.csp = csp.encode() if csp else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = list(self.fixed)
        csp = self.csp if self.csp is not None and not scope["path"].startswith(_WITHOUT_CSP) else None
        if _over_tls(scope):
            added.append((b"strict-transport-security", HSTS))
        names = {name for name, _ in added} | ({b"content-security-policy"} if csp is not None else set())

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                policy = [(b"content-security-policy", _with_form_actions(csp, scope))] if csp is not None else []
                message["headers"] = kept + added + policy
            await send(message)

        await self.app(scope, receive, with_headers)


def _with_form_actions(csp: bytes, scope: Scope) -> bytes:
    """The policy, its ``form-action`` widened by the origins the route allowed (``allow_form_action``)."""
    extra = sorted(set(scope.get("state", {}).get(_FORM_ACTION, ())))
    if not extra:
        return csp
    directives = [d.strip() for d in csp.split(b";")]
    added = " ".join(extra).encode()
    return b"; ".join(d + b" " + added if d.startswith(b"form-action ") else d for d in directives)
