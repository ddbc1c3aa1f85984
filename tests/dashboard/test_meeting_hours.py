"""Engagement hours count each meeting's own duration (meeting.scheduled's optional
``duration_minutes``), and 60 minutes when the event gives none."""

from __future__ import annotations

import uuid

import pytest
from dashboard.test_read_models import LAST_MONTH, at, publish
from support import bearer, eventually, running

from porchlight.dashboard.settings import DashboardSettings
from porchlight.events import MeetingScheduled

pytestmark = pytest.mark.integration


async def test_a_90_minute_meeting_counts_one_and_a_half_hours(settings, test_city):
    a, b = test_city.a, test_city.b
    resent = uuid.uuid4()
    meeting = dict(host_id="host-h", venue_type="library")
    events = [
        MeetingScheduled(meeting_id=uuid.uuid4(), district=a, starts_at=at(4), duration_minutes=90, **meeting),
        # Scheduled without a duration, then sent again once the host recorded 45 minutes.
        MeetingScheduled(meeting_id=resent, district=b, starts_at=at(5), **meeting),
        MeetingScheduled(meeting_id=resent, district=b, starts_at=at(5), duration_minutes=45, **meeting),
        MeetingScheduled(meeting_id=uuid.uuid4(), district=b, starts_at=at(6), **meeting),  # no duration: 1 h
    ]
    async with running("dashboard", settings) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=test_city.path))  # the default: 60 minutes
        await publish(settings, events)
        headers = bearer(settings, "analyst")
        url = f"/v1/city/page?month={LAST_MONTH.label}"

        async def arrived() -> bool:
            page = (await client.get(url, headers=headers)).json()
            by = {x["district"]["code"]: x["engagement"] for x in page["districts"]}
            return by[a]["meetings_hosted"] == 1 and by[b]["meeting_hours"] == 1.8

        await eventually(arrived, timeout_s=30)
        page = (await client.get(url, headers=headers)).json()
        district_a = (await client.get(f"/v1/districts/{a}/page?month={LAST_MONTH.label}", headers=headers)).json()
    by = {x["district"]["code"]: x["engagement"] for x in page["districts"]}
    assert by[a]["meeting_hours"] == 1.5 and by[a]["engagement_hours"] == 1.5
    assert district_a["engagement"]["meeting_hours"] == 1.5
    # 45 minutes (the re-sent duration replaced "unknown") + 60 minutes (no duration) = 1.75 h -> 1.8
    assert by[b]["meetings_hosted"] == 2 and by[b]["meeting_hours"] == 1.8
    assert page["totals"]["meeting_hours"] == 3.3
