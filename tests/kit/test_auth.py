"""Authentication end to end: tokens (standalone key and JWKS), API keys, and the CLI that makes them.

Every request goes through a real service app (intake or dashboard) with its lifespan, against
the session's PostgreSQL and broker. ``GET /v1/notes/{random id}`` answering 404 is the proof
that a caller got past authentication and its role check; 401/403 are problem details.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from support import bearer, running
from typer.testing import CliRunner

from porchlight.kit.auth import hash_api_key, load_or_create_local_key, mint_token
from porchlight.kit.cli import app as cli_app
from porchlight.kit.errors import PROBLEM_JSON
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

READERS = ("analyst", "liaison", "officer", "supervisor")


def _note_url() -> str:
    return f"/v1/notes/{uuid.uuid4()}"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body = r.json()
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status
    return body  # type: ignore[no-any-return]


def assert_unauthorized(r: httpx.Response) -> dict[str, Any]:
    body = assert_problem(r, 401)
    assert r.headers.get("www-authenticate", "").lower().startswith("bearer"), r.headers
    return body


# --- standalone tokens -----------------------------------------------------------------------


async def test_minted_token_is_accepted(settings: KitSettings) -> None:
    async with running("intake", settings, background=False) as (_, client):
        r = await client.get(_note_url(), headers=bearer(settings, "analyst"))
        assert_problem(r, 404)  # authenticated and allowed; the note just does not exist

        note = {"place": {"district": "A1"}, "sentiment": 4, "attendees": 5}
        r = await client.post("/v1/notes", json=note, headers=bearer(settings, "liaison", subject="liaison-7"))
        assert r.status_code == 201, r.text
        assert r.json()["host_id"] == "liaison-7"  # the principal came from the token's subject


async def test_no_credentials_is_401(settings: KitSettings) -> None:
    async with running("intake", settings, background=False) as (_, client):
        body = assert_unauthorized(await client.get(_note_url()))
        assert "X-API-Key" in body["detail"]
        assert_unauthorized(await client.get(_note_url(), headers={"Authorization": "Bearer not-a-jwt"}))


async def test_expired_token_is_401(settings: KitSettings) -> None:
    expired = mint_token(settings, subject="late", roles=["analyst"], ttl_s=-60)
    async with running("intake", settings, background=False) as (_, client):
        body = assert_unauthorized(await client.get(_note_url(), headers=_auth(expired)))
        assert "Expired" in body["detail"]


@pytest.mark.parametrize(
    "update", [{"auth_audience": "someone-else"}, {"auth_issuer": "https://evil.example"}], ids=["audience", "issuer"]
)
async def test_wrong_audience_or_issuer_is_401(settings: KitSettings, update: dict[str, str]) -> None:
    # Same signing key (same data dir), only the claim differs.
    token = mint_token(settings.model_copy(update=update), subject="x", roles=["analyst"])
    async with running("intake", settings, background=False) as (_, client):
        assert_unauthorized(await client.get(_note_url(), headers=_auth(token)))


async def test_token_signed_by_another_key_is_401(settings: KitSettings, tmp_path: Path) -> None:
    other = settings.model_copy(update={"auth_local_key": tmp_path / "other-key.pem"})
    token = mint_token(other, subject="forger", roles=["admin"])
    assert (tmp_path / "other-key.pem").exists() and other.local_key_path != settings.local_key_path
    async with running("intake", settings, background=False) as (_, client):
        body = assert_unauthorized(await client.get(_note_url(), headers=_auth(token)))
        assert "InvalidSignature" in body["detail"]


async def test_wrong_role_is_403_naming_the_allowed_roles(settings: KitSettings) -> None:
    async with running("intake", settings, background=False) as (_, client):
        body = assert_problem(await client.get(_note_url(), headers=bearer(settings, "partner")), 403)
        for role in READERS:
            assert role in body["detail"], body
        assert "partner" not in body["detail"]

        # A role the platform does not know counts as no role at all (validly signed token).
        claims = jwt.decode(bearer(settings, "analyst")["Authorization"][7:], options={"verify_signature": False})
        key = load_or_create_local_key(settings.local_key_path)
        unknown_role = jwt.encode({**claims, "roles": ["wizard"]}, key, algorithm="RS256")
        assert_problem(await client.get(_note_url(), headers=_auth(unknown_role)), 403)
        # The same claims under a symmetric algorithm are never accepted (no alg confusion).
        hs256 = jwt.encode(claims, "a-shared-secret-of-sufficient-length!", algorithm="HS256")
        assert_unauthorized(await client.get(_note_url(), headers=_auth(hs256)))


# --- JWKS, as in distributed mode --------------------------------------------------------------


class _JwksServer:
    """A tiny identity provider: serves one JWKS document on 127.0.0.1 from a thread."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        body = json.dumps(jwks).encode()
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                if self.path != "/realms/city/protocol/openid-connect/certs":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/realms/city/protocol/openid-connect/certs"

    def __enter__(self) -> _JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


ISSUER = "https://id.city.example/realms/city"
KID = "city-2025"


@pytest.fixture(scope="module")
def idp_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks_server(idp_key: rsa.RSAPrivateKey) -> Iterator[_JwksServer]:
    jwk = RSAAlgorithm.to_jwk(idp_key.public_key(), as_dict=True)
    jwk.update({"kid": KID, "use": "sig", "alg": "RS256"})
    with _JwksServer({"keys": [jwk]}) as server:
        yield server


