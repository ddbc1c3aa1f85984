"""A running service's moving parts: engine, producer, outbox relay, consumers — and their order.

Start: topics exist -> engine -> producer -> relay -> the service's settings and start-up hooks
(which ``provide`` the service's own long-lived objects) -> consumers.
Stop (graceful, also on SIGTERM from Kubernetes): consumers finish their batch and commit ->
relay drains the outbox -> producer flushes -> engine closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from opentelemetry.trace import Tracer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from porchlight.events import ConsumerRunner, EventProducer, OutboxRelay, ensure_topics
from porchlight.events.brokerid import BrokerIdentity
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.service import ServiceSpec
from porchlight.kit.settings import KitSettings
from porchlight.kit.tracing import Tracing, trace_engine

log = logging.getLogger(__name__)

T = TypeVar("T")


class MissingResource(LookupError):
    """A route or handler asked for an object the service did not provide at start-up."""


@dataclass
class ServiceRuntime:
    spec: ServiceSpec
    settings: KitSettings
    run_consumers: bool = True
    run_relay: bool = True
    #: The service's tracing (kit/tracing.py); None: off, and nothing of it on the hot path.
    tracing: Tracing | None = None
    #: Its tracer, for the service's own spans (synthesis' analysis); None when off.
    tracer: Tracer | None = field(default=None, init=False)
    engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    producer: EventProducer = field(init=False)
    relay: OutboxRelay = field(init=False)
    identity: BrokerIdentity = field(init=False)
    consumers: list[ConsumerRunner] = field(default_factory=list, init=False)
    #: Set when ``stop`` begins: background work started with ``spawn`` returns when it is set.
    stopping: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    #: The service's own long-lived objects by type (its settings, a model, a worker, a cache):
    #: routes get them with ``kit.app.Provided``, event handlers by a parameter of that type.
    resources: dict[type, object] = field(default_factory=dict, init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)

    def provide(self, value: T, as_type: type[T] | None = None) -> T:
        """Make ``value`` available by its type (or ``as_type``) to routes and handlers."""
        self.resources[as_type or type(value)] = value
        return value

    def resource(self, kind: type[T]) -> T:
        try:
            return self.resources[kind]  # type: ignore[return-value]
        except KeyError:
            raise MissingResource(f"{self.spec.name} provides no {kind.__name__}") from None

    async def start(self) -> None:
        s, spec = self.settings, self.spec
        url, bootstrap = s.require_database_url(), s.require_kafka_bootstrap()

        async def topics() -> None:
            """The service's topics: at start, and again on a broker that came back empty."""
            await ensure_topics(
                bootstrap,
                spec.topics,
                partitions=s.topic_partitions,
                replication=s.topic_replication,
                words_retention_ms=round(s.words_retention_days * 86_400_000),
                client_options=s.kafka_client_options(),
            )

        await topics()
        self.engine = create_engine(url, pool_size=s.db_pool_size, application_name=f"porchlight-{spec.name}")
        if self.tracing is not None:
            self.tracer = self.tracing.tracer()
            trace_engine(self.engine, self.tracing)
        self.sessions = session_factory(self.engine)
        self.producer = EventProducer(
            bootstrap,
            idempotent=not s.embedded_broker,
            client_id=f"porchlight-{spec.name}",
            client_options=s.kafka_client_options(),
        )
        await self.producer.start()
        # Who the broker is, shared by the relay and the consumers (docs/adr/0015).
        self.identity = BrokerIdentity(bootstrap, client_options=s.kafka_client_options())
        self.relay = OutboxRelay(
            self.engine,
            spec.outbox,
            self.producer,
            service=spec.name,
            schema=spec.schema,
            idle_poll_s=s.outbox_poll_s,
            round_interval_s=s.outbox_round_interval_s,
            identity=self.identity,
            on_new_broker=topics,
            tracer=self.tracer,
        )
        if self.run_relay:
            self.spawn(self.relay.run(), "relay")
        self.provide(self.settings, KitSettings)
        self.provide(self.sessions, async_sessionmaker)
        if spec.settings is not None:
            self.provide(spec.settings())
        for hook in spec.on_startup:
            result = hook(self)
            if asyncio.iscoroutine(result):
                await result
        if self.run_consumers:
            for cspec in spec.consumers:
                runner = ConsumerRunner(
                    cspec,
                    service=spec.name,
                    bootstrap=bootstrap,
                    sessions=self.sessions,
                    inbox=spec.inbox,
                    producer=self.producer,
                    lag_approximate=s.embedded_broker,
                    fetch_max_wait_ms=s.consumer_fetch_max_wait_ms,
                    session_timeout_ms=s.consumer_session_timeout_ms,
                    resources=self.resources,
                    client_options=s.kafka_client_options(),
                    tracer=self.tracer,
                )
                self.consumers.append(runner)
                # Joining the group takes seconds (about half the session timeout on Tansu):
                # do it in the background so the HTTP side is up at once.
                self.spawn(self._consume(runner), f"consumer:{cspec.group}")

    async def _consume(self, runner: ConsumerRunner) -> None:
        # A stop while the group is still being joined does not wait for the join (seconds on
        # Tansu): nothing has been read yet, so there is no batch to finish.
        starting = asyncio.ensure_future(runner.start())
        stopping = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not starting.done():
            starting.cancel()
            await asyncio.gather(starting, stopping, return_exceptions=True)
            return
        starting.result()
        await runner.run()

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``coro`` as one of the service's background tasks (relay, consumers, a service's
        own loop): stopped, bounded, on shutdown — it should return once ``stopping`` is set —
        and its death fails ``/healthz``."""
        task = asyncio.create_task(coro, name=f"{self.spec.name}:{name}")
        task.add_done_callback(self._crashed)
        self._tasks.append(task)

    def _crashed(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s died", task.get_name(), exc_info=task.exception())

    @property
    def healthy(self) -> bool:
        """False when a background task died (liveness then fails and Kubernetes restarts us)."""
        return all(not t.done() for t in self._tasks)

    async def stop(self) -> None:
        """Graceful stop, bounded even when the broker or database is gone."""
        self.stopping.set()
        for c in self.consumers:
            c.stop()
        self.relay.stop()
        # Consumers finish the batch in hand and commit; the relay finishes its round. A round
        # stuck on an unreachable broker is cancelled: its transaction rolls back and its rows
        # stay in the outbox for the next start.
        await self._settle(self._tasks, 5.0)
        for c in self.consumers:
            await self._bounded(c.close(), "consumer close")
        if self.run_relay:
            await self._bounded(self.relay.drain(), "outbox drain")
        # A provided object holding connections of its own (an HTTP client) closes them.
        for resource in list(self.resources.values()):
            if callable(aclose := getattr(resource, "aclose", None)):
                await self._bounded(aclose(), f"closing {type(resource).__name__}")
        await self._bounded(self.producer.stop(), "producer stop")
        await self.engine.dispose()
        if self.tracing is not None:  # the last spans go out (a collector that is gone: bounded)
            await self._bounded(asyncio.to_thread(self.tracing.shutdown), "trace export")

    @staticmethod
    async def _bounded(step: Awaitable[None], what: str, timeout_s: float = 3.0) -> None:
        """Run one shutdown step; a broker that is gone must not hang the shutdown."""
        try:
            await asyncio.wait_for(step, timeout_s)
        except (Exception, asyncio.CancelledError) as exc:
            log.warning("%s did not finish cleanly (%s)", what, type(exc).__name__)

    @staticmethod
    async def _settle(tasks: list[asyncio.Task[None]], timeout_s: float) -> None:
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
