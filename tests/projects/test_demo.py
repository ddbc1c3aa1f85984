"""The demo seed (``porchlight demo load`` calls it) fills a board — and its events reach Kafka."""

from __future__ import annotations

import json
import uuid

from aiokafka import AIOKafkaConsumer
from projects.helpers import priority_body
from support import bearer, eventually, running

from porchlight.events import Topics
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.settings import KitSettings
from porchlight.projects.work.commands import DEMO_PROJECTS, seed_demo


async def test_seed_demo_fills_the_board_and_is_idempotent(settings: KitSettings) -> None:
    districts = [f"DEMO-{uuid.uuid4().hex[:6]}", f"DEMO-{uuid.uuid4().hex[:6]}"]
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            created = await seed_demo(session, districts)
        async with session_factory(engine)() as session, session.begin():
            assert await seed_demo(session, districts) == []
    finally:
        await engine.dispose()
    assert len(created) == 2
    async with running("projects", settings, background=False) as (_, client):
        board = (await client.get(f"/v1/board?district={districts[0]}", headers=bearer(settings, "analyst"))).json()
        counts = {col["status"]: col["count"] for col in board["columns"]}
        assert sum(counts.values()) == len(DEMO_PROJECTS)
        assert counts["in_progress"] == 2 and counts["blocked"] == 1 and counts["planned"] == 1
        evaluation = (
            await client.get(f"/v1/priorities/{created[0]}/evaluation", headers=bearer(settings, "analyst"))
        ).json()
        assert evaluation["remedy_mix"].get("enforcement", 0) == 0


async def test_projects_events_reach_the_broker(settings: KitSettings) -> None:
    district = f"K-{uuid.uuid4().hex[:8]}"
    async with running("projects", settings, background=True) as (_, client):
        r = await client.post("/v1/priorities", json=priority_body(district), headers=bearer(settings, "supervisor"))
        priority_id = r.json()["id"]
        consumer = AIOKafkaConsumer(
            Topics.PRIORITIES, bootstrap_servers=settings.require_kafka_bootstrap(), auto_offset_reset="earliest"
        )
        await consumer.start()
        seen: list[dict[str, object]] = []
        try:

            async def published() -> bool:
                batch = await consumer.getmany(timeout_ms=200)
                seen.extend(json.loads(rec.value) for recs in batch.values() for rec in recs if rec.value)
                return any(e.get("priority_id") == priority_id for e in seen)

            await eventually(published, timeout_s=30)
        finally:
            await consumer.stop()
