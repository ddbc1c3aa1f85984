"""A broker that comes back empty loses nothing (docs/adr/0015), on a real PostgreSQL and broker.

The embedded broker keeps its topics in memory: after a ``kill -9`` it starts with none of what
was published, and each start has a new cluster id. Relays republish what they published
(``outbox_published``) to it; consumers read it from the start; inboxes drop the repeats.
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from support import all_topics, bearer, district_of_its_own, eventually, running, scalar

from porchlight.events import ensure_topics
from porchlight.kit.embedded import EmbeddedBroker
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration


async def _dashboard_notes(settings: KitSettings, district: str) -> int:
    n = await scalar(settings, "SELECT notes FROM dashboard.district_activity WHERE district = :d", d=district)
    return int(n or 0)  # type: ignore[call-overload]


async def _kill_and_restart(broker: EmbeddedBroker, settings: KitSettings) -> None:
    """``kill -9`` of the broker, and a new one on its port, as standalone's supervisor does."""
    assert broker.pid is not None
    os.kill(broker.pid, signal.SIGKILL)
    for _ in range(100):  # until it is gone (its port with it), as the supervisor sees it
        if not broker.running:
            break
        await asyncio.sleep(0.05)
    broker.restart()
    await ensure_topics(settings.require_kafka_bootstrap(), all_topics(), partitions=settings.topic_partitions)


async def test_events_only_the_lost_broker_held_reach_a_consumer_after_it_comes_back_empty(
    own_broker: tuple[EmbeddedBroker, KitSettings],
) -> None:
    # The 713 vs 712: intake published, the broker acknowledged, one consumer had not read
    # it yet when the broker died. Before ADR 0015 that event was gone for that consumer for good.
    broker, own = own_broker
    async with district_of_its_own(own) as district:
        note = {"place": {"district": district}, "sentiment": 3, "attendees": 5}
        async with running("intake", own) as (app, intake):
            for _ in range(2):
                assert (await intake.post("/v1/notes", json=note, headers=bearer(own, "liaison"))).status_code == 201
            await app.state.runtime.relay.drain()
        assert await scalar(own, "SELECT count(*) FROM intake.outbox WHERE key = :d", d=district) == 0
        kept = await scalar(own, "SELECT count(*) FROM intake.outbox_published WHERE key = :d", d=district)
        assert kept == 2, "what was published is kept"

        await _kill_and_restart(broker, own)

        async with running("intake", own) as (_, intake), running("dashboard", own):
            assert (await intake.post("/v1/notes", json=note, headers=bearer(own, "liaison"))).status_code == 201
            await eventually(lambda: _is(own, district, 3), timeout_s=60)
            await asyncio.sleep(1.5)  # a late duplicate would show here
            assert await _dashboard_notes(own, district) == 3
        cluster = await scalar(own, "SELECT cluster_id FROM intake.outbox_broker WHERE id = 1")
        assert isinstance(cluster, str) and cluster.startswith("porchlight-")


async def test_consumers_running_across_the_broker_s_death_apply_each_event_once(
    own_broker: tuple[EmbeddedBroker, KitSettings],
) -> None:
    # The new broker has no consumer group: the group forms again and reads from the earliest
    # offset, which now holds the republished events (the inbox skips what it applied).
    broker, own = own_broker
    async with district_of_its_own(own) as district:
        note = {"place": {"district": district}, "sentiment": 3, "attendees": 5}
        async with running("intake", own) as (_, intake), running("dashboard", own):
            for _ in range(3):
                assert (await intake.post("/v1/notes", json=note, headers=bearer(own, "liaison"))).status_code == 201
            await eventually(lambda: _is(own, district, 3), timeout_s=60)

            await _kill_and_restart(broker, own)
            for _ in range(2):
                r = await intake.post("/v1/notes", json=note, headers=bearer(own, "liaison"))
                assert r.status_code == 201, "intake accepts notes while the broker comes back"
            await eventually(lambda: _is(own, district, 5), timeout_s=60)
            await asyncio.sleep(1.5)
            assert await _dashboard_notes(own, district) == 5
        duplicates = await scalar(
            own,
            "SELECT count(*) - count(DISTINCT event_id) FROM dashboard.inbox WHERE consumer = 'porchlight.dashboard'",
        )
        assert duplicates == 0


async def _is(settings: KitSettings, district: str, n: int) -> bool:
    return await _dashboard_notes(settings, district) == n
