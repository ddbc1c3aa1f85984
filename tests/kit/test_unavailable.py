"""A database that is away (a restart, a failover) gets a 503 with ``Retry-After``, never a bare 500
(issue 16's fault test met both while PostgreSQL restarted)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError
from support import bearer, running

from porchlight.kit.audittrail import AuditTrail
from porchlight.kit.errors import install_error_handlers
from porchlight.kit.settings import KitSettings


class _Starting(Exception):
    sqlstate = "57P03"  # "the database system is starting up"


async def test_an_infrastructure_error_in_a_route_is_a_503_to_retry() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/refused")
    async def refused() -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    @app.get("/starting")
    async def starting() -> None:
        raise DBAPIError("SELECT 1", {}, _Starting())

    @app.get("/bug")
    async def bug() -> None:
        raise KeyError("a real bug")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for path in ("/refused", "/starting"):
            r = await client.get(path)
            assert r.status_code == 503, (path, r.text)
            assert r.headers["retry-after"] == "2" and r.headers["content-type"] == "application/problem+json"
            assert r.json()["title"] == "Service unavailable" and "database" in r.json()["detail"]
        assert (await client.get("/bug")).status_code == 500  # a bug stays a 500


@pytest.mark.integration
async def test_an_audit_trail_that_cannot_be_written_fails_a_read_closed_with_a_503(
    settings: KitSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running("intake", settings, background=False) as (app, client):
        trail = app.state.runtime.resource(AuditTrail)

        async def down(*_: object, **__: object) -> None:
            raise ConnectionRefusedError(111, "Connection refused")

        monkeypatch.setattr(trail, "record", down)
        # A read of notes is recorded before its answer goes out: with the trail away nothing
        # goes out but a 503 (fail closed), not a 500 and never the unrecorded notes.
        r = await client.get("/v1/notes", headers=bearer(settings, "supervisor"))
        assert r.status_code == 503, r.text
        assert r.headers["retry-after"] == "2" and "notes" not in r.json()
        # A change was committed before its answer started: the answer stands; the log names it.
        note = {"place": {"district": "A1"}, "sentiment": 3, "attendees": 4}
        r = await client.post("/v1/notes", json=note, headers=bearer(settings, "liaison"))
        assert r.status_code == 201, r.text
