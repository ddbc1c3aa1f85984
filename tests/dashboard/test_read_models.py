"""Events in, district page out: the read models on the real broker and database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from support import bearer, eventually, running

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.settings import DashboardSettings
from porchlight.events import (
    ContactLogged,
    EventProducer,
    InsightUpdated,
    MeetingScheduled,
    NoteAnalyzed,
    NoteSubmitted,
    PriorityCreated,
    ProjectCompleted,
    ProjectCreated,
    UpdatePublished,
)
from porchlight.events.catalog import Concern, ConcernAnalysis, NoteRevised, ProjectMoved
from porchlight.events.envelope import new_envelope, to_kafka

pytestmark = pytest.mark.integration

LAST_MONTH = Month.parse(None).shift(-1)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(LAST_MONTH.start.year, LAST_MONTH.start.month, day, hour, tzinfo=UTC)


def district_events(d: str) -> list:
    """A month in district ``d``: 2 meetings, 3 notes (one revised, all analysed), 3 contacts,
    3 projects (one done, one overdue, one planned), a win, an insight."""
    m1, m2, n1, n2, n3 = (uuid.uuid4() for _ in range(5))
    priority, p_done, p_late, p_next = (uuid.uuid4() for _ in range(4))
    meeting = dict(host_id="host-1", district=d, venue_type="library")
    note = dict(host_id="host-1", district=d, submitted_at=at(12))
    due_soon = date.today() + timedelta(days=30)
    return [
        MeetingScheduled(meeting_id=m1, starts_at=at(10), **meeting),
        MeetingScheduled(meeting_id=m2, starts_at=at(11), **meeting),
        NoteSubmitted(
            note_id=n1, meeting_id=m1, held_at=at(10), attendees=6, sentiment=2,
            concerns=[Concern(text="cars race down Elm Street at night", topic="speeding_traffic")], **note,
        ),
        NoteSubmitted(
            note_id=n2, meeting_id=m2, held_at=at(11), attendees=4, sentiment=4,
            concerns=[Concern(text="the park lights are out", topic="parks")], **note,
        ),
        # The correction moves n2's concern to street lighting and its attendees to 5.
        NoteRevised(
            note_id=n2, revision=2, meeting_id=m2, held_at=at(11), attendees=5, sentiment=4, revised_at=at(13),
            concerns=[Concern(text="the park lights are out", topic="street_lighting")], **note,
        ),
        NoteSubmitted(  # a conversation without a scheduled meeting: still a meeting hosted
            note_id=n3, held_at=at(14), attendees=3, sentiment=3, concerns=[Concern(text="speeding by the school")],
            **note,
        ),
        NoteAnalyzed(
            note_id=n3, district=d, model_version="t1", sentiment="negative", sentiment_score=-0.6,
            concerns=[ConcernAnalysis(text="speeding by the school", topic="speeding_traffic", topic_score=0.9,
                                      sentiment="negative", sentiment_score=-0.6,
                                      topic_label="Speeding and traffic safety")],
        ),
        NoteAnalyzed(
            note_id=n1, district=d, model_version="t1", sentiment="positive", sentiment_score=0.4,
            concerns=[ConcernAnalysis(text="cars race down Elm Street at night", topic="speeding_traffic",
                                      topic_score=0.8, sentiment="negative", sentiment_score=-0.3,
                                      topic_label="Speeding and traffic safety")],
        ),
        # Topic figures count notes as synthesis analysed them (its revision 2: street lighting).
        NoteAnalyzed(
            note_id=n2, district=d, model_version="t1", sentiment="neutral", sentiment_score=0.0, revision=2,
            concerns=[ConcernAnalysis(text="the park lights are out", topic="street_lighting", topic_score=0.7,
                                      sentiment="negative", sentiment_score=-0.2, topic_label="Street lighting")],
        ),
        ContactLogged(contact_id=uuid.uuid4(), officer_id="off-1", unit="CPU", district=d, contact_type="conversation",
                      minutes=30, residents_reached=4, occurred_at=at(5)),
        ContactLogged(contact_id=uuid.uuid4(), officer_id="off-1", unit="CPU", district=d,
                      contact_type="youth_activity", minutes=90, residents_reached=12, occurred_at=at(6)),
        ContactLogged(contact_id=uuid.uuid4(), officer_id="off-2", district=d, contact_type="conversation",
                      minutes=60, residents_reached=2, occurred_at=at(7)),
        PriorityCreated(priority_id=priority, title="Safer Elm Street", district=d, quarter="2026-Q4"),
        ProjectCreated(project_id=p_done, priority_id=priority, title="Fix the lights", district=d,
                       department="Public Works", remedy_kind="physical", starts_on=at(1).date(), due_on=at(20).date()),
        ProjectCreated(project_id=p_late, priority_id=priority, title="Trim bushes", district=d,
                       department="Parks", remedy_kind="physical", starts_on=at(1).date(), due_on=at(2).date()),
        ProjectCreated(project_id=p_next, priority_id=priority, title="Foot patrol", district=d,
                       department="Police", remedy_kind="positive_activity", starts_on=at(1).date(), due_on=due_soon),
        ProjectMoved(project_id=p_next, priority_id=priority, district=d, department="Police",
                     from_status="planned", to_status="in_progress", moved_by="sgt", moved_at=at(3), version=2),
        ProjectCompleted(project_id=p_done, priority_id=priority, district=d, department="Public Works",
                         completed_at=at(15)),
        UpdatePublished(update_id=uuid.uuid4(), district=d, kind="win", title="Elm Street lights fixed",
                        body="You said it was dark; the lights are fixed.", published_at=at(16), project_id=p_done),
        InsightUpdated(district=d, period_start=LAST_MONTH.start, period_end=LAST_MONTH.end,
                       top_topics=["speeding_traffic"], summary="Speeding dominates.", model_version="t1"),
    ]  # fmt: skip


async def publish(settings, events: list, *, repeat_first_contact: bool = False) -> None:
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        for event in events:
            env = new_envelope(event, source="/tests/dashboard")
            key, value, headers = to_kafka(env)
            times = 2 if repeat_first_contact and isinstance(event, ContactLogged) else 1
            repeat_first_contact = repeat_first_contact and times == 1
            for _ in range(times):  # the broker holds it twice (a producer retry): counted once
                await (await producer.send_raw(event.TOPIC, key=key, value=value, headers=headers))
    finally:
        await producer.stop()


def all_applied(page: dict) -> bool:
    """Every event of ``district_events`` is in the district's page (they come on several topics)."""
    e = page["engagement"]
    return (
        e["contacts"] == 3
        and e["notes"] == 3
        and e["residents_at_meetings"] == 14
        and [c["count"] for c in page["top_concerns"]] == [2, 1]
        and page["sentiment"]["trend"][-1]["positive"] == 1
        and page["projects"]["done"] == 1
        and page["projects"]["in_progress"] == 1
        and page["wins_count"] == 1
        and page["insight"] is not None
    )


