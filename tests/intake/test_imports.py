"""Bulk import of past notes and contacts (issue 3) against the real database (outbox read directly).

The messy files under data/ carry the faults departments' files really have. Each test makes
them its own (a tag in the record ids, badges and host ids), so imports of the same file by
other tests never look like re-imports. Places are the demo city's.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
import sqlalchemy as sa
from support import bearer, eventually, running, scalar, unsealed
from typer.testing import CliRunner

from porchlight.kit.settings import KitSettings

DATA = Path(__file__).parent / "data"
CONTACT_EVENT = "org.porchlight.contact.logged.v1"
NOTE_EVENT = "org.porchlight.note.submitted.v2"
#: The messy contacts file, row by row: what the dry run must say (row -> field).
CONTACT_ISSUES = {
    6: "residents_reached",  # N/A
    9: "row",  # a semicolon inside the unquoted notes: one cell too many
    10: "district",  # Z9
    11: "minutes",  # -15
    12: "date",  # 2099
    13: "id",  # row 8 again
    14: "date",  # ######## (Excel column too narrow)
    16: "date",  # 13/02/2025 in a US file
    17: "contact_type",  # Patrol
    19: "officer",  # a name in the badge column
}
CONTACT_VALID_ROWS = (4, 5, 8, 15, 18)


def tag() -> str:
    return uuid.uuid4().hex[:6]


def mine(name: str, t: str) -> bytes:
    """A fixture with this test's own record ids, badges and host ids (same encoding, same faults)."""
    data = (DATA / name).read_bytes()
    data = re.sub(rb"\bC-(\d{3})\b", lambda m: b"C-" + t.encode() + b"-" + m.group(1), data)
    data = re.sub(rb"\bB(\d{4})\b", lambda m: b"B" + m.group(1) + b"-" + t.encode(), data)
    return re.sub(rb"\bL-(\d{3})\b", lambda m: b"L-" + m.group(1) + b"-" + t.encode(), data)


def supervisor(settings: KitSettings, subject: str | None = None) -> dict[str, str]:
    return bearer(settings, "supervisor", subject=subject or f"sup-{tag()}")


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], data: bytes, kind: str, name: str = "file.csv", **form: str
) -> httpx.Response:
    return await client.post("/v1/imports", headers=headers, files={"file": (name, data)}, data={"kind": kind, **form})


async def count(settings: KitSettings, sql: str, **params: Any) -> int:
    return int(str(await scalar(settings, sql, **params)))


async def contacts_of(settings: KitSettings, t: str) -> int:
    return await count(settings, "SELECT count(*) FROM intake.contacts WHERE officer_id LIKE :o", o=f"%-{t}")


async def events_of(settings: KitSettings, event_type: str, who: str, t: str) -> int:
    return await count(
        settings,
        "SELECT count(*) FROM intake.outbox WHERE event_type = :e "
        "AND convert_from(payload, 'UTF8')::jsonb ->> :who LIKE :o",
        e=event_type,
        who=who,
        o=f"%-{t}",
    )


