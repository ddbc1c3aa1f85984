"""Micro-meetings against the real database (intake's outbox read directly, relay off).

Every test hosts meetings as hosts of its own (a fresh token subject); places are the demo
city's (D4 = South End, C6 = South Boston).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from support import bearer, running

from porchlight.kit.auth import mint_token
from porchlight.kit.db import create_engine
from porchlight.kit.settings import KitSettings

HOME = "Mrs. Ortiz's living room, 12 Elm St"


def someone(role: str = "officer") -> str:
    return f"{role}-{uuid.uuid4().hex[:10]}"


def as_(settings: KitSettings, subject: str, role: str = "officer", district: str | None = None) -> dict[str, str]:
    return bearer(settings, role, subject=subject, district=district)


def partner(settings: KitSettings, subject: str, department: str | None) -> dict[str, str]:
    token = mint_token(settings, subject=subject, roles=["partner"], department=department)
    return {"Authorization": f"Bearer {token}"}


def when(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def meeting(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "venue_type": "living_room",
        "place": {"district": "D4", "neighborhood": "south-end", "place_name": HOME},
        "starts_at": when(days=7),
        "language": "es",
        "co_hosts": ["liaison-ana", "Pastor Reyes"],
        "expected_attendees": 6,
    }
    body.update(overrides)
    return body


def fields(r: httpx.Response) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


async def stored(settings: KitSettings, host: str) -> tuple[int, list[dict[str, Any]]]:
    """The host's meetings and their ``meeting.scheduled`` events still in the outbox."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            n = await conn.execute(sa.text("SELECT count(*) FROM intake.meetings WHERE host_id = :h"), {"h": host})
            count = n.scalar_one()
            rows = await conn.execute(
                sa.text(
                    "SELECT convert_from(payload, 'UTF8') FROM intake.outbox "
                    "WHERE event_type = 'org.porchlight.meeting.scheduled.v1' "
                    "AND convert_from(payload, 'UTF8')::jsonb ->> 'host_id' = :h ORDER BY id"
                ),
                {"h": host},
            )
            return count, [json.loads(p) for (p,) in rows]
    finally:
        await engine.dispose()


async def test_a_meeting_is_scheduled_with_its_event_and_the_home_address_stays_in(settings: KitSettings) -> None:
    host = someone()
    async with running("intake", settings, background=False) as (_, client):
        r = await client.post("/v1/meetings", json=meeting(), headers=as_(settings, host))
        assert r.status_code == 201, r.text
        url = r.headers["location"]
        own = await client.get(url, headers=as_(settings, host))
        analyst = await client.get(url, headers=as_(settings, someone("analyst"), "analyst"))
        other = await client.get(url, headers=as_(settings, someone()))
    body = r.json()
    assert url == f"/v1/meetings/{body['id']}" and body["warnings"] == []
    assert body["host"] == {"id": host, "kind": "officer", "organization": None}
    assert body["place"] == {"district": "D4", "neighborhood": "south-end", "point": None, "place_name": HOME}
    assert body["venue_type"] == "living_room" and body["language"] == "es" and body["actual_attendees"] is None
    assert body["co_hosts"] == ["liaison-ana", "Pastor Reyes"]
    assert own.json()["place"]["place_name"] == HOME
    assert analyst.status_code == 200 and "12 Elm" not in analyst.text  # somebody's home: redacted to others
    assert other.status_code == 404

    count, (event,) = await stored(settings, host)
    assert count == 1
    assert event["meeting_id"] == body["id"] and event["district"] == "D4" and event["neighborhood"] == "south-end"
    assert event["venue_type"] == "living_room" and event["expected_attendees"] == 6 and event["language"] == "es"
    assert "Elm" not in json.dumps(event) and "Ortiz" not in json.dumps(event)


async def test_more_than_nine_residents_is_accepted_with_a_warning(settings: KitSettings) -> None:
    host = someone("liaison")
    async with running("intake", settings, background=False) as (_, client):
        r = await client.post(
            "/v1/meetings",
            json=meeting(expected_attendees=12, venue_type="library"),
            headers=as_(settings, host, "liaison"),
        )
    assert r.status_code == 201, r.text
    (warning,) = r.json()["warnings"]
    assert warning["field"] == "expected_attendees" and "12" in warning["message"] and "9" in warning["message"]
    assert r.json()["host"]["kind"] == "liaison"
    count, events = await stored(settings, host)
    assert count == 1 and len(events) == 1