def use_city(app, test_city) -> None:
    app.state.runtime.provide(DashboardSettings(places_file=test_city.path, meeting_hours=1.5))


async def test_district_page_counts_what_the_events_say(settings, test_city):
    d = test_city.a
    async with running("dashboard", settings) as (app, client):
        use_city(app, test_city)
        await publish(settings, district_events(d), repeat_first_contact=True)
        headers = bearer(settings, "supervisor")
        url = f"/v1/districts/{d}/page?month={LAST_MONTH.label}"

        async def complete() -> bool:
            return all_applied((await client.get(url, headers=headers)).json())

        await eventually(complete, timeout_s=30)
        r = await client.get(url, headers=headers)
        assert r.status_code == 200
        page = r.json()

    e = page["engagement"]
    assert page["district"] == {"code": d, "name": f"District {d}"}
    assert e["meetings_hosted"] == 3  # two meetings + one note filed without a meeting
    assert e["notes"] == 3
    assert e["residents_at_meetings"] == 6 + 5 + 3  # the revision's 5, not the first 4
    assert e["contacts"] == 3  # the repeated contact counted once
    assert e["residents_via_contacts"] == 18
    assert e["residents_reached"] == 14 + 18
    assert e["contact_hours"] == 3.0
    assert e["meeting_hours"] == 4.5
    assert e["engagement_hours"] == 7.5
    assert {g["key"]: g["contacts"] for g in page["by_unit"]} == {"CPU": 2, "": 1}
    assert {g["key"]: g["hours"] for g in page["by_officer"]} == {"off-1": 2.0, "off-2": 1.0}
    assert {g["key"]: g["contacts"] for g in page["by_contact_type"]} == {"conversation": 2, "youth_activity": 1}

    concerns = {c["topic"]: c for c in page["top_concerns"]}
    # n1 (model: speeding), n2 (model, of its revision: street lighting), n3 (model: speeding; the host gave none)
    assert list(concerns) == ["speeding_traffic", "street_lighting"]
    assert concerns["speeding_traffic"]["count"] == 2
    assert concerns["speeding_traffic"]["label"] == "Speeding and traffic safety"  # synthesis' name
    assert concerns["speeding_traffic"]["trend"] == "new"
    assert concerns["speeding_traffic"]["quote"] in {"speeding by the school", "cars race down Elm Street at night"}
    assert "parks" not in concerns  # the revised-away topic is gone

    s = page["sentiment"]
    assert s["average"] == 3.0  # (2 + 4 + 3) / 3
    assert s["positive_share"] == 0.333  # 1 of 3 analysed notes
    assert [m["month"] for m in s["trend"]][-1] == LAST_MONTH.label and len(s["trend"]) == 6

    p = page["projects"]
    assert (p["done"], p["overdue"], p["planned"], p["in_progress"]) == (1, 1, 1, 1)
    assert p["done_in_month"] == 1
    assert p["by_remedy_kind"] == {"physical": 2, "positive_activity": 1}
    assert page["wins"][0]["title"] == "Elm Street lights fixed"
    assert page["insight"]["summary"] == "Speeding dominates."
    assert page["crime"]["total"] == 0 and len(page["crime"]["trend"]) == 12


