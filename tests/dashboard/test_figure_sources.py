"""Issue 14, "every figure opens what it counts": the lists behind the district page's meeting,
contact and crime figures add up to those figures (one rule, pages/repository.py), are scoped as
the page is, and show who hosted a meeting only to supervisors and leadership."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from dashboard.test_read_models import LAST_MONTH, at, publish, use_city
from support import bearer, eventually, running

from porchlight.events import ContactLogged, MeetingScheduled, NoteSubmitted, RecordAccepted
from porchlight.events.catalog import Concern, GeoPoint

pytestmark = pytest.mark.integration

BEFORE = LAST_MONTH.shift(-1)


def incident(district: str, category: str, code: str) -> RecordAccepted:
    return RecordAccepted(
        record_id=uuid.uuid4(), version=1, department="police", layer="incident", external_id=uuid.uuid4().hex,
        category=category, status="closed", open=False, district=district, point=GeoPoint(lat=0, lon=0),
        opened_at=at(9), attributes={"nibrs_code": code},
    )  # fmt: skip


def month_events(a: str, b: str) -> tuple[list, dict[str, uuid.UUID]]:
    ids = {k: uuid.uuid4() for k in ("short", "plain", "earlier", "alone", "b")}
    meeting = dict(host_id="host-7", venue_type="library", neighborhood="Elm")
    note = dict(host_id="host-7", submitted_at=at(20), concerns=[Concern(text="the corner is dark at night")])
    contact = dict(district=a, occurred_at=at(6))
    events = [
        MeetingScheduled(meeting_id=ids["short"], district=a, starts_at=at(4), duration_minutes=30, **meeting),
        MeetingScheduled(meeting_id=ids["plain"], district=a, starts_at=at(5), **meeting),  # the default length
        # Held the month before; its notes were filed (and held) in this month: their residents
        # count here, the meeting does not.
        MeetingScheduled(meeting_id=ids["earlier"], district=a,
                         starts_at=datetime(BEFORE.start.year, BEFORE.start.month, 27, 18, tzinfo=UTC), **meeting),
        MeetingScheduled(meeting_id=ids["b"], district=b, starts_at=at(4), **meeting),
        NoteSubmitted(note_id=uuid.uuid4(), meeting_id=ids["short"], district=a, held_at=at(4), attendees=6, **note),
        NoteSubmitted(note_id=uuid.uuid4(), meeting_id=ids["earlier"], district=a, held_at=at(2), attendees=2, **note),
        # A conversation without a scheduled meeting: one meeting of the default length.
        NoteSubmitted(note_id=ids["alone"], district=a, held_at=at(8), attendees=3, **note),
        ContactLogged(contact_id=uuid.uuid4(), officer_id="off-1", unit="CPU", contact_type="conversation",
                      minutes=30, residents_reached=4, **contact),
        ContactLogged(contact_id=uuid.uuid4(), officer_id="off-1", unit="CPU", contact_type="youth_activity",
                      minutes=90, residents_reached=12, **contact),
        ContactLogged(contact_id=uuid.uuid4(), officer_id="off-2", contact_type="conversation",
                      minutes=20, residents_reached=2, **contact),
        incident(a, "Burglary", "220"),
        incident(a, "Burglary", "220"),
        incident(a, "Motor vehicle theft", "240"),
    ]  # fmt: skip
    return events, ids


async def test_the_lists_behind_the_figures_add_up_to_them_and_are_scoped(settings, test_city) -> None:
    a, b = test_city.a, test_city.b
    events, ids = month_events(a, b)
    month = LAST_MONTH.label
    sergeant = bearer(settings, "supervisor", district=a)
    officer = bearer(settings, "officer", district=a)
    stranger = bearer(settings, "officer", district=b)
    async with running("dashboard", settings) as (app, dash):
        use_city(app, test_city)  # the default meeting: 1.5 hours
        await publish(settings, events)

        async def arrived() -> bool:
            page = (await dash.get(f"/v1/districts/{a}/page?month={month}", headers=sergeant)).json()
            e = page["engagement"]
            return e["notes"] == 3 and e["contacts"] == 3 and e["meetings_hosted"] == 3 and page["crime"]["total"] == 3

        await eventually(arrived, timeout_s=30)
        page = (await dash.get(f"/v1/districts/{a}/page?month={month}", headers=sergeant)).json()
        base = f"/v1/districts/{a}/sources"
        meetings = (await dash.get(f"{base}/meetings?month={month}", headers=sergeant)).json()
        contacts = (await dash.get(f"{base}/contacts?month={month}", headers=sergeant)).json()
        incidents = (await dash.get(f"{base}/incidents?month={month}", headers=sergeant)).json()
        as_officer = {
            kind: await dash.get(f"{base}/{kind}?month={month}", headers=officer)
            for kind in ("meetings", "contacts", "incidents")
        }
        refused = [
            (await dash.get(f"{base}/{kind}?month={month}", headers=stranger)).status_code
            for kind in ("meetings", "contacts", "incidents")
        ]
        first = await dash.get(f"{base}/incidents?month={month}&limit=2", headers=sergeant)
        cursor = first.json()["next_cursor"]
        rest = (await dash.get(f"{base}/incidents?month={month}&limit=2&cursor={cursor}", headers=sergeant)).json()
        burglary = (await dash.get(f"{base}/incidents?month={month}&category=Burglary", headers=sergeant)).json()
        bad_cursor = await dash.get(f"{base}/incidents?month={month}&cursor=nonsense", headers=sergeant)
        nowhere = await dash.get(
            f"/v1/districts/NOPE/sources/meetings?month={month}", headers=bearer(settings, "analyst")
        )

    e = page["engagement"]
    # 30 minutes + the default 1.5 h + a note alone (1.5 h) = 3.5 h; 6 + 2 + 3 residents.
    assert (e["meetings_hosted"], e["meeting_hours"], e["residents_at_meetings"]) == (3, 3.5, 11)

    # Meetings: the rows add up to the page's figures.
    rows = meetings["rows"]
    assert sum(r["meetings"] for r in rows) == meetings["meetings_hosted"] == e["meetings_hosted"]
    assert round(sum(r["minutes"] for r in rows) / 60, 1) == meetings["meeting_hours"] == e["meeting_hours"]
    assert sum(r["attendees"] for r in rows) == meetings["residents_at_meetings"] == e["residents_at_meetings"]
    assert sum(r["notes"] for r in rows) == meetings["notes"] == e["notes"]
    by_id = {r["meeting_id"] or r["note_id"]: r for r in rows}
    assert set(by_id) == {str(ids[k]) for k in ("short", "plain", "earlier", "alone")}  # not district b's
    short, plain, earlier, alone = (by_id[str(ids[k])] for k in ("short", "plain", "earlier", "alone"))
    assert (short["kind"], short["duration_minutes"], short["hours"], short["attendees"]) == ("meeting", 30, 0.5, 6)
    assert (plain["duration_minutes"], plain["hours"], plain["attendees"], plain["notes"]) == (None, 1.5, 0, 0)
    assert (earlier["counted"], earlier["meetings"], earlier["minutes"], earlier["attendees"]) == (False, 0, 0, 2)
    assert (alone["kind"], alone["counted"], alone["hours"], alone["attendees"]) == ("note", True, 1.5, 3)
    assert meetings["default_hours"] == 1.5 and not meetings["period"]["under_way"]
    assert {r["host_id"] for r in rows} == {"host-7"}  # the sergeant sees who hosted

    # Contacts: each grouping adds up to the page's figures; officers for the sergeant.
    want = (e["contacts"], e["contact_hours"], e["residents_via_contacts"])
    assert (contacts["contacts"], contacts["contact_hours"], contacts["residents"]) == want == (3, 2.3, 18)
    for kind in ("by_type", "by_unit", "by_officer"):
        groups = contacts[kind]
        got = (sum(g["contacts"] for g in groups), round(sum(g["minutes"] for g in groups) / 60, 1))
        assert (*got, sum(g["residents"] for g in groups)) == want, kind
    assert {g["key"] for g in contacts["by_type"]} == {"conversation", "youth_activity"}
    assert {g["key"] for g in contacts["by_unit"]} == {"CPU", ""}
    assert {g["key"]: g["unit"] for g in contacts["by_officer"]} == {"off-1": "CPU", "off-2": None}

    # Incidents: per category and records, adding up to the crime panel's total.
    assert incidents["total"] == page["crime"]["total"] == incidents["records_total"] == 3
    assert {(c["category"], c["nibrs_code"], c["count"]) for c in incidents["by_category"]} == {
        ("Burglary", "220", 2),
        ("Motor vehicle theft", "240", 1),
    }
    assert sorted(r["category"] for r in incidents["records"]) == ["Burglary", "Burglary", "Motor vehicle theft"]
    assert incidents["next_cursor"] is None
    # Paged: two, then the third (the next page in the Link header too).
    assert len(first.json()["records"]) == 2 and 'rel="next"' in first.headers["link"]
    paged = [r["record_id"] for r in first.json()["records"] + rest["records"]]
    assert sorted(paged) == sorted(r["record_id"] for r in incidents["records"]) and rest["next_cursor"] is None
    assert burglary["records_total"] == 2 and {r["category"] for r in burglary["records"]} == {"Burglary"}
    assert bad_cursor.status_code == 422 and "cursor" in bad_cursor.text

    # An officer of the district: the same figures, no host, no colleague's rows.
    assert all(r.status_code == 200 for r in as_officer.values())
    seen = as_officer["meetings"].json()
    assert seen["meetings_hosted"] == 3 and {r["host_id"] for r in seen["rows"]} == {None}
    assert as_officer["contacts"].json()["by_officer"] is None
    assert as_officer["contacts"].json()["contacts"] == 3
    # An officer of another district: 403 on each list; an unknown district: 404.
    assert refused == [403, 403, 403]
    assert nowhere.status_code == 404
