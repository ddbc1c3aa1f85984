"""Retention and erasure (issue 15): an erased note leaves no word in any table, and none on the
broker that anyone can read (its words travel sealed under its key, which the erasure shreds:
docs/adr/0014); the counts stay.

Real PostgreSQL and broker; intake, synthesis, dashboard and layers running with their consumers.
After an erasure every text, JSON and bytea column of every table of every schema (outboxes,
inboxes and audit trails included) is searched for the note's distinctive words.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from support import bearer, district_of_its_own, eventually, running, scalar
from typer.testing import CliRunner

from porchlight.events import Topics, event_class
from porchlight.events.keyring import keys_of, note_keys
from porchlight.events.sealing import open_sealed
from porchlight.kit import cli
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

SUPERVISOR = ("supervisor",)


def _words() -> list[str]:
    """Made-up words no other test, taxonomy or redaction rule writes (lower case: not names)."""
    tag = uuid.uuid4().hex[:6]
    return [f"{w}{tag}" for w in ("glimmerwick", "snorklefrass", "plumbatrix", "quondavelle", "trestlebuck")]


def _note(district: str, words: list[str], **extra: Any) -> dict[str, Any]:
    w = words
    return {
        "place": {"district": district, "place_name": f"the {w[4]} porch"},
        "concerns": [
            {
                "text": f"cars speeding past the {w[0]} lot every morning",
                "topic": "traffic",
                "location": f"{w[1]} alley",
            },
            {"text": f"the corner by the {w[2]} steps is dark at night"},
        ],
        "notes": f"Residents talked for an hour about {w[3]} and the {w[0]} lot.",
        "follow_ups": [f"call the city about the {w[2]} steps"],
        "sentiment": 2,
        "attendees": 5,
        **extra,
    }


def _meeting(district: str, words: list[str], starts_at: datetime) -> dict[str, Any]:
    """A meeting in a resident's home, with a neighbour co-hosting: both are words to erase."""
    return {
        "venue_type": "living_room",
        "place": {"district": district, "place_name": f"the {words[4]} kitchen"},
        "starts_at": starts_at.isoformat(),
        "co_hosts": [f"the {words[1]} block club"],
        "expected_attendees": 5,
    }


async def execute(settings: KitSettings, sql: str, **params: object) -> None:
    """Run a statement and commit it (``support.scalar`` reads only)."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(sql), params)
    finally:
        await engine.dispose()


async def find_words(settings: KitSettings, words: list[str]) -> list[str]:
    """``schema.table.column`` of every column, in every table of every schema, holding a word."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    hits = []
    try:
        async with engine.connect() as conn:
            columns = (
                await conn.execute(
                    sa.text(
                        "SELECT c.table_schema, c.table_name, c.column_name, c.data_type "
                        "FROM information_schema.columns c JOIN information_schema.tables t "
                        "USING (table_schema, table_name) "
                        "WHERE t.table_type = 'BASE TABLE' "
                        "AND c.table_schema NOT IN ('pg_catalog', 'information_schema') "
                        "AND c.data_type IN "
                        "('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY')"
                    )
                )
            ).all()
            assert len({c.table_schema for c in columns} & {"intake", "synthesis", "dashboard", "layers"}) == 4
            patterns = [f"%{w}%" for w in words]
            for schema, table, column, kind in columns:
                name = f'"{schema}"."{table}"'
                col = f'"{column}"'
                if kind == "bytea":
                    found = await conn.scalar(
                        sa.text(
                            f"SELECT count(*) FROM {name} WHERE "
                            + " OR ".join(
                                f"position(convert_to(:w{i}, 'UTF8') in {col}) > 0" for i in range(len(words))
                            )
                        ),
                        {f"w{i}": w for i, w in enumerate(words)},
                    )
                else:
                    found = await conn.scalar(
                        sa.text(f"SELECT count(*) FROM {name} WHERE {col}::text ILIKE ANY(:p)"), {"p": patterns}
                    )
                if found:
                    hits.append(f"{schema}.{table}.{column}")
    finally:
        await engine.dispose()
    return sorted(hits)


async def records(settings: KitSettings, *topics: str) -> list[Any]:
    """Every record the broker holds on ``topics``, from the start."""
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=settings.kafka_bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    out: list[Any] = []
    try:
        idle = 0
        while idle < 3:
            batch = await consumer.getmany(timeout_ms=500)
            idle = 0 if batch else idle + 1
            for recs in batch.values():
                out += recs
    finally:
        await consumer.stop()
    return out


def _type(record: Any) -> str:
    return dict(record.headers or ()).get("ce_type", b"").decode()


