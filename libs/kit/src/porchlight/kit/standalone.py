"""Standalone mode: embedded infrastructure and every service in one process.

Order matters on the embedded broker (see docs/adr/0003-embedded-broker.md): start PostgreSQL
and Tansu, create every topic with the admin client, migrate, then start the services; on
Ctrl-C stop the services (consumers commit, outboxes drain), then the broker, then PostgreSQL.
The addresses are written to ``<data_dir>/runtime.json`` so other commands (`porchlight token`,
`porchlight events tail`) find the running platform.

While it runs, the broker and PostgreSQL are supervised (``Infrastructure.supervise``): one that
dies is started again at the same address, with backoff, and the services' clients reconnect by
themselves. The restarted broker is empty (memory storage): its topics are created again before
anything can use them for long; the events it held are gone (the outboxes' business). The pids
of what we started are kept in ``<data_dir>/children.json``, so a start after a crash ends the
broker a killed run left on its port and adopts its PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
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


def children_file(data_dir: Path) -> Path:
    return data_dir / "children.json"


def _identity(pid: int | None) -> dict[str, object] | None:
    """A pid and its start time: together they name one process, even once the pid is reused."""
    if pid is None:
        return None
    try:
        return {"pid": pid, "started": psutil.Process(pid).create_time()}
    except psutil.NoSuchProcess:
        return None


def _still_running(entry: dict[str, object]) -> psutil.Process | None:
    """The recorded process, if it still runs (a recycled pid with another start time is not it)."""
    try:
        proc = psutil.Process(int(entry["pid"]))  # type: ignore[call-overload]
        if abs(proc.create_time() - float(entry["started"])) > 0.01:  # type: ignore[arg-type]
            return None
        return proc if proc.status() != psutil.STATUS_ZOMBIE else None
    except (psutil.NoSuchProcess, KeyError, TypeError, ValueError):
        return None


def end_leftovers(data_dir: Path) -> None:
    """End the broker a crashed run left (it holds its port); leave its PostgreSQL to be adopted.

    A run killed with ``kill -9`` cannot stop its children. On Linux its broker dies with it
    (``embedded.die_with_parent``); this is the path everywhere else. PostgreSQL is found again
    through its own ``postmaster.pid`` and adopted, which spares it a crash recovery.
    """
    path = children_file(data_dir)
    try:
        entries = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    for entry in entries.get("broker", []) if isinstance(entries, dict) else []:
        proc = _still_running(entry)
        if proc is None:
            continue
        log.warning("ending the embedded broker (pid %s) a previous run left behind", proc.pid)
        proc.kill()  # memory storage: nothing to flush
        with contextlib.suppress(psutil.Error):
            proc.wait(5)
    path.unlink(missing_ok=True)


@dataclass
class Infrastructure:
    """The database and broker standalone mode uses: the ones configured, else embedded ones."""

    settings: KitSettings
    broker_port: int = 9092
    postgres: EmbeddedPostgres | None = field(default=None, init=False)
    broker: EmbeddedBroker | None = field(default=None, init=False)
    #: The shortest and longest wait between two attempts to start a dead broker or database.
    backoff_s: tuple[float, float] = (0.2, 5.0)

    def start(self) -> KitSettings:
        s = self.settings
        s.data_dir.mkdir(parents=True, exist_ok=True)
        end_leftovers(s.data_dir)
        update: dict[str, object] = {}
        try:
            if not s.database_url:
                self.postgres = EmbeddedPostgres(s.data_dir / "pg")
                update["database_url"] = self.postgres.start()
                self.record()
            if not s.kafka_bootstrap:
                self.broker = EmbeddedBroker(port=self.broker_port, log_path=s.data_dir / "broker.log")
                update["kafka_bootstrap"] = self.broker.start()
                update["embedded_broker"] = True
                self.record()
        except BaseException:
            self.stop()
            raise
        self.settings = s.model_copy(update=update)
        return self.settings

    def record(self) -> None:
        """Write down the pids of the servers we run, for the start after a crash."""
        entries = {
            "broker": [i for i in [_identity(self.broker.pid if self.broker else None)] if i],
            "postgres": [i for i in [_identity(self.postgres.pid if self.postgres else None)] if i],
        }
        path = children_file(self.settings.data_dir)
        path.write_text(json.dumps(entries))

    def stop(self) -> None:
        if self.broker is not None:
            self.broker.stop()
        if self.postgres is not None:
            self.postgres.stop()
        children_file(self.settings.data_dir).unlink(missing_ok=True)

    async def supervise(self, topics: list[str], check_s: float = 0.5) -> None:
        """Start the broker or PostgreSQL again whenever one dies, until cancelled."""
        while True:
            await asyncio.sleep(check_s)
            try:
                if self.broker is not None and not self.broker.running:
                    broker = self.broker
                    what = f"the embedded broker (exit {broker.returncode}) on {broker.bootstrap}"
                    await self._revive(what, functools.partial(self._restart_broker, broker, topics))
                if self.postgres is not None and not self.postgres.running:
                    pg = self.postgres
                    restart = functools.partial(asyncio.to_thread, pg.restart)
                    await self._revive(f"embedded PostgreSQL in {pg.data_dir}", restart)
            except Exception:  # the supervisor itself must not die silently
                log.exception("supervising the embedded broker and PostgreSQL failed; trying again")

    async def _restart_broker(self, broker: EmbeddedBroker, topics: list[str]) -> None:
        # In the main thread: the broker dies with the thread that started it (die_with_parent).
        broker.restart()
        s = self.settings
        # At once, before the producers' next metadata refresh finds the topics missing.
        await ensure_topics(
            broker.bootstrap,
            topics,
            partitions=s.topic_partitions,
            replication=s.topic_replication,
            words_retention_ms=round(s.words_retention_days * 86_400_000),
        )

    async def _revive(self, what: str, restart: Callable[[], Awaitable[object]]) -> None:
        # Messages formatted here, not by logging: the log's RepeatFilter takes one message
        # template for one kind, and the broker's restart must not hide PostgreSQL's.
        log.warning(f"{what} died; restarting it")
        started, delay, attempt = time.monotonic(), self.backoff_s[0], 0
        while True:
            attempt += 1
            try:
                await restart()
                break
            except Exception as exc:
                if attempt == 1:
                    log.warning(f"{what} did not start yet ({type(exc).__name__}); retrying with backoff")
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.backoff_s[1])
        self.record()
        log.warning(f"{what} is back after {time.monotonic() - started:.1f}s ({attempt} attempts)")


async def prepare(settings: KitSettings, services: list[ServiceSpec]) -> None:
    """Create every topic (before any producer starts) and migrate every schema."""
    topics = sorted({t for spec in services for t in spec.topics})
    await ensure_topics(
        settings.require_kafka_bootstrap(),
        topics,
        partitions=settings.topic_partitions,
        replication=settings.topic_replication,
        words_retention_ms=round(settings.words_retention_days * 86_400_000),
        client_options=settings.kafka_client_options(),
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


async def serve_all(
    settings: KitSettings,
    services: list[ServiceSpec],
    ports: dict[str, int],
    infra: Infrastructure | None = None,
    log_file: Path | None = None,
) -> None:
    """Run every service until SIGINT/SIGTERM, printing one URL per service when ready.

    With ``infra``, its broker and PostgreSQL are supervised meanwhile (restarted when they die).
    ``log_file`` is where the full logs go, when not to the terminal: the summary says so.
    """
    started = time.monotonic()
    servers = build_servers(settings, services, ports)
    loop = asyncio.get_running_loop()
    supervisor = None
    if infra is not None:
        topics = sorted({t for spec in services for t in spec.topics})
        supervisor = asyncio.create_task(infra.supervise(topics), name="supervisor")

    def _exit() -> None:
        # Nothing is restarted once we are stopping: the servers go down in order after this.
        if supervisor is not None:
            supervisor.cancel()
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
        if log_file is not None:
            print(f"full logs in {log_file} (here: warnings and errors only)", flush=True)
        print(f"ready in {time.monotonic() - started:.1f}s — Ctrl-C stops everything", flush=True)
        settle_heap(settings.gc_gen0_threshold)  # every service has started: see kit.collector
    await asyncio.gather(*tasks, return_exceptions=True)
    if supervisor is not None:
        supervisor.cancel()
        await asyncio.gather(supervisor, return_exceptions=True)
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
