"""The examples in docs/asyncapi.yaml are records Porchlight reads: valid data, the envelope's headers.

A department's IT team copies an example; it must pass the event's committed JSON Schema and the
message's headers schema, and a consumer must read it back (``from_kafka``) as that event.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from porchlight.events import Event, all_event_classes, from_kafka
from porchlight.events.asyncapi import message_id
from porchlight.events.examples import EXAMPLES

DOCS = Path(__file__).resolve().parents[2] / "docs"
WITH_EXAMPLES = [cls for cls in all_event_classes() if cls in EXAMPLES]


@pytest.fixture(scope="module")
def messages() -> dict[str, Any]:
    doc = yaml.safe_load((DOCS / "asyncapi.yaml").read_text(encoding="utf-8"))
    found: dict[str, Any] = doc["components"]["messages"]
    return found


def test_every_inbound_event_has_an_example(messages: dict[str, Any]) -> None:
    inbound = [cls for cls in all_event_classes() if cls.INBOUND]
    assert {cls.__name__ for cls in inbound} >= {"RecordReported", "RecordClosed", "IssueFlagged"}
    for cls in inbound:
        assert messages[message_id(cls.TYPE)].get("examples"), f"{cls.TYPE}: departments publish it, show them how"


@pytest.mark.parametrize("cls", WITH_EXAMPLES, ids=[c.TYPE for c in WITH_EXAMPLES])
def test_examples_are_valid_records_a_consumer_reads(messages: dict[str, Any], cls: type[Event]) -> None:
    message = messages[message_id(cls.TYPE)]
    examples = message["examples"]
    assert [e["name"] for e in examples] == [e.name for e in EXAMPLES[cls]]
    schema = json.loads((DOCS / "schemas" / f"{cls.TYPE}.json").read_text(encoding="utf-8"))
    for example in examples:
        assert set(example) == {"name", "summary", "headers", "payload"}
        Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(example["payload"])
        Draft202012Validator(message["headers"]).validate(example["headers"])
        headers = example["headers"]
        key = headers["ce_partitionkey"]
        env = from_kafka(
            key.encode(), json.dumps(example["payload"]).encode(), [(k, v.encode()) for k, v in headers.items()]
        )
        event = env.event()
        assert type(event) is cls
        assert event.partition_key() == key, "the example's key is its key field"
        assert headers["ce_type"] == cls.TYPE and headers["content-type"] == "application/json"


def test_example_ids_are_unique(messages: dict[str, Any]) -> None:
    ids = [e["headers"]["ce_id"] for m in messages.values() for e in m.get("examples", [])]
    assert len(ids) == len(set(ids)) >= 7
