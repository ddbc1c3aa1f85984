"""Consumer runner: a consumer group applying events through the inbox, exactly once in effect.

For each batch of one partition (batches of different partitions are applied concurrently):

1. records that are not readable Porchlight CloudEvents go to the dead-letter topic at once;
2. the rest are applied in ONE database transaction, each guarded by its inbox row;
3. if that transaction fails, each record is retried alone with backoff, and one that keeps
   failing goes to ``<topic>.dlq.<group>`` with its error — the consumer goes on;
4. only then is the offset committed. A crash before the commit redelivers the batch and the
   inbox skips what was already applied.

Errors that mean "the database or broker is away" are retried until it is back (or the runner
stops), never dead-lettered: the event is fine, the world is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, StatusCode, Tracer
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.events import metrics
from porchlight.events.base import Event
from porchlight.events.envelope import Envelope, EventRefused, MalformedEvent, from_kafka
from porchlight.events.inbox import Inbox
from porchlight.events.keyring import keys_of
from porchlight.events.logcontext import event_context
from porchlight.events.producer import EventProducer
from porchlight.events.routing import EventRouter, Resources
from porchlight.events.sealing import SealFailed, notes_to_open, open_sealed
from porchlight.events.topics import dlq_topic
from porchlight.events.tracing import span_from

log = logging.getLogger(__name__)

#: Records one poll may return (across the group's partitions; each partition's share is one
#: transaction). 500 gave ~50-record transactions with a backlog on 3 partitions, and layers'
#: Kafka door stored 2,539 records/s; 2,000 gives 2,919/s (bench/layers_ingest.py). A poll
#: returns what is there: with no backlog, batches stay small and latency is unchanged.
MAX_POLL_RECORDS = 2000

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
#: Receives every new event of its type in a batch at once, in record order (for projections
#: such as counters, where one statement per batch beats one per event).
BatchHandler = Callable[[AsyncSession, list[tuple[Any, Envelope]]], Awaitable[None]]


@dataclass(frozen=True)
class ConsumerSpec:
    """What a service consumes: a group name and its typed handlers (``routers``).

    ``handlers`` and ``batch_handlers`` map event classes to plain callables in the runner's
    calling convention, for tools and tests; services use routers (routing.py).
    """

    group: str
    routers: Sequence[EventRouter] = ()
    handlers: Mapping[type[Event], Handler] = field(default_factory=dict)
    batch_handlers: Mapping[type[Event], BatchHandler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seen: dict[type[Event], str] = {}
        for cls in [*self.handlers, *self.batch_handlers]:
            if cls in seen:
                raise ValueError(f"{self.group}: one handler kind per event class, not both: {cls.__name__}")
            seen[cls] = "plain"
        for router in self.routers:
            for sub in router.subscribers:
                for cls in sub.events:
                    if cls in seen:
                        raise ValueError(f"{self.group}: {cls.__name__} has two handlers ({sub.call.__qualname__})")
                    seen[cls] = sub.call.__qualname__

    def bound(self, resources: Resources) -> tuple[dict[type[Event], Handler], dict[type[Event], BatchHandler]]:
        """Every handler in the runner's calling convention, routers' ones bound to ``resources``."""
        one: dict[type[Event], Handler] = dict(self.handlers)
        many: dict[type[Event], BatchHandler] = dict(self.batch_handlers)
        for router in self.routers:
            for sub in router.subscribers:
                call = sub.bind(resources)
                for cls in sub.events:
                    (many if sub.batch else one)[cls] = call
        return one, many

    @property
    def event_classes(self) -> list[type[Event]]:
        subscribed = [cls for r in self.routers for sub in r.subscribers for cls in sub.events]
        return [*self.handlers, *self.batch_handlers, *subscribed]

    @property
    def topics(self) -> list[str]:
        return sorted({cls.TOPIC for cls in self.event_classes})

    @property
    def dlq_topics(self) -> list[str]:
        return [dlq_topic(t, self.group) for t in self.topics]


def _family(event_type: str) -> str:
    """``org.porchlight.note.submitted.v1`` -> ``org.porchlight.note.submitted``."""
    head, _, last = event_type.rpartition(".")
    return head if last.startswith("v") and last[1:].isdigit() else event_type


def is_transient(exc: BaseException) -> bool:
    """True when the failure is the infrastructure's, not the event's."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    # A restarting PostgreSQL refuses with SQLSTATE 57P03 "the database system is starting up"
    # (57P01/57P02 as it goes down, class 08 for lost connections): asyncpg's errors reach us as
    # plain DBAPIError, not OperationalError, and must not count against the event (issue 16).
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
    if isinstance(exc, DBAPIError) and sqlstate.startswith(("08", "57P")):
        return True
    return isinstance(exc, OperationalError | InterfaceError | OSError | KafkaError | asyncio.TimeoutError)