async def test_city_page_puts_districts_side_by_side(settings, test_city):
    async with running("dashboard", settings) as (app, client):
        use_city(app, test_city)
        await publish(settings, district_events(test_city.b))
        headers = bearer(settings, "analyst")

        async def arrived() -> bool:
            page = (await client.get(f"/v1/city/page?month={LAST_MONTH.label}", headers=headers)).json()
            b = next(x for x in page["districts"] if x["district"]["code"] == test_city.b)
            return (
                b["engagement"]["contacts"] == 3
                and b["wins_count"] == 1
                and b["projects"]["done"] == 1
                and b["engagement"]["notes"] == 3
                and b["top_concern"] is not None
                and b["top_concern"]["count"] == 2
            )

        await eventually(arrived, timeout_s=30)
        page = (await client.get(f"/v1/city/page?month={LAST_MONTH.label}", headers=headers)).json()
    assert page["city"].startswith("Testville")
    by_code = {x["district"]["code"]: x for x in page["districts"]}
    assert list(by_code) == [test_city.a, test_city.b]
    assert by_code[test_city.a]["engagement"]["contacts"] == 0
    assert by_code[test_city.b]["top_concern"]["topic"] == "speeding_traffic"
    assert page["totals"]["contacts"] == 3
    assert page["totals"]["meetings_hosted"] == 3


async def test_pages_refuse_bad_input_and_unknown_callers(settings, test_city):
    async with running("dashboard", settings, background=False) as (app, client):
        use_city(app, test_city)
        ok = bearer(settings, "officer")
        r = await client.get(f"/v1/districts/{test_city.a}/page?month=2026-13", headers=ok)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.month"
        r = await client.get("/v1/districts/NOPE/page", headers=ok)
        assert r.status_code == 404
        assert (await client.get("/v1/city/page")).status_code == 401
        # Officers see the page, but not their colleagues' hours one by one.
        r = await client.get(f"/v1/districts/{test_city.a}/page", headers=ok)
        assert r.status_code == 200 and r.json()["by_officer"] == []
        geo = (await client.get("/v1/city.geojson", headers=ok)).json()
        assert [f["properties"]["code"] for f in geo["features"]] == [test_city.a, test_city.b]
