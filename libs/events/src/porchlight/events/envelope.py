"""CloudEvents 1.0 envelope in the Kafka protocol binding, binary content mode.

Attributes travel as ``ce_<name>`` headers (UTF-8), the event's data as JSON in the record
value, and ``content-type`` as a header of its own — exactly what the CloudEvents Kafka binding
specifies, so any CloudEvents SDK reads our events and we read theirs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from opentelemetry.context import Context

from porchlight.events.base import Event, event_class
from porchlight.events.tracing import trace_extensions

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
_CE_PREFIX = "ce_"

Headers = list[tuple[str, bytes]]


class MalformedEvent(ValueError):
    """A record that is not a readable Porchlight CloudEvent (a poison message)."""


class EventRefused(ValueError):
    """A readable event its consumer will never accept (a record outside the city, an unknown
    layer): dead-lettered at once with this error, never retried. The message names the field."""


@dataclass(frozen=True)
class Envelope:
    """A CloudEvent's context attributes and its raw JSON data."""

    id: str
    source: str
    type: str
    time: datetime
    data: dict[str, Any]
    subject: str | None = None
    key: str | None = None
    extensions: dict[str, str] = field(default_factory=dict)

    def event(self) -> Event:
        """Parse the data into the catalog class registered for ``type``.

        Raises MalformedEvent when the type is unknown or the data does not validate.
        """
        cls = event_class(self.type)
        if cls is None:
            raise MalformedEvent(f"unknown event type {self.type!r}")
        try:
            return cls.model_validate(self.data)
        except ValueError as exc:  # pydantic.ValidationError is a ValueError
            raise MalformedEvent(f"{self.type}: {exc}") from exc


def new_envelope(event: Event, *, source: str, event_id: str | None = None, trace: Context | None = None) -> Envelope:
    """Wrap a catalog event in a fresh envelope (a new id and the current time).

    It carries the trace it is made in (``trace``, else the current span's) as the CloudEvents
    distributed-tracing extension: ``traceparent`` and ``tracestate`` (tracing.py).
    """
    return Envelope(
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=event.TYPE,
        time=datetime.now(UTC),
        subject=event.subject(),
        key=event.partition_key(),
        data=event.model_dump(mode="json"),
        extensions={"partitionkey": event.partition_key(), **trace_extensions(trace)},
    )


def to_kafka(env: Envelope) -> tuple[bytes | None, bytes, Headers]:
    """Encode an envelope as (key, value, headers) in binary content mode."""
    headers: Headers = [
        ("ce_specversion", SPECVERSION.encode()),
        ("ce_id", env.id.encode()),
        ("ce_source", env.source.encode()),
        ("ce_type", env.type.encode()),
        ("ce_time", env.time.isoformat().replace("+00:00", "Z").encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if env.subject:
        headers.append(("ce_subject", env.subject.encode()))
    for name, ext in sorted(env.extensions.items()):
        headers.append((_CE_PREFIX + name, ext.encode()))
    # orjson: compact UTF-8 like json.dumps(separators=(",", ":"), ensure_ascii=False), several
    # times faster (every event is encoded once, in its outbox).
    value = orjson.dumps(env.data, option=orjson.OPT_NON_STR_KEYS)
    key = env.key.encode() if env.key is not None else None
    return key, value, headers


def from_kafka(key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes]]) -> Envelope:
    """Decode a Kafka record in binary content mode; raise MalformedEvent if it is not one."""
    attrs: dict[str, str] = {}
    content_type = None
    for name, raw in headers or ():
        try:
            text = raw.decode() if raw is not None else ""
        except UnicodeDecodeError as exc:
            raise MalformedEvent(f"header {name} is not UTF-8") from exc
        lname = name.lower()
        if lname.startswith(_CE_PREFIX):
            attrs[lname[len(_CE_PREFIX) :]] = text
        elif lname == "content-type":
            content_type = text
    # The Kafka binding: a content-type starting with application/cloudevents means structured
    # mode whatever other headers say; its value is a whole CloudEvent, not our data. Not read.
    if content_type and content_type.strip().lower().startswith("application/cloudevents"):
        raise MalformedEvent(f"structured-mode record ({content_type!r}); only binary mode is read")
    for required in ("specversion", "id", "source", "type"):
        if not attrs.get(required):
            raise MalformedEvent(f"missing CloudEvents attribute ce_{required}")
    if attrs["specversion"] != SPECVERSION:
        raise MalformedEvent(f"unsupported specversion {attrs['specversion']!r}")
    if content_type and not content_type.split(";")[0].strip().endswith("json"):
        raise MalformedEvent(f"unsupported content-type {content_type!r}")
    try:
        # orjson is stricter than json: NaN, Infinity and lone surrogates are not JSON either.
        data = orjson.loads(value) if value else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedEvent(f"data is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedEvent("data is not a JSON object")
    time_raw = attrs.pop("time", None)
    try:
        time = datetime.fromisoformat(time_raw.replace("Z", "+00:00")) if time_raw else datetime.now(UTC)
    except ValueError as exc:
        raise MalformedEvent(f"ce_time is not RFC 3339: {time_raw!r}") from exc
    known = {"specversion", "id", "source", "type", "subject", "datacontenttype", "dataschema"}
    return Envelope(
        id=attrs["id"],
        source=attrs["source"],
        type=attrs["type"],
        time=time,
        subject=attrs.get("subject"),
        key=key.decode(errors="replace") if key is not None else None,
        data=data,
        extensions={k: v for k, v in attrs.items() if k not in known},
    )
