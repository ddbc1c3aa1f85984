"""Transactional outbox: write events with the change, publish them afterwards.

``Outbox.add`` inserts the event into the service's outbox table inside the caller's
transaction — never publishes directly, so a crash cannot lose an event whose change committed,
nor publish one whose change rolled back. ``OutboxRelay`` publishes committed rows in order per
key and deletes them; see storage.py for how replicas share the work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from porchlight.events import metrics
from porchlight.events.base import Event
from porchlight.events.envelope import Envelope, new_envelope, to_kafka
from porchlight.events.producer import EventProducer
from porchlight.events.storage import lane_of, notify_channel, outbox_lane_table, outbox_table

log = logging.getLogger(__name__)


class Outbox:
    """A service's outbox: ``add`` events inside the unit of work that makes the change."""

    def __init__(self, metadata: sa.MetaData, *, source: str) -> None:
        self.table = outbox_table(metadata)
        self.lanes = outbox_lane_table(metadata)
        self.source = source

    async def add(self, session: AsyncSession | AsyncConnection, *events: Event) -> list[Envelope]:
        """Queue events for publication in the caller's transaction; returns their envelopes."""
        envelopes = [new_envelope(e, source=self.source) for e in events]
        if envelopes:
            rows = [self.row(env, e.TOPIC) for env, e in zip(envelopes, events, strict=True)]
            await session.execute(sa.insert(self.table), rows)
        return envelopes

    @staticmethod
    def row(env: Envelope, topic: str) -> dict[str, Any]:
        _, value, headers = to_kafka(env)
        return {
            "event_id": env.id,
            "event_type": env.type,
            "topic": topic,
            "key": env.key,
            "lane": lane_of(env.key),
            "headers": [[k, v.decode()] for k, v in headers],
            "payload": value,
        }


class OutboxRelay:
    """Publishes a service's outbox to Kafka; run one or more per service.

    Each round claims the lanes that have rows and no other relay holds, publishes their rows in
    id order, waits for the broker's acks, deletes the rows and commits. A crash between the ack
    and the commit republishes the rows: consumers' inboxes make that harmless.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Outbox,
        producer: EventProducer,
        *,
        service: str,
        schema: str,
        listen_dsn: str,
        batch_size: int = 1000,
        idle_poll_s: float = 1.0,
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.producer = producer
        self.service = service
        self.schema = schema
        self.listen_dsn = listen_dsn
        self.batch_size = batch_size
        self.idle_poll_s = idle_poll_s
        self._wakeup = asyncio.Event()
        self._stopping = False

    async def publish_pending(self) -> int:
        """One round: publish up to ``batch_size`` rows; returns how many were published."""
        t, lanes = self.outbox.table, self.outbox.lanes
        async with self.engine.begin() as conn:
            has_rows = sa.exists().where(t.c.lane == lanes.c.lane)
            claimed = (
                (await conn.execute(sa.select(lanes.c.lane).where(has_rows).with_for_update(skip_locked=True)))
                .scalars()
                .all()
            )
            if not claimed:
                return 0
            rows = (
                await conn.execute(
                    sa.select(t.c.id, t.c.topic, t.c.key, t.c.headers, t.c.payload)
                    .where(t.c.lane.in_(claimed))
                    .order_by(t.c.id)
                    .limit(self.batch_size)
                )
            ).all()
            # aiokafka keeps per-partition order of sends issued in sequence; waiting for all
            # acks before deleting makes the round all-or-nothing.
            futures = [
                await self.producer.send_raw(
                    r.topic,
                    key=r.key.encode() if r.key is not None else None,
                    value=r.payload,
                    headers=[(k, v.encode()) for k, v in r.headers],
                )
                for r in rows
            ]
            await asyncio.gather(*futures)
            await conn.execute(sa.delete(t).where(t.c.id.in_([r.id for r in rows])))
        metrics.OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def observe_backlog(self) -> None:
        """Update the backlog gauges (rows waiting, age of the oldest)."""
        t = self.outbox.table
        async with self.engine.connect() as conn:
            count, oldest = (await conn.execute(sa.select(sa.func.count(), sa.func.min(t.c.created_at)))).one()
            age = 0.0
            if oldest is not None:
                now = (await conn.execute(sa.select(sa.func.now()))).scalar_one()
                age = (now - oldest).total_seconds()
        metrics.OUTBOX_BACKLOG.labels(self.service).set(count)
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(age)

    async def run(self) -> None:
        """Publish until stopped; wake on NOTIFY, poll slowly as a safety net."""
        listener = await self._listen()
        last_observed = 0.0
        try:
            while not self._stopping:
                self._wakeup.clear()
                try:
                    published = await self.publish_pending()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("outbox relay round failed; retrying", extra={"service": self.service})
                    metrics.OUTBOX_ERRORS.labels(self.service).inc()
                    published = 0
                    await asyncio.sleep(1.0)
                if time.monotonic() - last_observed > 5:
                    with contextlib.suppress(Exception):
                        await self.observe_backlog()
                    last_observed = time.monotonic()
                if published >= self.batch_size:
                    continue  # more is waiting
                if published == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wakeup.wait(), self.idle_poll_s)
        finally:
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close()

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Publish what is left (graceful shutdown); give up after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if await self.publish_pending() == 0:
                    return
            except Exception:
                log.warning("outbox drain failed; rows stay for the next start", exc_info=True)
                return

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            conn = await asyncpg.connect(self.listen_dsn)
            await conn.add_listener(notify_channel(self.schema), lambda *_: self._wakeup.set())
            return conn
        except Exception:
            log.warning("LISTEN unavailable; relay polls every %.1fs", self.idle_poll_s, exc_info=True)
            return None
