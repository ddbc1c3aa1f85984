"""Positive community contacts (issue 3) against the real database and broker.

Every test uses officers of its own (a fresh subject), so tests do not see each other's rows.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY
from support import bearer, running, scalar

from porchlight.events import Outbox
from porchlight.events.envelope import new_envelope
from porchlight.intake.contacts.repository import ContactWriter
from porchlight.intake.contacts.service import ContactDesk, contact_logged
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.db import create_engine
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

IN_C6 = {"lat": 42.3335, "lon": -71.0495}  # South Boston (district C6)
IN_A7 = {"lat": 42.3790, "lon": -71.0330}  # East Boston (district A7)


def officer_id() -> str:
    return f"officer-{uuid.uuid4().hex[:10]}"


def contact(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contact_type": "conversation",
        "minutes": 15,
        "residents_reached": 3,
        "place": {"point": IN_C6},
    }
    body.update(overrides)
    return body


def officer_headers(
    settings: KitSettings, subject: str, *, district: str | None = None, key: str | None = None
) -> dict[str, str]:
    headers = bearer(settings, "officer", subject=subject, district=district)
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


async def count(settings: KitSettings, officer: str) -> int:
    return int(await scalar(settings, "SELECT count(*) FROM intake.contacts WHERE officer_id = :o", o=officer))


async def outbox_rows(settings: KitSettings, contact_id: str) -> int:
    return int(
        await scalar(
            settings,
            "SELECT count(*) FROM intake.outbox WHERE event_type = 'org.porchlight.contact.logged.v1' "
            "AND convert_from(payload, 'UTF8')::jsonb ->> 'contact_id' = :c",
            c=contact_id,
        )
    )


def fields(response: httpx.Response) -> set[str]:
    return {e["field"] for e in response.json().get("errors", [])}


# --- create, event, idempotency --------------------------------------------------------------


async def test_contact_and_its_event_are_stored_together_and_the_note_stays_out(settings: KitSettings) -> None:
    me = officer_id()
    async with running("intake", settings, background=False) as (_, client):  # no relay: rows stay
        r = await client.post(
            "/v1/contacts",
            json=contact(note="Talked with Mrs. Ortiz at 617-555-0142", unit="C6-2"),
            headers=officer_headers(settings, me),
        )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["officer_id"] == me and body["place"]["district"] == "C6" and body["place_source"] == "body"
    assert body["place"]["neighborhood"] == "south-boston" and body["has_note"] is True
    assert body["note"] is None  # raw notes are for supervisors
    assert r.headers["location"] == f"/v1/contacts/{body['id']}"
    assert await count(settings, me) == 1
    assert await outbox_rows(settings, body["id"]) == 1
    payload = await scalar(
        settings,
        "SELECT convert_from(payload, 'UTF8') FROM intake.outbox "
        "WHERE convert_from(payload, 'UTF8')::jsonb ->> 'contact_id' = :c",
        c=body["id"],
    )
    event = json.loads(str(payload))
    assert event["officer_id"] == me and event["minutes"] == 15 and event["unit"] == "C6-2"
    assert "Ortiz" not in str(payload) and "555-0142" not in str(payload)


async def test_contact_logged_reaches_the_broker_once(settings: KitSettings) -> None:
    me = officer_id()
    async with running("intake", settings) as (_, client):
        r = await client.post("/v1/contacts", json=contact(), headers=officer_headers(settings, me, key="k-1"))
        again = await client.post("/v1/contacts", json=contact(), headers=officer_headers(settings, me, key="k-1"))
        assert r.status_code == again.status_code == 201
        contact_id = r.json()["id"]
        records = await _records_about(settings, contact_id, settle_s=1.0)
    assert len(records) == 1
    headers = dict(records[0].headers)
    assert headers["ce_type"] == b"org.porchlight.contact.logged.v1"
    data = json.loads(records[0].value)
    assert (
        data["district"] == "C6" and data["officer_id"] == me and data["point"] == {"lat": 42.334, "lon": -71.049}
    )  # a block, not the doorstep (issue 15)


async def _records_about(settings: KitSettings, contact_id: str, *, settle_s: float, timeout_s: float = 30) -> list:
    """Records of the contacts topic whose subject is ``contact_id`` (read from the start)."""
    consumer = AIOKafkaConsumer(
        "porchlight.contacts", bootstrap_servers=settings.kafka_bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list = []
    try:
        deadline = time.monotonic() + timeout_s
        settled: float | None = None
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            found += [
                r for recs in batches.values() for r in recs if dict(r.headers).get("ce_subject") == contact_id.encode()
            ]
            if found and settled is None:
                settled = time.monotonic() + settle_s  # keep reading a little: a duplicate would show
            if settled is not None and time.monotonic() > settled:
                break
    finally:
        await consumer.stop()
    return found


async def test_retry_with_the_same_key_replays_the_first_answer_and_creates_nothing(settings: KitSettings) -> None:
    me = officer_id()
    body = contact(occurred_at="2026-01-05T09:30:00-05:00", note="n")
    async with running("intake", settings, background=False) as (_, client):
        first = await client.post("/v1/contacts", json=body, headers=officer_headers(settings, me, key='"abc-1"'))
        # the same body with other key order and the same instant in another offset
        reordered = dict(reversed(list({**body, "occurred_at": "2026-01-05T14:30:00Z"}.items())))
        retry = await client.post("/v1/contacts", json=reordered, headers=officer_headers(settings, me, key='"abc-1"'))
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert await count(settings, me) == 1
    assert await outbox_rows(settings, first.json()["id"]) == 1


def moved(app: Any, config: IntakeSettings) -> None:
    """Intake's settings changed under a running app: what the runtime provides, and the desk's."""
    runtime = app.state.runtime
    runtime.provide(config)
    runtime.provide(replace(runtime.resource(ContactDesk), settings=config))


async def test_a_retry_gets_the_first_answer_even_when_it_would_no_longer_validate(settings: KitSettings) -> None:
    me = officer_id()
    body = contact(occurred_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    async with running("intake", settings, background=False) as (app, client):
        first = await client.post("/v1/contacts", json=body, headers=officer_headers(settings, me, key="late"))
        moved(app, IntakeSettings(max_future_hours=0))  # the rules moved meanwhile
        retry = await client.post("/v1/contacts", json=body, headers=officer_headers(settings, me, key="late"))
        fresh = await client.post("/v1/contacts", json=body, headers=officer_headers(settings, me, key="new"))
    assert first.status_code == retry.status_code == 201 and retry.content == first.content
    assert retry.headers["idempotent-replayed"] == "true"
    assert fresh.status_code == 422 and fields(fresh) == {"body.occurred_at"}
    assert await count(settings, me) == 1


async def test_keys_are_scoped_per_officer(settings: KitSettings) -> None:
    a, b = officer_id(), officer_id()
    async with running("intake", settings, background=False) as (_, client):
        ra = await client.post("/v1/contacts", json=contact(), headers=officer_headers(settings, a, key="same"))
        rb = await client.post("/v1/contacts", json=contact(), headers=officer_headers(settings, b, key="same"))
    assert ra.status_code == rb.status_code == 201 and ra.json()["id"] != rb.json()["id"]


async def test_concurrent_identical_requests_create_one_contact(settings: KitSettings) -> None:
    by_key, by_id = officer_id(), officer_id()
    client_id = str(uuid.uuid4())
    async with running("intake", settings, background=False) as (_, client):
        keyed = await asyncio.gather(
            *(
                client.post("/v1/contacts", json=contact(), headers=officer_headers(settings, by_key, key="burst"))
                for _ in range(10)
            )
        )
        with_id = await asyncio.gather(
            *(
                client.post("/v1/contacts", json=contact(id=client_id), headers=officer_headers(settings, by_id))
                for _ in range(10)
            )
        )
    assert [r.status_code for r in keyed] == [201] * 10
    assert len({r.content for r in keyed}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in keyed) == 9
    assert sorted(r.status_code for r in with_id) == [200] * 9 + [201]
    assert {r.json()["id"] for r in with_id} == {client_id}
    assert await count(settings, by_key) == 1 and await count(settings, by_id) == 1
    assert await outbox_rows(settings, keyed[0].json()["id"]) == 1
    assert await outbox_rows(settings, client_id) == 1


async def test_key_reused_with_another_body_is_422_and_changes_nothing(settings: KitSettings) -> None:
    me = officer_id()
    async with running("intake", settings, background=False) as (_, client):
        first = await client.post("/v1/contacts", json=contact(), headers=officer_headers(settings, me, key="k"))
        other = await client.post(
            "/v1/contacts", json=contact(minutes=45), headers=officer_headers(settings, me, key="k")
        )
        stored = await client.get(f"/v1/contacts/{first.json()['id']}", headers=officer_headers(settings, me))
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert fields(other) == {"header.Idempotency-Key"}
    assert stored.json()["minutes"] == 15 and await count(settings, me) == 1


async def test_resent_id_counts_once_and_a_reused_id_is_409(settings: KitSettings) -> None:
    me, other = officer_id(), officer_id()
    cid = str(uuid.uuid4())
    async with running("intake", settings, background=False) as (_, client):
        first = await client.post("/v1/contacts", json=contact(id=cid), headers=officer_headers(settings, me))
        resent = await client.post("/v1/contacts", json=contact(id=cid), headers=officer_headers(settings, me, key="x"))
        changed = await client.post(
            "/v1/contacts", json=contact(id=cid, minutes=90), headers=officer_headers(settings, me)
        )
        stolen = await client.post("/v1/contacts", json=contact(id=cid), headers=officer_headers(settings, other))
    assert first.status_code == 201 and resent.status_code == 200
    assert resent.json() == first.json()
    assert changed.status_code == 409 and fields(changed) == {"body.id"}
    assert stolen.status_code == 409 and "officer" not in stolen.text.lower()
    assert await count(settings, me) == 1 and await count(settings, other) == 0
    assert await outbox_rows(settings, cid) == 1


# --- bad input -------------------------------------------------------------------------------


async def test_every_bad_field_is_named_at_once_and_nothing_is_stored(settings: KitSettings) -> None:
    me = officer_id()
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    bad = {
        "contact_type": "arrest",
        "minutes": "30",  # a string: wrong type
        "residents_reached": -1,
        "occurred_at": future,
        "place": {"district": "ZZ9"},
        "note": "x" * 2001,
        "unit": "Sgt. <script>",
        "badge": 1234,
    }
    async with running("intake", settings, background=False) as (_, client):
        r = await client.post("/v1/contacts", json=bad, headers=officer_headers(settings, me, key="k" * 201))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert fields(r) == {
        "body.contact_type",
        "body.minutes",
        "body.residents_reached",
        "body.occurred_at",
        "body.place.district",
        "body.note",
        "body.unit",
        "body.badge",
        "header.Idempotency-Key",
    }
    assert await count(settings, me) == 0


async def test_dates_beyond_the_allowed_future_or_a_year_back_are_refused(settings: KitSettings) -> None:
    me = officer_id()
    now = datetime.now(UTC)
    async with running("intake", settings, background=False) as (app, client):
        moved(app, IntakeSettings(max_future_hours=2))
        soon = await client.post(
            "/v1/contacts",
            json=contact(occurred_at=(now + timedelta(hours=1)).isoformat()),
            headers=officer_headers(settings, me),
        )
        later = await client.post(
            "/v1/contacts",
            json=contact(occurred_at=(now + timedelta(hours=3)).isoformat()),
            headers=officer_headers(settings, me),
        )
        old = await client.post(
            "/v1/contacts",
            json=contact(occurred_at=(now - timedelta(days=400)).isoformat()),
            headers=officer_headers(settings, me),
        )
        naive = await client.post(
            "/v1/contacts", json=contact(occurred_at="2026-01-05T09:30:00"), headers=officer_headers(settings, me)
        )
    assert soon.status_code == 201
    for r in (later, old, naive):
        assert r.status_code == 422 and fields(r) == {"body.occurred_at"}, r.text
    assert "2 hours" in later.text
    assert await count(settings, me) == 1


async def test_unknown_places_and_malformed_bodies_are_422(settings: KitSettings) -> None:
    me = officer_id()
    h = officer_headers(settings, me)
    async with running("intake", settings, background=False) as (_, client):
        district = await client.post("/v1/contacts", json=contact(place={"district": "Z99"}), headers=h)
        outside = await client.post(
            "/v1/contacts", json=contact(place={"point": {"lat": 40.71, "lon": -74.0}}), headers=h
        )
        hood = await client.post(
            "/v1/contacts", json=contact(place={"district": "A7", "neighborhood": "back-bay"}), headers=h
        )
        not_json = await client.post("/v1/contacts", content=b"{minutes: 3", headers=h)
        a_list = await client.post("/v1/contacts", json=[contact()], headers=h)
    assert district.status_code == 422 and fields(district) == {"body.place.district"}
    assert outside.status_code == 422 and fields(outside) == {"body.place.point"}
    assert hood.status_code == 422 and fields(hood) == {"body.place.neighborhood"}
    assert not_json.status_code == 422 and fields(not_json) == {"body"}
    assert a_list.status_code == 422
    assert await count(settings, me) == 0


async def test_place_defaults_to_the_last_contact_then_to_the_token_district(settings: KitSettings) -> None:
    me, nowhere = officer_id(), officer_id()
    h = officer_headers(settings, me, district="A7")
    now = datetime.now(UTC)
    async with running("intake", settings, background=False) as (_, client):
        first = await client.post("/v1/contacts", json=contact(place=None), headers=h)
        placed = await client.post(
            "/v1/contacts", json=contact(place={"point": IN_C6, "place_name": "Library"}), headers=h
        )
        # synced late: happened before the last one, so it does not move the officer's last point
        older = await client.post(
            "/v1/contacts",
            json=contact(place={"district": "A1"}, occurred_at=(now - timedelta(hours=5)).isoformat()),
            headers=h,
        )
        default = await client.post("/v1/contacts", json=contact(place={}), headers=h)
        lost = await client.post("/v1/contacts", json=contact(place=None), headers=officer_headers(settings, nowhere))
    assert first.json()["place"]["district"] == "A7" and first.json()["place_source"] == "token_district"
    assert placed.status_code == older.status_code == 201
    assert default.status_code == 201, default.text
    assert default.json()["place_source"] == "last_contact"
    assert default.json()["place"] == {
        "district": "C6",
        "neighborhood": "south-boston",
        "point": {"lat": 42.334, "lon": -71.049},  # a block: only raw readers get the doorstep (issue 15)
        "place_name": "Library",
    }
    assert lost.status_code == 422 and fields(lost) == {"body.place"}


# --- reading ---------------------------------------------------------------------------------


async def _log_many(client: httpx.AsyncClient, settings: KitSettings, me: str, n: int) -> list[dict[str, Any]]:
    base = datetime.now(UTC) - timedelta(days=2)
    out = []
    for i in range(n):
        body = contact(
            contact_type=["conversation", "youth_activity", "event"][i % 3],
            minutes=10 + i,
            # every third pair shares its instant: the cursor must break ties by id
            occurred_at=(base + timedelta(minutes=(i // 2) * 10)).isoformat(),
            place={"point": IN_C6 if i % 2 else IN_A7},
            note=f"note {i}: call Dana at dana.k@example.org",
        )
        r = await client.post("/v1/contacts", json=body, headers=officer_headers(settings, me))
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


async def test_pages_follow_the_cursor_without_duplicates_or_gaps_and_filters_narrow(settings: KitSettings) -> None:
    me = officer_id()
    analyst = bearer(settings, "analyst", subject="analyst-1")
    async with running("intake", settings, background=False) as (_, client):
        made = await _log_many(client, settings, me, 23)
        seen: list[dict[str, Any]] = []
        url: str | None = f"/v1/contacts?host={me}&limit=5"
        pages = 0
        while url:
            r = await client.get(url, headers=analyst)
            assert r.status_code == 200, r.text
            page = r.json()
            seen += page["items"]
            pages += 1
            url = None
            if page["next_cursor"]:
                assert r.headers["link"].endswith('>; rel="next"')
                url = r.headers["link"][1:].split(">;")[0]
            else:
                assert "link" not in r.headers
        by_district = (await client.get(f"/v1/contacts?host={me}&district=A7&limit=500", headers=analyst)).json()
        events = (await client.get(f"/v1/contacts?host={me}&contact_type=event", headers=analyst)).json()
        first_day = made[0]["occurred_at"]
        window = (
            await client.get(
                "/v1/contacts",
                params={"host": me, "from": made[4]["occurred_at"], "to": made[10]["occurred_at"]},
                headers=analyst,
            )
        ).json()
        bad = await client.get("/v1/contacts?cursor=not-a-cursor", headers=analyst)
        bad_dates = await client.get("/v1/contacts?from=yesterday&to=2026-13-01", headers=analyst)
    assert pages == 5
    assert sorted(c["id"] for c in seen) == sorted(c["id"] for c in made)
    keys = [(c["occurred_at"], c["id"]) for c in seen]
    assert keys == sorted(keys, reverse=True)
    assert {c["id"] for c in by_district["items"]} == {c["id"] for i, c in enumerate(made) if i % 2 == 0}
    assert {c["id"] for c in events["items"]} == {c["id"] for i, c in enumerate(made) if i % 3 == 2}
    assert {c["id"] for c in window["items"]} == {c["id"] for c in made[4:10]}  # from inclusive, to exclusive
    assert first_day and all(c["note"] is None for c in seen)  # analysts do not see raw notes
    assert bad.status_code == 422 and fields(bad) == {"query.cursor"}
    assert bad_dates.status_code == 422 and fields(bad_dates) == {"query.from", "query.to"}


async def test_officers_see_their_own_and_supervisors_their_district(settings: KitSettings) -> None:
    a, b = officer_id(), officer_id()
    async with running("intake", settings, background=False) as (_, client):
        mine = await _log_many(client, settings, a, 2)
        theirs = await _log_many(client, settings, b, 2)
        own = (await client.get("/v1/contacts?limit=500", headers=officer_headers(settings, a))).json()
        peek = await client.get(f"/v1/contacts?host={b}", headers=officer_headers(settings, a))
        by_id = await client.get(f"/v1/contacts/{theirs[0]['id']}", headers=officer_headers(settings, a))
        sup = bearer(settings, "supervisor", subject="sgt-a7", district="A7")
        district = (await client.get(f"/v1/contacts?host={b}", headers=sup)).json()
        other_district = await client.get("/v1/contacts?district=C6", headers=sup)
    assert {c["id"] for c in own["items"]} == {c["id"] for c in mine}
    assert peek.status_code == 403 and by_id.status_code == 404
    assert [c["place"]["district"] for c in district["items"]] == ["A7"]
    assert district["items"][0]["note"] == "note 0: call Dana at dana.k@example.org"  # supervisors: raw
    assert other_district.status_code == 403


async def test_csv_export_parses_and_carries_no_personal_data(settings: KitSettings, monkeypatch: Any) -> None:
    monkeypatch.setattr("porchlight.intake.csvexport.stream.BATCH", 3)  # 4 rows: two batches
    me = officer_id()
    async with running("intake", settings, background=False) as (_, client):
        made = await _log_many(client, settings, me, 3)
        await client.post(
            "/v1/contacts",
            json=contact(
                note='=HYPERLINK("http://x")',
                place={"point": IN_C6, "place_name": "porch of 12 Elm Street, ask for Mr. Brian Kelly"},
            ),
            headers=officer_headers(settings, me),
        )
        r = await client.get(f"/v1/contacts/export.csv?host={me}", headers=bearer(settings, "analyst"))
        mine = await client.get("/v1/contacts/export.csv", headers=officer_headers(settings, me))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 4 and {row["officer_id"] for row in rows} == {me}
    assert len({row["id"] for row in rows}) == 4 and {row["id"] for row in rows} >= {c["id"] for c in made}
    assert [row["occurred_at"] for row in rows] == sorted((row["occurred_at"] for row in rows), reverse=True)
    text = r.text
    for personal in ("dana.k@example.org", "Brian Kelly", "12 Elm"):
        assert personal not in text
    assert "[EMAIL]" in text
    assert rows[0]["note_redacted"].startswith("'=")  # a formula is text to a spreadsheet
    assert len(list(csv.DictReader(io.StringIO(mine.text)))) == 4


async def test_monthly_summary_counts_the_officers_hours(settings: KitSettings) -> None:
    me = officer_id()
    h = officer_headers(settings, me)
    now = datetime.now(UTC)
    async with running("intake", settings, background=False) as (_, client):
        for minutes, kind in ((30, "conversation"), (90, "event"), (45, "conversation")):
            await client.post(
                "/v1/contacts",
                json=contact(minutes=minutes, contact_type=kind, residents_reached=4, occurred_at=now.isoformat()),
                headers=h,
            )
        summary = (await client.get("/v1/contacts/me/summary", headers=h)).json()
        empty = (await client.get("/v1/contacts/me/summary?month=2020-02", headers=h)).json()
        bad = await client.get("/v1/contacts/me/summary?month=May", headers=h)
    assert summary["month"] == now.strftime("%Y-%m") and summary["contacts"] == 3
    assert summary["minutes"] == 165 and summary["hours"] == 2.75 and summary["residents_reached"] == 12
    assert summary["by_type"] == {
        "conversation": {"contacts": 2, "minutes": 75},
        "event": {"contacts": 1, "minutes": 90},
    }
    assert empty["contacts"] == 0 and empty["by_type"] == {}
    assert bad.status_code == 422 and fields(bad) == {"query.month"}


async def test_only_officers_liaisons_and_supervisors_log_contacts(settings: KitSettings) -> None:
    async with running("intake", settings, background=False) as (_, client):
        analyst = await client.post("/v1/contacts", json=contact(), headers=bearer(settings, "analyst"))
        anonymous = await client.post("/v1/contacts", json=contact())
        liaison = await client.post(
            "/v1/contacts", json=contact(), headers=bearer(settings, "liaison", subject=officer_id())
        )
    assert analyst.status_code == 403 and anonymous.status_code == 401 and liaison.status_code == 201


# --- written in groups (ContactWriter): shared commits, one row per id or key, bad ones alone --------


def _groups_so_far() -> tuple[float, float]:
    """(groups written, contacts in them) by intake's contact writers in this process."""
    labels = {"writer": "intake-contacts"}
    groups = REGISTRY.get_sample_value("porchlight_group_commit_size_count", labels) or 0.0
    items = REGISTRY.get_sample_value("porchlight_group_commit_size_sum", labels) or 0.0
    return groups, items