def _has_words(record: Any, words: list[str]) -> bool:
    return any(w.encode() in (record.value or b"") for w in words)


def _of_note(record: Any, note_id: str) -> bool:
    try:
        data = json.loads(record.value)
    except ValueError:  # other tests' poison records (dead-letter tests) share the topic
        return False
    return isinstance(data, dict) and data.get("note_id") == note_id


async def opened(settings: KitSettings, held: list[Any]) -> str:
    """The records' events as JSON, their sealed words opened with the keys the keyring has now."""
    events = [event_class(_type(r)).model_validate_json(r.value) for r in held]  # type: ignore[union-attr]
    wanted = {s.note_id for e in events for s in getattr(e, "sealed", [])}
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            keys = await keys_of(conn, wanted)
    finally:
        await engine.dispose()
    return json.dumps([open_sealed(e, keys).model_dump(mode="json") for e in events])


async def counts(settings: KitSettings, district: str) -> dict[str, Any]:
    """What the figures are made of, per service (none of it words)."""

    async def rows(sql: str) -> list[tuple[Any, ...]]:
        engine = create_engine(settings.require_database_url(), pool_size=1)
        try:
            async with engine.connect() as conn:
                return [tuple(r) for r in (await conn.execute(sa.text(sql), {"d": district})).all()]
        finally:
            await engine.dispose()

    return {
        "intake notes": await rows("SELECT count(*), sum(attendees) FROM intake.notes WHERE district = :d"),
        "intake concerns": await rows(
            "SELECT count(*) FROM intake.notes, jsonb_array_elements(concerns) WHERE district = :d"
        ),
        "synthesis topics": await rows(
            "SELECT topic, count(*) FROM synthesis.concerns WHERE district = :d GROUP BY topic ORDER BY topic"
        ),
        "synthesis notes": await rows("SELECT count(*), max(sentiment) FROM synthesis.notes WHERE district = :d"),
        "dashboard notes": await rows("SELECT count(*), sum(attendees) FROM dashboard.notes WHERE district = :d"),
        "dashboard topics": await rows(
            "SELECT source, topic, count(*) FROM dashboard.note_concerns WHERE district = :d AND active "
            "GROUP BY source, topic ORDER BY source, topic"
        ),
        "layers topics": await rows(
            "SELECT topic, count(*) FROM layers.note_concerns WHERE district = :d GROUP BY topic ORDER BY topic"
        ),
    }


