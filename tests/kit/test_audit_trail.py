"""Issue 15, "an audit trail": who read or changed what, append-only and hash-chained, on the real
database. Done when the trail answers "who read district B2's notes last week"."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from support import bearer, eventually, running

from porchlight.kit.audit import Entry
from porchlight.kit.audittrail import AuditTrail
from porchlight.kit.db import create_engine
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration


def someone(role: str) -> str:
    return f"{role}-{uuid.uuid4().hex[:10]}"


def note_in_b2() -> dict[str, Any]:
    return {
        "place": {"district": "B2", "neighborhood": "roxbury"},
        "concerns": [{"text": "the crossing by the school has no guard", "topic": "speeding and traffic"}],
        "sentiment": 2,
        "attendees": 5,
    }


def last_week() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {"from": str(today - timedelta(days=7)), "to": str(today)}


async def test_the_trail_answers_who_read_district_b2s_notes_last_week(settings: KitSettings) -> None:
    sgt, auditor, analyst = someone("supervisor"), someone("auditor"), someone("analyst")
    as_sgt = bearer(settings, "supervisor", subject=sgt, district="B2")
    as_auditor = bearer(settings, "auditor", subject=auditor)
    async with (
        running("intake", settings) as (_, intake),
        running("dashboard", settings) as (_, dash),
        running("synthesis", settings, background=False) as (_, synth),
    ):
        r = await intake.post("/v1/notes", json=note_in_b2(), headers=bearer(settings, "liaison", subject=someone("l")))
        assert r.status_code == 201, r.text
        note_id = r.json()["id"]

        # The supervisor reads B2's notes through synthesis and, once it has the note, the dashboard.
        r = await synth.get("/v1/insights/notes", params={"district": "B2", **last_week()}, headers=as_sgt)
        assert r.status_code == 200, r.text

        async def sourced() -> bool:
            r = await dash.get("/v1/notes/sources", params={"id": note_id}, headers=as_sgt)
            return r.status_code == 200 and [s["note_id"] for s in r.json()] == [note_id]

        await eventually(sourced)

        # "Who read district B2's notes last week?"
        question = {"action": "read", "district": "B2", **last_week()}
        r = await synth.get("/v1/audit", params=question, headers=as_auditor)
        assert r.status_code == 200, r.text
        (read,) = [e for e in r.json()["entries"] if e["actor"] == sgt]
        assert read["route"] == "GET /v1/insights/notes" and read["status"] == 200
        assert read["roles"] == ["supervisor"] and read["actor_district"] == "B2"
        assert read["filters"]["district"] == ["B2"] and read["filters"]["from"] == [last_week()["from"]]

        r = await dash.get("/v1/audit", params=question, headers=as_auditor)
        mine = [e for e in r.json()["entries"] if e["actor"] == sgt and e["status"] == 200]
        assert mine and all(e["route"] == "GET /v1/notes/sources" for e in mine)
        assert mine[0]["ids"]["note_id"] == [note_id] and mine[0]["districts"] == ["B2"]
        # Never the words themselves.
        assert "crossing" not in r.text and "school" not in r.text

        # The change is on intake's trail: who filed which note.
        r = await intake.get("/v1/audit", params={"action": "create", "route": "/v1/notes"}, headers=as_auditor)
        assert any(note_id in e["ids"].get("note_id", []) for e in r.json()["entries"]), r.text

        # Reading the trail is itself on the trail.
        r = await synth.get("/v1/audit", params={"actor": auditor}, headers=as_auditor)
        assert [e["route"] for e in r.json()["entries"]] == ["GET /v1/audit"]

        # An analyst may not read it; the refusal is recorded with who was refused.
        r = await dash.get("/v1/audit", headers=bearer(settings, "analyst", subject=analyst))
        assert r.status_code == 403
        r = await dash.get("/v1/audit", params={"actor": analyst}, headers=as_auditor)
        assert [(e["route"], e["status"]) for e in r.json()["entries"]] == [("GET /v1/audit", 403)]

        # The export holds the same entries, with the links to check them offline.
        r = await synth.get("/v1/audit/export.csv", params={"actor": sgt}, headers=as_auditor)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        (line,) = list(csv.DictReader(io.StringIO(r.text)))
        assert line["actor"] == sgt and line["route"] == "GET /v1/insights/notes" and len(line["prev_hash"]) == 64
        assert line["hash"] == read["hash"] and json.loads(line["filters"])["district"] == ["B2"]

        # A cursor past the largest sequence number reads from the newest entry, never a 500
        # (schemathesis found 9300000000000000000, beyond PostgreSQL's bigint).
        for cursor in ("9300000000000000000", "99999999999999999999"):
            r = await intake.get("/v1/audit", params={"cursor": cursor, "limit": 1}, headers=as_auditor)
            assert r.status_code == 200 and len(r.json()["entries"]) == 1, r.text


async def test_the_database_refuses_to_change_the_trail_and_verify_names_a_tampered_entry(
    settings: KitSettings,
) -> None:
    as_auditor = bearer(settings, "auditor", subject=someone("auditor"))
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with running("synthesis", settings, background=False) as (_, synth):
            r = await synth.get("/v1/insights/notes", headers=bearer(settings, "analyst", subject=someone("a")))
            assert r.status_code == 200, r.text
            r = await synth.get("/v1/audit/verify", headers=as_auditor)
            assert r.status_code == 200 and r.json()["intact"] is True, r.text
            seq = r.json()["head_seq"]

            for statement in (
                "UPDATE synthesis.audit SET actor = 'nobody' WHERE seq = :s",
                "DELETE FROM synthesis.audit WHERE seq = :s",
                "TRUNCATE synthesis.audit",
            ):
                with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                    async with engine.begin() as conn:
                        await conn.execute(sa.text(statement), {"s": seq})

            async def rewrite(actor_sql: str) -> None:
                # Only the table's owner can switch the trigger off; the chain still shows it.
                async with engine.begin() as conn:
                    await conn.execute(sa.text("ALTER TABLE synthesis.audit DISABLE TRIGGER audit_append_only"))
                    await conn.execute(
                        sa.text(f"UPDATE synthesis.audit SET actor = {actor_sql} WHERE seq = :s"), {"s": seq}
                    )
                    await conn.execute(sa.text("ALTER TABLE synthesis.audit ENABLE TRIGGER audit_append_only"))

            original = (await synth.get("/v1/audit", params={"limit": 500}, headers=as_auditor)).json()["entries"]
            actor = next(e["actor"] for e in original if e["seq"] == seq)
            await rewrite("'nobody'")
            try:
                r = await synth.get("/v1/audit/verify", headers=as_auditor)
                state = r.json()
                assert state["intact"] is False and state["broken_seq"] == seq, state
                assert "changed" in state["reason"]
            finally:
                await rewrite(f"'{actor}'")
            r = await synth.get("/v1/audit/verify", headers=as_auditor)
            assert r.json()["intact"] is True, r.text
    finally:
        await engine.dispose()


async def test_concurrent_appends_from_two_replicas_keep_one_chain(settings: KitSettings) -> None:
    url = settings.require_database_url()
    engines = [create_engine(url, pool_size=5), create_engine(url, pool_size=5)]
    try:
        replicas = [AuditTrail(e, "projects") for e in engines]
        actor = someone("officer")

        def entry(i: int) -> Entry:
            return Entry(at=datetime.now(UTC), actor=actor, action="create", route=f"POST /v1/test/{i}", status=201)

        seqs = await asyncio.gather(*(replicas[i % 2].record(entry(i)) for i in range(60)))
        assert len(set(seqs)) == 60
        v = await replicas[0].verify()
        assert v.intact and v.head_seq >= max(seqs), v
    finally:
        for e in engines:
            await e.dispose()


def test_porchlight_audit_verify_names_a_tampered_entry_and_is_itself_recorded(
    settings: KitSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A plain test: the command runs its own event loop.
    from typer.testing import CliRunner

    from porchlight.kit.cli import app

    monkeypatch.setenv("DATABASE_URL", settings.require_database_url())
    monkeypatch.setenv("PORCHLIGHT_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    r = runner.invoke(app, ["audit", "verify", "--service", "layers"])
    assert r.exit_code == 0 and '"intact": true' in r.output, r.output

    async def tamper(status: int, seq: int | None = None) -> int:
        engine = create_engine(settings.require_database_url(), pool_size=1)
        try:
            async with engine.begin() as conn:
                if seq is None:
                    seq = (await conn.execute(sa.text("SELECT max(seq) FROM layers.audit"))).scalar_one()
                await conn.execute(sa.text("ALTER TABLE layers.audit DISABLE TRIGGER audit_append_only"))
                await conn.execute(
                    sa.text("UPDATE layers.audit SET status = :v WHERE seq = :s"), {"v": status, "s": seq}
                )
                await conn.execute(sa.text("ALTER TABLE layers.audit ENABLE TRIGGER audit_append_only"))
                row = (
                    await conn.execute(sa.text("SELECT actor, route FROM layers.audit WHERE seq = :s"), {"s": seq})
                ).one()
                assert row.actor.startswith("cli:") and row.route == "porchlight audit verify --service layers"
                return int(seq)
        finally:
            await engine.dispose()

    seq = asyncio.run(tamper(7))  # the last entry is the command's own record (status 0: it exited 0)
    r = runner.invoke(app, ["audit", "verify", "--service", "layers"])
    assert r.exit_code == 1 and f'"broken_seq": {seq}' in r.output, r.output
    asyncio.run(tamper(0, seq))  # put back
    assert runner.invoke(app, ["audit", "verify", "--service", "layers"]).exit_code == 0
    assert runner.invoke(app, ["audit", "verify", "--service", "nowhere"]).exit_code != 0
