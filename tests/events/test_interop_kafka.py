"""Interoperability on a real broker with clients that are not ours (docs/architecture.md, "Event flow").

(a) A note.submitted written by the official CloudEvents SDK (Kafka binding, binary mode) and
    produced by confluent-kafka (librdkafka) is applied by the dashboard's consumer.
(b) confluent-kafka's consumer reads the note.submitted that intake's outbox relay published,
    and finds the CloudEvents binary-mode headers and the note in the value.

confluent-kafka's calls block, so they run in threads; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from confluent_kafka import Consumer, KafkaError, Message, Producer
from support import bearer, eventually, running, unsealed

from porchlight.events import NoteSubmitted, NoteSubmittedV2
from porchlight.events.topics import Topics
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration


def _produce(bootstrap: str, topic: str, message: ce_kafka.KafkaMessage) -> Message:
    """Produce one record with librdkafka and wait for its acknowledgement."""
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "enable.idempotence": False,  # the embedded broker (Tansu) has no InitProducerId
            "acks": "all",
            "client.id": "interop-test-producer",
            "message.timeout.ms": 15_000,
        }
    )
    delivered: list[tuple[KafkaError | None, Message]] = []
    producer.produce(
        topic,
        value=message.value,
        key=message.key,
        headers=list(message.headers.items()),
        on_delivery=lambda err, msg: delivered.append((err, msg)),
    )
    remaining = producer.flush(15)
    assert remaining == 0, "the broker did not acknowledge the record within 15 s"
    ((err, msg),) = delivered
    assert err is None, err
    return msg


async def test_dashboard_applies_an_sdk_written_note(settings: KitSettings) -> None:
    district = f"SDK-{uuid.uuid4().hex[:8]}"
    note = NoteSubmitted(
        note_id=uuid.uuid4(),
        district=district,
        host_id="other-city-system",
        submitted_at=datetime(2025, 6, 1, 9, 0, tzinfo=UTC),
        concerns=[{"text": "speeding on Elm"}],
        sentiment=2,
    )
    event = CloudEvent(
        attributes={
            "type": "org.porchlight.note.submitted.v1",
            "source": "/other-city-system/intake",
            "id": str(uuid.uuid4()),
            "time": datetime.now(UTC),
            "subject": str(note.note_id),
            "datacontenttype": "application/json",
            "partitionkey": district,  # the SDK turns it into the record key
        },
        data=note.model_dump(mode="json"),
    )
    message = ce_kafka.to_binary(event, JSONFormat())
    assert message.key == district and "ce_specversion" in message.headers

    sup = bearer(settings, "supervisor")
    async with running("dashboard", settings) as (_, dash):
        record = await asyncio.to_thread(_produce, settings.require_kafka_bootstrap(), Topics.NOTES, message)
        assert record.topic() == NoteSubmitted.TOPIC and record.key() == district.encode()

        async def applied() -> bool:
            r = await dash.get("/v1/activity", headers=sup)
            assert r.status_code == 200, r.text
            return any(d["district"] == district and d["notes"] == 1 for d in r.json()["districts"])

        await eventually(applied, timeout_s=20)


def _read_until(bootstrap: str, group: str, topic: str, note_id: str, timeout_s: float) -> Message:
    """An independent consumer (own group, from the earliest offset) until the note's record comes."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "client.id": "interop-test-consumer",
            # The embedded broker completes a join after about half the session timeout: the
            # 45 s default would cost ~23 s here (same reason as consumer_session_timeout_ms).
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 1000,
        }
    )
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise AssertionError(f"consumer error: {msg.error()}")
            if dict(msg.headers() or ()).get("ce_subject") == note_id.encode():
                return msg
        raise AssertionError(f"no record for note {note_id} on {topic} within {timeout_s}s")
    finally:
        consumer.close()


async def test_independent_consumer_reads_what_intake_published(settings: KitSettings) -> None:
    district = "B2"  # a district of the demo city (the record is found by its note id)
    async with running("intake", settings) as (_, intake):
        r = await intake.post(
            "/v1/notes",
            json={"place": {"district": district}, "concerns": [{"text": "lights"}], "sentiment": 3, "attendees": 4},
            headers=bearer(settings, "liaison", subject="liaison-9"),
        )
        assert r.status_code == 201, r.text
        note_id = r.json()["id"]
        msg = await asyncio.to_thread(
            _read_until, settings.require_kafka_bootstrap(), f"interop-{uuid.uuid4().hex}", Topics.NOTES, note_id, 25
        )

    headers = msg.headers() or []
    names = [name for name, _ in headers]
    assert len(names) == len(set(names)), names
    h = {name: value.decode() for name, value in headers}
    assert h["ce_specversion"] == "1.0"
    assert h["ce_type"] == "org.porchlight.note.submitted.v2"
    assert uuid.UUID(h["ce_id"])  # a fresh id per event
    assert h["ce_source"] == "/porchlight/intake"
    assert h["content-type"] == "application/json"
    assert datetime.fromisoformat(h["ce_time"].replace("Z", "+00:00")).tzinfo is not None
    assert not any(name.startswith("ce_") and name[3:] in ("data", "datacontenttype") for name in names)
    assert msg.key() == district.encode()  # one district's events stay in order

    data = json.loads(msg.value())
    assert data["note_id"] == note_id
    assert data["district"] == district
    assert data["host_id"] == "liaison-9"
    # The words travel sealed under the note's key (docs/adr/0014); a system with the keyring opens them.
    assert [c["text"] for c in data["concerns"]] == [""] and "lights" not in msg.value().decode()
    assert [s["note_id"] for s in data["sealed"]] == [note_id] and data["sealed"][0]["alg"] == "A256GCM"
    opened = await unsealed(settings, h["ce_type"], data)
    assert [c["text"] for c in opened["concerns"]] == ["lights"]
    assert NoteSubmittedV2.model_validate(data).note_id == uuid.UUID(note_id)

    # and the SDK, given what librdkafka handed us, agrees
    ce = ce_kafka.from_binary(
        ce_kafka.KafkaMessage(headers=dict(headers), key=msg.key(), value=msg.value()), JSONFormat()
    )
    assert ce.get_type() == NoteSubmittedV2.TYPE and ce.get_id() == h["ce_id"] and ce.get_data() == data
