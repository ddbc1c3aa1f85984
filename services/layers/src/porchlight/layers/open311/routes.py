"""Open311 GeoReport v2 under ``/open311/v2/``: services, requests (read and POST), tokens.

The spec, not this project's conventions, shapes these routes: the format is the path's
extension (``.json`` or ``.xml``), and every refusal is the spec's error list
(``[{"code", "description"}]`` / ``<errors><error>``) with that code as the HTTP status, never a
problem document: Open311 clients read nothing else. Query and form are read as the spec writes
them (comma lists, ``attribute[CODE]``), so no FastAPI validation answers in another format.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from porchlight.kit.app import Provided, Session
from porchlight.kit.auth import Public, Role
from porchlight.kit.errors import Unauthorized
from porchlight.kit.runtime import MissingResource, ServiceRuntime
from porchlight.layers.open311 import service
from porchlight.layers.open311.georeport import (
    Format,
    Open311Error,
    Open311Problem,
    Rendered,
    TokenInfo,
    errors_response,
    parse_filters,
    parse_format,
    parse_post,
    render_receipts,
    render_requests,
    render_service_definition,
    render_services,
    render_tokens,
)
from porchlight.layers.records.service import Places

router = APIRouter(prefix="/open311/v2", tags=["open311"])

PlacesDep = Annotated[Places, Provided(Places)]
READ = [Depends(Public("Open311 GeoReport v2 discovery and request status are public by the spec"))]
WRITE = [Depends(Public("the spec's api_key form field authenticates it (checked in the route: 403 when wrong)"))]


async def writer_of(request: Request) -> service.RequestWriter:
    """The service's one ``RequestWriter``, made at the first POST (its group is per process)."""
    runtime: ServiceRuntime = request.app.state.runtime
    try:
        return runtime.resource(service.RequestWriter)
    except MissingResource:
        return runtime.provide(service.RequestWriter(runtime.sessions, lambda: runtime.resource(Places)))


Writer = Annotated[service.RequestWriter, Depends(writer_of)]


def _sent(rendered: Rendered) -> Response:
    return Response(rendered.body, status_code=rendered.status, media_type=rendered.media_type)


async def _answer(ext: str, make: Callable[[Format], Any]) -> Response:
    """``make(fmt)``'s rendering, or the spec's error list (in JSON when the extension is unknown)."""
    fmt: Format = "json"
    try:
        fmt = parse_format(ext)
        return _sent(await make(fmt))
    except Open311Problem as problem:
        return _sent(errors_response(problem.errors, fmt))


# --- documentation: both formats, the spec's error list ---------------------------------------

_ERRORS_SCHEMA = {
    "type": "array",
    "description": "The spec's error list",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}


def _json_schema(example: Any) -> dict[str, Any]:
    # An array needs its items described: client generators (openapi-python-client) drop a bare one.
    if isinstance(example, list):
        return {"type": "array", "items": {"type": "object", "additionalProperties": True}}
    return {"type": "object", "additionalProperties": True}


def _docs(
    ok: str, example: Any, xml_root: str, *errors: tuple[int, str, str], ok_status: int = 200
) -> dict[int | str, dict[str, Any]]:
    """``responses=``: the answer in JSON and XML, and each (status, when, example description) error."""
    xml_schema = {"type": "string", "description": f"<{xml_root}> as in the spec"}
    docs: dict[int | str, dict[str, Any]] = {
        ok_status: {
            "description": ok,
            "content": {
                "application/json": {"schema": _json_schema(example), "example": example},
                "application/xml": {"schema": xml_schema},
            },
        }
    }  # fmt: skip
    for status, when, text in errors:
        docs[status] = {
            "description": f"{when} (the spec's error list)",
            "content": {
                "application/json": {"schema": _ERRORS_SCHEMA, "example": [{"code": status, "description": text}]},
                "application/xml": {"schema": {"type": "string", "description": "<errors><error>...</error></errors>"}},
            },
        }
    return docs


