"""Interoperability with the official CloudEvents Python SDK (docs/architecture.md, "Event flow").

"Any CloudEvents SDK must be able to read every event": our Kafka records (envelope.to_kafka) are
read by the SDK's Kafka binding in binary mode, both its current API
(``cloudevents.core.bindings.kafka``) and the legacy one (``cloudevents.v1.kafka``), and a record
the SDK writes in binary mode is accepted by our ``from_kafka``. Structured-mode and garbage records
are rejected as MalformedEvent (a poison message for the DLQ), never half-read.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from cloudevents.v1 import kafka as ce_kafka_legacy
from events.samples import sample_event

from porchlight.events import (
    Envelope,
    Event,
    MalformedEvent,
    NoteSubmitted,
    all_event_classes,
    from_kafka,
    new_envelope,
    to_kafka,
)

CLASSES = all_event_classes()
IDS = [c.TYPE for c in CLASSES]
SOURCE = "/porchlight/tests"


def _record(event: Event) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    return to_kafka(new_envelope(event, source=SOURCE))


@pytest.mark.parametrize("full", [True, False], ids=["all-fields", "required-only"])
@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_sdk_reads_our_records(cls: type[Event], full: bool) -> None:
    event = sample_event(cls, full=full)
    env = new_envelope(event, source=SOURCE)
    key, value, headers = to_kafka(env)
    names = [name for name, _ in headers]
    assert len(names) == len(set(names)), "duplicate headers would be lost by dict-based clients"

    ce = ce_kafka.from_binary(ce_kafka.KafkaMessage(headers=dict(headers), key=key, value=value), JSONFormat())
    assert isinstance(ce, CloudEvent)  # constructing it ran the SDK's spec validation
    assert ce.get_specversion() == "1.0"
    assert ce.get_type() == cls.TYPE
    assert ce.get_id() == env.id
    assert ce.get_source() == SOURCE
    assert ce.get_subject() == event.subject()
    assert ce.get_time() == env.time
    assert ce.get_datacontenttype() == "application/json"
    assert ce.get_extension("partitionkey") == event.partition_key()
    assert ce.get_data() == event.model_dump(mode="json")
    assert cls.model_validate(ce.get_data()) == event


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_legacy_sdk_api_reads_our_records(cls: type[Event]) -> None:
    event = sample_event(cls)
    env = new_envelope(event, source=SOURCE)
    key, value, headers = to_kafka(env)
    ce = ce_kafka_legacy.from_binary(ce_kafka_legacy.KafkaMessage(dict(headers), key, value))
    assert ce["type"] == cls.TYPE
    assert ce["id"] == env.id
    assert ce["source"] == SOURCE
    assert ce["subject"] == event.subject()
    assert datetime.fromisoformat(ce["time"]) == env.time
    assert ce.get_data() == event.model_dump(mode="json")


def _sdk_binary_record(event: Event, **attributes: object) -> ce_kafka.KafkaMessage:
    ce = CloudEvent(
        attributes={
            "type": event.TYPE,
            "source": "/other-city-system",
            "id": "sdk-0001",
            "time": datetime(2025, 6, 1, 9, 0, tzinfo=UTC),
            "subject": event.subject(),
            "datacontenttype": "application/json",
            "partitionkey": event.partition_key(),
            **attributes,
        },
        data=event.model_dump(mode="json"),
    )
    return ce_kafka.to_binary(ce, JSONFormat())


def _ours(message: ce_kafka.KafkaMessage) -> Envelope:
    key = message.key.encode() if isinstance(message.key, str) else message.key
    return from_kafka(key, message.value, list(message.headers.items()))


def test_we_read_an_sdk_written_note_submitted() -> None:
    event = sample_event(NoteSubmitted)
    env = _ours(_sdk_binary_record(event))
    assert env.type == NoteSubmitted.TYPE
    assert env.id == "sdk-0001"
    assert env.source == "/other-city-system"
    assert env.subject == str(event.note_id)
    assert env.time == datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    assert env.key == event.partition_key()
    assert env.extensions.get("partitionkey") == event.partition_key()
    assert env.event() == event


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_we_read_sdk_written_records_of_every_type(cls: type[Event]) -> None:
    event = sample_event(cls, full=False)
    assert _ours(_sdk_binary_record(event)).event() == event


def test_sdk_record_without_optional_attributes_is_accepted() -> None:
    """Only the four required CloudEvents attributes; no content-type, time or key."""
    event = sample_event(NoteSubmitted)
    ce = CloudEvent(attributes={"type": event.TYPE, "source": "/x", "id": "1"}, data=event.model_dump(mode="json"))
    message = ce_kafka.to_binary(ce, JSONFormat())
    assert _ours(message).event() == event


def test_sdk_record_with_invalid_data_is_malformed() -> None:
    event = sample_event(NoteSubmitted)
    ce = CloudEvent(
        attributes={"type": event.TYPE, "source": "/x", "id": "1", "datacontenttype": "application/json"},
        data={"note_id": "not-a-uuid"},
    )
    env = _ours(ce_kafka.to_binary(ce, JSONFormat()))
    with pytest.raises(MalformedEvent):
        env.event()


def test_structured_mode_record_is_rejected() -> None:
    event = sample_event(NoteSubmitted)
    ce = CloudEvent(
        attributes={"type": event.TYPE, "source": "/x", "id": "1", "datacontenttype": "application/json"},
        data=event.model_dump(mode="json"),
    )
    structured = ce_kafka.to_structured(ce, JSONFormat())
    assert structured.headers["content-type"].startswith(b"application/cloudevents")
    with pytest.raises(MalformedEvent):
        _ours(structured)


def test_structured_mode_record_with_stray_ce_headers_is_rejected() -> None:
    """The binding says the content-type decides the mode, whatever other headers say."""
    event = sample_event(NoteSubmitted)
    key, _value, headers = _record(event)
    structured = ce_kafka.to_structured(
        CloudEvent(attributes={"type": event.TYPE, "source": "/x", "id": "1"}, data=event.model_dump(mode="json")),
        JSONFormat(),
    )
    mixed = [(n, v) for n, v in headers if n != "content-type"] + [("content-type", structured.headers["content-type"])]
    with pytest.raises(MalformedEvent):
        from_kafka(key, structured.value, mixed)


@pytest.mark.parametrize(
    ("key", "value", "headers"),
    [
        (None, b"\x00\xff garbage", []),
        (None, b'{"note_id": "x"}', [("content-type", b"application/json")]),
        (
            b"D4",
            b"not json",
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"1"),
                ("ce_source", b"/x"),
                ("ce_type", NoteSubmitted.TYPE.encode()),
            ],
        ),
        (
            b"D4",
            b"[1, 2]",
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"1"),
                ("ce_source", b"/x"),
                ("ce_type", NoteSubmitted.TYPE.encode()),
            ],
        ),
        (
            b"D4",
            b"{}",
            [
                ("ce_specversion", b"0.3"),
                ("ce_id", b"1"),
                ("ce_source", b"/x"),
                ("ce_type", NoteSubmitted.TYPE.encode()),
            ],
        ),
        (
            b"D4",
            b"{}",
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"\xff\xfe"),
                ("ce_source", b"/x"),
                ("ce_type", NoteSubmitted.TYPE.encode()),
            ],
        ),
        (
            b"D4",
            b"{}",
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"1"),
                ("ce_source", b"/x"),
                ("ce_type", NoteSubmitted.TYPE.encode()),
                ("ce_time", b"yesterday"),
            ],
        ),
        (
            b"D4",
            b"<xml/>",
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"1"),
                ("ce_source", b"/x"),
                ("ce_type", NoteSubmitted.TYPE.encode()),
                ("content-type", b"application/xml"),
            ],
        ),
    ],
    ids=[
        "binary-garbage",
        "no-ce-headers",
        "value-not-json",
        "value-not-object",
        "specversion-0.3",
        "header-not-utf8",
        "time-not-rfc3339",
        "xml-content-type",
    ],
)
def test_garbage_is_rejected(key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]) -> None:
    with pytest.raises(MalformedEvent):
        from_kafka(key, value, headers)


def test_unknown_type_is_malformed_on_event() -> None:
    key, value, headers = _record(sample_event(NoteSubmitted))
    headers = [(n, b"org.porchlight.nothing.happened.v1" if n == "ce_type" else v) for n, v in headers]
    with pytest.raises(MalformedEvent):
        from_kafka(key, value, headers).event()
