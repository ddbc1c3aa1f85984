"""Helpers of the projects tests (``from projects.helpers import ...``: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn

from porchlight.kit.app import create_app
from porchlight.kit.auth import mint_token
from porchlight.kit.db import create_engine
from porchlight.kit.embedded import free_port
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

Headers = dict[str, str]


def token(settings: KitSettings, role: str, department: str | None = None, subject: str | None = None) -> Headers:
    subject = subject or f"{role}-{uuid.uuid4().hex[:8]}"
    return {"Authorization": f"Bearer {mint_token(settings, subject=subject, roles=[role], department=department)}"}


def day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def today() -> date:
    return datetime.now(UTC).date()


def priority_body(district: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": f"Reduce violence in {district}",
        "district": district,
        "neighborhood": "south-end",
        "quarter": "2027-Q1",
        "topics": ["violence"],
        "concerns": [
            {"topic": "street_lighting"},
            {"topic": "parks", "neighborhood": "south-end"},
        ],
        "outcome_measure": "Violent incidents per month",
        "outcome_before": 12,
    }
    body.update(overrides)
    return body


def project_body(priority_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "priority_id": priority_id,
        "title": "Fix the streetlights on Main Street",
        "place": "Main St between 3rd and 5th",
        "point": {"lat": 42.34, "lon": -71.07},
        "department": "public-works",
        "remedy_kind": "physical",
        "starts_on": day(0),
        "due_on": day(6),
        "win_text": "The streetlights on Main Street between 3rd and 5th are fixed.",
        "tasks": [
            {"title": "Survey the dark poles", "assignee": "crew-7"},
            {"title": "Replace the lamps", "assignee": "crew-7"},
        ],
    }
    body.update(overrides)
    return body


async def outbox_events(settings: KitSettings, event_type: str, **where: str) -> list[dict[str, Any]]:
    """Projects' outbox rows of one type whose payload fields equal ``where``: those waiting for the
    relay and those it published (kept in ``outbox_published``, ADR 0015), in the order written."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.text(
                    "SELECT convert_from(payload, 'UTF8') FROM ("
                    " SELECT id, event_type, payload FROM projects.outbox UNION ALL"
                    " SELECT id, event_type, payload FROM projects.outbox_published) o "
                    "WHERE event_type = :t AND convert_from(payload, 'UTF8')::jsonb @> CAST(:w AS jsonb) ORDER BY id"
                ),
                {"t": f"org.porchlight.{event_type}", "w": json.dumps(where)},
            )
            return [json.loads(p) for (p,) in rows]
    finally:
        await engine.dispose()


async def execute(settings: KitSettings, sql: str, **params: object) -> None:
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(sql), params)
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def serving(settings: KitSettings, *, background: bool = False) -> AsyncIterator[str]:
    """Projects on a real HTTP port (uvicorn): SSE streams need one, an in-memory transport buffers."""
    app = create_app(get_service("projects"), settings, run_background=background)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="on", log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 20
    while not server.started:
        assert not task.done(), "uvicorn stopped before it started"
        assert time.monotonic() < deadline, "uvicorn did not start"
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """(event, data) pairs of a text/event-stream response, as they arrive."""
    event, data = "", []
    async for line in response.aiter_lines():
        if not line:
            if event or data:
                yield event or "message", "\n".join(data)
            event, data = "", []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


class Stream:
    """An open board stream read in the background: cards arrive in ``cards`` with their arrival time."""

    def __init__(self, client: httpx.AsyncClient, url: str, headers: Headers) -> None:
        self.client, self.url, self.headers = client, url, headers
        self.cards: list[tuple[float, dict[str, Any]]] = []
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        async with self.client.stream("GET", self.url, headers=self.headers) as response:
            assert response.status_code == 200, await response.aread()
            async for event, data in sse_events(response):
                if event == "ready":
                    self.ready.set()
                elif event == "card":
                    self.cards.append((time.monotonic(), json.loads(data)))

    async def __aenter__(self) -> Stream:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.ready.wait(), 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await self._task
