"""Transactional outbox: write events with the change, publish them afterwards.

``Outbox.add`` inserts the event into the service's outbox table inside the caller's
transaction — never publishes directly, so a crash cannot lose an event whose change committed,
nor publish one whose change rolled back. ``OutboxRelay`` publishes committed rows in order per
key and deletes them; see storage.py for how replicas share the work.

Waking the relay (docs/adr/0008-outbox-wake-up-in-process.md): a session that added outbox
rows wakes the relays of its own process right after it commits (a SQLAlchemy ``after_commit``
hook). Rows written elsewhere — another replica whose relay is busy or gone, a CLI process, a
plain connection — are found by a short poll (``DEFAULT_POLL_S``). There is no NOTIFY: PostgreSQL
takes a database-wide lock at the commit of every transaction that notified, which serialised
every commit that wrote an outbox row (~400-480 commits/s on the development machine against
1,250-2,550 without).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, StatusCode, Tracer
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import Session as SyncSession

from porchlight.events import metrics
from porchlight.events.base import Event
from porchlight.events.brokerid import BrokerIdentity
from porchlight.events.envelope import Envelope, new_envelope, to_kafka
from porchlight.events.keyring import keys_of
from porchlight.events.producer import EventProducer
from porchlight.events.sealing import notes_to_seal, seal
from porchlight.events.storage import (
    lane_of,
    outbox_broker_table,
    outbox_lane_table,
    outbox_published_table,
    outbox_table,
)
from porchlight.events.tracing import traceparent_of

log = logging.getLogger(__name__)

#: How often an idle relay looks for rows nobody woke it for (another process wrote them). A
#: look is one indexed query on 16 lane rows, so four a second per replica cost the database
#: nothing worth measuring, and bound the delay of such rows to a quarter of a second.
DEFAULT_POLL_S = 0.25
#: After a wake-up the relay waits this long before its round, so that the commits of a burst
#: share one round (one claim, one batch of sends, one delete) instead of a round each.
DEFAULT_LINGER_S = 0.002
#: Rounds start at least this far apart while woken: under a steady stream of commits the relay
#: publishes every 20 ms in batches, instead of a round of a few rows every couple of
#: milliseconds, each paying a transaction, three statements and a produce request (waiting
#: 50 ms instead of 2 ms took intake from 0.76 to 0.62 core and PostgreSQL from 0.27 to 0.22 at
#: 500 contacts/s, ADR 0009). An event waits at most this long more; after a quiet spell the
#: next round starts after the linger.
DEFAULT_ROUND_INTERVAL_S = 0.02

#: Key in ``Session.info`` of the outboxes a transaction wrote to (cleared at commit/rollback).
_PENDING = "porchlight.outbox.pending"


class Outbox:
    """A service's outbox: ``add`` events inside the unit of work that makes the change."""

    def __init__(self, metadata: sa.MetaData, *, source: str) -> None:
        self.table = outbox_table(metadata)
        self.lanes = outbox_lane_table(metadata)
        self.published = outbox_published_table(metadata)
        self.broker = outbox_broker_table(metadata)
        self.source = source
        # The wake-up callbacks of this process's running relays (weak: a relay that is gone
        # must not be kept alive, nor called, by the outbox of a long-lived ServiceSpec).
        self._wakers: weakref.WeakSet[_Waker] = weakref.WeakSet()

    async def add(
        self,
        session: AsyncSession | AsyncConnection,
        *events: Event,
        traces: Sequence[Context | None] | None = None,
    ) -> list[Envelope]:
        """Queue events for publication in the caller's transaction; returns their envelopes.

        Each event carries the current trace (tracing.py), or its own from ``traces`` (one per
        event) when a batch does the work of several traces (synthesis' analysis).

        Residents' words in them are sealed here, under their notes' keys (sealing.py): the
        outbox table, like the broker, never holds them in clear.

        With an ``AsyncSession`` the relays of this process are woken as soon as the transaction
        commits; with a bare ``AsyncConnection`` the caller may call ``wake()`` after its commit,
        else the relay's poll finds the rows.
        """
        sealed = await seal_all(session, events)
        per_event = traces if traces is not None else [None] * len(sealed)
        envelopes = [new_envelope(e, source=self.source, trace=t) for e, t in zip(sealed, per_event, strict=True)]
        if envelopes:
            rows = [self.row(env, e.TOPIC) for env, e in zip(envelopes, sealed, strict=True)]
            await session.execute(sa.insert(self.table), rows)
            self.wake_after_commit(session)
        return envelopes

    def wake_after_commit(self, session: AsyncSession | AsyncConnection) -> None:
        """Wake this process's relays once ``session``'s transaction commits.

        ``add`` does it; code that inserts outbox rows with its own statement (``Outbox.row``)
        calls it. Nothing happens on rollback. A bare connection has no commit hook: it is left
        to the poll (or call ``wake()`` after the commit).
        """
        if isinstance(session, AsyncSession):
            session.sync_session.info.setdefault(_PENDING, set()).add(self)

    def wake(self) -> None:
        """Wake this process's relays now (the rows must be committed already)."""
        for waker in list(self._wakers):
            waker()

    def _register(self, waker: _Waker) -> None:
        self._wakers.add(waker)

    def _unregister(self, waker: _Waker) -> None:
        self._wakers.discard(waker)

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


