"""Probes, Prometheus metrics and JSON logs of a running service — and what logs must never hold.

Services run with their lifespan against the session's PostgreSQL and broker. The Prometheus
registry is process-wide, so counters are compared before and after rather than read absolutely.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import Depends
from prometheus_client.parser import text_string_to_metric_families
from support import bearer, district_of_its_own, eventually, running

from porchlight.events import NoteSubmittedV2
from porchlight.kit.app import Session, create_app
from porchlight.kit.auth import Public
from porchlight.kit.embedded import EmbeddedBroker
from porchlight.kit.logs import configure_logging
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

Labels = dict[str, str]


async def scrape(client: httpx.AsyncClient) -> tuple[str, list[tuple[str, Labels, float]]]:
    r = await client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    samples = [
        (s.name, dict(s.labels), s.value) for family in text_string_to_metric_families(r.text) for s in family.samples
    ]
    return r.text, samples


def value(samples: list[tuple[str, Labels, float]], name: str, **labels: str) -> float | None:
    found = [v for n, lab, v in samples if n == name and labels.items() <= lab.items()]
    return sum(found) if found else None


async def dashboard_count(client: httpx.AsyncClient, headers: dict[str, str], district: str) -> int:
    r = await client.get("/v1/activity", headers=headers)
    assert r.status_code == 200, r.text
    return next((d["notes"] for d in r.json()["districts"] if d["district"] == district), 0)


# --- probes ------------------------------------------------------------------------------------


async def test_health_and_readiness(settings: KitSettings) -> None:
    async with running("intake", settings) as (_, client):
        r = await client.get("/healthz")
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "ok", "service": "intake"}
        r = await client.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json() == {"ready": True, "checks": {"database": "ok", "broker": "ok"}}


async def test_readiness_fails_when_the_broker_goes_away(settings: KitSettings, tmp_path: Path) -> None:
    """A private broker (never the session's) dies under a running service."""
    broker = EmbeddedBroker(log_path=tmp_path / "broker.log")
    bootstrap = await asyncio.to_thread(broker.start)
    try:
        own = settings.model_copy(update={"kafka_bootstrap": bootstrap})
        async with running("intake", own, background=False) as (_, client):
            assert (await client.get("/readyz")).status_code == 200
            # The broker dies (a graceful stop would wait for our open connections to drain).
            assert broker._proc is not None
            broker._proc.kill()
            await asyncio.to_thread(broker._proc.wait, 5)
            started = time.monotonic()
            r = await client.get("/readyz")
            assert r.status_code == 503, r.text
            assert r.json() == {"ready": False, "checks": {"database": "ok", "broker": "unreachable"}}
            assert time.monotonic() - started < 5  # a probe answers within Kubernetes' timeout
            assert (await client.get("/healthz")).status_code == 200  # alive: no restart for this
    finally:
        await asyncio.to_thread(broker.stop)


# --- metrics -----------------------------------------------------------------------------------


async def test_requests_are_counted_by_route_template(settings: KitSettings) -> None:
    async with running("intake", settings, background=False) as (_, client):
        liaison = bearer(settings, "liaison")
        note = {"place": {"district": "A1"}, "sentiment": 4, "attendees": 5}
        r = await client.post("/v1/notes", json=note, headers=liaison)
        assert r.status_code == 201, r.text
        note_id = r.json()["id"]

        _, before = await scrape(client)
        by_id = dict(service="intake", method="GET", route="/v1/notes/{note_id}", status="200")
        base = value(before, "porchlight_http_requests_total", **by_id) or 0.0

        r = await client.get(f"/v1/notes/{note_id}", headers=liaison)
        assert r.status_code == 200, r.text
        assert r.headers["x-request-id"]

        text, after = await scrape(client)
        assert value(after, "porchlight_http_requests_total", **by_id) == base + 1
        assert value(
            after,
            "porchlight_http_request_duration_seconds_count",
            service="intake",
            method="GET",
            route="/v1/notes/{note_id}",
        )
        posted = dict(service="intake", method="POST", route="/v1/notes", status="201")
        assert (value(after, "porchlight_http_requests_total", **posted) or 0) >= 1
        assert note_id not in text  # ids never become label values
        routes = {lab["route"] for n, lab, _ in after if n == "porchlight_http_requests_total"}
        assert not any(re.search(r"/[0-9a-f]{8}-[0-9a-f]{4}-", r) for r in routes), routes  # templates only


async def test_counters_are_exported_from_zero_so_the_first_dead_letter_shows(settings: KitSettings) -> None:
    # A counter series that appears at 1 hides its first increase from increase()/rate(): the
    # dead-letter alert missed the first dead letter (issue 16). Every label set a consumer group
    # and a relay will use is there from the start.
    from porchlight.kit.service import get_service

    spec = get_service("layers")
    async with running("layers", settings) as (_, client):
        _, samples = await scrape(client)
    for consumer in spec.consumers:
        for topic in consumer.topics:
            labels = dict(service="layers", group=consumer.group, topic=topic)
            assert value(samples, "porchlight_events_dead_lettered_total", **labels) is not None, labels
        assert value(samples, "porchlight_events_failed_total", service="layers", group=consumer.group) is not None
    for name in ("porchlight_outbox_published_total", "porchlight_outbox_errors_total"):
        assert value(samples, name, service="layers") is not None, name


async def test_outbox_and_consumer_metrics(settings: KitSettings) -> None:
    sup = bearer(settings, "supervisor")
    async with (
        district_of_its_own(settings, "OBS") as district,
        running("intake", settings) as (_, intake),
        running("dashboard", settings) as (_, dash),
    ):
        consumed = dict(service="dashboard", group="porchlight.dashboard", type=NoteSubmittedV2.TYPE)
        _, before = await scrape(dash)
        base = value(before, "porchlight_events_consumed_total", **consumed) or 0.0

        note = {"place": {"district": district}, "sentiment": 4, "attendees": 5}
        r = await intake.post("/v1/notes", json=note, headers=bearer(settings, "liaison"))
        assert r.status_code == 201, r.text

        async def counted() -> bool:
            return await dashboard_count(dash, sup, district) == 1

        await eventually(counted)
        _, after = await scrape(dash)
        assert (value(after, "porchlight_events_consumed_total", **consumed) or 0) >= base + 1

        _, intake_samples = await scrape(intake)
        backlog = value(intake_samples, "porchlight_outbox_backlog", service="intake")
        assert backlog is not None and backlog >= 0
        assert (value(intake_samples, "porchlight_outbox_published_total", service="intake") or 0) >= 1


# --- logs --------------------------------------------------------------------------------------


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The services' own logging set-up (JSON, DEBUG), its stream redirected to a buffer."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    touched = ("aiokafka", "uvicorn.access", "sqlalchemy", "sqlalchemy.engine", "asyncio")
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


def lines(buf: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]


async def test_log_lines_carry_the_request_id(settings: KitSettings, json_logs: io.StringIO) -> None:
    app = create_app(get_service("intake"), settings)
    log = logging.getLogger("porchlight.tests.observability")

    @app.get("/_test/log", dependencies=[Depends(Public("test route"))])
    async def log_something() -> dict[str, str]:
        log.info("handling the test route")
        return {}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        given = await client.get("/_test/log", headers={"X-Request-ID": "req-from-the-gateway"})
        generated = await client.get("/_test/log")
    log.info("outside any request")

    assert given.headers["x-request-id"] == "req-from-the-gateway"
    records = [r for r in lines(json_logs) if r.get("logger") == log.name]
    assert [r["request_id"] for r in records] == [
        "req-from-the-gateway",
        generated.headers["x-request-id"],
        None,
    ]
    for r in records:
        assert {"time", "level", "logger", "message", "request_id", "event_id", "event_type"} <= r.keys()


PII = ("Jane Roe", "555-123-4567", "jane@example.org")
TEXT = "My name is Jane Roe, call 555-123-4567, jane@example.org - the alley light is out again"


async def test_residents_words_never_reach_the_logs(settings: KitSettings, json_logs: io.StringIO) -> None:
    """Rejected input, accepted input, its event's consumption, and two server errors on that text."""
    liaison, sup = bearer(settings, "liaison"), bearer(settings, "supervisor")
    async with (
        district_of_its_own(settings, "PII") as district,
        running("intake", settings) as (app, intake),
        running("dashboard", settings) as (_, dash),
    ):
        note = {"place": {"district": district}, "sentiment": 3, "attendees": 5, "notes": TEXT}

        @app.post("/_test/crash", dependencies=[Depends(Public("test route"))])
        async def crash(session: Session) -> None:
            # PostgreSQL quotes the value it cannot cast in its error message.
            await session.execute(sa.text("SELECT CAST(CAST(:v AS text) AS integer)"), {"v": TEXT})

        rejected = await intake.post(
            "/v1/notes",
            json=note | {"sentiment": 9, "resident": "Jane Roe"},
            headers=liaison,
        )
        assert rejected.status_code == 422, rejected.text
        assert not any(p in rejected.text for p in PII)  # problems never echo the input

        accepted = await intake.post("/v1/notes", json=note | {"concerns": [{"text": "lights"}]}, headers=liaison)
        assert accepted.status_code == 201, accepted.text
        read = await intake.get(f"/v1/notes/{accepted.json()['id']}", headers=liaison)
        assert read.status_code == 200

        # Server errors log a traceback: neither statement parameters nor database messages may
        # carry the text into it. (A NUL in text is refused by PostgreSQL; 422 once intake checks it.)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as raw:
            nul = await raw.post("/v1/notes", json=note | {"notes": TEXT + "\u0000"}, headers=liaison)
            assert nul.status_code in (422, 500), nul.text
            crashed = await raw.post("/_test/crash", headers={"X-Request-ID": "req-crash"})
            assert crashed.status_code == 500, crashed.text
            assert crashed.headers["x-request-id"] == "req-crash"

        async def counted() -> bool:
            return await dashboard_count(dash, sup, district) == 1

        await eventually(counted)
        logging.getLogger("porchlight.tests.observability").debug("cycle done for %s", district)

    captured = json_logs.getvalue()
    records = lines(json_logs)
    # The capture was live for the whole cycle (else "nothing leaked" would prove nothing) ...
    assert any(r.get("message") == f"cycle done for {district}" for r in records), captured[-2000:]
    # ... and holds the server error, with its request id and a stack that says where it failed.
    (error,) = [r for r in records if r.get("request_id") == "req-crash"]
    assert error["level"] == "ERROR" and error["message"] == "unhandled error on /_test/crash: DBAPIError"
    stack = str(error["stack"])
    assert (
        "in crash" in stack
        and "asyncpg.exceptions.InvalidTextRepresentationError" in stack
        and "sqlalchemy.exc.DBAPIError" in stack
    )
    leaks = [line for line in captured.splitlines() if any(p in line for p in PII)]
    assert not leaks, "\n".join(leaks[:5])
