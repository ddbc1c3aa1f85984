"""Errors leave as RFC 9457 problem details (errors.py), and a rejected request writes nothing.

Runs intake with its lifespan against the session's PostgreSQL and broker, without the outbox
relay, so rows a request wrote stay visible in ``intake.outbox`` and can be counted.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from support import bearer, district_of_its_own, running, scalar

from porchlight.kit.errors import PROBLEM_JSON
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration


def assert_problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON), r.headers
    body = r.json()
    for member in ("type", "title", "status", "detail"):
        assert body.get(member) not in (None, ""), f"problem without {member}: {body}"
    assert body["status"] == status
    assert body["type"].startswith("https://")
    return body  # type: ignore[no-any-return]


def note_form(district: str, **fields: object) -> dict[str, object]:
    """A valid note form (intake's standardized note) in ``district``, with ``fields`` on top."""
    return {"place": {"district": district}, "sentiment": 3, "attendees": 5} | fields


async def rows_for(settings: KitSettings, district: str) -> tuple[object, object]:
    notes = await scalar(settings, "SELECT count(*) FROM intake.notes WHERE district = :d", d=district)
    outbox = await scalar(settings, "SELECT count(*) FROM intake.outbox WHERE key = :d", d=district)
    return notes, outbox


@pytest.fixture
async def intake(settings: KitSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running("intake", settings, background=False) as (_, client):
        yield client


@pytest.fixture
def host(settings: KitSettings) -> dict[str, str]:
    return bearer(settings, "liaison")


async def test_every_bad_field_is_named_at_once(settings: KitSettings, intake: httpx.AsyncClient, host: dict) -> None:
    # Type errors and a context error (a district the city does not have) come back together.
    nowhere = f"NOWHERE-{uuid.uuid4().hex[:6]}"
    body = note_form(nowhere, sentiment=9, attendees=-3, concerns=[{"text": "a"}] * 6, colour="red")
    r = await intake.post("/v1/notes", json=body, headers=host)
    problem = assert_problem(r, 422)
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {"body.place.district", "body.sentiment", "body.attendees", "body.concerns", "body.colour"}
    assert all(e["message"] for e in problem["errors"])
    for name in ("district", "sentiment", "attendees", "concerns", "colour"):
        assert name in problem["detail"]
    assert await rows_for(settings, nowhere) == (0, 0)


async def test_a_rejected_note_writes_nothing(settings: KitSettings, host: dict) -> None:
    async with (
        district_of_its_own(settings, "PRB") as district,
        running("intake", settings, background=False) as (_, intake),
    ):
        assert await rows_for(settings, district) == (0, 0)

        r = await intake.post("/v1/notes", json=note_form(district, sentiment=9, mood="?"), headers=host)
        problem = assert_problem(r, 422)
        assert {e["field"] for e in problem["errors"]} == {"body.sentiment", "body.mood"}
        assert await rows_for(settings, district) == (0, 0)

        # The same district with a valid body writes the note and its event together: the counts
        # above can see rows when there are some.
        r = await intake.post("/v1/notes", json=note_form(district, sentiment=4), headers=host)
        assert r.status_code == 201, r.text
        assert await rows_for(settings, district) == (1, 1)


async def test_body_over_the_limit_is_413(settings: KitSettings, host: dict) -> None:
    small = settings.model_copy(update={"max_body_bytes": 2048})
    async with (
        district_of_its_own(settings, "BIG") as district,
        running("intake", small, background=False) as (_, client),
    ):
        payload = json.dumps(note_form(district, notes="word " * 1000)).encode()  # ~5 kB, valid otherwise
        assert len(payload) > 2048
        declared = await client.post("/v1/notes", content=payload, headers=host | {"content-type": "application/json"})
        problem = assert_problem(declared, 413)
        assert "2048" in problem["detail"]

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: Transfer-Encoding chunked
            for i in range(0, len(payload), 512):
                yield payload[i : i + 512]

        streamed = await client.post("/v1/notes", content=chunks(), headers=host | {"content-type": "application/json"})
        assert "content-length" not in streamed.request.headers
        assert assert_problem(streamed, 413)["type"] == problem["type"]

        # under the limit the same route works
        r = await client.post("/v1/notes", json=note_form(district, notes="short"), headers=host)
        assert r.status_code == 201, r.text
        assert await rows_for(settings, district) == (1, 1)  # only the small one


@pytest.mark.parametrize(
    "raw", [b'{"place": {"district": "A1"},', b"not json at all", b"\xff\xfe"], ids=["truncated", "text", "bytes"]
)
async def test_malformed_json_is_422(intake: httpx.AsyncClient, host: dict, raw: bytes) -> None:
    r = await intake.post("/v1/notes", content=raw, headers=host | {"content-type": "application/json"})
    problem = assert_problem(r, 422)
    assert problem["errors"], problem
    assert problem["errors"][0]["field"].startswith("body")


async def test_unknown_note_is_404(intake: httpx.AsyncClient, settings: KitSettings) -> None:
    note_id = uuid.uuid4()
    r = await intake.get(f"/v1/notes/{note_id}", headers=bearer(settings, "analyst"))
    problem = assert_problem(r, 404)
    assert str(note_id) in problem["detail"]
    assert problem["instance"] == f"/v1/notes/{note_id}"


async def test_other_errors_are_problems_too(intake: httpx.AsyncClient, settings: KitSettings) -> None:
    analyst = bearer(settings, "analyst")
    assert_problem(await intake.get("/v1/notes/not-a-uuid", headers=analyst), 422)  # bad path parameter
    assert_problem(await intake.get("/v1/nowhere", headers=analyst), 404)  # no such route
    assert_problem(await intake.delete(f"/v1/notes/{uuid.uuid4()}", headers=analyst), 405)  # no such method
    assert_problem(await intake.post("/v1/notes", json=note_form("A1")), 401)
    assert_problem(await intake.post("/v1/notes", json=note_form("A1"), headers=analyst), 403)