def issues_by_row(report: dict[str, Any]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for e in report["errors"]:
        out.setdefault(e["row"], set()).add(e["field"])
    return out


# --- the messy contacts file -----------------------------------------------------------------


async def test_messy_contacts_dry_run_names_rows_and_fields_and_imports_nothing(settings: KitSettings) -> None:
    t = tag()
    async with running("intake", settings, background=False) as (_, client):
        h = supervisor(settings)
        r = await upload(client, h, mine("messy_contacts.csv", t), "contacts", "messy_contacts.csv")
        assert r.status_code == 201, r.text
        report = r.json()
        errors_csv = await client.get(report["errors_url"], headers=h)
    assert r.headers["Location"] == f"/v1/imports/{report['import_id']}"
    assert report["status"] == "validated" and report["kind"] == "contacts"
    assert (report["encoding"], report["delimiter"]) == ("utf-8-sig", ";")
    assert report["columns"]["header_row"] == 3  # a title and a blank row came first
    assert report["columns"]["unknown"] == ["Officer Name"]
    assert report["columns"]["mapped"]["Contact Date"] == "date" and report["columns"]["mapped"]["Mins"] == "minutes"
    assert (report["rows"], report["valid"], report["invalid"], report["blank_rows"]) == (15, 5, 10, 3)
    found = issues_by_row(report)
    assert set(found) == set(CONTACT_ISSUES)
    for row, field in CONTACT_ISSUES.items():
        assert field in found[row], (row, found[row])
    reasons = {e["row"]: e["reason"] for e in report["errors"]}
    assert "repeats row 8" in reasons[13]
    assert "date_format=dmy" in reasons[16]
    assert "#####" in reasons[14]
    assert "unknown district" in reasons[10]
    assert report["progress"] == {"phase": "finished", "done": 15, "total": 15, "fraction": 1.0}
    # Reasons name the column, never what was typed in it.
    text = r.text + errors_csv.text
    for value in ("Z9", "John Smith", "Patrol", "13/02/2025", "N/A", "Ofc."):
        assert value not in text, value
    rows = list(csv.reader(io.StringIO(errors_csv.text)))
    assert rows[0] == ["row", "column", "field", "reason", "phase"]
    assert {int(r[0]) for r in rows[1:]} == set(CONTACT_ISSUES)
    assert await contacts_of(settings, t) == 0
    assert await events_of(settings, CONTACT_EVENT, "officer_id", t) == 0


async def test_all_is_refused_while_rows_are_invalid_valid_only_imports_exactly_the_valid_rows(
    settings: KitSettings,
) -> None:
    t = tag()
    data = mine("messy_contacts.csv", t)
    async with running("intake", settings, background=False) as (_, client):
        h = supervisor(settings)
        job = (await upload(client, h, data, "contacts")).json()
        url = f"/v1/imports/{job['import_id']}/commit"
        refused = await client.post(url, json={"rows": "all"}, headers=h)
        assert refused.status_code == 409, refused.text
        assert "valid_only" in refused.json()["detail"]
        assert await contacts_of(settings, t) == 0

        done = await client.post(url, json={"rows": "valid_only"}, headers=h)
        assert done.status_code == 200, done.text
        body = done.json()
        assert body["status"] == "done"
        assert body["commit"] == {
            "choice": "valid_only",
            "committed": 5,
            "created": 5,
            "existing": 0,
            "conflicts": 0,
            "last_row": 18,
        }
        assert await contacts_of(settings, t) == 5
        assert await events_of(settings, CONTACT_EVENT, "officer_id", t) == 5

        again = await client.post(url, json={"rows": "valid_only"}, headers=h)  # a resent commit
        assert again.status_code == 200 and again.json()["commit"] == body["commit"]
        other = await client.post(url, json={"rows": "all"}, headers=h)
        assert other.status_code == 409

        # The same file once more: its record ids make every row one that is already there.
        second = (await upload(client, h, data, "contacts")).json()
        redo = await client.post(f"/v1/imports/{second['import_id']}/commit", json={"rows": "valid_only"}, headers=h)
        assert redo.json()["commit"]["created"] == 0 and redo.json()["commit"]["existing"] == 5
    assert await contacts_of(settings, t) == 5
    assert await events_of(settings, CONTACT_EVENT, "officer_id", t) == 5

    rows: Any = await scalar(
        settings,
        "SELECT json_agg(json_build_object('o', officer_id, 't', contact_type, 'm', minutes, 'r', residents_reached,"
        " 'd', district, 'n', neighborhood, 'at', occurred_at, 's', place_source, 'note', note) ORDER BY occurred_at)"
        " FROM intake.contacts WHERE officer_id LIKE :o",
        o=f"%-{t}",
    )
    rows = json.loads(rows) if isinstance(rows, str) else rows
    by_minutes = {(r["t"], r["m"]) for r in rows}
    assert by_minutes == {
        ("youth_activity", 45),
        ("business_checkin", 15),
        ("conversation", 90),
        ("youth_activity", 60),
        ("event", 90),
    }
    first = rows[0]  # C-001: 1/5/2025 2:30 PM, Boston time
    assert datetime.fromisoformat(first["at"]).astimezone(UTC) == datetime(2025, 1, 5, 19, 30, tzinfo=UTC)
    assert {r["d"] for r in rows} == {"C6", "A7", "D4"} and all(r["s"] == "body" for r in rows)
    pointed = next(r for r in rows if r["t"] == "business_checkin")  # a point, no district
    assert (pointed["d"], pointed["n"]) == ("C6", "south-boston")
    assert pointed["note"] == "spoke with the owner about the back door light"  # trimmed


async def test_messy_notes_in_windows_1252_import_with_their_events_redacted(settings: KitSettings) -> None:
    t = tag()
    async with running("intake", settings, background=False) as (_, client):
        h = supervisor(settings)
        r = await upload(client, h, mine("messy_notes.csv", t), "notes", "messy_notes.csv")
        assert r.status_code == 201, r.text
        report = r.json()
        assert (report["encoding"], report["delimiter"]) == ("cp1252", ",")
        assert (report["rows"], report["valid"], report["invalid"]) == (9, 3, 6)
        found = issues_by_row(report)
        assert found == {
            3: {"sentiment"},
            5: {"attendees"},
            6: {"district"},
            7: {"date"},
            9: {"sentiment"},
            10: {"host"},
        }, found
        assert "Downtown Crossing" not in r.text
        done = await client.post(f"/v1/imports/{report['import_id']}/commit", json={"rows": "valid_only"}, headers=h)
        assert done.json()["commit"]["created"] == 3
    hosts = await count(settings, "SELECT count(*) FROM intake.notes WHERE host_id LIKE :h", h=f"%-{t}")
    assert hosts == 3
    assert await events_of(settings, NOTE_EVENT, "host_id", t) == 3
    raw = str(await scalar(settings, "SELECT text FROM intake.notes WHERE host_id = :h AND text <> ''", h=f"L-221-{t}"))
    assert "café" in raw and "617-555-0142" in raw  # kept raw in intake, for supervisors
    event = str(
        await scalar(
            settings,
            "SELECT convert_from(payload, 'UTF8') FROM intake.outbox WHERE event_type = :e "
            "AND convert_from(payload, 'UTF8')::jsonb ->> 'host_id' = :h",
            e=NOTE_EVENT,
            h=f"L-221-{t}",
        )
    )
    assert "617-555-0142" not in event and "Tremont" not in event  # sealed (docs/adr/0014)
    opened = await unsealed(settings, NOTE_EVENT, json.loads(event))
    assert "617-555-0142" not in json.dumps(opened) and "[PHONE]" in json.dumps(opened)
    assert opened["concerns"][0]["text"] == "streetlights out on Tremont St"


def test_a_batch_of_points_is_placed_as_the_index_places_each_one() -> None:
    from porchlight.intake.imports.parsing.locate import BatchIndex
    from porchlight.intake.places.geometry.geojson import parse_city
    from porchlight.intake.places.geometry.index import PlaceIndex
    from porchlight.intake.places.models import Place
    from porchlight.intake.places.service import demo_city

    index = PlaceIndex.build(1, [Place(**p.row()) for p in parse_city(demo_city(), prefix="").places])
    rng = __import__("random").Random(5)
    points = [(round(rng.uniform(42.22, 42.40), 4), round(rng.uniform(-71.19, -70.99), 4)) for _ in range(3000)]
    batch = BatchIndex(index, [*points, points[0]])  # a repeated point too
    placed = sum(index.district_at(*p) is not None for p in points)
    assert 1000 < placed < 3000  # inside the city and outside it
    for lat, lon in points:
        district = index.district_at(lat, lon)
        assert batch.district_at(lat, lon) == district
        for parent in (None, district.code if district else None, "A1"):
            assert batch.neighborhood_at(lat, lon, district=parent) == index.neighborhood_at(lat, lon, district=parent)
    assert batch.district_at(0.0, 0.0) is None  # a point the batch did not have: asked of the index


# --- files that cannot be read ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        (b"Date,Officer\n1/5/2025,B1\n\xc3\xa9\xff\x81\n", 422, "malformed encoding at byte 27"),
        (b"Date,Officer\n1/5/2025,\x00B1\n", 422, "malformed encoding at byte 22"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", 415, ".xls"),
        (b"", 422, "empty"),
        (b"just,some\nwords,here\n", 422, "header"),
    ],
)
async def test_unreadable_files_are_4xx_problems_and_nothing_is_kept(
    settings: KitSettings, data: bytes, status: int, says: str
) -> None:
    name = f"bad-{tag()}.csv"
    async with running("intake", settings, background=False) as (_, client):
        r = await upload(client, supervisor(settings), data, "contacts", name)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert says in r.text
    assert await count(settings, "SELECT count(*) FROM intake.imports WHERE filename = :n", n=name) == 0


