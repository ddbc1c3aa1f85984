"""Standardized notes against the real database (intake's outbox read directly, relay off).

Every test files notes as hosts of its own (a fresh token subject), so tests never see each
other's rows; places are the demo city's (D4 = South End, C6 = South Boston).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import yaml
from support import bearer, running, unsealed

from porchlight.intake.privacy import PLACEHOLDERS
from porchlight.kit.db import create_engine
from porchlight.kit.logs import configure_logging
from porchlight.kit.settings import KitSettings

PHONE, EMAIL = "555-123-4567", "jane.roe@example.org"
PII = (PHONE, "123-4567", EMAIL, "jane.roe")


def someone(role: str = "liaison") -> str:
    return f"{role}-{uuid.uuid4().hex[:10]}"


def as_(settings: KitSettings, subject: str, role: str = "liaison", district: str | None = None) -> dict[str, str]:
    return bearer(settings, role, subject=subject, district=district)


def note(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "place": {"district": "D4", "neighborhood": "south-end"},
        "concerns": [{"text": "streetlights out on Tremont St", "topic": "street lighting"}],
        "sentiment": 2,
        "attendees": 7,
        "follow_ups": ["send the 311 case number"],
        "notes": "Good turnout; coffee at the library.",
    }
    body.update(overrides)
    return body


def fields(r: httpx.Response) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


async def query(settings: KitSettings, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(sa.text(sql), params)).all())
    finally:
        await engine.dispose()


async def events_of(settings: KitSettings, host: str) -> list[tuple[str, dict[str, Any]]]:
    rows = await query(
        settings,
        "SELECT event_type, convert_from(payload, 'UTF8') FROM intake.outbox "
        "WHERE event_type LIKE 'org.porchlight.note.%' "
        "AND convert_from(payload, 'UTF8')::jsonb ->> 'host_id' = :h ORDER BY id",
        h=host,
    )
    # The words are sealed in the outbox as on the broker (docs/adr/0014): none in clear, and the
    # keyring opens them.
    events = [(t, json.loads(p)) for t, p in rows]
    for _, data in events:
        assert data["text"] == "" and all(c["text"] == "" for c in data["concerns"]) and data["sealed"]
    return [(t, await unsealed(settings, t, data)) for t, data in events]


async def written(settings: KitSettings, host: str) -> tuple[int, int, int]:
    """Notes, revisions and outbox events of a host."""
    notes = await query(settings, "SELECT count(*) FROM intake.notes WHERE host_id = :h", h=host)
    revisions = await query(settings, "SELECT count(*) FROM intake.note_revisions WHERE author_id = :h", h=host)
    return notes[0][0], revisions[0][0], len(await events_of(settings, host))


# --- filing a note ---------------------------------------------------------------------------


async def test_five_concerns_are_stored_raw_and_leave_redacted(settings: KitSettings) -> None:
    host = someone()
    concerns = [
        {"text": f"call me at {PHONE} about the alley", "location": "behind 12 Elm St"},
        {"text": "speeding on Columbus Ave", "topic": "traffic", "point": {"lat": 42.3420, "lon": -71.0780}},
        {"text": "trash pickup missed twice"},
        {"text": f"write {EMAIL} with the schedule"},
        {"text": "more foot patrols on Tuesday"},
    ]
    body = note(concerns=concerns, notes=f"Jane asked us to email {EMAIL}.", follow_ups=[f"text {PHONE} back"])
    async with running("intake", settings, background=False) as (_, client):
        r = await client.post("/v1/notes", json=body, headers=as_(settings, host))
        assert r.status_code == 201, r.text
    shown = r.json()
    assert r.headers["etag"] == '"1"' and r.headers["location"] == f"/v1/notes/{shown['id']}"
    assert shown["revision"] == 1 and shown["host_id"] == host and shown["redacted"] is True
    assert shown["place"] == {"district": "D4", "neighborhood": "south-end", "point": None, "place_name": None}
    assert [c["text"] for c in shown["concerns"]][1:3] == ["speeding on Columbus Ave", "trash pickup missed twice"]
    assert shown["concerns"][1]["topic"] == "traffic" and shown["concerns"][1]["point"]["lat"] == 42.342
    assert not any(p in r.text for p in PII)

    ((kind, event),) = await events_of(settings, host)
    assert kind == "org.porchlight.note.submitted.v2"
    assert event["note_id"] == shown["id"] and event["revision"] == 1 and event["district"] == "D4"
    assert len(event["concerns"]) == 5 and event["sentiment"] == 2 and event["attendees"] == 7
    assert event["concerns"][0]["text"] == "call me at [PHONE] about the alley"
    assert event["concerns"][0]["location"] == "behind [NUMBER] Elm St"
    assert event["follow_ups"] == ["text [PHONE] back"] and "[EMAIL]" in event["text"]
    assert event["held_at"] is not None
    assert not any(p in json.dumps(event) for p in PII)

    # The raw words stay in intake, for the roles allowed to read them.
    ((raw_concerns, raw_text),) = await query(
        settings, "SELECT concerns, text FROM intake.notes WHERE id = :i", i=uuid.UUID(shown["id"])
    )
    assert PHONE in raw_concerns[0]["text"] and EMAIL in raw_text


async def test_raw_text_only_for_supervisors_who_ask_and_every_such_read_is_audited(
    settings: KitSettings, caplog: pytest.LogCaptureFixture
) -> None:
    host = someone()
    async with running("intake", settings, background=False) as (_, client):
        r = await client.post("/v1/notes", json=note(notes=f"call {PHONE}"), headers=as_(settings, host))
        url = f"/v1/notes/{r.json()['id']}"
        own = await client.get(url, headers=as_(settings, host))
        own_raw = await client.get(url + "?raw=true", headers=as_(settings, host))
        analyst = await client.get(url + "?raw=true", headers=as_(settings, someone("analyst"), "analyst"))
        sup = as_(settings, "sgt-d4", "supervisor", district="D4")
        redacted = await client.get(url, headers=sup)
        with caplog.at_level(logging.INFO, logger="porchlight.intake.audit"):
            raw = await client.get(url + "?raw=true", headers=sup)
            history = await client.get(url + "/revisions?raw=true", headers=sup)
        other_district = await client.get(url, headers=as_(settings, "sgt-a7", "supervisor", district="A7"))
        other_host = await client.get(url, headers=as_(settings, someone()))
    assert own.status_code == 200 and own.json()["notes"] == "call [PHONE]" and own.headers["etag"] == '"1"'
    assert own_raw.status_code == 403 and analyst.status_code == 403
    assert redacted.json()["notes"] == "call [PHONE]" and redacted.json()["redacted"] is True
    assert raw.status_code == 200 and raw.json()["notes"] == f"call {PHONE}" and raw.json()["redacted"] is False
    assert history.json()["items"][0]["notes"] == f"call {PHONE}"
    assert other_district.status_code == 404 and other_host.status_code == 404
    audits = [rec for rec in caplog.records if rec.name == "porchlight.intake.audit"]
    assert [(rec.note_id, rec.reader) for rec in audits] == [(r.json()["id"], "sgt-d4")] * 2  # type: ignore[attr-defined]
    assert not any(PHONE in rec.getMessage() or PHONE in str(rec.__dict__) for rec in caplog.records)


async def test_a_note_of_a_meeting_inherits_its_place_and_an_unknown_meeting_is_422(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    meeting = {
        "venue_type": "library",
        "place": {"district": "C6", "neighborhood": "south-boston", "place_name": "South Boston branch library"},
        "starts_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "expected_attendees": 8,
    }
    async with running("intake", settings, background=False) as (_, client):
        m = await client.post("/v1/meetings", json=meeting, headers=h)
        assert m.status_code == 201, m.text
        tied = await client.post("/v1/notes", json=note(place=None, meeting_id=m.json()["id"]), headers=h)
        unknown = await client.post("/v1/notes", json=note(place=None, meeting_id=str(uuid.uuid4())), headers=h)
        placeless = await client.post("/v1/notes", json=note(place=None), headers=h)
        of_meeting = await client.get(f"/v1/notes?meeting_id={m.json()['id']}", headers=h)
    assert tied.status_code == 201, tied.text
    assert tied.json()["place"]["district"] == "C6" and tied.json()["place"]["neighborhood"] == "south-boston"
    assert tied.json()["meeting_id"] == m.json()["id"] and tied.json()["held_at"] == m.json()["starts_at"]
    assert unknown.status_code == 422 and fields(unknown) == {"body.meeting_id"}
    assert placeless.status_code == 422 and fields(placeless) == {"body.place"}
    assert [n["id"] for n in of_meeting.json()["items"]] == [tied.json()["id"]]
    assert await written(settings, host) == (1, 1, 1)


# --- bad input: a clear 4xx, nothing written --------------------------------------------------


async def test_six_concerns_is_422_naming_concerns(settings: KitSettings) -> None:
    host = someone()
    six = [{"text": f"concern {i}"} for i in range(6)]
    async with running("intake", settings, background=False) as (_, client):
        r = await client.post("/v1/notes", json=note(concerns=six), headers=as_(settings, host))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert fields(r) == {"body.concerns"}
    assert await written(settings, host) == (0, 0, 0)


async def test_every_bad_field_is_named_at_once_types_and_context_together(settings: KitSettings) -> None:
    host = someone()
    ahead = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    bad_types = note(
        sentiment=9,
        attendees=-1,
        concerns=[{"text": ""}, {"text": "ok", "point": {"lat": 95, "lon": 0}}],
        follow_ups=["x"] * 11,
        resident="Jane Roe",
        place={"district": "ZZ9"},  # well-typed but unknown: checked alongside the type errors
        held_at=ahead,  # well-typed but too far ahead
    )
    bad_context = note(
        place={"district": "D4", "neighborhood": "south-boston"}, held_at=ahead, meeting_id=str(uuid.uuid4())
    )
    async with running("intake", settings, background=False) as (_, client):
        first = await client.post("/v1/notes", json=bad_types, headers=as_(settings, host))
        second = await client.post("/v1/notes", json=bad_context, headers=as_(settings, host))
        nul = await client.post("/v1/notes", json=note(notes="a\u0000b"), headers=as_(settings, host))
        bad_place = await client.post(
            "/v1/notes", json=note(place={"district": 5, "x": 1}), headers=as_(settings, host)
        )
    assert first.status_code == 422, first.text
    assert fields(first) == {
        "body.sentiment",
        "body.attendees",
        "body.concerns.0.text",
        "body.concerns.1.point.lat",
        "body.follow_ups",
        "body.resident",
        "body.place.district",
        "body.held_at",
    }
    assert "Jane Roe" not in first.text  # problems never echo the input
    assert second.status_code == 422 and fields(second) == {
        "body.place.neighborhood",
        "body.held_at",
        "body.meeting_id",
    }
    assert nul.status_code == 422 and fields(nul) == {"body.notes"}
    assert fields(bad_place) == {"body.place.district", "body.place.x"}  # not also "no place given"
    assert await written(settings, host) == (0, 0, 0)


async def test_a_note_over_20_kb_is_413_declared_or_streamed(settings: KitSettings) -> None:
    host = someone()
    big = json.dumps(note(notes="x" * 21_000)).encode()

    async def chunks() -> Any:  # no Content-Length: the size is counted as the body arrives
        for i in range(0, len(big), 4096):
            yield big[i : i + 4096]

    h = as_(settings, host) | {"content-type": "application/json"}
    async with running("intake", settings, background=False) as (_, client):
        declared = await client.post("/v1/notes", content=big, headers=h)
        streamed = await client.post("/v1/notes", content=chunks(), headers=h)
        fits = await client.post("/v1/notes", json=note(notes="x" * 19_000), headers=h)
    for r in (declared, streamed):
        assert r.status_code == 413, r.text
        assert r.json()["type"].endswith("/payload-too-large")
    assert fits.status_code == 201, fits.text
    assert await written(settings, host) == (1, 1, 1)


async def test_a_resent_id_counts_once_and_a_reused_id_is_409(settings: KitSettings) -> None:
    host, intruder = someone(), someone()
    note_id = str(uuid.uuid4())
    body = note(id=note_id)
    async with running("intake", settings, background=False) as (_, client):
        first = await client.post("/v1/notes", json=body, headers=as_(settings, host))
        again = await client.post("/v1/notes", json=body, headers=as_(settings, host))
        changed = await client.post("/v1/notes", json=note(id=note_id, sentiment=5), headers=as_(settings, host))
        other = await client.post("/v1/notes", json=body, headers=as_(settings, intruder))
        after = await client.get(f"/v1/notes/{note_id}", headers=as_(settings, host))
    assert first.status_code == 201 and first.json()["id"] == note_id
    assert again.status_code == 200 and again.json() == first.json()
    assert changed.status_code == 409 and other.status_code == 409
    assert after.json()["sentiment"] == 2
    assert await written(settings, host) == (1, 1, 1) and await written(settings, intruder) == (0, 0, 0)


# --- corrections -----------------------------------------------------------------------------


async def test_the_author_corrects_a_note_with_its_etag_and_history_is_kept(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    async with running("intake", settings, background=False) as (_, client):
        posted = await client.post("/v1/notes", json=note(notes=f"call {PHONE}"), headers=h)
        url = f"/v1/notes/{posted.json()['id']}"
        fixed = note(sentiment=4, notes="corrected: lights fixed", place={"district": "C6"})
        no_etag = await client.put(url, json=fixed, headers=h)
        not_author = await client.put(url, json=fixed, headers=as_(settings, someone()) | {"If-Match": '"1"'})
        sup = await client.put(url, json=fixed, headers=as_(settings, someone(), "supervisor") | {"If-Match": '"1"'})
        revised = await client.put(url, json=fixed, headers=h | {"If-Match": '"1"'})
        stale = await client.put(url, json=note(sentiment=1), headers=h | {"If-Match": '"1"'})
        bad = await client.put(url, json=note(place={"district": "ZZ9"}), headers=h | {"If-Match": '"2"'})
        current = await client.get(url, headers=h)
        history = await client.get(url + "/revisions", headers=h)
    assert no_etag.status_code == 428 and not_author.status_code == 404 and sup.status_code == 403
    assert revised.status_code == 200, revised.text
    assert revised.headers["etag"] == '"2"' and revised.json()["revision"] == 2
    assert revised.json()["revised_at"] is not None and revised.json()["submitted_at"] == posted.json()["submitted_at"]
    assert stale.status_code == 412 and bad.status_code == 422 and fields(bad) == {"body.place.district"}
    assert current.json()["sentiment"] == 4 and current.json()["place"]["district"] == "C6"
    items = history.json()["items"]
    assert [(i["revision"], i["sentiment"], i["notes"]) for i in items] == [
        (1, 2, "call [PHONE]"),
        (2, 4, "corrected: lights fixed"),
    ]
    assert await written(settings, host) == (1, 2, 2)
    (_, submitted), (kind, event) = await events_of(settings, host)
    assert submitted["revision"] == 1 and kind == "org.porchlight.note.revised.v2"
    assert event["revision"] == 2 and event["district"] == "C6" and event["text"] == "corrected: lights fixed"
    assert event["submitted_at"] is not None and event["revised_at"] is not None


# --- lists and exports -----------------------------------------------------------------------


async def test_lists_filter_and_page_with_a_cursor(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    base = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    async with running("intake", settings, background=False) as (_, client):
        made = []
        for i in range(7):
            place = {"district": "D4", "neighborhood": "south-end" if i % 2 else "back-bay"}
            body = note(place=place, held_at=(base + timedelta(days=i)).isoformat(), concerns=[{"text": f"n{i}"}])
            r = await client.post("/v1/notes", json=body, headers=h)
            assert r.status_code == 201, r.text
            made.append(r.json()["id"])
        seen, url, pages = [], f"/v1/notes?host={host}&limit=3", 0
        while url:
            page = await client.get(url, headers=h)
            assert page.status_code == 200, page.text
            seen += [n["id"] for n in page.json()["items"]]
            pages += 1
            token = page.json()["next_cursor"]
            assert ("link" in page.headers) == (token is not None)
            url = page.headers["link"].split(";")[0].strip("<>").replace("http://intake", "") if token else ""
        south_end = await client.get(f"/v1/notes?host={host}&neighborhood=south-end", headers=h)
        window = await client.get(f"/v1/notes?host={host}&from=2026-03-03&to=2026-03-05", headers=h)
        elsewhere = await client.get(f"/v1/notes?host={host}&district=C6", headers=h)
        others = await client.get(f"/v1/notes?host={someone()}", headers=h)
        sup_other = await client.get("/v1/notes?district=D4", headers=as_(settings, "sgt", "supervisor", district="A7"))
        sup_own = await client.get(f"/v1/notes?host={host}", headers=as_(settings, "sgt", "supervisor", district="D4"))
        bad = await client.get("/v1/notes?cursor=nope&from=yesterday&limit=501", headers=h)
    assert pages == 3 and seen == made[::-1]  # newest first, no duplicates, no gaps
    assert len(south_end.json()["items"]) == 3
    assert sorted(n["concerns"][0]["text"] for n in window.json()["items"]) == ["n1", "n2", "n3"]
    assert elsewhere.json()["items"] == [] and others.status_code == 403 and sup_other.status_code == 403
    assert len(sup_own.json()["items"]) == 7
    assert bad.status_code == 422 and fields(bad) >= {"query.limit"}


async def test_csv_export_is_redacted_one_row_per_note(settings: KitSettings) -> None:
    host = someone()
    h = as_(settings, host)
    concerns = [{"text": '=HYPERLINK("x")', "location": "the park"}, {"text": f"call {PHONE}", "topic": "noise"}]
    async with running("intake", settings, background=False) as (_, client):
        for n in range(3):
            r = await client.post("/v1/notes", json=note(concerns=concerns, notes=f"#{n} {EMAIL}"), headers=h)
            assert r.status_code == 201
        export = await client.get(f"/v1/notes/export.csv?host={host}", headers=as_(settings, "analyst-1", "analyst"))
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 3 and {r["host_id"] for r in rows} == {host}
    assert rows[0]["concerns"] == '\'=HYPERLINK("x") | call [PHONE]'  # joined; a formula defused
    assert rows[0]["concern_topics"] == " | noise" and rows[0]["concern_locations"] == "the park | "
    assert rows[0]["notes"] == "#2 [EMAIL]" and rows[0]["sentiment"] == "2"
    assert not any(p in export.text for p in PII)


# --- privacy: the tricky corpus never leaves raw ----------------------------------------------

CORPUS: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "redaction_corpus.yaml").read_text("utf-8"))
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


def personal_data(case: dict[str, Any]) -> list[str]:
    """The values the corpus says are personal (what its expected text puts placeholders over).

    A short value ("12", "Jane") is taken with the words around it ("at 12 Elm St"), so it is
    searched as the raw passage it was, not as digits that any timestamp holds.
    """
    text = case["input"]
    literal = _PLACEHOLDER.split(case.get("expected", text))
    found = re.fullmatch("(.+?)".join(re.escape(part) for part in literal), text, re.DOTALL)
    assert found, f"corpus case does not line up with its expected text: {text!r}"
    originals = set(_PLACEHOLDER.findall(text))  # already-masked tokens are not data
    out = []
    for i, value in enumerate(found.groups(), start=1):
        if not value.strip() or value in originals:
            continue
        start, end = found.span(i)
        out.append(value if len(value) >= 8 else text[max(0, start - 8) : end + 8])
    return out


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """Intake's own logging set-up (JSON, DEBUG), its stream redirected to a buffer."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    touched = ("aiokafka", "uvicorn.access")
    levels = {name: logging.getLogger(name).level for name in touched}
    configure_logging("json", "DEBUG")
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    buf = io.StringIO()
    handler.setStream(buf)
    try:
        yield buf
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def test_no_personal_data_of_the_corpus_reaches_an_event_a_log_line_or_an_export(
    settings: KitSettings, json_logs: io.StringIO
) -> None:
    cases = [c for c in CORPUS if personal_data(c)]
    secrets = sorted({v for c in cases for v in personal_data(c)}, key=len, reverse=True)
    assert len(cases) >= 40 and secrets
    texts = [c["input"] for c in cases]
    host = someone()
    h = as_(settings, host)
    sup = as_(settings, someone("supervisor"), "supervisor")
    async with running("intake", settings, background=False) as (_, client):
        ids = []
        for i in range(0, len(texts), 16):  # five concerns, ten follow-ups and the notes per note
            chunk = texts[i : i + 16]
            concerns = [{"text": t, "location": t} for t in chunk[:5]]
            body = note(concerns=concerns, follow_ups=chunk[5:15], notes=" ".join(chunk[15:]) or chunk[0])
            r = await client.post("/v1/notes", json=body, headers=h)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
            rejected = await client.post("/v1/notes", json=body | {"sentiment": 0}, headers=h)
            assert rejected.status_code == 422
        fixed = note(notes=" ".join(texts[:3]), follow_ups=texts[3:6])
        revised = await client.put(f"/v1/notes/{ids[0]}", json=fixed, headers=h | {"If-Match": '"1"'})
        assert revised.status_code == 200, revised.text
        raw = await client.get(f"/v1/notes/{ids[0]}?raw=true", headers=sup)  # read raw: audited, not logged
        assert raw.json()["notes"] == fixed["notes"]
        answers = [rejected.text, revised.text]
        answers.append((await client.get(f"/v1/notes?host={host}", headers=h)).text)
        answers.append((await client.get(f"/v1/notes/export.csv?host={host}", headers=h)).text)
        answers.append((await client.get(f"/v1/notes/{ids[0]}/revisions", headers=h)).text)
        logging.getLogger("porchlight.tests.notes").info("cycle done for %s", host)

    events = [json.dumps(e) for _, e in await events_of(settings, host)]
    assert len(events) == len(ids) + 1
    logs = json_logs.getvalue()
    assert f"cycle done for {host}" in logs  # the capture was live for the whole cycle
    for where, text in (("event", "\n".join(events)), ("log", logs), ("answer", "\n".join(answers))):
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"personal data in an {where}: {leaked[:5]}"
