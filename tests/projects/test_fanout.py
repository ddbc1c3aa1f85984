"""The board hub: filters, a subscriber too slow to keep up, a lost LISTEN connection."""

from __future__ import annotations

import asyncio

from support import scalar

from porchlight.kit.db import asyncpg_dsn
from porchlight.kit.settings import KitSettings
from porchlight.projects.board import worker
from porchlight.projects.board.worker import BoardFilter, BoardHub


def card(**fields: object) -> dict[str, object]:
    return {"id": "c1", "version": 1, "priority_id": "p1", "district": "D1", "owners": ["parks"]} | fields


def test_filters_match_priority_district_and_any_owner() -> None:
    assert BoardFilter().matches(card())
    assert BoardFilter("p1", "D1", "parks").matches(card())
    assert BoardFilter(department="police").matches(card(owners=["parks", "police"]))
    assert not BoardFilter(priority="p2").matches(card())
    assert not BoardFilter(district="D2").matches(card())
    assert not BoardFilter(department="police").matches(card())


async def test_a_subscriber_that_falls_behind_is_ended(settings: KitSettings) -> None:
    hub = BoardHub(asyncpg_dsn(settings.require_database_url()))
    async with hub.subscribe(BoardFilter()) as slow, hub.subscribe(BoardFilter(district="D9")) as other:
        for v in range(worker.QUEUE_LIMIT + 1):
            hub.publish(card(version=v))
        assert slow not in hub.subscribers and other in hub.subscribers
        drained = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
        assert drained[-1] is None  # the stream ends; the browser reconnects and reloads
        assert other.queue.empty()
    assert hub.subscribers == set() and hub._conn is None  # nobody watches: no LISTEN connection


async def test_a_lost_listen_connection_ends_the_streams(settings: KitSettings) -> None:
    hub = BoardHub(asyncpg_dsn(settings.require_database_url()))
    async with hub.subscribe(BoardFilter()) as sub:
        assert hub._conn is not None
        pid = hub._conn.get_server_pid()
        assert await scalar(settings, "SELECT pg_terminate_backend(:pid)", pid=pid) is True
        assert await asyncio.wait_for(sub.queue.get(), 10) is None
        assert hub._conn is None
    await hub.close()