_FORMAT_404 = (404, "Not .json or .xml", "format: use .json or .xml")
_REQUEST_EXAMPLE = {
    "service_request_id": "PL-3F2A9C01B7D4",
    "status": "open",
    "service_name": "Street light outages",
    "service_code": "street_light_outage",
    "agency_responsible": "Public Works",
    "requested_datetime": "2026-03-01T20:14:00+00:00",
    "updated_datetime": "2026-03-01T20:14:00+00:00",
    "lat": 42.3474,
    "long": -71.0944,
}


@router.get(
    "/services.{ext}",
    dependencies=READ,
    response_class=Response,
    responses=_docs(
        "The services",
        [{"service_code": "graffiti", "service_name": "Graffiti", "metadata": False, "type": "realtime",
          "group": "Public Works"}],
        "services",
        _FORMAT_404,
    ),
)  # fmt: skip
async def list_open311_services(ext: str, places: PlacesDep) -> Response:
    """List the services residents may report (Open311 GeoReport v2 ``GET services``).

    Each department layer is a service: its code is the layer's, its group the department's name.
    No service has attributes to fetch (``metadata`` false). Crime incidents are not a service.
    """

    async def make(fmt: Format) -> Rendered:
        return render_services(service.services_of(places.registry), fmt)

    return await _answer(ext, make)


@router.get(
    "/services/{service_code}.{ext}",
    dependencies=READ,
    response_class=Response,
    responses=_docs(
        "The service's definition",
        {"service_code": "graffiti", "attributes": []},
        "service_definition",
        (404, "No such service, or not .json or .xml", "service_code: no service 'unicorns'"),
    ),
)
async def get_open311_service_definition(service_code: str, ext: str, places: PlacesDep) -> Response:
    """Get a service's definition (Open311 GeoReport v2 ``GET services/{service_code}``).

    The attributes a request of the service may carry: none here (the spec lets a server define
    none; answers sent anyway are kept with the record).
    """

    async def make(fmt: Format) -> Rendered:
        definition = service.definition_of(places.registry, service_code)
        if definition is None:
            raise Open311Problem([Open311Error(404, f"service_code: no service {service_code!r}")])
        return render_service_definition(definition, fmt)

    return await _answer(ext, make)


@router.get(
    "/requests.{ext}",
    dependencies=READ,
    response_class=Response,
    responses=_docs(
        "Requests, newest first (at most 1000)",
        [_REQUEST_EXAMPLE],
        "service_requests",
        (400, "A filter that cannot be read", "start_date: not a W3C datetime (such as 2010-04-14T06:37:38-08:00)"),
        _FORMAT_404,
    ),
)
async def list_open311_requests(ext: str, request: Request, session: Session, places: PlacesDep) -> Response:
    """List service requests (Open311 GeoReport v2 ``GET requests``).

    Filters as the spec has them: `service_request_id` (a comma list; it overrides the others),
    `service_code` (a comma list), `start_date` and `end_date` (W3C datetimes on the requested
    time, at most 90 days apart; the last 90 days by default), `status` (open, closed). Newest
    first, at most 1000: a client that gets 1000 asks again for a shorter window.
    """

    async def make(fmt: Format) -> Rendered:
        filters = parse_filters(request.query_params)
        found = await service.find_requests(session, places.registry, filters, datetime.now(UTC))
        return render_requests(found, fmt)

    return await _answer(ext, make)


_POST_FORM = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "description": "The spec's POST form (personal fields are accepted and dropped, never stored)",
                "properties": {
                    "api_key": {"type": "string"},
                    "service_code": {"type": "string"},
                    "lat": {"type": "number"},
                    "long": {"type": "number"},
                    "address_string": {"type": "string"},
                    "description": {"type": "string", "maxLength": 4000},
                    "media_url": {"type": "string", "format": "uri"},
                },
                "required": ["api_key", "service_code", "lat", "long"],
                "example": {"api_key": "plk_...", "service_code": "graffiti", "lat": 42.3474, "long": -71.0944},
            }
        }
    },
}


