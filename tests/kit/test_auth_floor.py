"""The authentication floor (issue 15): bad tokens, API keys, rate limits, security headers.

Every route of every service that is not ``Public`` is probed with every kind of bad token; each
must answer 401 with ``WWW-Authenticate: Bearer error="invalid_token", error_description=...``
and a problem body, never a 5xx (a token signed with an attacker's own ES256 key once got 500
from 70 routes). The apps run in process with their lifespans against the session's PostgreSQL
and broker (``support.running``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import stat
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.routing import APIRoute, iter_route_contexts
from support import bearer, running
from typer.testing import CliRunner

from porchlight.kit.app import create_app
from porchlight.kit.auth import (
    ApiKeyUse,
    Authenticator,
    Public,
    api_keys,
    hash_api_key,
    load_or_create_local_key,
    mint_token,
)
from porchlight.kit.cli import app as cli_app
from porchlight.kit.errors import PROBLEM_JSON
from porchlight.kit.openapi import access_rules
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

SERVICES = ("intake", "synthesis", "projects", "layers", "dashboard")


def _b64(raw: bytes | str) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: Any, claims: Any, signature: bytes = b"") -> str:
    return f"{_b64(json.dumps(header))}.{_b64(json.dumps(claims))}.{_b64(signature)}"


def bad_tokens(settings: KitSettings) -> dict[str, str]:
    """Every kind of token the services must refuse, by what is wrong with it."""
    now = int(time.time())
    claims = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": "mallory",
        "iat": now,
        "exp": now + 600,
        "roles": ["admin"],
    }
    local = load_or_create_local_key(settings.local_key_path)
    kid = {"kid": "porchlight-local"}

    def ours(**changes: Any) -> str:
        """Signed with the real key: only the claims are wrong."""
        body = {k: v for k, v in (claims | changes).items() if v is not None}
        return jwt.encode(body, local, algorithm="RS256", headers=kid)

    public_pem = local.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hs_header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", **kid}))
    hs_payload = _b64(json.dumps(claims))
    hs_signature = hmac.new(public_pem, f"{hs_header}.{hs_payload}".encode(), hashlib.sha256).digest()
    huge = _unsigned({"alg": "RS256", "pad": "x" * 12_000}, claims, b"sig")
    return {
        "ES256 with an attacker's own key": jwt.encode(
            claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers=kid
        ),
        "RS256 with an attacker's own key": jwt.encode(
            claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256", headers=kid
        ),
        "HS256 with the public key as the secret": f"{hs_header}.{hs_payload}.{_b64(hs_signature)}",
        'alg "none"': _unsigned({"alg": "none", "typ": "JWT"}, claims),
        "expired": ours(iat=now - 7200, exp=now - 3600),
        "not yet valid (nbf)": ours(nbf=now + 3600),
        "issued in the future (iat)": ours(iat=now + 3600, exp=now + 4200),
        "too long-lived (50 years)": ours(exp=now + 50 * 365 * 86400),
        "without exp": ours(exp=None),
        "without iat": ours(iat=None),
        "wrong issuer": ours(iss="https://evil.example"),
        "wrong audience": ours(aud="someone-else"),
        "garbage": "not-a-jwt",
        "bad base64": "!!!.@@@.###",
        "non-JSON header": f"{_b64('not json')}.{_b64('{}')}.{_b64('sig')}",
        "header a JSON list": f"{_b64('[1, 2]')}.{_b64('{}')}.{_b64('sig')}",
        "claims a JSON string": f"{_b64(json.dumps({'alg': 'RS256'}))}.{_b64(json.dumps('x'))}.{_b64('sig')}",
        "NUL bytes": "eyJhbGciOiJSUzI1NiJ9\x00.e30\x00.c2ln",
        "huge header": huge,
        "too long": huge + "x" * 10_000,
    }


def _example_path(path: str) -> str:
    """The route's path with a value in each parameter that its converter accepts."""
    out = path
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        name = out[start + 1 : end]
        value = "1" if name.endswith(":int") else "x/y" if name.endswith(":path") else str(uuid.uuid4())
        out = out[:start] + value + out[end + 1 :]
    return out


def protected_routes(app: Any) -> list[tuple[str, str, str]]:
    """(method, path, path template) of every route whose access rule is not ``Public``."""
    found = []
    for ctx in iter_route_contexts(app.routes):
        if not isinstance(ctx.original_route, APIRoute):
            continue
        rules = access_rules(ctx.dependant)
        if rules and all(isinstance(r, Public) for r in rules):
            continue
        for method in sorted(ctx.methods or ()):
            if method != "HEAD":
                found.append((method, _example_path(str(ctx.path)), str(ctx.path)))
    return found