async def test_hostile_uploads_get_4xx_never_5xx(settings: KitSettings) -> None:
    rng = __import__("random").Random(3)
    header = b"Date,Badge,Type,Mins,Residents,District\n"
    cases: list[tuple[bytes, str, dict[str, str]]] = [
        (bytes(rng.randrange(256) for _ in range(3000)), "x.csv", {}),
        (b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(500)), "x.xlsx", {}),
        (header + b"1/5/2025,B1,chat,5,1,C6\n", "a\x00b.csv", {"mapping": '{"Mi\\u0000ns": "minutes"}'}),
        (header + b"1/5/2025,B1,chat,5,1,C6\n", "ok.csv", {"timezone": "../../etc/passwd", "sheet": "x"}),
        (header + b"1/5/2025,B1,chat,5,1,C6\n", "ok.csv", {"timezone": "\x00", "date_format": "iso"}),
        (header + b'"unterminated,B1\n' * 3, "q.csv", {}),
        (header + ("\u00e9" * 70_000).encode() + b",B1,chat,5,1,C6\n", "long.csv", {}),
    ]
    async with running("intake", settings, background=False) as (_, client):
        h = supervisor(settings)
        for data, name, form in cases:
            r = await upload(client, h, data, "contacts", name, **form)
            assert r.status_code < 500, (name, form, r.status_code, r.text[:300])


