"""Traces across events (issue 16): one trace from intake's POST through synthesis' analysis to the
dashboard's projection.

A caller's W3C ``traceparent`` reaches intake's request span; the request's outbox row carries it
as the CloudEvents distributed-tracing extension (``ce_traceparent`` on the Kafka record); the
relays' sends and the consumers' spans continue it; synthesis stores it with the pending note and
its analysis (a batch, later, in another loop) continues it, so that the dashboard's projection
of ``note.analyzed`` is in the same trace. Real PostgreSQL and broker; each service traces with a
provider of its own into one in-memory exporter.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pythonjsonlogger.json import JsonFormatter
from support import bearer, district_of_its_own, eventually, scalar

from porchlight.events import NoteSubmitted, Topics, new_envelope
from porchlight.events.tracing import context_from, trace_extensions
from porchlight.kit.app import create_app
from porchlight.kit.logs import ContextFilter
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings
from porchlight.kit.tracing import new_provider, traces_url, tracing_for
from porchlight.synthesis.learning.service import ModelHolder


@contextlib.asynccontextmanager
async def traced(
    service: str, settings: KitSettings, provider: TracerProvider
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """``support.running``, with the service tracing into ``provider``."""
    spec = get_service(service)
    app = create_app(spec, settings, tracer_provider=provider)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=f"http://{service}") as client,
    ):
        yield app, client


def _service(span: ReadableSpan) -> str:
    return str(span.resource.attributes["service.name"])


def _event_type(span: ReadableSpan) -> str:
    return str((span.attributes or {}).get("cloudevents.event_type", ""))


@pytest.mark.integration
async def test_one_trace_from_intake_through_synthesis_to_the_dashboard(settings: KitSettings) -> None:
    exporter = InMemorySpanExporter()
    providers = {
        name: new_provider(name, SimpleSpanProcessor(exporter)) for name in ("intake", "synthesis", "dashboard")
    }
    trace_id, caller_span = secrets.randbits(128) or 1, secrets.randbits(64) or 1
    caller = {"traceparent": f"00-{trace_id:032x}-{caller_span:016x}-01"}

    async with (
        district_of_its_own(settings, "TR") as district,
        traced("intake", settings, providers["intake"]) as (_, intake),
        traced("synthesis", settings, providers["synthesis"]) as (synth_app, _),
        traced("dashboard", settings, providers["dashboard"]) as (_, _dash),
    ):
        runtime = synth_app.state.runtime
        async with runtime.sessions() as session, session.begin():  # the model, before the note
            await runtime.resource(ModelHolder).current(session)
        r = await intake.post(
            "/v1/notes",
            json={
                "place": {"district": district},
                "concerns": [{"text": "the streetlights on the corner are out"}],
                "sentiment": 2,
                "attendees": 4,
            },
            headers={**bearer(settings, "liaison"), **caller},
        )
        assert r.status_code == 201, r.text
        note_id = r.json()["id"]

        def ours() -> list[ReadableSpan]:
            return [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]

        async def projected() -> bool:
            analysed = await scalar(
                settings, "SELECT model_version FROM dashboard.note_analyses WHERE note_id = :id", id=note_id
            )
            return analysed is not None and any(
                _service(s) == "porchlight-dashboard" and _event_type(s).startswith("org.porchlight.note.analyzed")
                for s in ours()
            )

        # The first synthesis of a test session may read other tests' notes first.
        await eventually(projected, timeout_s=90)

    # The record on the broker carries the trace as the CloudEvents extension (binary mode header).
    headers = await _record_headers(settings, Topics.NOTES, "org.porchlight.note.submitted", note_id)
    assert headers["ce_traceparent"].split("-")[1] == f"{trace_id:032x}"

    spans = ours()
    by_id = {s.context.span_id: s for s in spans}

    def parent(span: ReadableSpan) -> ReadableSpan | None:
        return by_id.get(span.parent.span_id) if span.parent is not None else None

    def one(service: str, kind: SpanKind, name_start: str = "", event: str = "") -> ReadableSpan:
        found = [
            s
            for s in spans
            if _service(s) == f"porchlight-{service}"
            and s.kind == kind
            and s.name.startswith(name_start)
            and _event_type(s).startswith(event)
        ]
        assert len(found) == 1, (service, kind, name_start, event, [(s.name, _service(s)) for s in spans])
        return found[0]

    # intake: the request continues the caller's trace; its statements are its children.
    request = one("intake", SpanKind.SERVER)
    assert request.parent is not None and request.parent.span_id == caller_span and request.parent.is_remote
    assert request.attributes is not None and request.attributes.get("http.route") == "/v1/notes"
    inserts = [s for s in spans if _service(s) == "porchlight-intake" and s.kind == SpanKind.CLIENT]
    assert inserts and all(parent(s) is request for s in inserts)
    # The relay's send is a child of the request (the row kept its context), not a new trace.
    assert parent(one("intake", SpanKind.PRODUCER, "send ", "org.porchlight.note.submitted")) is request

    # The consumers of note.submitted: children of the request, in both services.
    submitted = "org.porchlight.note.submitted"
    stored = one("synthesis", SpanKind.CONSUMER, "process ", submitted)
    counted = one("dashboard", SpanKind.CONSUMER, "process ", submitted)
    assert parent(stored) is request and parent(counted) is request
    assert (
        stored.attributes is not None and stored.attributes["messaging.consumer.group.name"] == "porchlight.synthesis"
    )

    # Synthesis' analysis, later and in its own loop, continues the note's trace; its statements
    # are its children when the model's batch is this note alone, else the children of the
    # batch's span, which links to this one (in a session of tests other notes may wait too);
    # its note.analyzed goes out in it.
    analysis = one("synthesis", SpanKind.INTERNAL, "analyze note")
    assert parent(analysis) is request
    assert analysis.attributes is not None and analysis.attributes["porchlight.note_id"] == note_id
    everything = exporter.get_finished_spans()
    batches = {
        s.context.span_id
        for s in everything
        if any(link.context.span_id == analysis.context.span_id for link in s.links)
    }
    assert any(parent(s) is analysis for s in spans if s.kind == SpanKind.CLIENT) or any(
        s.parent is not None and s.parent.span_id in batches for s in everything if s.kind == SpanKind.CLIENT
    )
    assert parent(one("synthesis", SpanKind.PRODUCER, "send ", "org.porchlight.note.analyzed")) is analysis

    # The dashboard's projection of note.analyzed: a child of the analysis, its statements its own.
    projection = one("dashboard", SpanKind.CONSUMER, "process ", "org.porchlight.note.analyzed")
    assert parent(projection) is analysis
    assert any(parent(s) is projection for s in spans if s.kind == SpanKind.CLIENT)
    assert projection.start_time is not None and analysis.start_time is not None and request.start_time is not None
    assert request.start_time < analysis.start_time < projection.start_time

    # No statement of the trace leaks a value: the note's words are in no span attribute.
    assert not any("streetlights" in json.dumps(dict(s.attributes or {}), default=str) for s in spans)


def test_tracing_is_off_unless_configured(settings: KitSettings) -> None:
    """No endpoint and no SDK provider installed: no provider, so nothing of tracing runs; an
    event made outside any span carries no trace."""
    off = settings.model_copy(update={"otlp_endpoint": None})
    assert tracing_for("intake", off) is None
    env = new_envelope(_note(), source="/porchlight/test")
    assert "traceparent" not in env.extensions
    configured = tracing_for("intake", off.model_copy(update={"otlp_endpoint": "http://collector:4318"}))
    assert configured is not None and configured.owned
    configured.shutdown()
    assert traces_url("http://collector:4318") == "http://collector:4318/v1/traces"
    assert traces_url("http://collector:4318/v1/traces") == "http://collector:4318/v1/traces"


def test_an_event_made_in_a_span_carries_it_and_log_lines_name_it() -> None:
    provider = new_provider("test", SimpleSpanProcessor(InMemorySpanExporter()))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter("%(message)s %(trace_id)s %(span_id)s"))
    log = logging.getLogger("porchlight.test.tracing")
    log.addHandler(handler)
    try:
        with provider.get_tracer("test").start_as_current_span("work") as span:
            env = new_envelope(_note(), source="/porchlight/test")
            log.warning("inside")
        log.warning("outside")
    finally:
        log.removeHandler(handler)
    ctx = span.get_span_context()
    assert env.extensions["traceparent"] == f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{ctx.trace_flags:02x}"
    assert env.extensions == {**env.extensions, **trace_extensions(context_from(env.extensions))}
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (inside["trace_id"], inside["span_id"]) == (f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}")
    assert outside["trace_id"] is None


async def _record_headers(settings: KitSettings, topic: str, family: str, note_id: str) -> dict[str, str]:
    """The headers of the record of ``family`` about ``note_id`` on ``topic``, as the relay published it."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=settings.kafka_bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    headers = {k: v.decode() for k, v in r.headers or ()}
                    # By the subject header: other tests' poison records (not JSON) share the topic.
                    if headers.get("ce_type", "").startswith(family) and headers.get("ce_subject") == note_id:
                        return headers
    finally:
        await consumer.stop()
    raise AssertionError(f"no {family} record for note {note_id} on {topic}")


def _note() -> NoteSubmitted:
    fields: dict[str, Any] = {
        "note_id": uuid.uuid4(),
        "district": "D-1",
        "host_id": "host-1",
        "submitted_at": "2026-12-06T00:00:00Z",
        "concerns": [],
        "text": "",
    }
    return NoteSubmitted.model_validate(fields)