@router.post(
    "/requests.{ext}",
    dependencies=WRITE,
    response_class=Response,
    openapi_extra={"requestBody": _POST_FORM},
    status_code=201,
    responses=_docs(
        "The new request's id (no token needed: the request exists at once)",
        [{"service_request_id": "PL-3F2A9C01B7D4", "token": None,
          "service_notice": "Received; Public Works will look at it.", "account_id": None}],
        "service_requests",
        (400, "A field missing or refused (named)", "lat: outside the city"),
        (403, "No api_key, or not a valid one", "api_key: not valid"),
        _FORMAT_404,
        ok_status=201,
    ),
)  # fmt: skip
async def create_open311_request(ext: str, request: Request, places: PlacesDep, writer: Writer) -> Response:
    """Report a problem (Open311 GeoReport v2 ``POST requests``).

    A form with the `api_key`, the `service_code`, `lat` and `long` (no geocoder here, so an
    address alone is refused), `description` and `attribute[CODE]` answers. The request is a
    record of the service's layer at once. Name, email, phone, device and account fields are
    accepted as the spec allows and dropped unread: this project stores no personal data.
    """
    form = await request.form()
    pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]

    async def make(fmt: Format) -> Rendered:
        key = next((v for k, v in pairs if k == "api_key" and v), None) or request.headers.get("x-api-key")
        if not key:
            raise Open311Problem([Open311Error(403, "api_key: required")])
        try:
            who = request.app.state.authenticator.from_api_key(key)
        except Unauthorized:
            raise Open311Problem([Open311Error(403, "api_key: not valid")]) from None
        if not who.has(Role.partner, Role.analyst):
            raise Open311Problem([Open311Error(403, "api_key: this key may not report requests")])
        # parse_post drops first_name, last_name, email, phone, device_id and account_id before
        # anything else reads the form: they are never stored, logged or passed on.
        new = parse_post(pairs)
        receipt = await service.submit(writer, places.registry, new, who)
        return render_receipts([receipt], fmt)

    return await _answer(ext, make)


@router.get(
    "/requests/{service_request_id}.{ext}",
    dependencies=READ,
    response_class=Response,
    responses=_docs(
        "The request (a list of one, as the spec has it)",
        [_REQUEST_EXAMPLE],
        "service_requests",
        (404, "No such request, or not .json or .xml", "service_request_id: no request 'PL-000000000000'"),
    ),
)
async def get_open311_request(service_request_id: str, ext: str, session: Session, places: PlacesDep) -> Response:
    """Get one service request (Open311 GeoReport v2 ``GET requests/{service_request_id}``).

    Its status now; the same as `requests` with that one id.
    """

    async def make(fmt: Format) -> Rendered:
        filters = parse_filters({"service_request_id": service_request_id.replace(",", "")})
        found = await service.find_requests(session, places.registry, filters, datetime.now(UTC))
        if not found:
            raise Open311Problem([Open311Error(404, f"service_request_id: no request {service_request_id!r}")])
        return render_requests(found, fmt)

    return await _answer(ext, make)


@router.get(
    "/tokens/{token}.{ext}",
    dependencies=READ,
    response_class=Response,
    responses=_docs(
        "The request the token stands for",
        [{"service_request_id": "PL-3F2A9C01B7D4", "token": "PL-3F2A9C01B7D4"}],
        "service_requests",
        (404, "No such token, or not .json or .xml", "token: no request 'PL-000000000000'"),
    ),
)
async def get_open311_token(token: str, ext: str, session: Session, places: PlacesDep) -> Response:
    """Get the request a token became (Open311 GeoReport v2 ``GET tokens/{token}``).

    A POST here answers with the request's id at once, so a token is that id: a client that
    asks anyway gets the id back.
    """

    async def make(fmt: Format) -> Rendered:
        filters = parse_filters({"service_request_id": token.replace(",", "")})
        found = await service.find_requests(session, places.registry, filters, datetime.now(UTC))
        if not found:
            raise Open311Problem([Open311Error(404, f"token: no request {token!r}")])
        return render_tokens([TokenInfo(token=token, service_request_id=found[0].service_request_id)], fmt)

    return await _answer(ext, make)