async def test_attendance_is_recorded_after_the_meeting_by_its_host(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    async with running("intake", settings, background=False) as (_, client):
        future = (await client.post("/v1/meetings", json=meeting(), headers=h)).json()
        past = (await client.post("/v1/meetings", json=meeting(starts_at=when(hours=-3)), headers=h)).json()
        early = await client.patch(f"/v1/meetings/{future['id']}", json={"actual_attendees": 5}, headers=h)
        stranger = await client.patch(
            f"/v1/meetings/{past['id']}", json={"actual_attendees": 5}, headers=as_(settings, someone())
        )
        bad = await client.patch(f"/v1/meetings/{past['id']}", json={"actual_attendees": -2, "x": 1}, headers=h)
        done = await client.patch(
            f"/v1/meetings/{past['id']}", json={"actual_attendees": 11, "duration_minutes": 90}, headers=h
        )
        by_sergeant = await client.patch(
            f"/v1/meetings/{past['id']}", json={"actual_attendees": 8}, headers=as_(settings, "sgt", "supervisor")
        )
    assert early.status_code == 409 and stranger.status_code == 404
    assert bad.status_code == 422 and fields(bad) == {"body.actual_attendees", "body.x"}
    assert done.status_code == 200, done.text
    assert done.json()["actual_attendees"] == 11 and done.json()["duration_minutes"] == 90
    assert [w["field"] for w in done.json()["warnings"]] == ["actual_attendees"]
    assert by_sergeant.status_code == 200 and by_sergeant.json()["warnings"] == []


async def test_partners_host_as_their_organization(settings: KitSettings) -> None:
    host = someone("partner")
    async with running("intake", settings, background=False) as (_, client):
        ok = await client.post(
            "/v1/meetings", json=meeting(venue_type="park"), headers=partner(settings, host, "parks")
        )
        orgless = await client.post("/v1/meetings", json=meeting(), headers=partner(settings, someone(), None))
        analyst = await client.post("/v1/meetings", json=meeting(), headers=as_(settings, someone(), "analyst"))
    assert ok.status_code == 201, ok.text
    assert ok.json()["host"] == {"id": host, "kind": "partner", "organization": "parks"}
    assert orgless.status_code == 403 and analyst.status_code == 403


async def test_every_bad_field_is_named_at_once_and_nothing_is_written(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    async with running("intake", settings, background=False) as (_, client):
        types = await client.post(
            "/v1/meetings",
            json=meeting(
                venue_type="garage",
                language="Spanish",
                expected_attendees=-1,
                co_hosts=["x"] * 6,
                place={"district": "ZZ9"},
                starts_at=when(days=800),
            ),
            headers=h,
        )
        context = await client.post(
            "/v1/meetings",
            json=meeting(place={"district": "D4", "neighborhood": "south-boston"}, actual_attendees=4),
            headers=h,
        )
        naive = await client.post("/v1/meetings", json=meeting(starts_at="2026-05-01T18:00:00"), headers=h)
        missing = await client.post("/v1/meetings", json={}, headers=h)
    assert types.status_code == 422, types.text
    assert fields(types) == {
        "body.venue_type",
        "body.language",
        "body.expected_attendees",
        "body.co_hosts",
        "body.place.district",
        "body.starts_at",
    }
    assert fields(context) == {"body.place.neighborhood", "body.actual_attendees"}
    assert fields(naive) == {"body.starts_at"}
    assert fields(missing) == {"body.venue_type", "body.place", "body.starts_at"}
    assert await stored(settings, host) == (0, [])


async def test_a_resent_id_counts_once_and_a_reused_id_is_409(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    body = meeting(id=str(uuid.uuid4()))
    async with running("intake", settings, background=False) as (_, client):
        first = await client.post("/v1/meetings", json=body, headers=h)
        again = await client.post("/v1/meetings", json=body, headers=h)
        changed = await client.post("/v1/meetings", json=body | {"expected_attendees": 3}, headers=h)
    assert first.status_code == 201 and again.status_code == 200 and again.json() == first.json()
    assert changed.status_code == 409
    count, events = await stored(settings, host)
    assert count == 1 and len(events) == 1


async def test_lists_filter_and_page_with_a_cursor(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    start = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)
    async with running("intake", settings, background=False) as (_, client):
        made = []
        for i in range(5):
            place = {"district": "C6"} if i % 2 else {"district": "D4", "neighborhood": "back-bay"}
            r = await client.post(
                "/v1/meetings", json=meeting(place=place, starts_at=(start + timedelta(days=i)).isoformat()), headers=h
            )
            assert r.status_code == 201, r.text
            made.append(r.json()["id"])
        first = await client.get(f"/v1/meetings?host={host}&limit=2", headers=h)
        second = await client.get(f"/v1/meetings?host={host}&limit=2&cursor={first.json()['next_cursor']}", headers=h)
        third = await client.get(f"/v1/meetings?host={host}&limit=2&cursor={second.json()['next_cursor']}", headers=h)
        c6 = await client.get(f"/v1/meetings?host={host}&district=C6", headers=h)
        hood = await client.get("/v1/meetings?neighborhood=back-bay&from=2026-06-02&to=2026-06-05", headers=h)
        sup = await client.get(
            f"/v1/meetings?host={host}", headers=as_(settings, "sgt-c6", "supervisor", district="C6")
        )
        mine_only = await client.get("/v1/meetings?district=D4", headers=as_(settings, someone()))
    pages = [first, second, third]
    assert [[m["id"] for m in p.json()["items"]] for p in pages] == [made[4:2:-1], made[2:0:-1], made[:1]]
    assert third.json()["next_cursor"] is None and "link" not in third.headers
    assert 'rel="next"' in first.headers["link"]
    assert {m["id"] for m in c6.json()["items"]} == {made[1], made[3]}
    assert [m["id"] for m in hood.json()["items"]] == [made[4], made[2]]
    assert {m["id"] for m in sup.json()["items"]} == {made[1], made[3]}
    assert mine_only.json()["items"] == []