async def test_header_problems_are_one_422_naming_each(settings: KitSettings) -> None:
    async with running("intake", settings, background=False) as (_, client):
        h = supervisor(settings)
        missing = await upload(client, h, b"Date,Notes,Whatever\n1/5/2025,hi,x\n", "contacts")
        twice = await upload(client, h, b"Date,Contact Date,Badge,Type,Mins,Residents,District\n", "contacts")
        bad_map = await upload(
            client,
            h,
            b"Date,Badge,Type,Mins spent,Residents,District\n",
            "contacts",
            mapping='{"Mins spent": "minutes", "Nope": "minutes", "Date": "when"}',
        )
        not_json = await upload(client, h, b"Date\n", "contacts", mapping="[1, 2")
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {
        "columns.officer",
        "columns.contact_type",
        "columns.minutes",
        "columns.residents_reached",
        "columns.district",
    }
    assert twice.status_code == 422 and "both read as date" in twice.text
    assert {"mapping.Nope", "mapping.Date"} <= {e["field"] for e in bad_map.json()["errors"]}
    assert not_json.status_code == 422 and not_json.json()["errors"][0]["field"] == "mapping"


async def test_a_mapping_reads_odd_headers_and_ignores_columns(settings: KitSettings) -> None:
    t = tag()
    data = (
        f"When,Badge,Kind of thing,Mins spent,Residents,District,Internal\n1/5/2025,B0001-{t},chat,15,2,C6,xyz\n"
    ).encode()
    async with running("intake", settings, background=False) as (_, client):
        r = await upload(
            client,
            supervisor(settings),
            data,
            "contacts",
            mapping='{"Mins spent": "minutes", "Kind of thing": "contact_type", "Internal": null}',
        )
    assert r.status_code == 201, r.text
    assert r.json()["valid"] == 1 and r.json()["columns"]["ignored"] == ["Internal"]


