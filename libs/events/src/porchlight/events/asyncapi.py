"""Generate docs/asyncapi.yaml and docs/schemas/<type>.json from the event catalog.

The catalog (catalog.py) is the single source of truth; the documents are generated from it and
checked in so that other teams (and other languages) can read the contract without Python, and so
that a reviewer sees a schema change in the diff. Output is byte-for-byte deterministic (sorted
maps, no timestamps): tests/events/test_asyncapi.py regenerates it and fails when the committed
copy is stale, and tests/events/test_schema_compat.py compares the catalog against the committed
schemas (see compat.py).

Run ``python -m porchlight.events.asyncapi [--docs DIR]`` to write, ``--check`` to verify only.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from porchlight.events import catalog as _catalog  # noqa: F401  (registers the event classes)
from porchlight.events.base import Event, all_event_classes
from porchlight.events.envelope import CONTENT_TYPE, SPECVERSION
from porchlight.events.examples import message_examples

# Version of the event API document; bump it when the catalog changes meaningfully.
API_VERSION = "1.0.0"
SCHEMA_BASE_URL = "https://porchlight.city/schemas/"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
KAFKA_BINDING_VERSION = "0.5.0"
SERVERS = {
    "standalone": ("127.0.0.1:9092", "The embedded single-node broker of a standalone install."),
    "production": ("porchlight-kafka-bootstrap:9092", "The cluster's Kafka bootstrap service."),
}
ASYNCAPI_PATH = "asyncapi.yaml"
SCHEMAS_DIR = "schemas"

_INFO_DESCRIPTION = f"""\
Every event Porchlight services publish on Kafka, generated from the event catalog
(libs/events/src/porchlight/events/catalog.py); do not edit by hand, run `make docs`.

Envelope: CloudEvents {SPECVERSION} in the Kafka protocol binding, **binary content mode**. The
context attributes travel as `ce_*` record headers (`ce_specversion`, `ce_id`, `ce_source`,
`ce_type`, `ce_time`, `ce_subject`, the partitioning extension `ce_partitionkey`, and the
distributed-tracing extension `ce_traceparent`/`ce_tracestate` when the producer traces), the
`content-type` header is `{CONTENT_TYPE}`, and the record value is the event's data as JSON
(the message payload below). Any CloudEvents SDK can read these records.

Type names are `org.porchlight.<aggregate>.<verb>.v<N>`; a new version only adds optional
fields. The record key is the aggregate's id or the district, so one district's events stay in
order. Consumers ignore fields they do not know.
"""


def _doc(cls: type) -> str:
    return inspect.cleandoc(cls.__doc__ or "")


def _camel(text: str) -> str:
    """``note-analyses`` -> ``noteAnalyses``; ``note.submitted.v1`` -> ``noteSubmittedV1``."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def message_id(event_type: str) -> str:
    """The AsyncAPI message id of an event type (``org.porchlight.`` dropped, camel case)."""
    return _camel(event_type.removeprefix("org.porchlight."))


def channel_id(topic: str) -> str:
    """The AsyncAPI channel id of a topic (``porchlight.`` dropped, camel case)."""
    return _camel(topic.removeprefix("porchlight."))


def _sorted(obj: Any) -> Any:
    """Sort every mapping by key, recursively; lists keep their (meaningful) order."""
    if isinstance(obj, dict):
        return {k: _sorted(obj[k]) for k in sorted(obj)}
    if isinstance(obj, list):
        return [_sorted(v) for v in obj]
    return obj


def event_json_schema(cls: type[Event]) -> dict[str, Any]:
    """The standalone JSON Schema (Draft 2020-12) of one event type's data."""
    schema = cls.model_json_schema()
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = f"{SCHEMA_BASE_URL}{cls.TYPE}.json"
    schema["title"] = cls.__name__
    schema["description"] = _doc(cls)
    sorted_schema: dict[str, Any] = _sorted(schema)
    return sorted_schema


def all_event_schemas() -> dict[str, dict[str, Any]]:
    """Every catalog event's JSON Schema, by CloudEvents type."""
    return {cls.TYPE: event_json_schema(cls) for cls in all_event_classes()}


def _headers_schema(cls: type[Event]) -> dict[str, Any]:
    """The Kafka record headers our envelope writes for this event (envelope.to_kafka)."""

    def text(description: str, **extra: Any) -> dict[str, Any]:
        return {"type": "string", "description": description, **extra}

    props = {
        "ce_specversion": text("CloudEvents spec version.", const=SPECVERSION),
        "ce_id": text("Unique id of the event; consumers deduplicate on (source, id).", minLength=1),
        "ce_source": text("The producing service, e.g. `/porchlight/intake`.", minLength=1),
        "ce_type": text("The CloudEvents type.", const=cls.TYPE),
        "ce_time": text("When the event happened (RFC 3339, UTC).", format="date-time"),
        "ce_subject": text("The aggregate's id; omitted only when empty."),
        "ce_partitionkey": text(f"Partitioning extension: equals the record key (the `{cls.KEY}` field)."),
        "ce_traceparent": text(
            "Distributed-tracing extension: the W3C `traceparent` of the span that made the event; "
            "present when the producer traces.",
            pattern="^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
        ),
        "ce_tracestate": text("Distributed-tracing extension: the W3C `tracestate` that goes with `ce_traceparent`."),
        "content-type": text("Media type of the record value.", const=CONTENT_TYPE),
    }
    required = ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_partitionkey", "content-type"]
    return {"type": "object", "properties": props, "required": required}


