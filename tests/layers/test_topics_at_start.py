"""Layers creates, when it starts, every topic it reads and writes and its dead-letter topics.

docs/integrating.md tells a department's IT team that ``porchlight.records`` exists as soon as
Porchlight runs: they never create it. This starts layers alone against a broker of the test's
own that has no topic at all, and lists what is there after start-up.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from support import running

from porchlight.events import Topics, dlq_topic
from porchlight.kit.embedded import EmbeddedBroker, free_port
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

#: What layers reads and writes today, whatever other capabilities add to its spec later.
REQUIRED = {
    Topics.RECORDS,  # departments' record.reported / record.closed
    Topics.LAYER_RECORDS,  # its record.accepted
    dlq_topic(Topics.RECORDS, "porchlight.layers"),  # refusals, read by departments (docs/integrating.md)
    Topics.NOTES,
    Topics.NOTE_ANALYSES,
}


@pytest.fixture
def empty_broker(settings: KitSettings) -> Iterator[KitSettings]:
    b = EmbeddedBroker(port=free_port())
    yield settings.model_copy(update={"kafka_bootstrap": b.start(), "embedded_broker": True})
    b.stop()


async def topics_on(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def test_layers_creates_its_topics_and_dead_letter_topics_at_start(empty_broker: KitSettings) -> None:
    bootstrap = empty_broker.require_kafka_bootstrap()
    assert not (await topics_on(bootstrap)) & REQUIRED
    spec = get_service("layers")
    assert set(spec.topics) >= REQUIRED
    async with running("layers", empty_broker, background=False):
        created = await topics_on(bootstrap)
    assert created >= set(spec.topics), sorted(set(spec.topics) - created)
    # Every topic of an event layers handles has its dead-letter topic for layers' group.
    for consumer in spec.consumers:
        assert {dlq_topic(t, consumer.group) for t in consumer.topics} <= created
