"""Authentication and the access rule every route declares.

* People: OIDC bearer tokens (JWT), verified against the identity provider's JWKS (the one its
  discovery document names when ``PORCHLIGHT_OIDC_ISSUER`` is set, see oidc.py); without a
  provider, standalone mode signs and verifies with a local RSA key
  (``porchlight token --role ROLE`` mints one).
* Department systems: API keys (``X-API-Key``), kept only as SHA-256 hashes (keys are random
  and long, so a fast hash is enough; nothing reversible is stored).

Each route states who may call it with ``Allow(...)`` or ``Public(...)``;
tests/kit/test_route_rules.py walks every route of every service and fails on a route without.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, Request

from porchlight.kit import oidc
from porchlight.kit.errors import Forbidden, Unauthorized
from porchlight.kit.settings import KitSettings


class Role(StrEnum):
    officer = "officer"
    liaison = "liaison"
    supervisor = "supervisor"
    analyst = "analyst"
    partner = "partner"  # a department partner (Public Works, Parks, Health...)
    admin = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a person (token) or a department system (API key)."""

    subject: str
    roles: frozenset[Role]
    district: str | None = None
    department: str | None = None
    kind: str = "user"

    def has(self, *roles: Role) -> bool:
        return Role.admin in self.roles or bool(self.roles.intersection(roles))

    @property
    def district_scope(self) -> str | None:
        """The one district this caller works in, or None for city-wide callers.

        The services' one rule for "whose district": analysts and admins are leadership
        (city-wide); anyone else whose token carries a ``district`` claim (a district's
        supervisor, an officer or liaison assigned there, a partner) is limited to it; a token
        without the claim is city-wide (a watch commander, an identity provider that issues no
        district claim). Each service decides what the limit covers (pages, changes, lists).
        """
        if self.has(Role.analyst):  # admins too: ``has`` says yes to them
            return None
        return self.district or None


ANONYMOUS = Principal(subject="anonymous", roles=frozenset(), kind="anonymous")


# --- keys and tokens -------------------------------------------------------------------------