def assert_invalid_token(r: httpx.Response, what: str) -> None:
    assert r.status_code == 401, f"{what}: {r.status_code} {r.text[:200]}"
    challenge = r.headers.get("www-authenticate", "")
    assert challenge.startswith('Bearer error="invalid_token", error_description="'), f"{what}: {challenge!r}"
    assert r.headers["content-type"].startswith(PROBLEM_JSON), what
    assert r.json()["status"] == 401, what


# --- 1. every bad token, every route -------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
async def test_every_bad_token_gets_401_from_every_protected_route(settings: KitSettings, service: str) -> None:
    tokens = bad_tokens(settings)
    async with running(service, settings, background=False) as (app, client):
        routes = protected_routes(app)
        assert len(routes) >= 3, f"{service}: found only {routes}"
        failures = []
        for method, path, _ in routes:
            for what, token in tokens.items():
                r = await client.request(method, path, headers={"Authorization": f"Bearer {token}"})
                try:
                    assert_invalid_token(r, f"{method} {path} with a token {what}")
                except AssertionError as exc:
                    failures.append(str(exc))
        assert not failures, f"{len(failures)} of {len(routes) * len(tokens)} probes:\n" + "\n".join(failures[:30])

        # A good token still gets past authentication (the answer is the route's, not a 401): on
        # reads of one thing by its id, which answer at once (a 404 for a made-up id).
        good = bearer(settings, "admin", subject="floor-admin")
        gets = [p for m, p, t in routes if m == "GET" and t.endswith("}") and ":" not in t][:3]
        for path in gets:
            r = await client.get(path, headers=good)
            assert r.status_code not in (401, 403), f"GET {path} with a good token: {r.status_code} {r.text[:200]}"


def test_a_long_lived_token_is_refused_and_not_minted(settings: KitSettings, tmp_path: Path) -> None:
    short = settings.model_copy(update={"token_max_lifetime_s": 3600})
    with pytest.raises(ValueError, match="at most 3600 s"):
        mint_token(short, subject="x", roles=["officer"], ttl_s=7200)
    token = mint_token(settings, subject="x", roles=["officer"], ttl_s=7200)  # within the default 12 h
    assert Authenticator(settings).from_token(token).subject == "x"
    with pytest.raises(Exception, match=r"lifetime \(7200 s\) exceeds the maximum of 3600 s"):
        Authenticator(short).from_token(token)


# --- 3. API keys -------------------------------------------------------------------------------


def _cli(settings: KitSettings, *args: str) -> Any:
    env = {"PORCHLIGHT_DATA_DIR": str(settings.data_dir)}
    return CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)


def test_api_keys_are_hashed_private_revocable_and_their_last_use_recorded(tmp_path: Path) -> None:
    settings = KitSettings(data_dir=tmp_path)
    made = _cli(settings, "apikey", "create", "--name", "Parks GIS", "--department", "parks")
    assert made.exit_code == 0, made.output
    key = made.output.strip()
    keys_file = tmp_path / "api-keys.json"
    text = keys_file.read_text()
    assert key not in text and hash_api_key(key) in text, "only the key's hash is kept"
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600, oct(keys_file.stat().st_mode)

    app = create_app(get_service("intake"), settings, run_background=False)
    auth: Authenticator = app.state.authenticator
    who = auth.from_api_key(key)
    assert who.subject == "apikey:Parks GIS" and who.department == "parks"

    # Last use: recorded at once, then at most once a minute per key (no write per request).
    used_file = tmp_path / "api-keys-used.json"
    first = json.loads(used_file.read_text())[hash_api_key(key)]
    assert stat.S_IMODE(used_file.stat().st_mode) == 0o600
    written = used_file.stat().st_mtime_ns
    for _ in range(20):
        auth.from_api_key(key)
    assert used_file.stat().st_mtime_ns == written, "the file is not rewritten by every request"
    auth.key_use.record(hash_api_key(key), now=time.time() + ApiKeyUse.every_s + 1)
    assert json.loads(used_file.read_text())[hash_api_key(key)] > first
    listed = _cli(settings, "apikey", "list")
    assert "Parks GIS" in listed.output and "last used 20" in listed.output and "active" in listed.output

    # Revoked: refused from the next request on, by the id `apikey list` shows.
    key_id = hash_api_key(key)[:12]
    assert key_id in listed.output
    revoked = _cli(settings, "apikey", "revoke", key_id)
    assert revoked.exit_code == 0 and "revoked Parks GIS" in revoked.output, revoked.output
    with pytest.raises(Exception, match="unknown or revoked API key"):
        auth.from_api_key(key)
    assert "revoked 20" in _cli(settings, "apikey", "list").output
    assert _cli(settings, "apikey", "revoke", key_id).exit_code == 1, "nothing left to revoke"
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600


