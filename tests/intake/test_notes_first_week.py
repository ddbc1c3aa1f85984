"""Notes that must not count as a meeting hosted (issue 14, item 4), and errors in people's words
(item 5), against the real database (intake's outbox read directly, relay off).

Each test files notes as hosts of its own (a fresh token subject); places are the demo city's
(D4 = South End, C6 = South Boston). Every refusal is checked to write nothing: no note, no
revision, no event.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from support import bearer, running

from porchlight.kit.db import create_engine
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

#: What a person must never read: regular expressions, pydantic's wording, standards' names.
DEVELOPER_WORDS = re.compile(
    r"\^|\$'|\[a-z\]|String should|Input should|valid datetime|Invalid input|BCP 47|Value error"
)


def someone(role: str = "liaison") -> str:
    return f"{role}-{uuid.uuid4().hex[:10]}"


def as_(settings: KitSettings, subject: str, role: str = "liaison") -> dict[str, str]:
    return bearer(settings, role, subject=subject)


def at(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def meeting(**overrides: Any) -> dict[str, Any]:
    return {
        "venue_type": "library",
        "place": {"district": "C6", "neighborhood": "south-boston", "place_name": "South Boston branch library"},
        "starts_at": at(hours=-2),
        "duration_minutes": 60,
        "expected_attendees": 8,
    } | overrides


def note(**overrides: Any) -> dict[str, Any]:
    return {
        "concerns": [{"text": "Speeding on Broadway after school", "topic": "traffic"}],
        "sentiment": 3,
        "attendees": 6,
    } | overrides


def errors(r: httpx.Response) -> dict[str, dict[str, str]]:
    return {e["field"]: e for e in r.json().get("errors", [])}


async def written(settings: KitSettings, host: str) -> tuple[int, int, int]:
    """Notes, revisions and note events of a host."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            counts = [
                await conn.scalar(sa.text(sql), {"h": host})
                for sql in (
                    "SELECT count(*) FROM intake.notes WHERE host_id = :h",
                    "SELECT count(*) FROM intake.note_revisions WHERE author_id = :h",
                    "SELECT count(*) FROM intake.outbox WHERE event_type LIKE 'org.porchlight.note.%' "
                    "AND convert_from(payload, 'UTF8')::jsonb ->> 'host_id' = :h",
                )
            ]
    finally:
        await engine.dispose()
    return counts[0], counts[1], counts[2]


async def note_events(settings: KitSettings, host: str) -> list[str]:
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.text(
                    "SELECT event_type FROM intake.outbox WHERE event_type LIKE 'org.porchlight.note.%' "
                    "AND convert_from(payload, 'UTF8')::jsonb ->> 'host_id' = :h ORDER BY id"
                ),
                {"h": host},
            )
            return [r[0] for r in rows]
    finally:
        await engine.dispose()


# --- item 4: notes that would count a meeting that was not hosted -----------------------------


