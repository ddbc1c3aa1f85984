"""A meeting's duration (1-600 minutes, optional): validated, stored, and carried by
``meeting.scheduled`` (the dashboard's engagement hours use it; 60 minutes when absent)."""

from __future__ import annotations

import pytest
from intake.test_meetings import as_, fields, meeting, someone, stored, when
from support import running

from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration


async def test_duration_is_validated_stored_and_sent_with_the_event(settings: KitSettings) -> None:
    host = someone("liaison")
    h = as_(settings, host, "liaison")
    async with running("intake", settings, background=False) as (_, client):
        zero = await client.post("/v1/meetings", json=meeting(duration_minutes=0), headers=h)
        too_long = await client.post("/v1/meetings", json=meeting(duration_minutes=601), headers=h)
        not_a_number = await client.post("/v1/meetings", json=meeting(duration_minutes="long"), headers=h)
        shortest = await client.post("/v1/meetings", json=meeting(duration_minutes=1), headers=h)
        ninety = await client.post("/v1/meetings", json=meeting(duration_minutes=90), headers=h)
        unknown = await client.post("/v1/meetings", json=meeting(), headers=h)
        longest = await client.post("/v1/meetings", json=meeting(duration_minutes=600), headers=h)
    for bad in (zero, too_long, not_a_number):
        assert bad.status_code == 422, bad.text
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert fields(bad) == {"body.duration_minutes"}
    for ok in (shortest, ninety, unknown, longest):
        assert ok.status_code == 201, ok.text
    assert ninety.json()["duration_minutes"] == 90 and unknown.json()["duration_minutes"] is None
    count, events = await stored(settings, host)
    assert count == 4  # nothing written for the refused forms
    by_id = {e["meeting_id"]: e for e in events}
    assert by_id[ninety.json()["id"]]["duration_minutes"] == 90
    assert by_id[shortest.json()["id"]]["duration_minutes"] == 1
    assert by_id[longest.json()["id"]]["duration_minutes"] == 600
    assert by_id[unknown.json()["id"]].get("duration_minutes") is None


async def test_a_duration_recorded_afterwards_is_sent_again(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    async with running("intake", settings, background=False) as (_, client):
        past = (await client.post("/v1/meetings", json=meeting(starts_at=when(hours=-3)), headers=h)).json()
        url = f"/v1/meetings/{past['id']}"
        bad = await client.patch(url, json={"actual_attendees": 5, "duration_minutes": 601}, headers=h)
        ran = await client.patch(url, json={"actual_attendees": 5, "duration_minutes": 75}, headers=h)
        same = await client.patch(url, json={"actual_attendees": 6, "duration_minutes": 75}, headers=h)
        attendance_only = await client.patch(url, json={"actual_attendees": 7}, headers=h)
    assert bad.status_code == 422 and fields(bad) == {"body.duration_minutes"}
    assert ran.status_code == 200 and ran.json()["duration_minutes"] == 75
    assert same.status_code == 200 and attendance_only.json()["duration_minutes"] == 75
    _, events = await stored(settings, host)
    # Scheduled without a duration, then once more when the 75 minutes were recorded (not for
    # the repeats that changed nothing the event carries).
    assert [e.get("duration_minutes") for e in events] == [None, 75]
    assert {e["meeting_id"] for e in events} == {past["id"]}
