"""Test helpers: running services against the real embedded servers, tokens, waiting."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI

from porchlight.kit.app import create_app
from porchlight.kit.auth import mint_token
from porchlight.kit.db import create_engine
from porchlight.kit.service import ServiceSpec, discover_services, get_service
from porchlight.kit.settings import KitSettings


def all_topics() -> list[str]:
    """Every topic the installed services use, dead-letter topics included."""
    return sorted({t for spec in discover_services().values() for t in spec.topics})


def bearer(settings: KitSettings, *roles: str, subject: str = "tester", district: str | None = None) -> dict[str, str]:
    token = mint_token(settings, subject=subject, roles=list(roles), district=district)
    return {"Authorization": f"Bearer {token}"}


async def publish_pending_outboxes(settings: KitSettings) -> int:
    """Publish every service's outbox rows still waiting to ``settings``' broker; how many.

    Tests that ran a service without its background work (no relay) leave their events in the
    outbox; a stack started later on a broker of its own would publish them all there first, and
    its consumers apply them first (synthesis reading thousands of notes with the model)."""
    from porchlight.events import EventProducer, OutboxRelay

    engine = create_engine(settings.require_database_url(), pool_size=1)
    producer = EventProducer(settings.require_kafka_bootstrap(), idempotent=False)
    await producer.start()
    sent = 0
    try:
        for spec in discover_services().values():
            relay = OutboxRelay(engine, spec.outbox, producer, service=spec.name, schema=spec.schema)
            while published := await relay.publish_pending():
                sent += published
    finally:
        await producer.stop()
        await engine.dispose()
    return sent


async def record_archive_broker(settings: KitSettings) -> None:
    """Record ``settings``' broker as the one that holds every service's outbox archive.

    A relay republishes its whole archive to a broker it has not recorded (docs/adr/0015): a
    test's broker of its own is recorded for the test (and the session's put back after), or it
    would first receive every event the earlier tests published."""
    from porchlight.events.brokerid import BrokerIdentity

    cluster_id = await BrokerIdentity(settings.require_kafka_bootstrap()).cluster_id(fresh=True)
    assert cluster_id is not None
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            for spec in discover_services().values():
                table = spec.outbox.broker
                await conn.execute(sa.delete(table))
                await conn.execute(sa.insert(table).values(id=1, cluster_id=cluster_id))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def running(
    service: str | ServiceSpec, settings: KitSettings, *, background: bool = True
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A service with its lifespan (engine, producer, relay, consumers) and an HTTP client."""
    spec = get_service(service) if isinstance(service, str) else service
    app = create_app(spec, settings, run_background=background)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{spec.name}") as client:
            yield app, client


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 20.0, every_s: float = 0.1) -> None:
    """Wait until ``check()`` is true; fail the test with a clear message otherwise."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(every_s)
    assert await check(), f"condition not met within {timeout_s}s"


async def scalar(settings: KitSettings, sql: str, **params: object) -> object:
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(sa.text(sql), params)).scalar()
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def district_of_its_own(
    settings: KitSettings, prefix: str = "T", *, neighborhood: bool = False
) -> AsyncIterator[str]:
    """A district only this test files notes in, so counts per district start at zero.

    Intake refuses districts the city does not have: the district (a small square far from the
    demo city) is added to the demo city for the test, and the demo city alone put back after.
    With ``neighborhood``, the square is also a neighborhood of it: ``neighborhood_of(code)``.
    """
    code = f"{prefix}-{uuid.uuid4().hex[:8]}"
    async with districts_of_their_own(settings, [code], neighborhoods=neighborhood):
        yield code


def neighborhood_of(district: str) -> str:
    """The code of the neighborhood ``district_of_its_own(..., neighborhood=True)`` gave it."""
    return f"{district.lower()}-commons"


@contextlib.asynccontextmanager
async def districts_of_their_own(
    settings: KitSettings, codes: list[str], *, neighborhoods: bool = False
) -> AsyncIterator[None]:
    """``codes`` added to the demo city as small squares side by side in the Southern Ocean (no
    demo city there), the demo city alone put back after."""
    from porchlight.intake.places.service import demo_city, load_geojson  # only intake's tests need it
    from porchlight.kit.db import session_factory

    city = demo_city()
    lon, lat = random.uniform(-170, 160), random.uniform(-80, -60)
    for i, code in enumerate(codes):
        x = lon + i * 0.02
        ring = [[x, lat], [x + 0.01, lat], [x + 0.01, lat + 0.01], [x, lat + 0.01], [x, lat]]
        city["features"].append(
            {
                "type": "Feature",
                "properties": {"kind": "district", "code": code, "name": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
        if neighborhoods:
            props = {"kind": "neighborhood", "code": neighborhood_of(code), "name": f"{code} Commons", "district": code}
            city["features"].append(
                {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}
            )

    async def load(places: dict[str, object]) -> None:
        engine = create_engine(settings.require_database_url(), pool_size=1)
        try:
            async with session_factory(engine)() as session, session.begin():
                await load_geojson(session, places)
        finally:
            await engine.dispose()

    await load(city)
    try:
        yield
    finally:
        await load(demo_city())


@contextlib.asynccontextmanager
async def database_of_its_own(settings: KitSettings, prefix: str) -> AsyncIterator[tuple[Any, Any]]:
    """A fresh database on the tests' PostgreSQL, dropped after: for a test whose subject is what a
    service finds in its whole database (pending notes, the count of concerns). Yields its URL and
    an engine on it."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.require_database_url())
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        engine = create_engine(url.render_as_string(hide_password=False), pool_size=1)
        try:
            async with engine.connect() as conn:
                await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(sa.text(sql))
        finally:
            await engine.dispose()

    await admin(f'CREATE DATABASE "{name}"')
    own = url.set(database=name)
    engine = create_engine(own.render_as_string(hide_password=False), pool_size=3)
    try:
        yield own, engine
    finally:
        await engine.dispose()
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def import_incidents(
    settings: KitSettings, places_file: Any, files: dict[str, Any], *, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST an incident file to layers (its owner since issue 13), with the test's own city, and
    let its relay publish the ``record.accepted`` events the dashboard counts."""
    from porchlight.layers.records.startup import places_of  # only tests that import incidents need it
    from porchlight.layers.settings import LayersSettings

    async with running("layers", settings) as (app, client):
        app.state.runtime.provide(places_of(LayersSettings(places_file=places_file)))
        r = await client.post("/v1/incidents/imports", files=files, headers=headers or bearer(settings, "analyst"))
        await app.state.runtime.relay.drain()
        return r


async def unsealed(settings: KitSettings, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """An event's data with its sealed words opened by the keyring (docs/adr/0014), as a consumer's
    runner opens them; blank for a note whose key is shredded."""
    from porchlight.events import event_class
    from porchlight.events.keyring import keys_of
    from porchlight.events.sealing import notes_to_open, open_sealed

    cls = event_class(event_type)
    assert cls is not None, event_type
    event = cls.model_validate(data)
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            keys = await keys_of(conn, notes_to_open(event))
    finally:
        await engine.dispose()
    return open_sealed(event, keys).model_dump(mode="json")


async def broker_records(bootstrap: str, topics: list[str]) -> list[Any]:
    """Every record on ``topics`` (aiokafka ConsumerRecords), from the earliest offset to the end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # the metadata of every topic, so that each has its partitions
        parts = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or set())]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        end = await consumer.end_offsets(parts)
        records: list[Any] = []
        deadline = asyncio.get_running_loop().time() + 20
        while [tp for tp in parts if await consumer.position(tp) < end[tp]]:
            assert asyncio.get_running_loop().time() < deadline, "the broker did not hand over its records"
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records += batch
        return records
    finally:
        await consumer.stop()


async def published(settings: KitSettings, topic: str, event_type: str, key: str) -> dict[str, Any]:
    """The first event of ``event_type`` keyed ``key`` on ``topic`` (what the relay published)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=settings.kafka_bootstrap, group_id=None,
                                auto_offset_reset="earliest")  # fmt: skip
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for r in records:
                    headers = dict(r.headers or ())
                    if r.key == key.encode() and headers.get("ce_type") == event_type.encode():
                        return dict(json.loads(r.value))
    finally:
        await consumer.stop()
    raise AssertionError(f"no {event_type} for {key} on {topic}")