async def test_an_erased_note_leaves_no_word_in_any_table_and_none_on_the_broker_after_it(
    settings: KitSettings,
) -> None:
    words = _words()
    async with (
        district_of_its_own(settings, "E") as district,
        running("intake", settings) as (_, intake),
        running("synthesis", settings) as (_, synthesis),
        running("dashboard", settings) as (_, dashboard),
        running("layers", settings) as (_, _layers),
    ):
        r = await intake.post("/v1/notes", json=_note(district, words), headers=bearer(settings, "liaison"))
        assert r.status_code == 201, r.text
        note_id = r.json()["id"]

        async def consumed() -> bool:
            analyzed = await scalar(settings, "SELECT analyzed_at FROM synthesis.notes WHERE note_id = :n", n=note_id)
            model_rows = await scalar(
                settings,
                "SELECT count(*) FROM dashboard.note_concerns WHERE note_id = :n AND source = 'model'",
                n=note_id,
            )
            topiced = await scalar(settings, "SELECT count(*) FROM layers.note_topics WHERE note_id = :n", n=note_id)
            return analyzed is not None and bool(model_rows) and bool(topiced)

        await eventually(consumed, timeout_s=90)
        # A supervisor's correction: the statement becomes a training example of synthesis' model.
        concern_id = await scalar(settings, "SELECT min(id) FROM synthesis.concerns WHERE note_id = :n", n=note_id)
        r = await synthesis.put(
            f"/v1/concerns/{concern_id}/topic", json={"topic": "street_lighting"}, headers=bearer(settings, *SUPERVISOR)
        )
        assert r.status_code == 200, r.text

        async def corrected() -> bool:
            return bool(
                await scalar(
                    settings,
                    "SELECT count(*) FROM dashboard.note_concerns WHERE note_id = :n AND topic = 'street_lighting'",
                    n=note_id,
                )
            )

        await eventually(corrected, timeout_s=60)
        # A connection layers found with the note as evidence, quoting it.
        quote = f"the corner by the {words[2]} steps is dark at night"
        await execute(
            settings,
            "INSERT INTO layers.connections (correlation_id, rule, record_id, district, cell, lat, lon, status, "
            "evidence, detected_at, updated_at) VALUES (:id, 'dark_block', :rec, :d, 'cell', 0, 0, 'open', "
            "CAST(:ev AS jsonb), now(), now())",
            id=uuid.uuid4(),
            rec=uuid.uuid4(),
            d=district,
            ev=json.dumps({"note_ids": [note_id], "quotes": [quote, "a quote of another note"]}),
        )
        before = await counts(settings, district)
        where = await find_words(settings, words)
        # On the broker the words travel sealed: no record holds them in clear, and with the note's
        # key they open (this fails on a broker that got them in clear, and on one that got none).
        held = await records(settings, Topics.NOTES, Topics.NOTE_ANALYSES)
        assert not [(r.topic, _type(r)) for r in held if _has_words(r, words)]
        mine = [r for r in held if _of_note(r, note_id)]
        assert {_type(r) for r in mine} >= {"org.porchlight.note.submitted.v2", "org.porchlight.note.analyzed.v2"}
        text = await opened(settings, mine)
        assert all(w in text for w in words[:4]), "the sealed events carry the words"
        # The test can fail: every service holds the words before the erasure.
        for table in ("intake.notes", "intake.note_revisions", "synthesis.concerns", "synthesis.corrections",
                      "dashboard.note_concerns", "layers.note_concerns", "layers.connections"):  # fmt: skip
            assert any(h.startswith(table + ".") for h in where), (table, where)

        assert (
            await intake.post(f"/v1/notes/{note_id}/erasure", headers=bearer(settings, "liaison"))
        ).status_code == 403
        other = bearer(settings, "supervisor", district="ELSEWHERE")
        assert (await intake.post(f"/v1/notes/{note_id}/erasure", headers=other)).status_code == 404
        r = await intake.post(f"/v1/notes/{note_id}/erasure", headers=bearer(settings, *SUPERVISOR, subject="sgt-1"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["already_erased"] is False and body["reason"] == "request" and body["erased_by"] == "sgt-1"
        again = await intake.post(f"/v1/notes/{note_id}/erasure", headers=bearer(settings, "admin"))
        assert again.status_code == 200 and again.json()["already_erased"] is True
        assert again.json()["erased_at"] == body["erased_at"]

        left: list[str] = []

        async def gone() -> bool:
            left[:] = await find_words(settings, words)
            return not left

        await eventually(gone, timeout_s=60)
        assert await counts(settings, district) == before
        quotes = await scalar(
            settings, "SELECT evidence->'quotes' FROM layers.connections WHERE district = :d", d=district
        )
        assert quotes == ["a quote of another note"]
        # The note still reads, without words.
        note = (await intake.get(f"/v1/notes/{note_id}?raw=true", headers=bearer(settings, "admin"))).json()
        assert note["notes"] == "" and [c["text"] for c in note["concerns"]] == ["", ""]
        assert note["concerns"][0]["topic"] == "traffic" and note["attendees"] == 5
        activity = (await dashboard.get("/v1/activity", headers=bearer(settings, "analyst"))).json()
        assert next(d["notes"] for d in activity["districts"] if d["district"] == district) == 1

    # The broker: every record published about the note is still there (Tansu keeps everything it
    # is given until it stops), none with a word in clear, and none opens any more: the note's key
    # is shredded (a tombstone keeps any later seal from giving it a new one).
    held = await records(settings, Topics.NOTES, Topics.NOTE_ANALYSES, Topics.CORRELATIONS)
    assert not [(r.topic, _type(r)) for r in held if _has_words(r, words)]
    mine = [r for r in held if _of_note(r, note_id)]
    assert {"org.porchlight.note.erased.v1", "org.porchlight.note.analysis-erased.v1"} <= {_type(r) for r in mine}
    assert any(json.loads(r.value).get("sealed") for r in mine)
    text = await opened(settings, mine)
    assert not any(w in text for w in words)
    tombstone = await scalar(
        settings,
        f"SELECT key IS NULL AND shredded_at IS NOT NULL FROM {note_keys.fullname} WHERE note_id = :n",
        n=note_id,
    )
    assert tombstone is True
    # Each word-carrying topic was created with the bounded retention (enforced by Kafka; Tansu keeps
    # the setting and does not enforce it: docs/privacy.md).
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, t)
                for t in (Topics.NOTES, Topics.NOTE_ANALYSES, Topics.CORRELATIONS)
            ]
        )
    finally:
        await admin.close()
    want = str(round(settings.words_retention_days * 86_400_000))
    retention = {
        res[3]: {e[0]: e[1] for e in res[4]}.get("retention.ms") for response in described for res in response.resources
    }
    assert retention == dict.fromkeys((Topics.NOTES, Topics.NOTE_ANALYSES, Topics.CORRELATIONS), want)


