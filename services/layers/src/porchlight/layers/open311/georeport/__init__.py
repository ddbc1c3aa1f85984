"""Open311 GeoReport v2 without a server: the documents in JSON and XML, the POST form, the client.

- ``entities``: the dataclasses (``ServiceInfo``, ``ServiceDefinition``, ``ServiceRequest``...);
- ``wire``: the one mapping of each to the spec's fields, used both ways and by both formats;
- ``formats``: ``render_*`` for the server (a ``Rendered`` body, media type and status), ``read_*``
  for the client (XML through defusedxml), ``errors_response`` for the spec's error list;
- ``requests``: ``parse_post`` (drops the resident's personal fields), ``check_attributes``,
  ``parse_filters`` for ``GET requests``;
- ``client``: ``pull`` a city's endpoint by time windows, ``fetch_services``.
"""

from porchlight.layers.open311.georeport.client import (
    Open311ClientError,
    PullStats,
    fetch_service_definition,
    fetch_services,
    pull,
)
from porchlight.layers.open311.georeport.entities import (
    AttributeValue,
    NewRequest,
    Open311Error,
    Open311FormatError,
    Open311Problem,
    RequestReceipt,
    ServiceAttribute,
    ServiceDefinition,
    ServiceInfo,
    ServiceRequest,
    TokenInfo,
)
from porchlight.layers.open311.georeport.formats import (
    MEDIA_TYPES,
    Format,
    Rendered,
    errors_response,
    parse_format,
    read_errors,
    read_receipts,
    read_requests,
    read_service_definition,
    read_services,
    read_tokens,
    render_receipts,
    render_requests,
    render_service_definition,
    render_services,
    render_tokens,
)
from porchlight.layers.open311.georeport.requests import (
    DEFAULT_WINDOW,
    MAX_RESULTS,
    PERSONAL_FIELDS,
    RequestFilters,
    check_attributes,
    parse_filters,
    parse_post,
)
from porchlight.layers.open311.georeport.wire import format_w3c, parse_w3c

__all__ = [
    "DEFAULT_WINDOW",
    "MAX_RESULTS",
    "MEDIA_TYPES",
    "PERSONAL_FIELDS",
    "AttributeValue",
    "Format",
    "NewRequest",
    "Open311ClientError",
    "Open311Error",
    "Open311FormatError",
    "Open311Problem",
    "PullStats",
    "Rendered",
    "RequestFilters",
    "RequestReceipt",
    "ServiceAttribute",
    "ServiceDefinition",
    "ServiceInfo",
    "ServiceRequest",
    "TokenInfo",
    "check_attributes",
    "errors_response",
    "fetch_service_definition",
    "fetch_services",
    "format_w3c",
    "parse_filters",
    "parse_format",
    "parse_post",
    "parse_w3c",
    "pull",
    "read_errors",
    "read_receipts",
    "read_requests",
    "read_service_definition",
    "read_services",
    "read_tokens",
    "render_receipts",
    "render_requests",
    "render_service_definition",
    "render_services",
    "render_tokens",
]