def _write(officer: str, *, contact_id: uuid.UUID | None = None, key: str | None = None, minutes: int = 10) -> Any:
    """A contact's insert values and outbox row, as log_contact builds them."""
    values = {
        "id": contact_id or uuid.uuid4(),
        "officer_id": officer,
        "unit": None,
        "contact_type": "conversation",
        "minutes": minutes,
        "residents_reached": 2,
        "occurred_at": datetime.now(UTC),
        "district": "C6",
        "neighborhood": "south-boston",
        "lat": 42.3335,
        "lon": -71.0495,
        "place_name": None,
        "place_source": "body",
        "note": None,
        "idempotency_key": key,
        "fingerprint": uuid.uuid4().hex,
    }
    event = contact_logged(values)
    return values, Outbox.row(new_envelope(event, source="intake"), event.TOPIC)


async def test_concurrent_contacts_share_commits_and_each_is_stored_and_queued_once(settings: KitSettings) -> None:
    me = officer_id()
    groups_before, items_before = _groups_so_far()
    async with running("intake", settings, background=False) as (_, client):  # no relay: rows stay
        answers = await asyncio.gather(
            *(
                client.post("/v1/contacts", json=contact(), headers=officer_headers(settings, me, key=f"k-{i}"))
                for i in range(40)
            )
        )
    assert [r.status_code for r in answers] == [201] * 40
    ids = {r.json()["id"] for r in answers}
    assert len(ids) == 40 and await count(settings, me) == 40
    for contact_id in ids:
        assert await outbox_rows(settings, contact_id) == 1
    groups, items = _groups_so_far()
    assert items - items_before == 40
    assert groups - groups_before < 40  # some of them shared a commit


