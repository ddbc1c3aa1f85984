"""Standalone mode: embedded infrastructure and every service in one process.

Order matters on the embedded broker (see docs/adr/0003-embedded-broker.md): start PostgreSQL
and Tansu, create every topic with the admin client, migrate, then start the services; on
Ctrl-C stop the services (consumers commit, outboxes drain), then the broker, then PostgreSQL.
The addresses are written to ``<data_dir>/runtime.json`` so other commands (`porchlight token`,
`porchlight events tail`) find the running platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from porchlight.events import ensure_topics
from porchlight.kit.app import create_app
from porchlight.kit.collector import settle_heap
from porchlight.kit.db import create_engine
from porchlight.kit.embedded import EmbeddedBroker, EmbeddedPostgres
from porchlight.kit.migrations import migrate
from porchlight.kit.service import ServiceSpec
from porchlight.kit.settings import KitSettings

log = logging.getLogger(__name__)


def runtime_file(settings: KitSettings) -> Path:
    return settings.data_dir / "runtime.json"


def load_runtime_env(settings: KitSettings) -> KitSettings:
    """Fill unset DATABASE_URL / KAFKA_BOOTSTRAP from a running ``porchlight run``."""
    path = runtime_file(settings)
    if settings.mode != "standalone" or not path.exists():
        return settings
    info = json.loads(path.read_text())
    update = {}
    if not settings.database_url:
        update["database_url"] = info.get("database_url")
    if not settings.kafka_bootstrap:
        update["kafka_bootstrap"] = info.get("kafka_bootstrap")
        update["embedded_broker"] = info.get("embedded_broker", False)
    return settings.model_copy(update=update)


@dataclass
class Infrastructure:
    """The database and broker standalone mode uses: the ones configured, else embedded ones."""

    settings: KitSettings
    broker_port: int = 9092
    postgres: EmbeddedPostgres | None = field(default=None, init=False)
    broker: EmbeddedBroker | None = field(default=None, init=False)

    def start(self) -> KitSettings:
        s = self.settings
        s.data_dir.mkdir(parents=True, exist_ok=True)
        update: dict[str, object] = {}
        if not s.database_url:
            self.postgres = EmbeddedPostgres(s.data_dir / "pg")
            update["database_url"] = self.postgres.start()
        if not s.kafka_bootstrap:
            self.broker = EmbeddedBroker(port=self.broker_port, log_path=s.data_dir / "broker.log")
            update["kafka_bootstrap"] = self.broker.start()
            update["embedded_broker"] = True
        self.settings = s.model_copy(update=update)
        return self.settings

    def stop(self) -> None:
        if self.broker is not None:
            self.broker.stop()
        if self.postgres is not None:
            self.postgres.stop()


async def prepare(settings: KitSettings, services: list[ServiceSpec]) -> None:
    """Create every topic (before any producer starts) and migrate every schema."""
    topics = sorted({t for spec in services for t in spec.topics})
    await ensure_topics(
        settings.require_kafka_bootstrap(),
        topics,
        partitions=settings.topic_partitions,
        replication=settings.topic_replication,
        words_retention_ms=round(settings.words_retention_days * 86_400_000),
    )
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        for spec in services:
            await migrate(engine, spec)
    finally:
        await engine.dispose()


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to the runner (several servers share a process)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def build_servers(settings: KitSettings, services: list[ServiceSpec], ports: dict[str, int]) -> list[_Server]:
    servers = []
    for spec in services:
        config = uvicorn.Config(
            create_app(spec, settings),
            host=settings.host,
            port=ports[spec.name],
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=10,
        )
        servers.append(_Server(config))
    return servers


async def serve_all(settings: KitSettings, services: list[ServiceSpec], ports: dict[str, int]) -> None:
    """Run every service until SIGINT/SIGTERM, printing one URL per service when ready."""
    started = time.monotonic()
    servers = build_servers(settings, services, ports)
    loop = asyncio.get_running_loop()

    def _exit() -> None:
        for srv in servers:
            srv.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, _exit)
    tasks = [asyncio.create_task(srv.serve()) for srv in servers]
    while not all(srv.started for srv in servers):
        if any(t.done() for t in tasks):
            _exit()
            break
        await asyncio.sleep(0.05)
    else:
        for spec in services:
            print(f"{spec.name:<10} http://{settings.host}:{ports[spec.name]}", flush=True)
        for spec in services:
            if spec.web_ui is not None:
                print(f"open http://{settings.host}:{ports[spec.name]}{spec.web_ui} in a browser", flush=True)
        print(f"ready in {time.monotonic() - started:.1f}s — Ctrl-C stops everything", flush=True)
        settle_heap(settings.gc_gen0_threshold)  # every service has started: see kit.collector
    await asyncio.gather(*tasks, return_exceptions=True)
    for t in tasks:
        if t.exception() is not None:
            raise t.exception()  # type: ignore[misc]


def write_runtime(settings: KitSettings, ports: dict[str, int]) -> None:
    info = {
        "database_url": settings.database_url,
        "kafka_bootstrap": settings.kafka_bootstrap,
        "embedded_broker": settings.embedded_broker,
        "ports": ports,
        "pid": os.getpid(),
    }
    path = runtime_file(settings)
    path.write_text(json.dumps(info, indent=2))
    path.chmod(0o600)