async def seal_all(session: AsyncSession | AsyncConnection, events: tuple[Event, ...]) -> list[Event]:
    """``events`` with their words sealed; the notes' keys are made in this transaction if new."""
    wanted = set().union(*(notes_to_seal(e) for e in events)) if events else set()
    if not wanted:
        return list(events)
    keys = await keys_of(session, wanted, create=True)
    return [seal(e, keys) for e in events]


@sa_event.listens_for(SyncSession, "after_commit")
def _wake_relays(session: SyncSession) -> None:
    """After a commit that wrote outbox rows: wake the relays of this process."""
    pending: set[Outbox] | None = session.info.pop(_PENDING, None)
    for outbox in pending or ():
        outbox.wake()


@sa_event.listens_for(SyncSession, "after_rollback")
def _forget_pending(session: SyncSession) -> None:
    session.info.pop(_PENDING, None)


class _Waker:
    """Sets a relay's wake-up event from any thread (a commit may happen off the relay's loop)."""

    def __init__(self, event: asyncio.Event, loop: asyncio.AbstractEventLoop) -> None:
        self.event, self.loop = event, loop

    def __call__(self) -> None:
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.event.set()
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.event.set)


@dataclass(frozen=True)
class _RoundStatements:
    """A relay round's statements, as fixed SQL: prepared once per connection.

    Lane lists and id lists are arrays (``= ANY``), not IN lists, whose SQL changed with every
    count, so that PostgreSQL parsed and planned the read and the delete anew in most rounds.
    Claim and read stay two statements: under READ COMMITTED the read must take its snapshot
    after the lanes are locked, or it could still see rows another relay published and deleted
    while we waited for its lane (published twice, out of order).
    """

    claim: sa.TextClause
    read: sa.TextualSelect
    #: Deletes the published rows and keeps them in ``outbox_published`` (docs/adr/0015).
    move: sa.TextClause


_ROUND_STATEMENTS: dict[sa.Table, _RoundStatements] = {}


def _round_statements(outbox: Outbox) -> _RoundStatements:
    t, lanes = outbox.table, outbox.lanes
    statements = _ROUND_STATEMENTS.get(t)
    if statements is None:
        statements = _ROUND_STATEMENTS[t] = _RoundStatements(
            claim=sa.text(
                f"SELECT l.lane FROM {lanes.fullname} AS l "
                f"WHERE EXISTS (SELECT 1 FROM {t.fullname} AS o WHERE o.lane = l.lane) "
                f"FOR UPDATE SKIP LOCKED"
            ),
            read=sa.text(
                f"SELECT id, topic, key, headers, payload FROM {t.fullname} "
                f"WHERE lane = ANY(CAST(:lanes AS smallint[])) ORDER BY id LIMIT :limit"
            ).columns(t.c.id, t.c.topic, t.c.key, t.c.headers, t.c.payload),
            move=sa.text(
                f"WITH moved AS (DELETE FROM {t.fullname} WHERE id = ANY(CAST(:ids AS bigint[])) "
                "RETURNING id, event_id, event_type, topic, key, headers, payload, created_at) "
                f"INSERT INTO {outbox.published.fullname} "
                "(id, event_id, event_type, topic, key, headers, payload, created_at) "
                "SELECT id, event_id, event_type, topic, key, headers, payload, created_at FROM moved "
                "ON CONFLICT (id) DO NOTHING"
            ),
        )
    return statements


