"""The one mapping between the entities and GeoReport v2's fields, for JSON and XML alike.

Each entity has a ``Shape``: its fields in the spec's order, each with its wire name and kind.
Rendering and reading both walk the same shape, so a field added here appears in both formats
and in both directions.

Reading is tolerant because real cities' servers are: numbers sent as text and text sent as
numbers, ``"true"`` for true, empty strings for nothing, missing optional fields, datetimes
without a colon in the offset. An optional value that cannot be read becomes None rather than
losing the whole request; an item without its identifier is skipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from porchlight.layers.open311.georeport.entities import (
    AttributeValue,
    Open311Error,
    RequestReceipt,
    ServiceAttribute,
    ServiceDefinition,
    ServiceInfo,
    ServiceRequest,
    TokenInfo,
)

#: text: optional (None when empty); name: text that is always there ("" when missing); word: a
#: name from the spec's vocabulary (status, type, datatype), lower-cased as servers vary ("Open").
Kind = Literal["text", "name", "word", "int", "float", "bool", "datetime"]


@dataclass(frozen=True)
class Field:
    wire: str  # the spec's name (JSON key, XML element)
    attr: str  # the dataclass attribute
    kind: Kind | Shape
    required: bool = False  # an item without it is skipped when read


@dataclass(frozen=True)
class Shape:
    cls: type
    element: str  # the XML element of one item
    fields: tuple[Field, ...]


def _f(name: str, kind: Kind | Shape, *, attr: str | None = None, required: bool = False) -> Field:
    return Field(wire=name, attr=attr or name, kind=kind, required=required)


SERVICE = Shape(
    ServiceInfo,
    "service",
    (
        _f("service_code", "name", required=True),
        _f("service_name", "name"),
        _f("description", "text"),
        _f("metadata", "bool"),
        _f("type", "word"),
        _f("keywords", "text"),
        _f("group", "text"),
    ),
)
VALUE = Shape(AttributeValue, "value", (_f("key", "name", required=True), _f("name", "name")))
ATTRIBUTE = Shape(
    ServiceAttribute,
    "attribute",
    (
        _f("variable", "bool"),
        _f("code", "name", required=True),
        _f("datatype", "word"),
        _f("required", "bool"),
        _f("datatype_description", "text"),
        _f("order", "int"),
        _f("description", "text"),
        _f("values", VALUE),
    ),
)
DEFINITION = Shape(
    ServiceDefinition,
    "service_definition",
    (_f("service_code", "name", required=True), _f("attributes", ATTRIBUTE)),
)
REQUEST = Shape(
    ServiceRequest,
    "request",
    (
        _f("service_request_id", "name", required=True),
        _f("status", "word"),
        _f("status_notes", "text"),
        _f("service_name", "text"),
        _f("service_code", "text"),
        _f("description", "text"),
        _f("agency_responsible", "text"),
        _f("service_notice", "text"),
        _f("requested_datetime", "datetime"),
        _f("updated_datetime", "datetime"),
        _f("expected_datetime", "datetime"),
        _f("address", "text"),
        _f("address_id", "text"),
        _f("zipcode", "text"),
        _f("lat", "float"),
        _f("long", "float", attr="lon"),
        _f("media_url", "text"),
    ),
)
RECEIPT = Shape(
    RequestReceipt,
    "request",
    (_f("service_request_id", "text"), _f("token", "text"), _f("service_notice", "text"), _f("account_id", "text")),
)
TOKEN = Shape(TokenInfo, "request", (_f("service_request_id", "text"), _f("token", "name", required=True)))
ERROR = Shape(Open311Error, "error", (_f("code", "int", required=True), _f("description", "name")))

#: XML roots of the list documents (JSON has a bare list).
ROOTS: dict[Shape, str] = {
    SERVICE: "services",
    REQUEST: "service_requests",
    RECEIPT: "service_requests",
    TOKEN: "service_requests",
    ERROR: "errors",
}


# --- datetimes -------------------------------------------------------------------------------

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_COLONLESS_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_w3c(text: str) -> datetime:
    """A W3C datetime (ISO 8601 profile), aware; raises ValueError when it is not one.

    Accepts the profile's reduced forms (``2010``, ``2010-04``, ``2010-04-14``), ``Z``, fractions
    and ``-0800`` as some servers write it. A value without an offset is read as UTC: the spec
    requires one with any time, so its absence says nothing better.
    """
    text = text.strip()
    partial = _PARTIAL_DATE.match(text)
    if partial:
        text = f"{partial[1]}-{partial[2] or '01'}-01"
    if "T" in text or " " in text:
        text = _COLONLESS_OFFSET.sub(r"\1:\2", text)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_w3c(moment: datetime) -> str:
    """``2010-04-14T06:37:38-08:00``: seconds always, a fraction only when there is one."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


# --- values ----------------------------------------------------------------------------------


def _text(raw: Any) -> str | None:
    if raw is None or isinstance(raw, list | dict):
        return None
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    return text or None


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(raw)
    return text is not None and text.casefold() in ("true", "1", "yes", "t")


def _float(raw: Any) -> float | None:
    text = _text(raw)
    try:
        number = float(text) if text is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def _int(raw: Any) -> int | None:
    number = _float(raw)
    return int(number) if number is not None and number.is_integer() else None


def _datetime(raw: Any) -> datetime | None:
    text = _text(raw)
    try:
        return parse_w3c(text) if text is not None else None
    except ValueError:
        return None


def read_value(raw: Any, kind: Kind) -> Any:
    """A wire value (JSON value or XML text) as the entity holds it; None when unreadable."""
    if kind == "name":
        return _text(raw) or ""
    if kind == "word":
        return (_text(raw) or "").casefold()
    if kind == "text":
        return _text(raw)
    if kind == "bool":
        return _bool(raw)
    if kind == "int":
        return _int(raw)
    if kind == "float":
        return _float(raw)
    return _datetime(raw)


def json_value(value: Any, kind: Kind) -> Any:
    """An entity's value as JSON: datetimes in W3C form, the rest as JSON has them."""
    if value is None:
        return None
    if kind == "datetime":
        return format_w3c(value)
    return value


def xml_text(value: Any, kind: Kind) -> str:
    """An entity's value as XML text (empty for nothing, as the spec's examples show)."""
    if value is None:
        return ""
    if kind == "datetime":
        return format_w3c(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return repr(float(value))
    return str(value)


def from_mapping(shape: Shape, data: Mapping[str, Any]) -> Any | None:
    """An entity from one item read as a mapping (a JSON object, or an XML element as one).

    A field missing or empty keeps the dataclass's default. None when a required field is
    missing: the caller skips the item.
    """
    values: dict[str, Any] = {}
    for f in shape.fields:
        raw = data.get(f.wire)
        if isinstance(f.kind, Shape):
            items = raw if isinstance(raw, list) else []
            read = (from_mapping(f.kind, item) for item in items if isinstance(item, Mapping))
            values[f.attr] = tuple(item for item in read if item is not None)
        elif isinstance(raw, bool) or _text(raw) is not None:
            values[f.attr] = read_value(raw, f.kind)
            if f.required and values[f.attr] is None:
                return None
        elif f.required:
            return None
    return shape.cls(**values)
