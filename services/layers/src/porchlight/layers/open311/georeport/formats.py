"""GeoReport v2 documents, rendered (the server) and read (the client), in JSON and XML.

Both directions walk the shapes of ``wire.py``. The format is the path's extension
(``services.json``, ``requests/17.xml``), as the spec has it.

XML in is read with defusedxml and no DTD at all: a response or a form comes from the internet,
and an entity-expansion document ("billion laughs") would otherwise take the service's memory.
XML out drops the control characters XML 1.0 cannot carry (free text may hold them), rather than
sending a document no client could parse.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # building documents only; never for parsing (see read_document)
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from porchlight.layers.open311.georeport.entities import (
    Open311Error,
    Open311FormatError,
    Open311Problem,
    RequestReceipt,
    ServiceDefinition,
    ServiceInfo,
    ServiceRequest,
    TokenInfo,
)
from porchlight.layers.open311.georeport.wire import (
    DEFINITION,
    ERROR,
    RECEIPT,
    REQUEST,
    ROOTS,
    SERVICE,
    TOKEN,
    Shape,
    from_mapping,
    json_value,
    xml_text,
)

Format = Literal["json", "xml"]
MEDIA_TYPES: dict[str, str] = {"json": "application/json", "xml": "application/xml; charset=utf-8"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Rendered:
    """A response ready to send: ``Response(r.body, status_code=r.status, media_type=r.media_type)``."""

    body: bytes
    media_type: str
    status: int = 200


def parse_format(extension: str) -> Format:
    """``json`` or ``xml`` from a path's extension; anything else is the spec's 404."""
    ext = extension.lstrip(".").casefold()
    if ext == "json":
        return "json"
    if ext == "xml":
        return "xml"
    raise Open311Problem([Open311Error(404, "format: use .json or .xml")])


# --- rendering -------------------------------------------------------------------------------


def _json_item(shape: Shape, item: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in shape.fields:
        value = getattr(item, f.attr)
        if isinstance(f.kind, Shape):
            out[f.wire] = [_json_item(f.kind, sub) for sub in value]
        else:
            out[f.wire] = json_value(value, f.kind)
    return out


def _xml_item(shape: Shape, item: Any, parent: ET.Element | None = None) -> ET.Element:
    element = ET.Element(shape.element) if parent is None else ET.SubElement(parent, shape.element)
    for f in shape.fields:
        value = getattr(item, f.attr)
        child = ET.SubElement(element, f.wire)
        if isinstance(f.kind, Shape):
            for sub in value:
                _xml_item(f.kind, sub, child)
        else:
            child.text = _NOT_XML.sub("", xml_text(value, f.kind))
    return element


def _render(shape: Shape, items: Sequence[Any] | Any, fmt: Format, *, many: bool, status: int = 200) -> Rendered:
    if fmt == "json":
        document = [_json_item(shape, i) for i in items] if many else _json_item(shape, items)
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    else:
        if many:
            root = ET.Element(ROOTS[shape])
            for item in items:
                _xml_item(shape, item, root)
        else:
            root = _xml_item(shape, items)
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Rendered(body, MEDIA_TYPES[fmt], status)


def render_services(services: Sequence[ServiceInfo], fmt: Format) -> Rendered:
    """``GET services``: the list of services."""
    return _render(SERVICE, services, fmt, many=True)


def render_service_definition(definition: ServiceDefinition, fmt: Format) -> Rendered:
    """``GET services/{service_code}``: one service's attributes."""
    return _render(DEFINITION, definition, fmt, many=False)


def render_requests(requests: Sequence[ServiceRequest], fmt: Format) -> Rendered:
    """``GET requests`` and ``GET requests/{id}`` (a list of one, as the spec has it)."""
    return _render(REQUEST, requests, fmt, many=True)


def render_receipts(receipts: Sequence[RequestReceipt], fmt: Format, *, status: int = 201) -> Rendered:
    """``POST requests``: a list of one receipt (an id, or a token while the request waits)."""
    return _render(RECEIPT, receipts, fmt, many=True, status=status)


