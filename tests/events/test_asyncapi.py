"""docs/asyncapi.yaml and docs/schemas/ are generated from the catalog and must not go stale.

Also checks the AsyncAPI 3.0 document's structure (every $ref resolves, operations only use
their channel's messages, every catalog type is described) and that every event schema is a
valid Draft 2020-12 schema that a real sample event satisfies. There is no maintained offline
AsyncAPI 3 validator on PyPI, so the structural rules are checked here; the document was also
validated against the official AsyncAPI 3.0.0 JSON Schema and @asyncapi/parser when written.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from events.samples import sample_event
from jsonschema import Draft202012Validator

from porchlight.events import Event, all_event_classes
from porchlight.events.asyncapi import (
    ASYNCAPI_PATH,
    SCHEMAS_DIR,
    asyncapi_document,
    event_json_schema,
    generate,
    main,
    stale_files,
)
from porchlight.events.envelope import new_envelope, to_kafka

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
CLASSES = all_event_classes()


def _ids(classes: list[type[Event]]) -> list[str]:
    return [c.TYPE for c in classes]


@pytest.fixture(scope="module")
def committed_doc() -> dict[str, Any]:
    return yaml.safe_load((DOCS / ASYNCAPI_PATH).read_text(encoding="utf-8"))


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"only local refs are used, got {ref}"
    node: Any = doc
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"dangling $ref {ref}"
        node = node[part]
    return node


def _all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _all_refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _all_refs(v)]
    return []


# --- staleness ------------------------------------------------------------------------------


def test_committed_docs_are_up_to_date() -> None:
    stale = stale_files(DOCS)
    assert not stale, (
        f"generated docs are stale: {', '.join(stale)}; run `make docs` "
        "(python -m porchlight.events.asyncapi --docs docs) and commit the result"
    )


def test_generation_is_deterministic() -> None:
    assert generate() == generate()


def test_check_mode_names_stale_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--docs", str(tmp_path)]) == 0
    assert main(["--check", "--docs", str(tmp_path)]) == 0
    target = tmp_path / SCHEMAS_DIR / f"{CLASSES[0].TYPE}.json"
    target.write_text(target.read_text() + " ", encoding="utf-8")
    (tmp_path / ASYNCAPI_PATH).unlink()
    capsys.readouterr()
    assert main(["--check", "--docs", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert ASYNCAPI_PATH in err and target.name in err and "make docs" in err


def test_one_schema_file_per_catalog_type() -> None:
    committed = {p.name.removesuffix(".json") for p in (DOCS / SCHEMAS_DIR).glob("*.json")}
    assert set(_ids(CLASSES)) <= committed


# --- AsyncAPI 3.0 structure ----------------------------------------------------------------


def test_document_matches_generator(committed_doc: dict[str, Any]) -> None:
    assert committed_doc == json.loads(json.dumps(asyncapi_document()))


def test_asyncapi_top_level(committed_doc: dict[str, Any]) -> None:
    assert committed_doc["asyncapi"] == "3.0.0"
    info = committed_doc["info"]
    assert info["title"] == "Porchlight events" and info["version"]
    assert "CloudEvents 1.0" in info["description"] and "binary" in info["description"]
    assert "ce_" in info["description"]
    servers = committed_doc["servers"]
    assert servers["standalone"] == {**servers["standalone"], "host": "127.0.0.1:9092", "protocol": "kafka"}
    assert servers["production"]["host"] == "porchlight-kafka-bootstrap:9092"
    assert servers["production"]["protocol"] == "kafka"
    allowed = {"asyncapi", "id", "info", "servers", "defaultContentType", "channels", "operations", "components"}
    assert set(committed_doc) <= allowed


def test_every_ref_resolves(committed_doc: dict[str, Any]) -> None:
    refs = _all_refs(committed_doc)
    assert refs
    for ref in refs:
        _resolve(committed_doc, ref)


def test_channels_one_per_topic(committed_doc: dict[str, Any]) -> None:
    channels = committed_doc["channels"]
    assert sorted(c["address"] for c in channels.values()) == sorted({c.TOPIC for c in CLASSES})
    for channel in channels.values():
        assert set(channel) <= {
            "address",
            "messages",
            "parameters",
            "title",
            "summary",
            "description",
            "servers",
            "tags",
            "externalDocs",
            "bindings",
        }
        for message_ref in channel["messages"].values():
            message = _resolve(committed_doc, message_ref["$ref"])
            cls = next(c for c in CLASSES if message["name"] == c.TYPE)
            assert channel["address"] == cls.TOPIC, f"{cls.TYPE} listed on the wrong channel"


def test_operations_send_or_receive_their_channels_messages(committed_doc: dict[str, Any]) -> None:
    """Porchlight sends what its services publish and receives what departments' systems may
    publish (``Event.INBOUND``): each message in exactly one operation of its channel."""
    operations = committed_doc["operations"]
    channels = committed_doc["channels"]
    used_channels = set()
    placed: dict[str, str] = {}
    for op_id, op in operations.items():
        assert op["action"] in ("send", "receive"), op_id
        channel_ref = op["channel"]["$ref"]
        assert channel_ref.startswith("#/channels/")
        channel = _resolve(committed_doc, channel_ref)
        used_channels.add(channel_ref)
        assert op["messages"], op_id
        for m in op["messages"]:
            # AsyncAPI 3: an operation's messages MUST be a subset of its channel's messages.
            assert m["$ref"].startswith(channel_ref + "/messages/"), (op_id, m)
            assert _resolve(committed_doc, m["$ref"]) in channel["messages"].values()
            message = _resolve(committed_doc, _resolve(committed_doc, m["$ref"])["$ref"])
            assert message["name"] not in placed, f"{message['name']} in two operations"
            placed[message["name"]] = op["action"]
    assert used_channels == {f"#/channels/{c}" for c in channels}
    assert placed == {c.TYPE: "receive" if c.INBOUND else "send" for c in CLASSES}


def test_departments_publish_records_and_flagged_issues(committed_doc: dict[str, Any]) -> None:
    received = {
        _resolve(committed_doc, _resolve(committed_doc, m["$ref"])["$ref"])["name"]
        for op in committed_doc["operations"].values()
        if op["action"] == "receive"
        for m in op["messages"]
    }
    assert received == {
        "org.porchlight.record.reported.v1",
        "org.porchlight.record.closed.v1",
        "org.porchlight.issue.flagged.v1",
    }


@pytest.mark.parametrize("cls", CLASSES, ids=_ids(CLASSES))
def test_every_catalog_type_has_a_message(committed_doc: dict[str, Any], cls: type[Event]) -> None:
    messages = {m["name"]: m for m in committed_doc["components"]["messages"].values()}
    assert cls.TYPE in messages
    message = messages[cls.TYPE]
    assert message["contentType"] == "application/json"
    assert message["summary"] == inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0]
    headers = message["headers"]
    for h in (
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "ce_partitionkey",
        "content-type",
    ):
        assert h in headers["properties"], h
    assert headers["properties"]["ce_type"]["const"] == cls.TYPE
    assert headers["properties"]["ce_specversion"]["const"] == "1.0"
    assert cls.KEY in message["bindings"]["kafka"]["key"]["description"]
    payload = _resolve(committed_doc, message["payload"]["$ref"])
    assert set(payload["properties"]) == set(cls.model_fields)


@pytest.mark.parametrize("cls", CLASSES, ids=_ids(CLASSES))
def test_real_record_headers_match_the_documented_headers(committed_doc: dict[str, Any], cls: type[Event]) -> None:
    message = next(m for m in committed_doc["components"]["messages"].values() if m["name"] == cls.TYPE)
    _, value, headers = to_kafka(new_envelope(sample_event(cls), source="/porchlight/tests"))
    as_json = {name: raw.decode() for name, raw in headers}
    Draft202012Validator(message["headers"], format_checker=Draft202012Validator.FORMAT_CHECKER).validate(as_json)
    # The payload, resolved inside the AsyncAPI document, accepts the record value.
    payload_schema = {**message["payload"], "components": committed_doc["components"]}
    Draft202012Validator(payload_schema).validate(json.loads(value))


# --- JSON Schemas ---------------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES, ids=_ids(CLASSES))
def test_schema_is_valid_draft_2020_12(cls: type[Event]) -> None:
    schema = json.loads((DOCS / SCHEMAS_DIR / f"{cls.TYPE}.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://porchlight.city/schemas/{cls.TYPE}.json"
    assert schema["title"] and schema["description"] == inspect.cleandoc(cls.__doc__ or "")


@pytest.mark.parametrize("full", [True, False], ids=["all-fields", "required-only"])
@pytest.mark.parametrize("cls", CLASSES, ids=_ids(CLASSES))
def test_sample_event_validates_against_its_schema(cls: type[Event], full: bool) -> None:
    schema = event_json_schema(cls)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    data = sample_event(cls, full=full).model_dump(mode="json")
    validator.validate(data)
    broken = {k: v for k, v in data.items() if k != schema["required"][0]}
    assert not validator.is_valid(broken), "the schema must reject data missing a required field"
