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
import logging
import os
import secrets
import stat
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, Request

from porchlight.kit import oidc
from porchlight.kit.errors import Forbidden, InvalidToken, Unauthorized
from porchlight.kit.ratelimit import WRITE_METHODS, RateLimit
from porchlight.kit.settings import KitSettings

log = logging.getLogger(__name__)


class Role(StrEnum):
    officer = "officer"
    liaison = "liaison"
    supervisor = "supervisor"
    analyst = "analyst"
    partner = "partner"  # a department partner (Public Works, Parks, Health...)
    admin = "admin"
    auditor = "auditor"  # reads the audit trail (who read or changed what), never residents' words


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

    def reads_words_of(self, district: str | None) -> bool:
        """Whether residents' words of ``district`` (None: of the whole city) are for this caller.

        Figures may be city-wide; the words behind them (note texts, quotes, statements) are for
        the district a person works in (their ``district`` claim) or for a city-wide duty:
        analysts and admins (leadership) and a supervisor without a district claim (a watch
        commander). An officer, liaison or partner without a claim reads figures, not words.
        docs/privacy.md writes the rule down; tests/kit/test_words_access.py holds it to it.
        """
        if self.has(Role.analyst):
            return True
        if self.district:
            return district == self.district
        return Role.supervisor in self.roles


#: The smallest number of residents' notes a figure may count in a partner's (or the public's)
#: view: fewer could single out who spoke (docs/privacy.md, "purpose limitation").
MIN_NOTES_SHOWN = 5


def sees_small_counts(who: Principal) -> bool:
    """Whether ``who`` may see a figure of fewer than ``MIN_NOTES_SHOWN`` notes: police staff and
    leadership may; a department partner (or anyone else) sees "fewer than 5"."""
    return who.has(Role.officer, Role.liaison, Role.supervisor, Role.analyst)


def words_district(who: Principal, district: str | None) -> str | None:
    """The district filter a list of residents' words runs with for ``who``: theirs when left
    out, None (the whole city) only for a city-wide duty; anything else is a 403 naming theirs."""
    if district is None and who.district and not who.reads_words_of(None):
        district = who.district
    if not who.reads_words_of(district):
        where = f"district {district}" if district else "the whole city"
        mine = f"those of district {who.district}" if who.district else "none (your role reads figures only)"
        raise Forbidden(f"residents' words of {where} are not for you; you read {mine}", district=who.district)
    return district


ANONYMOUS = Principal(subject="anonymous", roles=frozenset(), kind="anonymous")


# --- keys and tokens -------------------------------------------------------------------------


def load_or_create_local_key(path: Path) -> rsa.RSAPrivateKey:
    """The standalone signing key, created (mode 0600) on first use."""
    if path.exists():
        st = path.stat()
        return _read_key(path, st.st_ino, st.st_mtime_ns, st.st_size)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return key