def load_or_create_local_key(path: Path) -> rsa.RSAPrivateKey:
    """The standalone signing key, created (mode 0600) on first use."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return key


def mint_token(
    settings: KitSettings,
    *,
    subject: str,
    roles: list[str],
    district: str | None = None,
    department: str | None = None,
    ttl_s: int = 12 * 3600,
) -> str:
    """A standalone-mode bearer token signed with the local key."""
    if settings.mode != "standalone" or settings.oidc_issuer:
        raise RuntimeError("tokens are minted by the identity provider in distributed mode and wherever one is set")
    for r in roles:
        Role(r)  # refuse unknown roles early
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": subject,
        "iat": now,
        "exp": now + ttl_s,
        "roles": roles,
    }
    if district:
        claims["district"] = district
    if department:
        claims["department"] = department
    key = load_or_create_local_key(settings.local_key_path)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "porchlight-local"})


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key() -> str:
    return "plk_" + secrets.token_urlsafe(32)


class TokenCache:
    """Principals of bearer tokens verified recently, by token string (a bounded LRU).

    RS256 verification is ~9 % of a cheap request's CPU and a phone sends the same token with
    every request. An entry lives until the token's ``exp`` and at most ``max_age_s`` (so a key
    taken out of the JWKS stops being accepted within that time); failures are not cached.
    """

    def __init__(self, size: int, max_age_s: float) -> None:
        self.size, self.max_age_s = size, max_age_s
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def get(self, token: str) -> Principal | None:
        hit = self._entries.get(token)
        if hit is None:
            return None
        if hit[0] <= time.time():
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return hit[1]

    def put(self, token: str, principal: Principal, expires_at: float) -> None:
        if self.size <= 0:
            return
        self._entries[token] = (min(expires_at, time.time() + self.max_age_s), principal)
        self._entries.move_to_end(token)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class Authenticator:
    """Turns request credentials into a Principal."""

    settings: KitSettings
    _jwks: jwt.PyJWKClient | None = field(default=None, init=False, repr=False)
    _local_public: Any = field(default=None, init=False, repr=False)
    tokens: TokenCache = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tokens = TokenCache(self.settings.auth_token_cache_size, self.settings.auth_token_cache_max_age_s)

    def _verification_key(self, token: str) -> Any:
        if self.settings.oidc_issuer and not self.settings.auth_jwks_url:
            # The provider's keys, where its discovery document says they are.
            return oidc.signing_keys(self.settings.oidc_issuer).get_signing_key_from_jwt(token).key
        if self.settings.auth_jwks_url:
            if self._jwks is None:
                self._jwks = jwt.PyJWKClient(self.settings.auth_jwks_url, cache_keys=True, lifespan=600)
            return self._jwks.get_signing_key_from_jwt(token).key
        if self._local_public is None:
            self._local_public = load_or_create_local_key(self.settings.local_key_path).public_key()
        return self._local_public

    def from_token(self, token: str) -> Principal:
        cached = self.tokens.get(token)
        if cached is not None:
            return cached
        try:
            claims = jwt.decode(
                token,
                self._verification_key(token),
                algorithms=["RS256", "ES256"],
                audience=self.settings.auth_audience,
                issuer=self.settings.auth_issuer,
                options={"require": ["exp", "sub"]},
            )
        except (jwt.PyJWTError, ValueError, oidc.OidcError) as exc:
            raise Unauthorized(f"invalid bearer token ({type(exc).__name__})") from exc
        principal = self.principal_of(claims)
        self.tokens.put(token, principal, float(claims["exp"]))
        return principal

    def principal_of(self, claims: dict[str, Any]) -> Principal:
        """The caller a verified token's claims describe, by the configured claim names."""
        s = self.settings
        raw_roles = _claim(claims, s.auth_roles_claim) or _claim(claims, "realm_access.roles") or []
        if isinstance(raw_roles, str):  # some providers send one space-separated string
            raw_roles = raw_roles.split()
        roles = frozenset(Role(r) for r in raw_roles if isinstance(r, str) and r in Role.__members__)
        district, department = _claim(claims, s.auth_district_claim), _claim(claims, s.auth_department_claim)
        return Principal(
            subject=str(claims["sub"]),
            roles=roles,
            district=str(district) if district else None,
            department=str(department) if department else None,
        )

    def from_api_key(self, key: str) -> Principal:
        entry = api_keys(self.settings.data_dir / "api-keys.json").get(hash_api_key(key))
        if entry is None:
            raise Unauthorized("unknown API key")
        return Principal(
            subject=f"apikey:{entry['name']}",
            roles=frozenset({Role(entry["role"])}),
            department=entry.get("department"),
            kind="api_key",
        )

    def authenticate(self, request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return self.from_token(header[7:].strip())
        key = request.headers.get("x-api-key")
        if key:
            return self.from_api_key(key)
        raise Unauthorized("send a bearer token (Authorization: Bearer ...) or an X-API-Key")


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by name, or by a dotted path into nested claims (``realm_access.roles``)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


@lru_cache(maxsize=8)
def _read_api_keys(path: Path, mtime: float) -> dict[str, dict[str, str]]:
    entries = json.loads(path.read_text()) if path.exists() else []
    return {e["sha256"]: e for e in entries}


def api_keys(path: Path) -> dict[str, dict[str, str]]:
    """Hashed API keys from the keys file (a Kubernetes Secret mounts it in production)."""
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _read_api_keys(path, mtime)


# --- access rules ----------------------------------------------------------------------------


class AccessRule:
    """Marker base: a dependency that decides who may call a route."""

    description: str


class Allow(AccessRule):
    """Only callers holding one of ``roles`` (admins always) may call the route."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)
        self.description = "roles: " + ", ".join(sorted(r.value for r in roles))

    async def __call__(self, request: Request) -> Principal:
        principal: Principal = request.app.state.authenticator.authenticate(request)
        if not principal.has(*self.roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(sorted(self.roles))}")
        request.state.principal = principal
        return principal


class Public(AccessRule):
    """Anyone may call the route; ``reason`` says why that is safe."""

    def __init__(self, reason: str) -> None:
        self.description = f"public: {reason}"

    async def __call__(self) -> Principal:
        return ANONYMOUS


ANY_STAFF = (Role.officer, Role.liaison, Role.supervisor, Role.analyst, Role.partner)

#: The caller, for routes open to every signed-in role.
CurrentPrincipal = Annotated[Principal, Depends(Allow(*ANY_STAFF))]
#: Any signed-in staff role (the same rule as ``CurrentPrincipal``, by the name routes use).
Staff = CurrentPrincipal
#: Supervisors (and admins): priorities, corrections, approvals.
Supervisor = Annotated[Principal, Depends(Allow(Role.supervisor))]
#: Admins only: the city's places, API keys, taxonomy.
Admin = Annotated[Principal, Depends(Allow(Role.admin))]