def test_a_world_writable_keys_file_is_refused_and_a_readable_one_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    keys_file = tmp_path / "api-keys.json"
    keys_file.write_text(json.dumps([{"name": "x", "role": "partner", "sha256": hash_api_key("k")}]))
    os.chmod(keys_file, 0o644)
    assert hash_api_key("k") in api_keys(keys_file)
    assert "readable by others" in caplog.text
    os.chmod(keys_file, 0o666)
    assert api_keys(keys_file) == {}
    assert "world-writable" in caplog.text


# --- 4. rate limits -----------------------------------------------------------------------------


async def test_writes_past_the_limit_get_429_with_retry_after(settings: KitSettings) -> None:
    limited = settings.model_copy(update={"rate_limit_writes": "3/minute"})
    async with running("intake", limited, background=False) as (_, client):
        mine, theirs = bearer(limited, "liaison", subject="busy"), bearer(limited, "liaison", subject="other")
        note = {"place": {"district": "A1"}, "sentiment": 4, "attendees": 5}
        for _ in range(3):
            assert (await client.post("/v1/notes", json=note, headers=mine)).status_code == 201
        r = await client.post("/v1/notes", json=note, headers=mine)
        assert r.status_code == 429, r.text
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert r.headers["content-type"].startswith(PROBLEM_JSON) and r.json()["status"] == 429
        # Per caller: another person is not held back, nor are reads.
        assert (await client.post("/v1/notes", json=note, headers=theirs)).status_code == 201
        assert (await client.get(f"/v1/notes/{uuid.uuid4()}", headers=mine)).status_code == 404


async def test_sign_ins_past_the_limit_get_429_with_retry_after(settings: KitSettings) -> None:
    limited = settings.model_copy(update={"rate_limit_sign_in": "2/minute"})
    async with running("dashboard", limited, background=False) as (_, client):
        for _ in range(2):
            assert (await client.post("/web/demo-token", json={"role": "analyst"})).status_code == 200
        r = await client.post("/web/demo-token", json={"role": "analyst"})
        assert r.status_code == 429, r.text
        assert int(r.headers["retry-after"]) >= 1 and r.json()["status"] == 429
        # The provider's code exchange counts as a sign-in too (no provider here: still limited first).
        assert (await client.post("/web/oidc/token", json={"code": "c", "state": "s"})).status_code == 429


# --- 2. demo mode and 5. headers, by the API ---------------------------------------------------------


async def test_the_shell_has_security_headers_and_says_demo_mode(settings: KitSettings) -> None:
    async with running("dashboard", settings, background=False) as (_, client):
        for path in ("/", "/static/js/app.js", "/static/app.css", "/web/config", "/sw.js"):
            r = await client.get(path)
            assert r.status_code == 200, path
            csp = r.headers["content-security-policy"]
            script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
            assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, csp
            assert "frame-ancestors 'none'" in csp
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] in ("same-origin", "no-referrer")
            assert "strict-transport-security" not in r.headers, "no HSTS over plain HTTP"
        shell = await client.get("/")
        assert "Demo mode — sign-in without a password; not for real data" in shell.text
        assert not re.search(r"<script(?![^>]*\bsrc=)", shell.text), "no inline script in the shell"
        assert not re.search(r"\son[a-z]+=", shell.text), "no inline event handler in the shell"
        proxied_tls = await client.get("/", headers={"X-Forwarded-Proto": "https"})
        assert proxied_tls.headers["strict-transport-security"].startswith("max-age=")
    async with running("intake", settings, background=False) as (_, client):
        r = await client.get(f"/v1/notes/{uuid.uuid4()}", headers=bearer(settings, "analyst"))
        assert r.headers["x-content-type-options"] == "nosniff"


async def test_outside_demo_mode_there_is_no_demo_sign_in_and_no_banner(settings: KitSettings) -> None:
    real = settings.model_copy(update={"oidc_issuer": "https://id.city.example", "oidc_client_id": "porchlight"})
    assert not real.demo_sign_in
    async with running("dashboard", real, background=False) as (_, client):
        r = await client.post("/web/demo-token", json={"role": "supervisor"})
        assert r.status_code == 404, r.text
        shell = await client.get("/")
        assert "Demo mode" not in shell.text and "demo-banner" not in shell.text
        assert "form-action 'self' https://id.city.example" in shell.headers["content-security-policy"]
        assert (await client.get("/web/config")).json()["demo_sign_in"] is False