def render_tokens(tokens: Sequence[TokenInfo], fmt: Format) -> Rendered:
    """``GET tokens/{token}``: the request id a token became."""
    return _render(TOKEN, tokens, fmt, many=True)


def errors_response(errors: Sequence[Open311Error], fmt: Format, *, status: int | None = None) -> Rendered:
    """The spec's error list, with the first error's code as HTTP status unless one is given."""
    chosen = status or next((e.code for e in errors if 400 <= e.code < 600), 400)
    return _render(ERROR, errors, fmt, many=True, status=chosen)


# --- reading ---------------------------------------------------------------------------------


def _xml_mapping(element: Any) -> dict[str, Any]:
    """An XML item as a JSON-like mapping: leaf elements give text, nested ones lists of items."""
    out: dict[str, Any] = {}
    for child in element:
        tag = _local(child.tag)
        if len(child):
            out[tag] = [_xml_mapping(grandchild) for grandchild in child]
        else:
            out[tag] = child.text
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # a namespaced element ({uri}name) counts by its name


def read_document(body: bytes | str, fmt: Format) -> Any:
    """The parsed document as JSON values: a list of mappings, or one mapping (a definition).

    XML roots with item children become a list of mappings; XML is parsed by defusedxml with
    DTDs forbidden, so entity tricks are refused, never expanded. Raises ``Open311FormatError``.
    """
    if fmt == "json":
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise Open311FormatError(f"not JSON: {exc}") from None
    try:
        root = safe_xml.fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise Open311FormatError(f"unsafe XML refused: {type(exc).__name__}") from None
    except ET.ParseError as exc:
        raise Open311FormatError(f"not XML: {exc}") from None
    if _local(root.tag) == "service_definition":
        return _xml_mapping(root)
    return [_xml_mapping(item) for item in root]


def _items(document: Any) -> list[Any]:
    """A list document; tolerates one object, or a list wrapped in an object of one key."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        lists = [v for v in document.values() if isinstance(v, list)]
        return lists[0] if len(document) == 1 and len(lists) == 1 else [document]
    raise Open311FormatError("not a GeoReport v2 list")


def _read_many(shape: Shape, body: bytes | str, fmt: Format) -> list[Any]:
    items = (from_mapping(shape, item) for item in _items(read_document(body, fmt)) if isinstance(item, dict))
    return [item for item in items if item is not None]


def read_services(body: bytes | str, fmt: Format) -> list[ServiceInfo]:
    """A ``GET services`` response (items without a service_code are skipped)."""
    return _read_many(SERVICE, body, fmt)


def read_service_definition(body: bytes | str, fmt: Format) -> ServiceDefinition:
    """A ``GET services/{service_code}`` response."""
    document = read_document(body, fmt)
    if isinstance(document, list) and len(document) == 1:
        document = document[0]  # some servers send the definition in a list of one
    definition = from_mapping(DEFINITION, document) if isinstance(document, dict) else None
    if definition is None:
        raise Open311FormatError("not a service definition")
    return definition


def read_requests(body: bytes | str, fmt: Format) -> list[ServiceRequest]:
    """A ``GET requests`` response (items without a service_request_id are skipped)."""
    return _read_many(REQUEST, body, fmt)


def read_receipts(body: bytes | str, fmt: Format) -> list[RequestReceipt]:
    """A ``POST requests`` response."""
    return _read_many(RECEIPT, body, fmt)


def read_tokens(body: bytes | str, fmt: Format) -> list[TokenInfo]:
    """A ``GET tokens/{token}`` response."""
    return _read_many(TOKEN, body, fmt)


def read_errors(body: bytes | str, fmt: Format) -> list[Open311Error]:
    """An error list (empty when the body is not one)."""
    try:
        return _read_many(ERROR, body, fmt)
    except Open311FormatError:
        return []