class ConsumerRunner:
    """Runs one ConsumerSpec against the broker until stopped."""

    def __init__(
        self,
        spec: ConsumerSpec,
        *,
        service: str,
        bootstrap: str,
        sessions: async_sessionmaker[AsyncSession],
        inbox: Inbox,
        producer: EventProducer,
        lag_approximate: bool = False,
        max_attempts: int = 4,
        backoff_s: float = 0.2,
        fetch_max_wait_ms: int = 10,
        session_timeout_ms: int = 10_000,
        resources: Resources | None = None,
        client_options: Mapping[str, Any] | None = None,
        tracer: Tracer | None = None,
    ) -> None:
        self.spec = spec
        #: A CONSUMER span per event, in the trace its record carries (None: tracing off).
        self.tracer = tracer
        self.service = service
        self.sessions = sessions
        self.inbox = inbox
        self.producer = producer
        self.lag_approximate = "true" if lag_approximate else "false"
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        one, many = spec.bound(resources if resources is not None else {})
        self._by_type = {cls.TYPE: h for cls, h in one.items()}
        self._batch_by_type = {cls.TYPE: h for cls, h in many.items()}
        self._families = {_family(cls.TYPE) for cls in spec.event_classes}
        metrics.export_from_zero(service, spec.group, spec.topics, [cls.TYPE for cls in spec.event_classes])
        self._stopping = asyncio.Event()
        self._consumer = AIOKafkaConsumer(
            *spec.topics,
            **(client_options or {}),  # the security settings (KitSettings.kafka_client_options)
            bootstrap_servers=bootstrap,
            group_id=spec.group,
            client_id=f"porchlight-{service}",
            enable_auto_commit=False,
            # Never "latest": a new group must see every event ever published, and Tansu's end
            # offsets are not exact anyway.
            auto_offset_reset="earliest",
            # The 500 ms default fetch wait costs 250 ms at p99; 10 ms brings it to ~8 ms.
            fetch_max_wait_ms=fetch_max_wait_ms,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=max(500, session_timeout_ms // 5),
            max_poll_records=MAX_POLL_RECORDS,
        )

    async def start(self) -> None:
        await self._consumer.start()

    def stop(self) -> None:
        self._stopping.set()

    async def close(self) -> None:
        await self._consumer.stop()

    async def run(self) -> None:
        """Poll, apply, commit — until ``stop()``; the current batch is finished first.

        The batches of different partitions are applied concurrently, each in its own
        transaction on its own connection: while one waits for the database, another runs. A
        key's events all live in one partition, whose batches stay strictly sequential, so the
        order per key is kept. Offsets are committed once per poll, for the partitions whose
        batch is done.
        """
        while not self._stopping.is_set():
            try:
                batches = await self._consumer.getmany(timeout_ms=200, max_records=MAX_POLL_RECORDS)
            except KafkaError as exc:
                # The broker is away: keep the consumer, it reconnects when the broker is back.
                log.warning("fetch failed (%s); retrying", type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), 1.0)
                continue
            work = [(tp, records) for tp, records in batches.items() if records]
            if not work:
                continue
            results = await asyncio.gather(
                *(self._process(tp, records) for tp, records in work), return_exceptions=True
            )
            offsets = {
                tp: records[-1].offset + 1 for (tp, records), done in zip(work, results, strict=True) if done is True
            }
            if offsets:
                try:
                    await self._consumer.commit(offsets)
                except CommitFailedError:
                    # A rebalance took a partition away; its new owner re-reads from the last
                    # commit and the inbox skips what we applied.
                    log.warning("commit failed after rebalance", extra={"topics": sorted({tp.topic for tp in offsets})})
                for tp, next_offset in offsets.items():
                    self._observe_lag(tp, next_offset)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            if not all(results):  # stopping in the middle of infrastructure retries
                return

    # --- one partition's batch -------------------------------------------------------------

    async def _process(self, tp: TopicPartition, records: Sequence[ConsumerRecord[Any, Any]]) -> bool:
        todo: list[tuple[ConsumerRecord[Any, Any], Envelope, Event]] = []
        for rec in records:
            try:
                env = from_kafka(rec.key, rec.value, rec.headers)
            except MalformedEvent as exc:
                await self._dead_letter(rec, exc)
                continue
            if env.type not in self._by_type and env.type not in self._batch_by_type:
                if _family(env.type) in self._families:
                    # A version of an event we handle that this build does not know yet: park
                    # it where it can be replayed after an upgrade instead of skipping it.
                    await self._dead_letter(rec, MalformedEvent(f"unsupported version {env.type}"))
                continue  # someone else's event on a shared topic
            try:
                todo.append((rec, env, env.event()))
            except MalformedEvent as exc:
                await self._dead_letter(rec, exc)
        if not todo:
            return True
        try:
            await self._apply(todo)
            return True
        except Exception as exc:  # fall back to one record at a time to isolate the culprit
            # Exception texts can quote event data: log the kind only (privacy).
            log.info("batch failed (%s), applying one by one", type(exc).__name__)
        for item in todo:
            if not await self._apply_with_retries(item):
                return False
        return True

    async def _apply(self, items: Sequence[tuple[ConsumerRecord[Any, Any], Envelope, Event]]) -> None:
        if self.tracer is None:
            await self._apply_batch(items, {})
            return
        spans = {env.id: self._span(rec, env) for rec, env, _ in items}
        try:
            await self._apply_batch(items, spans)
        except BaseException as exc:
            for span in spans.values():
                span.set_status(StatusCode.ERROR, type(exc).__name__)  # the type only: messages quote data
                span.end()
            raise
        for span in spans.values():  # committed: processed
            span.end()

    def _span(self, rec: ConsumerRecord[Any, Any], env: Envelope) -> Span:
        """The event's CONSUMER span: a child of the span that made the event (``ce_traceparent``)."""
        assert self.tracer is not None
        return span_from(
            self.tracer,
            f"process {rec.topic}",
            env.extensions,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": rec.topic,
                "messaging.destination.partition.id": str(rec.partition),
                "messaging.kafka.offset": rec.offset,
                "messaging.consumer.group.name": self.spec.group,
                "messaging.message.id": env.id,
                "cloudevents.event_id": env.id,
                "cloudevents.event_type": env.type,
                "cloudevents.event_source": env.source,
                "porchlight.service": self.service,
            },
        )

    async def _apply_batch(
        self, items: Sequence[tuple[ConsumerRecord[Any, Any], Envelope, Event]], spans: Mapping[str, Span]
    ) -> None:
        applied: list[Envelope] = []
        async with self.sessions() as session, session.begin():
            # The whole batch's inbox rows in one statement; handlers then run in record order
            # for the events that were new — all in this one transaction.
            fresh = await self.inbox.claim_many(session, self.spec.group, [env for _, env, _ in items])
            items = await _opened(session, items)
            grouped: dict[str, list[tuple[Any, Envelope]]] = {}
            for _, env, event in items:
                with event_context(env.id, env.type):
                    if (env.source, env.id) in fresh:
                        fresh.discard((env.source, env.id))  # a repeat inside the batch is a duplicate
                        if env.type in self._batch_by_type:
                            grouped.setdefault(env.type, []).append((event, env))
                        else:
                            # The handler's statements and the events it adds to its outbox
                            # continue this event's trace.
                            with _current(spans.get(env.id)):
                                await self._by_type[env.type](session, event, env)
                        applied.append(env)
                    else:
                        metrics.EVENTS_DUPLICATE.labels(self.service, self.spec.group).inc()
            for event_type, group in grouped.items():
                with self._batch_span(event_type, group, spans):
                    await self._batch_by_type[event_type](session, group)
        now = datetime.now(UTC)
        for env in applied:
            metrics.EVENTS_CONSUMED.labels(self.service, self.spec.group, env.type).inc()
            metrics.EVENT_LATENCY.labels(self.service, self.spec.group).observe(
                max(0.0, (now - env.time).total_seconds())
            )

    async def _apply_with_retries(self, item: tuple[ConsumerRecord[Any, Any], Envelope, Event]) -> bool:
        rec, env, _ = item
        attempt = 0
        while True:
            attempt += 1
            try:
                await self._apply([item])
                return True
            except Exception as exc:
                metrics.EVENTS_FAILED.labels(self.service, self.spec.group).inc()
                transient = is_transient(exc)
                if isinstance(exc, EventRefused) or (not transient and attempt >= self.max_attempts):
                    log.error("event failed %d times, dead-lettering", attempt, extra={"event_id": env.id})
                    await self._dead_letter(rec, exc)
                    return True
                delay = min(self.backoff_s * 2 ** (attempt - 1), 10.0)
                log.warning(
                    "event failed (attempt %d, %s), retrying in %.1fs",
                    attempt,
                    type(exc).__name__,
                    delay,
                    extra={"event_id": env.id},
                )
                try:
                    await asyncio.wait_for(self._stopping.wait(), delay)
                    return False  # stopping: leave it uncommitted for the next owner
                except TimeoutError:
                    pass

    async def _dead_letter(self, rec: ConsumerRecord[Any, Any], exc: BaseException) -> None:
        topic = dlq_topic(rec.topic, self.spec.group)
        headers = [
            *(rec.headers or ()),
            ("dlq-error", f"{type(exc).__name__}: {exc}"[:4000].encode()),
            ("dlq-topic", rec.topic.encode()),
            ("dlq-partition", str(rec.partition).encode()),
            ("dlq-offset", str(rec.offset).encode()),
            ("dlq-group", self.spec.group.encode()),
            ("dlq-failed-at", datetime.now(UTC).isoformat().encode()),
        ]
        value = rec.value if rec.value is not None else b""
        await (await self.producer.send_raw(topic, key=rec.key, value=value, headers=headers))
        metrics.EVENTS_DEAD_LETTERED.labels(self.service, self.spec.group, rec.topic).inc()
        log.error(
            "event dead-lettered",
            extra={"dlq_topic": topic, "offset": rec.offset, "error": type(exc).__name__},
        )

    def _batch_span(
        self, event_type: str, group: list[tuple[Any, Envelope]], spans: Mapping[str, Span]
    ) -> contextlib.AbstractContextManager[Any]:
        """What a batch handler runs in: its one event's span; for several events, a span of
        its own linked to each event's (OpenTelemetry's batch processing), since one call cannot
        be in several traces. Each event's own span still covers the batch's transaction."""
        if not spans:
            return contextlib.nullcontext()
        if len(group) == 1:
            return _current(spans.get(group[0][1].id))
        assert self.tracer is not None
        links = [Link(spans[env.id].get_span_context()) for _, env in group if env.id in spans]
        return self.tracer.start_as_current_span(
            f"process {event_type} batch",
            context=Context(),
            kind=SpanKind.CONSUMER,
            links=links,
            attributes={"messaging.batch.message_count": len(group), "porchlight.service": self.service},
            record_exception=False,  # exception messages can quote event data
            set_status_on_exception=False,
        )

    def _observe_lag(self, tp: TopicPartition, next_offset: int) -> None:
        high = self._consumer.highwater(tp)
        if high is not None:
            metrics.CONSUMER_LAG.labels(
                self.service, self.spec.group, tp.topic, str(tp.partition), self.lag_approximate
            ).set(max(0, high - next_offset))


def _current(span: Span | None) -> contextlib.AbstractContextManager[Any]:
    """``span`` as the current span inside the block; nothing at all without one (tracing off)."""
    if span is None:
        return contextlib.nullcontext()
    return trace.use_span(span, end_on_exit=False, record_exception=False, set_status_on_exception=False)


async def _opened(
    session: AsyncSession, items: Sequence[tuple[ConsumerRecord[Any, Any], Envelope, Event]]
) -> Sequence[tuple[ConsumerRecord[Any, Any], Envelope, Event]]:
    """``items`` with their events' sealed words opened (sealing.py): handlers see plain words,
    blank for a note whose key is shredded. A blob that does not open is refused (dead-lettered)."""
    wanted = set().union(*(notes_to_open(event) for _, _, event in items))
    if not wanted:
        return items
    keys = await keys_of(session, wanted)
    out = []
    for rec, env, event in items:
        try:
            out.append((rec, env, open_sealed(event, keys)))
        except SealFailed as exc:
            raise EventRefused(str(exc)) from exc
    return out


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout_s: float, every_s: float = 0.05) -> bool:
    """Poll ``predicate`` until true or timeout (used by tools and tests)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(every_s)
    return await predicate()
