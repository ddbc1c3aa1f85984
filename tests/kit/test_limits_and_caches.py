"""The kit's per-route body limits, its verified-token cache and its pool's idle ping.

Body limits run through intake (its import upload declares a larger limit than the kit's
default); the token cache and the pool are checked on the kit's own objects against the
session's PostgreSQL.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa
from support import bearer, running

from porchlight.kit.auth import Authenticator, mint_token
from porchlight.kit.db import create_engine
from porchlight.kit.errors import PROBLEM_JSON, Unauthorized
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

MB = 1_000_000


def _problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = r.json()
    return body


def _contacts_csv(t: str, size: int) -> bytes:
    """A valid contacts CSV of about ``size`` bytes (long notes make it big with few rows)."""
    note = "talked about the park lights and the bus stop " * 40  # ~1,900 characters
    lines = ["Date,Badge,Type,Minutes,Residents,District,Note"]
    i = 0
    while sum(len(x) + 1 for x in lines) < size:
        lines.append(f"1/{1 + i % 28}/2025,B{i % 50:04d}-{t},conversation,{10 + i % 50},{i % 7},C6,{note}")
        i += 1
    return ("\n".join(lines) + "\n").encode()


async def test_body_limits_are_per_route(settings: KitSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings.max_body_bytes == MB  # the kit's default applies to every other route
    monkeypatch.setenv("PORCHLIGHT_INTAKE_IMPORT_INLINE_MAX_BYTES", str(5 * MB))  # validated in the request
    t = uuid.uuid4().hex[:8]
    data = _contacts_csv(t, int(1.5 * MB))
    supervisor = bearer(settings, "supervisor", subject=f"sup-{t}")
    async with running("intake", settings, background=False) as (_, client):
        # The import upload has its own limit (the import's max_bytes, 50 MB): 1.5 MB passes.
        files = {"file": ("c.csv", data)}
        r = await client.post("/v1/imports", headers=supervisor, files=files, data={"kind": "contacts"})
        assert r.status_code == 201, r.text[:500]
        report = r.json()
        assert report["rows"] == report["valid"] == data.count(b"\n") - 1

        # The same bytes to a route without a limit of its own: the kit's 1 MB.
        r = await client.post("/v1/contacts", content=data, headers=supervisor | {"content-type": "application/json"})
        assert f"{MB} bytes" in _problem(r, 413)["detail"]

        # Notes keep their own 20 KB rule, under the kit's default.
        big_note = {"place": {"district": "C6"}, "sentiment": 3, "attendees": 4, "notes": "word " * 5000}
        r = await client.post("/v1/notes", json=big_note, headers=bearer(settings, "officer"))
        assert "20000" in _problem(r, 413)["detail"]


async def test_an_import_over_its_own_limit_is_413_before_it_is_read(settings: KitSettings) -> None:
    from porchlight.intake.imports.routes import MULTIPART_ROOM
    from porchlight.intake.settings import IntakeSettings

    t = uuid.uuid4().hex[:8]
    data = _contacts_csv(t, int(1.5 * MB))
    async with running("intake", settings, background=False) as (app, client):
        app.state.runtime.provide(IntakeSettings(import_max_bytes=500_000))  # before the route's first request
        r = await client.post(
            "/v1/imports",
            headers=bearer(settings, "supervisor"),
            files={"file": ("c.csv", data)},
            data={"kind": "contacts"},
        )
        assert f"{500_000 + MULTIPART_ROOM} bytes" in _problem(r, 413)["detail"]


def test_verified_tokens_are_cached_until_they_expire(settings: KitSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    # No clock skew allowed: the short token below must be expired the moment its exp passes.
    auth = Authenticator(settings.model_copy(update={"auth_token_cache_size": 2, "auth_clock_skew_s": 0}))
    calls = 0
    real_decode = jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    token = mint_token(settings, subject="cached", roles=["officer"], district="C6")
    first = auth.from_token(token)
    assert auth.from_token(token) == first and first.district == "C6"
    assert calls == 1  # the second request did not verify the signature again

    # Bounded: the least recently used token is dropped.
    for subject in ("b", "c"):
        auth.from_token(mint_token(settings, subject=subject, roles=["officer"]))
    assert len(auth.tokens) == 2
    auth.from_token(token)
    assert calls == 4  # ``token`` had been evicted: verified again

    # Never past the token's exp, and failures are not cached.
    # exp is whole seconds (int(now) + ttl): 2 s leave at least 1 s for the first check on a busy machine.
    short = mint_token(settings, subject="short", roles=["officer"], ttl_s=2)
    auth.from_token(short)
    time.sleep(2.1)
    with pytest.raises(Unauthorized):
        auth.from_token(short)
    with pytest.raises(Unauthorized):
        auth.from_token(token[:-4] + "AAAA")
    assert all(p.subject != "short" for _, p in auth.tokens._entries.values())


async def test_a_pooled_connection_that_died_while_idle_is_replaced(settings: KitSettings) -> None:
    url = settings.require_database_url()
    engine = create_engine(url, pool_size=1, idle_ping_s=0.2)
    killer = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        async with killer.connect() as conn:  # the database drops it (a restart, a cut)
            assert (await conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})).scalar_one()
        await asyncio.sleep(0.4)  # idle longer than idle_ping_s: pinged at checkout
        async with engine.connect() as conn:
            again = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        assert again != pid  # a new connection, and no error for the caller
    finally:
        await engine.dispose()
        await killer.dispose()