async def test_within_a_group_a_taken_id_or_key_gives_one_row(settings: KitSettings) -> None:
    spec = get_service("intake")
    engine = create_engine(settings.require_database_url(), pool_size=2)
    try:
        writer = ContactWriter(engine, spec.outbox)
        me, other = officer_id(), officer_id()
        shared_id = uuid.uuid4()
        results = await asyncio.gather(
            writer.insert(*_write(me, key="same")),
            writer.insert(*_write(me, key="same")),  # same officer and key, another id
            writer.insert(*_write(me, contact_id=shared_id)),
            writer.insert(*_write(other, contact_id=shared_id)),  # another officer, same id
        )
    finally:
        await engine.dispose()
    first, second, third, fourth = results
    assert first is not None and first.idempotency_key == "same" and second is None
    assert third is not None and third.id == shared_id and third.officer_id == me and fourth is None
    assert await count(settings, me) == 2 and await count(settings, other) == 0
    assert await outbox_rows(settings, str(first.id)) == 1 and await outbox_rows(settings, str(shared_id)) == 1


async def test_a_contact_the_database_refuses_fails_alone(settings: KitSettings) -> None:
    spec = get_service("intake")
    engine = create_engine(settings.require_database_url(), pool_size=2)
    me = officer_id()
    try:
        writer = ContactWriter(engine, spec.outbox)
        good = [_write(me) for _ in range(5)]
        bad = _write(me, minutes=40_000)  # beyond the column's smallint
        results = await asyncio.gather(
            *(writer.insert(*w) for w in good[:2]),
            writer.insert(*bad),
            *(writer.insert(*w) for w in good[2:]),
            return_exceptions=True,
        )
    finally:
        await engine.dispose()
    assert isinstance(results[2], Exception)
    stored = [r for i, r in enumerate(results) if i != 2]
    assert all(r is not None and not isinstance(r, Exception) for r in stored)
    assert await count(settings, me) == 5
    assert await outbox_rows(settings, str(bad[0]["id"])) == 0
    assert (
        int(
            await scalar(
                settings, "SELECT count(*) FROM intake.contacts WHERE minutes = 40000 AND officer_id = :o", o=me
            )
        )
        == 0
    )
