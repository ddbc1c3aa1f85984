"""The Kafka producer every service shares (acks=all; idempotent where the broker allows)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiokafka import AIOKafkaProducer

from porchlight.events.base import Event
from porchlight.events.envelope import new_envelope, to_kafka


class EventProducer:
    """Thin wrapper over aiokafka's producer with the settings Porchlight relies on.

    ``idempotent`` is on for real Kafka. The embedded Tansu broker does not implement
    InitProducerId, so standalone mode turns it off; exactly-once *effect* comes from the
    consumers' inboxes in both modes, not from the producer.
    """

    def __init__(
        self,
        bootstrap: str,
        *,
        idempotent: bool,
        client_id: str = "porchlight",
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        # client_options: the security settings (KitSettings.kafka_client_options), for every client.
        self._producer = AIOKafkaProducer(
            **(client_options or {}),
            bootstrap_servers=bootstrap,
            client_id=client_id,
            acks="all",
            enable_idempotence=idempotent,
            linger_ms=2,
            max_batch_size=256 * 1024,
            request_timeout_ms=15_000,
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def ping(self, timeout_s: float = 2.0) -> bool:
        """True when the broker answered a metadata request (readiness)."""
        try:
            return bool(await asyncio.wait_for(self._producer.client.force_metadata_update(), timeout_s))
        except Exception:
            return False

    async def send_raw(
        self, topic: str, *, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[Any]:
        """Queue one record; returns the future of its acknowledgement."""
        ack: asyncio.Future[Any] = await self._producer.send(topic, value=value, key=key, headers=headers)
        return ack

    async def publish(self, event: Event, *, source: str) -> str:
        """Publish one event directly and wait for its ack; returns the event id.

        Only for tools (tests, CLI, dead-letter replays). Services use the outbox.
        """
        env = new_envelope(event, source=source)
        key, value, headers = to_kafka(env)
        await (await self.send_raw(event.TOPIC, key=key, value=value, headers=headers))
        return env.id