def _message(cls: type[Event], schema_ref: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": cls.TYPE,
        "title": cls.__name__,
        # The summary is the docstring's first paragraph; the rest of it leads the description.
        "summary": _doc(cls).split("\n\n", 1)[0],
        "description": "\n\n".join(
            [
                *_doc(cls).split("\n\n")[1:],
                f"CloudEvents type `{cls.TYPE}` on topic `{cls.TOPIC}`, keyed by its `{cls.KEY}` field.",
            ]
        ),
        "contentType": CONTENT_TYPE,
        "headers": _headers_schema(cls),
        "payload": {"$ref": schema_ref},
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": f"The event's `{cls.KEY}` field, so its events stay in order on one partition.",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
                "x-key-field": cls.KEY,
            }
        },
    }
    # Examples (examples.py) show a department's IT team a whole record: headers, key and data.
    if examples := message_examples(cls):
        message["examples"] = examples
    return message


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of the catalog, as plain data."""
    classes = all_event_classes()
    refs, top = models_json_schema(
        [(cls, "validation") for cls in classes], ref_template="#/components/schemas/{model}"
    )
    messages: dict[str, Any] = {}
    by_topic: dict[str, list[str]] = {}
    inbound = {message_id(cls.TYPE) for cls in classes if cls.INBOUND}
    for cls in classes:
        mid = message_id(cls.TYPE)
        if mid in messages:
            raise ValueError(f"two event types map to the AsyncAPI message id {mid}")
        messages[mid] = _message(cls, refs[(cls, "validation")]["$ref"])
        by_topic.setdefault(cls.TOPIC, []).append(mid)

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in sorted(by_topic):
        cid = channel_id(topic)
        if cid in channels:
            raise ValueError(f"two topics map to the AsyncAPI channel id {cid}")
        mids = sorted(by_topic[topic])
        channels[cid] = {
            "address": topic,
            "title": topic,
            "description": f"Kafka topic `{topic}`.",
            "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in mids},
        }
        sent = [m for m in mids if m not in inbound]
        if sent:
            operations[f"send{cid[:1].upper()}{cid[1:]}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{cid}"},
                "summary": f"Porchlight services publish to `{topic}`.",
                "messages": [{"$ref": f"#/channels/{cid}/messages/{m}"} for m in sent],
            }
        received = [m for m in mids if m in inbound]
        if received:
            # What a department's own system publishes and Porchlight reads (docs/integrating.md).
            operations[f"receive{cid[:1].upper()}{cid[1:]}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{cid}"},
                "summary": f"Porchlight reads what departments' systems publish to `{topic}`.",
                "description": (
                    "Publish with any Kafka client: CloudEvents 1.0 binary mode (ce_* headers, JSON "
                    "value), the key named in each message. See docs/integrating.md."
                ),
                "messages": [{"$ref": f"#/channels/{cid}/messages/{m}"} for m in received],
            }

    servers = {
        name: {"host": host, "protocol": "kafka", "description": description}
        for name, (host, description) in SERVERS.items()
    }
    # The top level keeps the customary order; everything below it is sorted.
    return {
        "asyncapi": "3.0.0",
        "info": _sorted({"title": "Porchlight events", "version": API_VERSION, "description": _INFO_DESCRIPTION}),
        "defaultContentType": CONTENT_TYPE,
        "servers": _sorted(servers),
        "channels": _sorted(channels),
        "operations": _sorted(operations),
        "components": _sorted({"schemas": top.get("$defs", {}), "messages": messages}),
    }


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML ships no type hints
    """Block style for multi-line strings, so the YAML stays readable in review."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def render_asyncapi() -> str:
    text: str = yaml.dump(asyncapi_document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


def render_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """Every generated file's text, by path relative to the docs directory."""
    files = {ASYNCAPI_PATH: render_asyncapi()}
    for event_type, schema in all_event_schemas().items():
        files[f"{SCHEMAS_DIR}/{event_type}.json"] = render_json(schema)
    return files


def stale_files(docs_dir: Path) -> list[str]:
    """Generated files whose committed copy under ``docs_dir`` is missing or different."""
    stale = []
    for rel, text in generate().items():
        path = docs_dir / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(rel)
    return stale


def write_all(docs_dir: Path) -> list[Path]:
    """Write docs/asyncapi.yaml and docs/schemas/<type>.json; return the paths written.

    Schemas of event types no longer in the catalog are left in place on purpose: the
    compatibility test reports a removed event type instead of it vanishing silently.
    """
    written = []
    for rel, text in generate().items():
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m porchlight.events.asyncapi", description=__doc__)
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="docs directory (default: ./docs)")
    parser.add_argument("--check", action="store_true", help="only verify; exit 1 if a file is stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.docs)
        for rel in stale:
            print(f"stale: {args.docs / rel}", file=sys.stderr)
        if stale:
            print("regenerate with `make docs` (python -m porchlight.events.asyncapi)", file=sys.stderr)
            return 1
        return 0
    for path in write_all(args.docs):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