async def test_uploads_over_the_import_limit_are_413(settings: KitSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCHLIGHT_INTAKE_IMPORT_MAX_BYTES", "1000")
    async with running("intake", settings, background=False) as (_, client):
        r = await upload(client, supervisor(settings), b"Date,Badge\n" + b"1/5/2025,B1\n" * 200, "contacts")
    assert r.status_code == 413, r.text


async def test_only_supervisors_import_and_a_job_is_seen_by_its_uploader(settings: KitSettings) -> None:
    async with running("intake", settings, background=False) as (_, client):
        officer = await upload(client, bearer(settings, "officer"), b"Date\n", "contacts")
        job = (await upload(client, supervisor(settings), mine("messy_contacts.csv", tag()), "contacts")).json()
        other = await client.get(f"/v1/imports/{job['import_id']}", headers=supervisor(settings))
        admin = await client.get(f"/v1/imports/{job['import_id']}", headers=bearer(settings, "admin"))
    assert officer.status_code == 403
    assert other.status_code == 404
    assert admin.status_code == 200


# --- XLSX, background jobs, the CLI ----------------------------------------------------------


async def test_xlsx_with_a_merged_title_and_excel_dates_imports(settings: KitSettings) -> None:
    t = tag()
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Positive contacts, January"])
    ws.merge_cells("A1:G1")
    ws.append(["Date", "Badge", "Type", "Minutes", "Residents", "District", "Notes"])
    ws.append([datetime(2025, 1, 5, 14, 30), f"B7001-{t}", "Youth event", 45, 12, "C6", "Pickup game"])
    ws.append([45663, 7002.0, "conversation", "1h 15m", 3.0, "A7", None])  # a serial date, numbers as floats
    ws.append([None, None, None, None, None, None, None])
    ws.append(["1/7/2025", f"B7003-{t}", "Business Check-In", 20, "N/A", "D4", None])
    out = io.BytesIO()
    book.save(out)
    async with running("intake", settings, background=False) as (_, client):
        h = supervisor(settings)
        r = await upload(client, h, out.getvalue(), "contacts", "contacts.xlsx")
        assert r.status_code == 201, r.text
        report = r.json()
        assert report["file_format"] == "xlsx" and report["columns"]["header_row"] == 2
        assert (report["rows"], report["valid"], report["invalid"], report["blank_rows"]) == (3, 2, 1, 1)
        assert issues_by_row(report) == {6: {"residents_reached"}}
        done = await client.post(f"/v1/imports/{report['import_id']}/commit", json={"rows": "valid_only"}, headers=h)
        assert done.json()["commit"]["created"] == 2
    assert await contacts_of(settings, t) == 1  # badge 7002 has no tag: the float badge read as "7002"
    assert (
        await count(
            settings,
            "SELECT count(*) FROM intake.contacts WHERE officer_id = '7002' "
            "AND minutes = 75 AND occurred_at::date = '2025-01-06'",
        )
        >= 1
    )


def big_contacts(t: str, rows: int) -> bytes:
    lines = ["Date,Badge,Type,Minutes,Residents,District"]
    lines += [f"1/{1 + i % 28}/2025,B{i % 50:04d}-{t},conversation,{10 + i % 50},{i % 7},C6" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def test_a_large_file_is_validated_then_committed_in_the_background_with_progress(
    settings: KitSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long lease: a commit that waited for the validation's lease to run out would time out.
    for name, value in (
        ("INLINE_MAX_BYTES", "0"),
        ("INLINE_MAX_ROWS", "0"),
        ("BATCH_ROWS", "50"),
        ("LEASE_SECONDS", "600"),
    ):
        monkeypatch.setenv(f"PORCHLIGHT_INTAKE_IMPORT_{name}", value)
    t = tag()
    async with running("intake", settings, background=False) as (_, client):
        h = supervisor(settings)
        r = await upload(client, h, big_contacts(t, 400), "contacts")
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "queued" and r.json()["progress"]["phase"] == "validating"
        url = f"/v1/imports/{r.json()['import_id']}"
        seen: list[dict[str, Any]] = []

        async def reaches(want: str) -> bool:
            seen.append((await client.get(url, headers=h)).json())
            return seen[-1]["status"] == want

        await eventually(lambda: reaches("validated"))
        committing = await client.post(f"{url}/commit", json={"rows": "all"}, headers=h)
        assert committing.status_code == 202 and committing.json()["status"] == "importing"
        await eventually(lambda: reaches("done"))
    fractions = [s["progress"]["fraction"] for s in seen if s["progress"]["phase"] == "validating"]
    assert fractions == sorted(fractions)
    assert seen[-1]["commit"]["created"] == 400 and seen[-1]["progress"]["fraction"] == 1.0
    assert await contacts_of(settings, t) == 400
    assert await events_of(settings, CONTACT_EVENT, "officer_id", t) == 400


async def test_a_large_file_runs_in_the_background_and_a_dead_runner_is_taken_over(
    settings: KitSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from porchlight.intake.imports.repository import ImportRepository
    from porchlight.intake.imports.service import commit_contacts
    from porchlight.intake.spec import spec
    from porchlight.kit.db import create_engine, session_factory, unit_of_work

    for name, value in (("INLINE_MAX_BYTES", "0"), ("INLINE_MAX_ROWS", "0"), ("BATCH_ROWS", "40")):
        monkeypatch.setenv(f"PORCHLIGHT_INTAKE_IMPORT_{name}", value)
    t = tag()
    async with running("intake", settings, background=False) as (_, client):
        h = supervisor(settings)
        r = await upload(client, h, big_contacts(t, 300), "contacts")
        assert r.status_code == 202, r.text
        url = f"/v1/imports/{r.json()['import_id']}"

        async def status(want: str) -> bool:
            return (await client.get(url, headers=h)).json()["status"] == want

        await eventually(lambda: status("validated"))
        report = (await client.get(url, headers=h)).json()
        assert (report["rows"], report["valid"], report["progress"]["fraction"]) == (300, 300, 1.0)

        # A runner took the commit, committed the first batch and died before its bookkeeping
        # (the worst moment): the batch is in, the job still says nothing was committed.
        engine = create_engine(settings.require_database_url(), pool_size=1)
        try:
            async with unit_of_work(session_factory(engine)) as session:
                repo = ImportRepository(session)
                job = await repo.get(uuid.UUID(r.json()["import_id"]), for_update=True)
                assert job is not None
                first = await repo.staged_after(job.id, 0, 40)
                await commit_contacts(session, spec.outbox, job.id, first)
                job.status, job.choice, job.lease_owner = "importing", "all", "a-dead-replica"
                job.lease_until = datetime(2000, 1, 1, tzinfo=UTC)
        finally:
            await engine.dispose()
        assert await contacts_of(settings, t) == 40

        await eventually(lambda: status("done"), timeout_s=60)  # GET took the job over
        report = (await client.get(url, headers=h)).json()
    assert report["commit"]["created"] == 260 and report["commit"]["existing"] == 40
    assert await contacts_of(settings, t) == 300
    assert await events_of(settings, CONTACT_EVENT, "officer_id", t) == 300  # each exactly once


def test_cli_dry_run_then_valid_only(settings: KitSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from porchlight.kit import cli

    monkeypatch.setenv("DATABASE_URL", settings.require_database_url())
    monkeypatch.setenv("PORCHLIGHT_DATA_DIR", str(tmp_path))
    if not any(g.name == "import" for g in cli.app.registered_groups):
        cli._add_service_clis()
    t = tag()
    path = tmp_path / "messy_contacts.csv"
    path.write_bytes(mine("messy_contacts.csv", t))
    runner = CliRunner()

    dry = runner.invoke(cli.app, ["import", "contacts", str(path), "--errors", str(tmp_path / "errors.csv")])
    assert dry.exit_code == 1, dry.output
    assert "15 rows (3 blank skipped), 5 valid, 10 invalid" in dry.stdout
    assert "row     10  District (district): unknown district" in dry.stdout
    assert "nothing imported" in dry.stdout
    assert len((tmp_path / "errors.csv").read_text().splitlines()) == 1 + 10
    assert asyncio.run(contacts_of(settings, t)) == 0

    refused = runner.invoke(cli.app, ["import", "contacts", str(path), "--commit", "all"])
    assert refused.exit_code == 1 and "nothing imported" in refused.output
    done = runner.invoke(cli.app, ["import", "contacts", str(path), "--commit", "valid_only"])
    assert done.exit_code == 0, done.output
    assert "imported: 5 new" in done.stdout
    assert asyncio.run(contacts_of(settings, t)) == 5
    assert asyncio.run(events_of(settings, CONTACT_EVENT, "officer_id", t)) == 5

    renamed = tmp_path / "odd.csv"
    renamed.write_text(f"When,Badge,Spent,Residents,District,Type\n1/9/2025,B0009-{t},25,2,B2,event\n")
    mapped = runner.invoke(cli.app, ["import", "contacts", str(renamed), "--map", "Spent=minutes", "--commit", "all"])
    assert mapped.exit_code == 0, mapped.output
    assert asyncio.run(contacts_of(settings, t)) == 6


async def test_an_import_whose_runner_died_is_resumed_when_intake_starts(
    settings: KitSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The startup hook takes up a stale import: nobody has to GET it after a restart."""
    for name, value in (("INLINE_MAX_BYTES", "10000000"), ("INLINE_MAX_ROWS", "0")):
        monkeypatch.setenv(f"PORCHLIGHT_INTAKE_IMPORT_{name}", value)
    t = tag()
    async with running("intake", settings, background=False) as (_, client):
        h = supervisor(settings)
        r = await upload(client, h, big_contacts(t, 120), "contacts")
        assert r.status_code == 201, r.text  # validated inside the request
        import_id = r.json()["import_id"]
    # Its commit was chosen, then the process that ran it died (its lease ran out long ago).
    from porchlight.kit.db import create_engine

    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            dead = await conn.execute(
                sa.text(
                    "UPDATE intake.imports SET status = 'importing', choice = 'all', "
                    "lease_owner = 'a-dead-replica', lease_until = '2000-01-01T00:00:00Z' WHERE id = :i"
                ),
                {"i": import_id},
            )
            assert dead.rowcount == 1
    finally:
        await engine.dispose()
    assert await contacts_of(settings, t) == 0

    async with running("intake", settings):  # a restart: background work on, startup hooks run

        async def done() -> bool:
            status = await scalar(settings, "SELECT status FROM intake.imports WHERE id = :i", i=import_id)
            return status == "done"

        await eventually(done, timeout_s=60)
    assert await contacts_of(settings, t) == 120
