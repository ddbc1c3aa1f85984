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
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = b"max-age=31536000; includeSubDomains"
_WITHOUT_CSP = ("/docs",)


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
        if self.csp is not None and not scope["path"].startswith(_WITHOUT_CSP):
            added.append((b"content-security-policy", self.csp))
        if _over_tls(scope):
            added.append((b"strict-transport-security", HSTS))
        names = {name for name, _ in added}

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + added
            await send(message)

        await self.app(scope, receive, with_headers)
