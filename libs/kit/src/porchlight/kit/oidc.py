"""The relying party's side of OpenID Connect: discovery, PKCE, the code exchange, the ID token.

The dashboard runs the authorization code flow with PKCE (S256), state and nonce against the
city's provider (docs/adr/0012-oidc-sign-in.md); the services verify the tokens it issued with
the JWKS named by the same discovery document (``Authenticator``). Signatures, ``iss``, ``aud``
and ``exp`` are PyJWT's; the few lines of PKCE and the token request follow RFC 7636 and
OIDC Core 3.1.3 to the letter rather than pull in a second JOSE stack.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

#: How long a discovery document (and the JWKS client made from it) is trusted before it is
#: asked again: providers rotate keys with an overlap of hours, so minutes are plenty.
DISCOVERY_TTL_S = 600.0
TIMEOUT = httpx.Timeout(10.0)


class OidcError(Exception):
    """The provider answered something a relying party must not accept."""


@dataclass(frozen=True)
class Provider:
    """What discovery says about the provider (the fields this relying party uses)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None


_discovered: dict[str, tuple[float, Provider, jwt.PyJWKClient]] = {}


def _discover(issuer: str) -> tuple[Provider, jwt.PyJWKClient]:
    hit = _discovered.get(issuer)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1], hit[2]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = httpx.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        doc: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError(f"no discovery document at {url} ({type(exc).__name__})") from exc
    # OIDC Discovery 4.3: the issuer in the document must be the one asked for, exactly.
    if doc.get("issuer") != issuer:
        raise OidcError(f"the discovery document names issuer {doc.get('issuer')!r}, not {issuer!r}")
    try:
        provider = Provider(
            issuer=issuer,
            authorization_endpoint=doc["authorization_endpoint"],
            token_endpoint=doc["token_endpoint"],
            jwks_uri=doc["jwks_uri"],
            end_session_endpoint=doc.get("end_session_endpoint"),
        )
    except KeyError as exc:
        raise OidcError(f"the discovery document has no {exc.args[0]}") from exc
    keys = jwt.PyJWKClient(provider.jwks_uri, cache_keys=True, lifespan=int(DISCOVERY_TTL_S))
    _discovered[issuer] = (time.monotonic() + DISCOVERY_TTL_S, provider, keys)
    return provider, keys


def discover(issuer: str) -> Provider:
    """The provider's endpoints from ``<issuer>/.well-known/openid-configuration`` (cached)."""
    return _discover(issuer)[0]


def signing_keys(issuer: str) -> jwt.PyJWKClient:
    """The provider's JWKS (cached, refetched for an unknown ``kid``: key rotation)."""
    return _discover(issuer)[1]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class Attempt:
    """One sign-in under way: the secrets the browser keeps (HttpOnly) until the provider answers."""

    state: str
    nonce: str
    verifier: str
    redirect_uri: str

    @classmethod
    def new(cls, redirect_uri: str) -> Attempt:
        # 32 random bytes each: a 43-character PKCE verifier, the RFC 7636 minimum and plenty.
        state, nonce, verifier = (_b64(secrets.token_bytes(32)) for _ in range(3))
        return cls(state, nonce, verifier, redirect_uri)

    @property
    def challenge(self) -> str:
        return _b64(hashlib.sha256(self.verifier.encode()).digest())


def authorization_url(provider: Provider, client_id: str, scopes: str, attempt: Attempt) -> str:
    """Where the browser goes to sign in (OIDC Core 3.1.2.1, RFC 7636 4.3)."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": attempt.redirect_uri,
        "scope": scopes,
        "state": attempt.state,
        "nonce": attempt.nonce,
        "code_challenge": attempt.challenge,
        "code_challenge_method": "S256",
    }
    sep = "&" if "?" in provider.authorization_endpoint else "?"
    return provider.authorization_endpoint + sep + urlencode(query)


async def exchange_code(
    provider: Provider, client_id: str, client_secret: str | None, code: str, attempt: Attempt
) -> dict[str, Any]:
    """The token endpoint's answer for ``code`` (with the PKCE verifier; RFC 6749 4.1.3)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": attempt.redirect_uri,
        "code_verifier": attempt.verifier,
        "client_id": client_id,
    }
    auth = httpx.BasicAuth(client_id, client_secret) if client_secret else None
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, auth=auth) as client:
            response = await client.post(provider.token_endpoint, data=form)
    except httpx.HTTPError as exc:
        raise OidcError(f"the token endpoint is not reachable ({type(exc).__name__})") from exc
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or "id_token" not in body:
        error = body.get("error") or f"HTTP {response.status_code}"
        raise OidcError(f"the provider refused the code: {error} {body.get('error_description') or ''}".strip())
    return body


def verify_id_token(provider: Provider, client_id: str, id_token: str, nonce: str) -> dict[str, Any]:
    """The ID token's claims once signature, ``iss``, ``aud``, ``exp`` and ``nonce`` hold (OIDC Core 3.1.3.7)."""
    try:
        key = signing_keys(provider.issuer).get_signing_key_from_jwt(id_token).key
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=["RS256", "ES256"],
            audience=client_id,
            issuer=provider.issuer,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except (jwt.PyJWTError, ValueError) as exc:
        raise OidcError(f"the ID token is not valid ({type(exc).__name__}: {exc})") from exc
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError("the ID token's nonce is not this sign-in's")
    # Several audiences: the authorized party must be us (OIDC Core 3.1.3.7, items 4 and 5).
    if isinstance(claims["aud"], list) and len(claims["aud"]) > 1 and claims.get("azp") != client_id:
        raise OidcError("the ID token was issued to another client (azp)")
    return claims