async def test_a_note_erased_before_its_event_left_publishes_it_without_words(settings: KitSettings) -> None:
    words = _words()
    async with district_of_its_own(settings, "E") as district:
        async with running("intake", settings, background=False) as (_, intake):  # no relay: events wait
            m = await intake.post(
                "/v1/meetings",
                json=_meeting(district, words, datetime.now(UTC) - timedelta(hours=2)),
                headers=bearer(settings, "liaison"),
            )
            assert m.status_code == 201, m.text
            note = _note(district, words, meeting_id=m.json()["id"])
            r = await intake.post("/v1/notes", json=note, headers=bearer(settings, "liaison"))
            assert r.status_code == 201, r.text
            note_id = r.json()["id"]
            # The event waits in the outbox with its words sealed, as it will travel (docs/adr/0014).
            where = await find_words(settings, words)
            assert any(h.startswith("intake.notes.") for h in where) and not any("outbox" in h for h in where)
            assert any(h.startswith("intake.meetings.") for h in where), where  # its place and co-host
            r = await intake.post(f"/v1/notes/{note_id}/erasure", headers=bearer(settings, "admin"))
            assert r.status_code == 200, r.text
            assert await find_words(settings, words) == []
            # Its author cannot write the words back by a revision (they could, before).
            again = await intake.put(
                f"/v1/notes/{note_id}",
                json=_note(district, words),
                headers={**bearer(settings, "liaison"), "If-Match": '"1"'},
            )
            assert again.status_code == 409 and "was erased" in again.json()["detail"], again.text
            assert await find_words(settings, words) == []
        async with running("intake", settings) as (app, _):
            await app.state.runtime.relay.drain()
    held = [
        r
        for r in await records(settings, Topics.NOTES)
        if r.key == district.encode() and json.loads(r.value).get("note_id") == note_id
    ]
    assert [_type(r) for r in held] == ["org.porchlight.note.submitted.v2", "org.porchlight.note.erased.v1"]
    submitted = json.loads(held[0].value)
    assert not any(_has_words(r, words) for r in held)
    text = await opened(settings, held)
    assert submitted["sealed"] and not any(w in text for w in words)
    assert [c["text"] for c in submitted["concerns"]] == ["", ""] and submitted["attendees"] == 5
    assert submitted["concerns"][0]["topic"] == "traffic" and submitted["text"] == ""
    assert json.loads(held[1].value)["reason"] == "request"


async def test_an_erased_contact_keeps_its_counts_and_no_word(settings: KitSettings) -> None:
    words = _words()
    async with (
        district_of_its_own(settings, "E") as district,
        running("intake", settings) as (_, intake),
        running("dashboard", settings) as (_, _dashboard),
    ):
        body = {
            "contact_type": "conversation",
            "minutes": 15,
            "residents_reached": 3,
            "place": {"district": district, "place_name": f"{words[0]} corner store"},
            "note": f"talked with the owner about {words[1]}",
        }
        r = await intake.post("/v1/contacts", json=body, headers=bearer(settings, "officer", subject="ofc-e"))
        assert r.status_code == 201, r.text
        contact_id = r.json()["id"]

        async def counted() -> bool:
            n = await scalar(
                settings, "SELECT sum(contacts) FROM dashboard.contact_totals WHERE district = :d", d=district
            )
            return n == 1

        await eventually(counted)
        assert sorted(await find_words(settings, words)) == ["intake.contacts.note", "intake.contacts.place_name"]
        r = await intake.post(f"/v1/contacts/{contact_id}/erasure", headers=bearer(settings, *SUPERVISOR))
        assert r.status_code == 200 and r.json()["kind"] == "contact", r.text
        assert await find_words(settings, words) == []
        again = await intake.post(f"/v1/contacts/{contact_id}/erasure", headers=bearer(settings, *SUPERVISOR))
        assert again.json()["already_erased"] is True
        row = (await intake.get(f"/v1/contacts/{contact_id}", headers=bearer(settings, "admin"))).json()
        assert (row["contact_type"], row["minutes"], row["residents_reached"]) == ("conversation", 15, 3)
        totals = await scalar(
            settings, "SELECT sum(minutes) FROM dashboard.contact_totals WHERE district = :d", d=district
        )
        assert totals == 15

        async def announced() -> bool:
            rows = await records(settings, Topics.CONTACTS)
            return any(_type(r) == "org.porchlight.contact.erased.v1" and contact_id in r.value.decode() for r in rows)

        await eventually(announced)