def _keycloak_token(key: rsa.RSAPrivateKey, roles: list[str], *, kid: str = KID, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": "porchlight",
        "sub": "f3b0c2d4-officer",
        "iat": now,
        "exp": now + 300,
        "realm_access": {"roles": [*roles, "offline_access", "uma_authorization"]},
        "preferred_username": "j.doe",
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


async def test_jwks_token_with_realm_roles(
    settings: KitSettings, jwks_server: _JwksServer, idp_key: rsa.RSAPrivateKey
) -> None:
    oidc = settings.model_copy(update={"auth_jwks_url": jwks_server.url, "auth_issuer": ISSUER})
    async with running("intake", oidc, background=False) as (_, client):
        r = await client.get(_note_url(), headers=_auth(_keycloak_token(idp_key, ["supervisor"])))
        assert_problem(r, 404)
        assert jwks_server.hits >= 1  # the key really came from the JWKS endpoint

        # the realm roles are what decides: a partner is refused with 403, not let in
        body = assert_problem(await client.get(_note_url(), headers=_auth(_keycloak_token(idp_key, ["partner"]))), 403)
        assert "supervisor" in body["detail"]

        # a locally minted token (the standalone key) is not trusted once a JWKS is configured
        assert_unauthorized(await client.get(_note_url(), headers=bearer(settings, "supervisor")))
        # nor a token naming a key the JWKS does not hold, nor one for another audience
        assert_unauthorized(
            await client.get(_note_url(), headers=_auth(_keycloak_token(idp_key, ["supervisor"], kid="rotated-away")))
        )
        assert_unauthorized(
            await client.get(_note_url(), headers=_auth(_keycloak_token(idp_key, ["supervisor"], aud="account")))
        )


# --- API keys and the CLI ----------------------------------------------------------------------


def _cli(args: list[str], data_dir: Path) -> Any:
    runner = CliRunner()
    # DATABASE_URL/KAFKA_BOOTSTRAP from the environment must not matter to these commands.
    return runner.invoke(cli_app, args, env={"PORCHLIGHT_DATA_DIR": str(data_dir), "PORCHLIGHT_MODE": "standalone"})


async def test_api_key_created_by_the_cli(settings: KitSettings, tmp_path: Path) -> None:
    result = _cli(
        ["apikey", "create", "--name", "Public Works GIS", "--role", "partner", "--department", "public-works"],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("plk_") and len(key) > 40

    stored = (tmp_path / "api-keys.json").read_text()
    assert key not in stored and key[4:] not in stored  # only the hash is kept
    entries = json.loads(stored)
    assert entries == [
        {
            "name": "Public Works GIS",
            "role": "partner",
            "department": "public-works",
            "sha256": hash_api_key(key),
            "created_at": entries[0]["created_at"],
        }
    ]

    keyed = settings.model_copy(update={"data_dir": tmp_path})
    async with running("dashboard", keyed, background=False) as (_, client):
        r = await client.get("/v1/activity", headers={"X-API-Key": key})
        assert r.status_code == 200, r.text
        body = assert_unauthorized(await client.get("/v1/activity", headers={"X-API-Key": key[:-2] + "xx"}))
        assert "API key" in body["detail"]
    async with running("intake", keyed, background=False) as (_, client):
        # the key's role is partner: residents' notes are not for department systems
        assert_problem(await client.get(_note_url(), headers={"X-API-Key": key}), 403)


async def test_token_from_the_cli_is_accepted(settings: KitSettings) -> None:
    result = _cli(["token", "--role", "supervisor", "--subject", "cli-sup"], settings.data_dir)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    async with running("intake", settings, background=False) as (_, client):
        assert_problem(await client.get(_note_url(), headers=_auth(token)), 404)
        note = {"place": {"district": "A1"}, "sentiment": 4, "attendees": 5}
        r = await client.post("/v1/notes", json=note, headers=_auth(token))
        assert r.status_code == 201, r.text
        assert r.json()["host_id"] == "cli-sup"


@pytest.mark.parametrize(
    "args",
    [["token", "--role", "wizard"], ["apikey", "create", "--name", "x", "--role", "wizard"]],
    ids=["token", "apikey"],
)
def test_cli_refuses_an_unknown_role(args: list[str], tmp_path: Path) -> None:
    result = _cli(args, tmp_path)
    assert result.exit_code == 2, result.output  # a usage error ...
    assert isinstance(result.exception, SystemExit)  # ... not a crash with a traceback
    assert "wizard" in result.output
    assert "--role" in result.output
    assert "plk_" not in result.output and "eyJ" not in result.output  # nothing was issued
    assert not (tmp_path / "api-keys.json").exists()


def test_the_local_key_is_read_once_and_again_when_the_file_is_replaced(tmp_path: Path) -> None:
    # Kept while the file is unchanged (a PEM parse per demo sign-in cost the event loop tens of
    # milliseconds); a key written over it, or moved into its place, is the one read after.
    path = tmp_path / "keys" / "local.pem"
    first = load_or_create_local_key(path)  # made and written
    read = load_or_create_local_key(path)
    assert load_or_create_local_key(path) is read
    assert read.public_key().public_numbers() == first.public_key().public_numbers()
    other = tmp_path / "other.pem"
    second = load_or_create_local_key(other)
    other.replace(path)
    assert load_or_create_local_key(path).public_key().public_numbers() == second.public_key().public_numbers()
    assert load_or_create_local_key(path).public_key().public_numbers() != first.public_key().public_numbers()