async def test_empty_notes_are_refused_and_a_head_count_or_a_word_is_enough(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    place = {"place": {"district": "D4"}}
    async with running("intake", settings, background=False) as (_, client):
        # The stray Enter: nobody counted, nothing written (blank notes are blank too).
        empty = await client.post("/v1/notes", json=note(concerns=[], attendees=0, notes="  ") | place, headers=h)
        assert await written(settings, host) == (0, 0, 0)
        counted = await client.post("/v1/notes", json=note(concerns=[], attendees=4) | place, headers=h)
        worded = await client.post(
            "/v1/notes", json=note(concerns=[], attendees=0, notes="Nobody came") | place, headers=h
        )
    assert empty.status_code == 422, empty.text
    assert errors(empty).keys() == {"body.concerns"}
    assert errors(empty)["body.concerns"]["code"] == "empty_note"
    assert "empty" in errors(empty)["body.concerns"]["message"]
    assert counted.status_code == 201 and worded.status_code == 201, (counted.text, worded.text)
    assert await written(settings, host) == (2, 2, 2)


async def test_notes_of_a_meeting_that_has_not_started_are_refused(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    async with running("intake", settings, background=False) as (_, client):
        later = await client.post("/v1/meetings", json=meeting(starts_at=at(days=2)), headers=h)
        assert later.status_code == 201, later.text
        early = await client.post("/v1/notes", json=note(meeting_id=later.json()["id"]), headers=h)
    assert early.status_code == 422, early.text
    problem = errors(early)["body.meeting_id"]
    assert problem["code"] == "meeting_not_started" and "has started" in problem["message"]
    assert await written(settings, host) == (0, 0, 0)  # never stored as held "now"


async def test_notes_of_a_meeting_take_its_time_and_place(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    async with running("intake", settings, background=False) as (_, client):
        m = (await client.post("/v1/meetings", json=meeting(), headers=h)).json()
        other_time = await client.post("/v1/notes", json=note(meeting_id=m["id"], held_at=at(hours=-1)), headers=h)
        other_place = await client.post("/v1/notes", json=note(meeting_id=m["id"], place={"district": "D4"}), headers=h)
        assert await written(settings, host) == (0, 0, 0)
        # Repeating the meeting's own time and district is no change: accepted, the meeting's held.
        same = await client.post(
            "/v1/notes",
            json=note(meeting_id=m["id"], held_at=m["starts_at"], place={"district": "C6"}),
            headers=h,
        )
    assert other_time.status_code == 422 and errors(other_time).keys() == {"body.held_at"}
    assert errors(other_time)["body.held_at"]["code"] == "not_the_meeting_time"
    assert other_place.status_code == 422 and errors(other_place).keys() == {"body.place.district"}
    assert same.status_code == 201, same.text
    assert same.json()["held_at"] == m["starts_at"]
    assert same.json()["place"]["district"] == "C6" and same.json()["place"]["neighborhood"] == "south-boston"


async def test_a_meetings_notes_filed_again_are_a_revision_and_count_once(settings: KitSettings) -> None:
    host, cohost = someone(), someone()
    h = as_(settings, host)
    async with running("intake", settings, background=False) as (_, client):
        m = (await client.post("/v1/meetings", json=meeting(), headers=h)).json()
        first = await client.post("/v1/notes", json=note(meeting_id=m["id"]), headers=h)
        # A double click: the same notes under a new id. Nothing new to count.
        twice = await client.post("/v1/notes", json=note(meeting_id=m["id"]), headers=h)
        assert await written(settings, host) == (1, 1, 1)
        # Filed again with more in them: a new revision of the same notes, not a second meeting.
        again = await client.post("/v1/notes", json=note(meeting_id=m["id"], attendees=9), headers=h)
        # Somebody else's notes of the same meeting: refused, naming the meeting.
        other = await client.post("/v1/notes", json=note(meeting_id=m["id"]), headers=as_(settings, cohost))
        listed = await client.get(f"/v1/notes?meeting_id={m['id']}", headers=h)
    assert first.status_code == 201, first.text
    assert twice.status_code == 200 and twice.json()["id"] == first.json()["id"] and twice.json()["revision"] == 1
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"], again.text
    assert again.json()["revision"] == 2 and again.json()["attendees"] == 9
    assert again.headers["etag"] == '"2"'
    assert other.status_code == 409, other.text
    assert m["id"] in other.json()["detail"] and other.json()["meeting_id"] == m["id"]
    assert other.json()["note_id"] == first.json()["id"]
    assert [n["id"] for n in listed.json()["items"]] == [first.json()["id"]]
    assert await written(settings, host) == (1, 2, 2) and await written(settings, cohost) == (0, 0, 0)
    assert await note_events(settings, host) == ["org.porchlight.note.submitted.v2", "org.porchlight.note.revised.v2"]


async def test_a_correction_cannot_move_a_note_onto_a_meeting_that_has_notes(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    async with running("intake", settings, background=False) as (_, client):
        a = (await client.post("/v1/meetings", json=meeting(), headers=h)).json()
        b = (await client.post("/v1/meetings", json=meeting(starts_at=at(hours=-5)), headers=h)).json()
        of_a = (await client.post("/v1/notes", json=note(meeting_id=a["id"]), headers=h)).json()
        of_b = (await client.post("/v1/notes", json=note(meeting_id=b["id"]), headers=h)).json()
        moved = await client.put(
            f"/v1/notes/{of_b['id']}", json=note(meeting_id=a["id"]), headers=h | {"If-Match": '"1"'}
        )
    assert moved.status_code == 409 and a["id"] in moved.json()["detail"], moved.text
    assert moved.json()["note_id"] == of_a["id"]
    assert await written(settings, host) == (2, 2, 2)


# --- item 5: every message a person can see is written for them ------------------------------


async def test_bad_language_and_datetime_get_human_messages_with_field_and_code(settings: KitSettings) -> None:
    h = as_(settings, someone())
    async with running("intake", settings, background=False) as (_, client):
        bad_meeting = await client.post(
            "/v1/meetings", json=meeting(language="English", starts_at="next tuesday"), headers=h
        )
        bad_note = await client.post(
            "/v1/notes",
            json=note(place={"district": "D4"}, held_at="2026-12-05T18:30", attendees="six", sentiment=None),
            headers=h,
        )
    assert bad_meeting.status_code == 422, bad_meeting.text
    language, starts = errors(bad_meeting)["body.language"], errors(bad_meeting)["body.starts_at"]
    assert language["code"] == "language" and "such as en, es or pt-BR" in language["message"]
    assert starts["code"] == "datetime_from_date_parsing" and "Enter a date and time" in starts["message"]

    assert bad_note.status_code == 422, bad_note.text
    found = errors(bad_note)
    assert found["body.held_at"]["code"] == "timezone_aware"
    assert "time zone" in found["body.held_at"]["message"]
    assert found["body.attendees"] == {
        "field": "body.attendees",
        "code": "int_type",
        "message": "Enter a whole number.",
    }
    assert found["body.sentiment"]["code"] == "int_type"

    for r in (bad_meeting, bad_note):
        body = r.json()
        assert body["title"] == "Some answers need correcting"
        for e in body["errors"]:
            assert e["message"][0].isupper() and e["message"].endswith("."), e
            assert not DEVELOPER_WORDS.search(e["message"]), e
        # The machine-readable part stays: every field is named in the detail, as before.
        assert all(e["field"] in body["detail"] for e in body["errors"])


async def test_context_errors_carry_a_code_and_a_sentence(settings: KitSettings) -> None:
    h = as_(settings, someone())
    async with running("intake", settings, background=False) as (_, client):
        r = await client.post(
            "/v1/notes",
            json=note(place={"district": "D4"}, held_at=at(days=3), meeting_id=str(uuid.uuid4())),
            headers=h,
        )
    assert r.status_code == 422, r.text
    found = errors(r)
    assert found["body.meeting_id"] == {
        "field": "body.meeting_id",
        "code": "unknown_meeting",
        "message": "No meeting has this id.",
    }
    assert found["body.held_at"]["code"] == "too_far_ahead"
    assert found["body.held_at"]["message"].startswith("This is more than")