async def test_retention_erases_what_is_past_its_period_and_keeps_the_rest(settings: KitSettings) -> None:
    from porchlight.intake.db import outbox
    from porchlight.intake.erasure.service import retention_round
    from porchlight.intake.settings import IntakeSettings

    old_words, new_words = _words(), _words()
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    async with district_of_its_own(settings, "E") as district:
        async with running("intake", settings, background=False) as (_, intake):
            old = await intake.post(
                "/v1/notes",
                json=_note(district, old_words, held_at=three_days_ago),
                headers=bearer(settings, "liaison"),
            )
            new = await intake.post("/v1/notes", json=_note(district, new_words), headers=bearer(settings, "liaison"))
            meeting = await intake.post(
                "/v1/meetings",
                json=_meeting(district, old_words, datetime.now(UTC) - timedelta(days=3)),
                headers=bearer(settings, "liaison"),
            )
            assert meeting.status_code == 201, meeting.text
            contact = await intake.post(
                "/v1/contacts",
                json={
                    "contact_type": "event",
                    "minutes": 30,
                    "residents_reached": 8,
                    "occurred_at": three_days_ago,
                    "place": {"district": district},
                    "note": f"block party on {old_words[3]} street",
                },
                headers=bearer(settings, "officer", subject="ofc-r"),
            )
            assert old.status_code == new.status_code == contact.status_code == 201, (old.text, new.text, contact.text)
        import_id = uuid.uuid4()
        await execute(
            settings,
            "WITH j AS (INSERT INTO intake.imports (id, kind, status, filename, file_format, size_bytes, options, "
            "columns, created_by, expires_at, created_at, updated_at) VALUES (:id, 'notes', 'done', :f, 'csv', 10, "
            "'{}', '{}', 'tester', now(), now() - interval '3 days', now() - interval '3 days') RETURNING id) "
            "INSERT INTO intake.import_chunks (import_id, seq, data) SELECT id, 0, :data FROM j",
            id=import_id,
            f=f"{old_words[4]}.csv",
            data=f"notes\n{old_words[4]} said hello\n".encode(),
        )
        assert len(await find_words(settings, old_words)) >= 3

        tiny = IntakeSettings(retention_notes_days=1, retention_contacts_days=1, retention_imports_days=1)
        engine = create_engine(settings.require_database_url(), pool_size=2)
        try:
            dry = await retention_round(session_factory(engine), outbox, tiny, dry_run=True)
            assert dry.notes >= 1 and dry.contacts >= 1 and dry.imports >= 1 and dry.meetings >= 1 and dry.dry_run
            assert len(await find_words(settings, old_words)) >= 3  # a dry run changes nothing
            report = await retention_round(session_factory(engine), outbox, tiny)
            assert (report.notes, report.contacts, report.imports, report.meetings) == (
                dry.notes,
                dry.contacts,
                dry.imports,
                dry.meetings,
            )
            assert (await retention_round(session_factory(engine), outbox, tiny)).notes == 0  # nothing left due
        finally:
            await engine.dispose()
        assert await find_words(settings, old_words) == []
        assert await find_words(settings, new_words)  # within its period: kept
        reasons = await scalar(
            settings,
            "SELECT string_agg(kind || ':' || reason, ',' ORDER BY kind) FROM intake.erasures "
            "WHERE entity_id IN (:n, :c)",
            n=old.json()["id"],
            c=contact.json()["id"],
        )
        assert reasons == "contact:retention,note:retention"
        assert (
            await scalar(settings, "SELECT count(*) FROM intake.import_chunks WHERE import_id = :i", i=import_id) == 0
        )
        assert await scalar(settings, "SELECT attendees FROM intake.notes WHERE id = :n", n=old.json()["id"]) == 5
        kept = await scalar(
            settings,
            "SELECT venue_type || ':' || expected_attendees FROM intake.meetings WHERE id = :m",
            m=uuid.UUID(meeting.json()["id"]),
        )
        assert kept == "living_room:5"  # what counts the meeting stays


def test_the_retention_command_runs_a_dry_round(settings: KitSettings) -> None:
    cli._add_service_clis()
    env = {"DATABASE_URL": settings.require_database_url(), "KAFKA_BOOTSTRAP": settings.require_kafka_bootstrap()}
    r = CliRunner().invoke(cli.app, ["retention", "run", "--dry-run"], env=env)
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert report["dry_run"] is True and set(report) == {"notes", "contacts", "imports", "meetings", "dry_run"}
