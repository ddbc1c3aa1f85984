"""``porchlight dashboard rebuild``: empty the read models and replay every topic from the start.

How it works (and why it is safe while the dashboard runs):

0. It refuses to start when the broker holds fewer events on the dashboard's topics than the
   dashboard has applied (its inbox rows): a broker that lost its topics (the embedded one after a
   restart, before the services have republished their archives: docs/adr/0015) would leave the
   pages with a fraction of the history. ``force`` rebuilds anyway.
1. In one transaction: TRUNCATE every projected table (projections/tables.py ``PROJECTED`` and
   the activity counters, crime counts among them) and delete the consumer group's inbox rows.
2. A replay reader with NO consumer group (manual partition assignment, from the beginning;
   nothing is committed, so the live group's offsets are untouched) reads every partition of
   the dashboard's topics up to the end offsets seen at the start, and applies the records
   with the live consumer's own code path (same handlers, same inbox under the live group's
   name, same dead-letter rules).
3. The running dashboard's consumer goes on meanwhile: an event both see is applied by
   whichever claims its inbox row first, and skipped by the other. Every handler is
   order-independent (highest revision wins, counters add), so the result equals a fresh
   projection whatever the interleaving.

A read during the rebuild sees partial numbers; the rebuild takes seconds for a year of data.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, TopicPartition

from porchlight.dashboard.activity.models import DistrictActivity
from porchlight.dashboard.projections.models import PROJECTED
from porchlight.events import ConsumerRunner, EventProducer
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.service import ServiceSpec
from porchlight.kit.settings import KitSettings

log = logging.getLogger(__name__)


async def _records_held(reader: AIOKafkaConsumer, tps: list[TopicPartition], idle_polls: int = 3) -> int:
    """How many records the partitions hold, read through once (nothing applied).

    Counted, not taken from the offsets: the embedded broker's end offset is the start of the
    newest batch plus one, so a republished archive (sent in large batches) would look hundreds
    of events short of what it holds.
    """
    held, idle = 0, 0
    while idle < idle_polls:
        batches = await reader.getmany(*tps, timeout_ms=300, max_records=10_000)
        got = sum(len(recs) for recs in batches.values())
        held, idle = held + got, 0 if got else idle + 1
    return held


class RebuildRefused(RuntimeError):
    """The broker holds less than the history the dashboard has applied (nothing was changed)."""


@dataclass
class RebuildReport:
    records: int
    partitions: int
    seconds: float


async def rebuild(
    settings: KitSettings, spec: ServiceSpec, *, idle_s: float = 3.0, force: bool = False
) -> RebuildReport:
    started = time.monotonic()
    (cspec,) = spec.consumers
    engine = create_engine(
        settings.require_database_url(), pool_size=4, application_name="porchlight-dashboard-rebuild"
    )
    sessions = session_factory(engine)
    bootstrap = settings.require_kafka_bootstrap()
    security = settings.kafka_client_options()
    producer = EventProducer(
        bootstrap,
        idempotent=not settings.embedded_broker,
        client_id="porchlight-dashboard-rebuild",
        client_options=security,
    )
    reader = AIOKafkaConsumer(
        **security,
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        client_id="porchlight-dashboard-rebuild",
    )
    records = 0
    inbox = spec.inbox.table
    try:
        await reader.start()
        await reader.topics()  # loads the cluster's metadata
        tps = [TopicPartition(t, p) for t in cspec.topics for p in sorted(reader.partitions_for_topic(t) or ())]
        reader.assign(tps)
        await reader.seek_to_beginning(*tps)
        end = await reader.end_offsets(tps)
        held = await _records_held(reader, tps)
        await reader.seek_to_beginning(*tps)
        async with sessions() as session:
            applied = await session.scalar(
                sa.select(sa.func.count()).select_from(inbox).where(inbox.c.consumer == cspec.group)
            )
        if held < (applied or 0) and not force:
            raise RebuildRefused(
                f"the broker holds {held} events on the dashboard's topics and the dashboard has applied "
                f"{applied}: rebuilding now would leave the pages with part of the history. A broker that "
                "restarted empty gets every event again from the services' outboxes within seconds of "
                "their start (docs/adr/0015); run the rebuild then, or with --force to rebuild from what "
                "the broker holds. Nothing was changed."
            )
        async with sessions() as session, session.begin():
            tables = [*PROJECTED, DistrictActivity.__table__]
            names = ", ".join(f'"{t.schema}"."{t.name}"' for t in tables)  # type: ignore[attr-defined]
            await session.execute(sa.text(f"TRUNCATE {names}"))
            await session.execute(sa.delete(inbox).where(inbox.c.consumer == cspec.group))
        await producer.start()
        todo = {tp for tp in tps if end.get(tp, 0) > 0}
        # The live consumer's code path, without its group: only its per-partition apply is used.
        runner = ConsumerRunner(
            cspec, service=spec.name, bootstrap=bootstrap, sessions=sessions, inbox=spec.inbox, producer=producer
        )
        last_progress = time.monotonic()
        while todo and time.monotonic() - last_progress < idle_s:
            batches = await reader.getmany(*todo, timeout_ms=200, max_records=2000)
            for tp, recs in batches.items():
                if not recs:
                    continue
                await runner._process(tp, recs)  # the same semantics as live consumption
                records += len(recs)
                last_progress = time.monotonic()
                if recs[-1].offset + 1 >= end[tp]:
                    todo.discard(tp)
        if todo:
            log.warning("rebuild stopped at the idle limit before the end offsets of %d partitions", len(todo))
        return RebuildReport(records=records, partitions=len(tps), seconds=round(time.monotonic() - started, 2))
    finally:
        await reader.stop()
        await producer.stop()  # safe when it never started (a refused rebuild)
        await engine.dispose()