@lru_cache(maxsize=4)
def _read_key(path: Path, inode: int, mtime_ns: int, size: int) -> rsa.RSAPrivateKey:
    """Parsing the PEM costs tens of milliseconds, on the event loop of each demo sign-in: kept
    while the file is unchanged (its inode, time and size are in the key of the cache, so a key
    replaced or rewritten is read anew)."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
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
    if ttl_s > settings.token_max_lifetime_s:
        raise ValueError(
            f"a token may live at most {settings.token_max_lifetime_s} s (PORCHLIGHT_TOKEN_MAX_LIFETIME_S)"
        )
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
    key_use: ApiKeyUse = field(init=False, repr=False)
    #: Write requests per caller (``Allow`` counts them once the caller is known).
    writes: RateLimit = field(init=False, repr=False)
    #: Sign-in attempts per client address (the sign-in routes count them).
    sign_ins: RateLimit = field(init=False, repr=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.tokens = TokenCache(s.auth_token_cache_size, s.auth_token_cache_max_age_s)
        self.key_use = ApiKeyUse(s.data_dir / "api-keys-used.json")
        self.writes = RateLimit(s.rate_limit_writes, "write")
        self.sign_ins = RateLimit(s.rate_limit_sign_in, "sign-in")

    def _verification_key(self, token: str) -> tuple[Any, list[str]]:
        """The key a token must be signed with and the one algorithm that goes with it.

        The algorithm comes from the key (the JWK's ``alg``, else its type), never from the
        token's header alone: a token naming ES256 or HS256 against an RSA key is refused.
        """
        if self.settings.oidc_issuer and not self.settings.auth_jwks_url:
            # The provider's keys, where its discovery document says they are.
            jwk = oidc.signing_keys(self.settings.oidc_issuer).get_signing_key_from_jwt(token)
            return jwk.key, _signed(jwk.algorithm_name)
        if self.settings.auth_jwks_url:
            if self._jwks is None:
                self._jwks = jwt.PyJWKClient(self.settings.auth_jwks_url, cache_keys=True, lifespan=600)
            jwk = self._jwks.get_signing_key_from_jwt(token)
            return jwk.key, _signed(jwk.algorithm_name)
        if self._local_public is None:
            self._local_public = load_or_create_local_key(self.settings.local_key_path).public_key()
        return self._local_public, ["RS256"]

    def from_token(self, token: str) -> Principal:
        cached = self.tokens.get(token)
        if cached is not None:
            return cached
        if len(token) > MAX_TOKEN_CHARS:
            raise InvalidToken(f"invalid bearer token: longer than {MAX_TOKEN_CHARS} characters")
        s = self.settings
        try:
            key, algorithms = self._verification_key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=s.auth_audience,
                issuer=s.auth_issuer,
                leeway=s.auth_clock_skew_s,
                options={"require": ["exp", "iat", "sub"]},
            )
            lifetime = claims["exp"] - claims["iat"]
        except Exception as exc:  # whatever a token makes the parser raise, it is not a caller: a 401
            raise InvalidToken(f"invalid bearer token: {_why(exc)} ({type(exc).__name__})") from exc
        if lifetime > s.token_max_lifetime_s:
            raise InvalidToken(
                f"invalid bearer token: its lifetime ({lifetime} s) exceeds the maximum of {s.token_max_lifetime_s} s"
            )
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
        digest = hash_api_key(key)
        entry = api_keys(api_keys_file(self.settings)).get(digest)
        if entry is None:
            raise InvalidToken("unknown or revoked API key")
        self.key_use.record(digest)
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


#: Algorithms a token may be signed with: public-key ones only (a shared secret is no proof of who signed).
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})


def _signed(algorithm: str) -> list[str]:
    # An empty list makes PyJWT refuse the token (a DecodeError), as a 401 like any bad token.
    return [algorithm] if algorithm in ASYMMETRIC else []


#: Longer bearer tokens are refused before any parsing (a provider's tokens are a few KB at most).
MAX_TOKEN_CHARS = 16_384

_WHY = (
    (jwt.ExpiredSignatureError, "it has expired"),
    (jwt.ImmatureSignatureError, "it is not valid yet"),
    (jwt.InvalidAudienceError, "it is for another audience"),
    (jwt.InvalidIssuerError, "it is from another issuer"),
    (jwt.MissingRequiredClaimError, "it lacks a required claim"),
    (jwt.InvalidIssuedAtError, "its issue time is not a time"),
    (jwt.InvalidAlgorithmError, "its algorithm is not accepted"),
    (jwt.InvalidSignatureError, "its signature does not verify"),
    (jwt.PyJWKClientError, "no key of the issuer signed it"),
    (jwt.DecodeError, "it is malformed"),
)


def _why(exc: Exception) -> str:
    """Why a token was refused, in words a client's developer can act on (no key material)."""
    return next((why for kind, why in _WHY if isinstance(exc, kind)), "it does not verify")


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
def _read_api_keys(path: Path, version: tuple[int, int, int]) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    mode = version[2]
    if mode & stat.S_IWOTH:
        # Anyone on the machine could add a key of their own: none of its keys is trusted.
        log.error("API keys refused: %s is world-writable (chmod 600 it)", path)
        return {}
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s is readable by others than its owner (chmod 600 it)", path)
    entries = json.loads(path.read_text())
    return {e["sha256"]: e for e in entries if not e.get("revoked_at")}


def api_keys(path: Path) -> dict[str, dict[str, str]]:
    """Hashed API keys from the keys file (a Kubernetes Secret mounts it in production), revoked
    ones left out; read again whenever the file changes."""
    try:
        st = path.stat()
        version = (st.st_mtime_ns, st.st_size, st.st_mode)
    except FileNotFoundError:
        version = (0, 0, 0)
    return _read_api_keys(path, version)


def api_keys_file(settings: KitSettings) -> Path:
    return settings.data_dir / "api-keys.json"


def read_api_key_entries(path: Path) -> list[dict[str, Any]]:
    """Every entry of the keys file, revoked ones included (for the CLI)."""
    return list(json.loads(path.read_text())) if path.exists() else []


def write_private_json(path: Path, data: Any) -> None:
    """Write ``data`` as JSON readable by its owner only (0600), replacing the file atomically."""
    write_private_bytes(path, json.dumps(data, indent=2).encode())


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a file readable by its owner only (0600), replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class ApiKeyUse:
    """When each API key was last used, in ``<data dir>/api-keys-used.json``, keyed by its hash.

    Kept apart from the keys file, which a deployment may mount read-only (a Kubernetes Secret),
    and written at most once per ``every_s`` per key, so a busy department system does not
    rewrite a file with every request. Per data directory: each pod of a deployment keeps its own.
    """

    every_s = 60.0
    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path
        self._written: dict[str, float] = {}

    def record(self, digest: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        if now - self._written.get(digest, float("-inf")) < self.every_s:
            return
        self._written[digest] = now
        with self._lock:  # the services of a standalone process share the file
            try:
                used = self.read(self.path)
                used[digest] = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
                write_private_json(self.path, used)
            except (OSError, ValueError) as exc:
                log.warning("could not record an API key's use in %s (%s)", self.path, type(exc).__name__)

    @staticmethod
    def read(path: Path) -> dict[str, str]:
        return dict(json.loads(path.read_text())) if path.exists() else {}


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
        authenticator: Authenticator = request.app.state.authenticator
        principal = authenticator.authenticate(request)
        if request.method in WRITE_METHODS:
            authenticator.writes.check(principal.subject)
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