class OutboxRelay:
    """Publishes a service's outbox to Kafka; run one or more per service.

    Each round claims the lanes that have rows and no other relay holds, publishes their rows in
    id order, waits for the broker's acks, moves the rows to ``outbox_published`` and commits. A
    crash between the ack and the commit republishes the rows: consumers' inboxes make that
    harmless.

    A broker that comes back empty (a new cluster id: docs/adr/0015) gets everything in
    ``outbox_published`` again, in id order, before any new row: ``watch_broker`` notices it at
    start, after a failed round and every few seconds.

    It wakes when a session of its own process commits outbox rows (see the module docstring)
    and otherwise looks every ``idle_poll_s``. ``listen_dsn`` is accepted for compatibility and
    unused: the relay no longer LISTENs (nothing NOTIFYs any more).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Outbox,
        producer: EventProducer,
        *,
        service: str,
        schema: str,
        listen_dsn: str | None = None,
        batch_size: int = 1000,
        idle_poll_s: float = DEFAULT_POLL_S,
        linger_s: float = DEFAULT_LINGER_S,
        round_interval_s: float = DEFAULT_ROUND_INTERVAL_S,
        identity: BrokerIdentity | None = None,
        on_new_broker: Callable[[], Awaitable[None]] | None = None,
        tracer: Tracer | None = None,
    ) -> None:
        self.engine = engine
        #: Spans of the sends, in the traces the rows carry (None: tracing off, no cost).
        self.tracer = tracer
        #: Who the broker is (docs/adr/0015); None: never republish (tools and tests).
        self.identity = identity
        #: Run before republishing to a new broker (the service's topics, created again).
        self.on_new_broker = on_new_broker
        self.outbox = outbox
        self.producer = producer
        self.service = service
        self.schema = schema
        self.listen_dsn = listen_dsn
        self.batch_size = batch_size
        self.idle_poll_s = idle_poll_s
        self.linger_s = linger_s
        self.round_interval_s = round_interval_s
        self._round_started = -math.inf
        self._known_cluster: str | None = None
        for counter in (metrics.OUTBOX_PUBLISHED, metrics.OUTBOX_ERRORS, metrics.OUTBOX_REPUBLISHED):
            counter.labels(service)  # exported from 0: the first increase shows in rate() and alerts
        self._wakeup = asyncio.Event()
        self._stopping = False

    async def publish_pending(self) -> int:
        """One round: publish up to ``batch_size`` rows; returns how many were published."""
        statements = _round_statements(self.outbox)
        async with self.engine.begin() as conn:
            claimed = (await conn.execute(statements.claim)).scalars().all()
            if not claimed:
                return 0
            rows = (await conn.execute(statements.read, {"lanes": claimed, "limit": self.batch_size})).all()
            spans = self._send_spans(rows) if self.tracer is not None else []
            try:
                # aiokafka keeps per-partition order of sends issued in sequence; waiting for all
                # acks before moving the rows makes the round all-or-nothing.
                await self._send(rows)
                await conn.execute(statements.move, {"ids": [r.id for r in rows]})
            except BaseException as exc:
                for span in spans:
                    span.set_status(StatusCode.ERROR, type(exc).__name__)
                    span.end()
                raise
        for span in spans:  # acknowledged, and moved in the committed round: sent
            span.end()
        metrics.OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    def _send_spans(self, rows: Sequence[Any]) -> list[Span]:
        """A PRODUCER span per row that carries a trace, as a child of the span that made the
        event (its time in the outbox is the gap between the two); rows without one get none."""
        assert self.tracer is not None
        spans = []
        for r in rows:
            parent = traceparent_of(r.headers)
            if parent is not None:
                ce = {k: v for k, v in r.headers if k in ("ce_id", "ce_type")}
                spans.append(
                    self.tracer.start_span(
                        f"send {r.topic}",
                        context=parent,
                        kind=SpanKind.PRODUCER,
                        attributes={
                            "messaging.system": "kafka",
                            "messaging.operation.type": "send",
                            "messaging.destination.name": r.topic,
                            "messaging.message.id": ce.get("ce_id", ""),
                            "cloudevents.event_id": ce.get("ce_id", ""),
                            "cloudevents.event_type": ce.get("ce_type", ""),
                            "porchlight.service": self.service,
                        },
                    )
                )
        return spans

    async def watch_broker(self, *, fresh: bool = False) -> int:
        """Republish ``outbox_published`` if the broker is not the one that holds it; returns how
        many events were republished (0: same broker, unreachable, or nothing kept)."""
        if self.identity is None:
            return 0
        cluster_id = await self.identity.cluster_id(fresh=fresh)
        if cluster_id is None:
            return 0
        b = self.outbox.broker
        if cluster_id == self._known_cluster:
            return 0
        if self._known_cluster is not None and self.on_new_broker is not None:
            await self.on_new_broker()
        async with self.engine.begin() as conn:
            # Every lane, as a round takes them: no round of any replica runs until the broker
            # has everything older, so each key's order holds.
            await conn.execute(sa.select(self.outbox.lanes.c.lane).order_by(self.outbox.lanes.c.lane).with_for_update())
            held = (await conn.execute(sa.select(b.c.cluster_id).where(b.c.id == 1))).scalar_one_or_none()
            sent = 0
            if held is not None and held != cluster_id:
                sent = await self._republish(conn)
                log.warning(
                    "the broker is new (cluster %s, was %s): republished %d events",
                    cluster_id,
                    held,
                    sent,
                    extra={"service": self.service},
                )
            if held != cluster_id:
                stmt = insert(b).values(id=1, cluster_id=cluster_id)
                await conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=[b.c.id], set_={"cluster_id": cluster_id, "since": sa.func.now()}
                    )
                )
        self._known_cluster = cluster_id
        metrics.OUTBOX_REPUBLISHED.labels(self.service).inc(sent)
        return sent

    async def _republish(self, conn: AsyncConnection) -> int:
        p = self.outbox.published
        last, sent = -1, 0
        while True:
            rows = (
                await conn.execute(
                    sa.select(p.c.id, p.c.topic, p.c.key, p.c.headers, p.c.payload)
                    .where(p.c.id > last)
                    .order_by(p.c.id)
                    .limit(self.batch_size)
                )
            ).all()
            if not rows:
                return sent
            await self._send(rows)
            last, sent = rows[-1].id, sent + len(rows)

    async def _send(self, rows: Sequence[Any]) -> None:
        """Send outbox rows (``topic``, ``key``, ``headers``, ``payload``) and wait for every ack."""
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
        """Publish until stopped; woken by commits in this process, polling as the safety net."""
        waker = _Waker(self._wakeup, asyncio.get_running_loop())
        self.outbox._register(waker)
        last_observed = 0.0
        failed = True  # at start, ask the broker who it is before the first round
        try:
            while not self._stopping:
                # Cleared before the round: a commit during the round wakes the next one.
                self._wakeup.clear()
                self._round_started = time.monotonic()
                try:
                    # A broker that came back empty gets the archive before any new row.
                    await self.watch_broker(fresh=failed)
                    published = await self.publish_pending()
                    failed = False
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("outbox relay round failed; retrying", extra={"service": self.service})
                    metrics.OUTBOX_ERRORS.labels(self.service).inc()
                    published, failed = 0, True
                    await asyncio.sleep(1.0)
                if time.monotonic() - last_observed > 5:
                    with contextlib.suppress(Exception):
                        await self.observe_backlog()
                    last_observed = time.monotonic()
                if published >= self.batch_size:
                    continue  # more is waiting
                if published:
                    # Rows may have arrived in lanes another relay held: look once more soon.
                    await self._wait(min(self.idle_poll_s, 0.05))
                else:
                    await self._wait(self.idle_poll_s)
        finally:
            self.outbox._unregister(waker)

    async def _wait(self, timeout_s: float) -> None:
        """Until woken, then the linger or what is left of the round interval; or ``timeout_s``."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout_s)
            delay = max(self.linger_s, self._round_started + self.round_interval_s - time.monotonic())
            if delay > 0 and not self._stopping:
                await asyncio.sleep(delay)

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
