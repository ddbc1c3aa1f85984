"""Open311 GeoReport v2 over the records: the registry's layers as services, records as requests.

The server side: ``services_of`` (a layer is a service, its department the group), ``find_requests``
(``GET requests``), ``submit`` (``POST requests``: a resident's request becomes a record through
``records.service.accept``, written with other requests of the moment by ``RequestWriter``).
The client side: ``pull_into`` stores a city's existing endpoint's requests as records, by
``service_code`` → layer, idempotently (a record is keyed by its department and the city's id).

Crime incidents are not 311 requests, and where each happened is not for the public: the police
``incident`` layer is neither a service nor a source of requests here.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.kit.auth import Principal, Role
from porchlight.kit.groupcommit import GroupCommit
from porchlight.layers.open311 import repository
from porchlight.layers.open311.georeport import (
    MAX_RESULTS,
    Format,
    NewRequest,
    Open311Error,
    Open311Problem,
    PullStats,
    RequestFilters,
    RequestReceipt,
    ServiceDefinition,
    ServiceInfo,
    ServiceRequest,
    pull,
)
from porchlight.layers.records.models import INCIDENT_LAYER
from porchlight.layers.records.service import CHUNK, Places, RecordIn, accept, is_open
from porchlight.layers.registry import Layer, Registry

#: The most requests one ``GET requests`` answers (the spec's guidance); clients split windows.
SERVER_CAP = MAX_RESULTS
#: Layers that are not Open311 services (see the module's docstring).
NOT_SERVICES = frozenset({INCIDENT_LAYER})
#: Record fields a refusal names, as the POST form calls them (a client fixes its form by them).
_FORM_FIELD = {"point": "lat", "geometry": "lat", "attributes": "attribute", "layer": "service_code"}


def service_layers(registry: Registry) -> list[Layer]:
    """The layers that are Open311 services, in the registry's order."""
    return [layer for layer in registry.layers.values() if layer.code not in NOT_SERVICES]


def service_layer(registry: Registry, code: str) -> Layer | None:
    layer = registry.layers.get(code)
    return layer if layer is not None and layer.code not in NOT_SERVICES else None


def services_of(registry: Registry) -> list[ServiceInfo]:
    """``GET services``: each layer, its department as the group; no attributes to fetch."""
    return [
        ServiceInfo(
            service_code=layer.code,
            service_name=layer.name,
            description=layer.description or None,
            metadata=False,
            type="realtime",
            keywords=", ".join(dict.fromkeys(w for w in layer.code.split("_") if len(w) > 2)) or None,
            group=registry.departments.get(layer.department),
        )
        for layer in service_layers(registry)
    ]


def definition_of(registry: Registry, code: str) -> ServiceDefinition | None:
    """``GET services/{code}``: no layer asks questions of its own, so a definition has none."""
    return ServiceDefinition(service_code=code) if service_layer(registry, code) else None


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int | float) and str(value) else None


def request_of(row: Any, registry: Registry, now: datetime) -> ServiceRequest:
    """A stored record as the spec's request (its department's id is the request's id)."""
    layer = registry.layers.get(row.layer)
    attributes = row.attributes or {}
    return ServiceRequest(
        service_request_id=row.external_id,
        status="open" if is_open(row.status, row.closed_at, now) else "closed",
        status_notes=_text(attributes.get("status_notes")),
        service_name=layer.name if layer else row.category,
        service_code=row.layer,
        description=row.description or None,
        agency_responsible=registry.departments.get(row.department, row.department),
        requested_datetime=row.opened_at,
        updated_datetime=row.updated_at,
        address=_text(attributes.get("address")),
        lat=row.lat,
        lon=row.lon,
        media_url=_text(attributes.get("media_url")),
    )


async def find_requests(
    session: AsyncSession, registry: Registry, filters: RequestFilters, now: datetime
) -> list[ServiceRequest]:
    """``GET requests``: by ids (which override every other filter, as the spec says), or by
    service codes, status and the ``requested_datetime`` window; newest first, at most ``SERVER_CAP``."""
    layers = {layer.code for layer in service_layers(registry)}
    if filters.by_id:
        departments = {layer.department for layer in service_layers(registry)}
        rows = await repository.by_ids(session, filters.ids, departments=departments, layers=layers, limit=SERVER_CAP)
        return [request_of(r, registry, now) for r in rows]
    if filters.service_codes:
        layers &= set(filters.service_codes)
    statuses = set(filters.statuses)
    open_only = None if len(statuses) != 1 else statuses == {"open"}
    start, end = filters.window(now)
    if not layers:
        return []
    rows = await repository.in_window(
        session, layers=layers, start=start, end=end, open_only=open_only, now=now, limit=SERVER_CAP
    )
    return [request_of(r, registry, now) for r in rows]


# --- POST requests ---------------------------------------------------------------------------


def new_id() -> str:
    """An id for a request made here: ``PL-`` and 12 hex digits (48 random bits)."""
    return "PL-" + secrets.token_hex(6).upper()


def record_of_post(new: NewRequest, layer: Layer, now: datetime) -> RecordIn:
    """The record a ``POST requests`` makes; ``new`` holds no personal field (``parse_post``)."""
    if new.lat is None or new.lon is None:
        raise Open311Problem([Open311Error(400, "lat: required (with long): this server has no geocoder")])
    attributes: dict[str, Any] = dict(new.attributes)
    attributes.update({k: v for k, v in (("address", new.address_string), ("media_url", new.media_url)) if v})
    return RecordIn(
        department=layer.department,
        layer=layer.code,
        external_id=new_id(),
        category=layer.name,
        status="open",
        point=(new.lat, new.lon),
        opened_at=now,
        description=new.description or "",
        attributes=attributes,
    )


class RequestWriter:
    """Records from ``POST requests`` stored in groups: one ``accept`` and one commit per moment.

    A resident's request is one record; at a city's busiest each paying for its own transaction
    would be most of the work (kit.groupcommit). ``places`` is read at each write, so what the
    service provides now is what a record is checked against.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], places: Callable[[], Places]) -> None:
        self.sessions, self._places = sessions, places
        self._group: GroupCommit[RecordIn, list[dict[str, str]]] = GroupCommit(self._write, name="layers-open311")

    async def submit(self, record: RecordIn) -> list[dict[str, str]]:
        """[] once the record is stored and committed; else why it was refused (``field``, ``message``)."""
        return await self._group.submit(record)

    async def _write(self, group: Sequence[RecordIn]) -> list[list[dict[str, str]]]:
        async with self.sessions() as session, session.begin():
            report = await accept(session, list(group), self._places(), source="open311")
        refused = dict(report.refused)
        return [refused.get(i, []) for i in range(len(group))]


async def submit(writer: RequestWriter, registry: Registry, new: NewRequest, who: Principal) -> RequestReceipt:
    """Store a resident's request as a record of the service's layer; its id is the answer.

    Raises ``Open311Problem``: 400 naming the field (unknown service, no lat/long, outside the
    city...), 403 when a department's key sends another department's request.
    """
    layer = service_layer(registry, new.service_code)
    if layer is None:
        raise Open311Problem([Open311Error(400, f"service_code: no service {new.service_code!r} (see services)")])
    if who.department and who.department != layer.department and not who.has(Role.analyst):
        raise Open311Problem([Open311Error(403, f"api_key: this key sends {who.department!r} requests only")])
    record = record_of_post(new, layer, datetime.now(UTC))
    refused = await writer.submit(record)
    if refused:
        raise Open311Problem(
            [Open311Error(400, f"{_FORM_FIELD.get(e['field'], e['field'])}: {e['message']}") for e in refused]
        )
    department = registry.departments.get(layer.department, layer.department)
    return RequestReceipt(
        service_request_id=record.external_id, service_notice=f"Received; {department} will look at it."
    )


# --- pulling a city's endpoint ---------------------------------------------------------------


@dataclass
class PullReport:
    """What a pull stored (the command prints it as JSON)."""

    pulled: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: {"service_request_id", "errors": [{"field", "message"}]} of each request not stored.
    refused: list[dict[str, Any]] = field(default_factory=list)
    stats: PullStats = field(default_factory=PullStats)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """``["CODE=layer", ...]`` as a mapping; ValueError naming a pair without ``=``."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        code, sep, layer = pair.partition("=")
        if not sep or not code.strip() or not layer.strip():
            raise ValueError(f"{pair!r}: use CODE=layer")
        mapping[code.strip()] = layer.strip()
    return mapping


def record_of_request(request: ServiceRequest, layer: Layer) -> RecordIn:
    """A pulled request as a record of ``layer`` (its department's record, keyed by the city's id)."""
    closed = request.status == "closed"
    opened, updated = request.requested_datetime, request.updated_datetime
    # The spec has no closing time: a closed request's last update is when it was closed.
    closed_at = updated if closed and opened is not None and updated is not None and updated >= opened else None
    kept = {"status_notes": request.status_notes, "address": request.address, "media_url": request.media_url}
    point = (request.lat, request.lon) if request.lat is not None and request.lon is not None else None
    return RecordIn(
        department=layer.department,
        layer=layer.code,
        external_id=request.service_request_id,
        category=request.service_name or request.service_code or layer.name,
        status="closed" if closed else "open",
        point=point,
        opened_at=opened,
        closed_at=closed_at,
        description=request.description or "",
        attributes={k: v for k, v in kept.items() if v},
    )


async def store_requests(
    session: AsyncSession,
    places: Places,
    requests: Sequence[ServiceRequest],
    mapping: Mapping[str, str],
    report: PullReport,
) -> None:
    """Store pulled requests (at most ``CHUNK``) as records; adds the outcome to ``report``."""
    records: list[RecordIn] = []
    ids: list[str] = []
    for request in requests:
        code = request.service_code or ""
        layer = places.registry.layers.get(mapping.get(code, code))
        if layer is None:
            message = f"no layer for service_code {code!r} (map it: --map {code or 'CODE'}=layer)"
            report.refused.append(
                {
                    "service_request_id": request.service_request_id,
                    "errors": [{"field": "service_code", "message": message}],
                }
            )
            continue
        records.append(record_of_request(request, layer))
        ids.append(request.service_request_id)
    report.pulled += len(requests)
    if not records:
        return
    accepted = await accept(session, records, places, source="open311")
    report.created += accepted.created
    report.updated += accepted.updated
    report.unchanged += accepted.unchanged
    report.refused += [{"service_request_id": ids[i], "errors": errors} for i, errors in accepted.refused]


async def pull_into(
    session: AsyncSession,
    places: Places,
    url: str,
    since: datetime,
    *,
    mapping: Mapping[str, str] | None = None,
    client: httpx.AsyncClient | None = None,
    page_days: int = 7,
    api_key: str | None = None,
    jurisdiction_id: str | None = None,
    fmt: Format = "json",
    until: datetime | None = None,
) -> PullReport:
    """Pull ``url``'s requests from ``since`` and store them, ``CHUNK`` at a time.

    Pulling again is safe: a request already stored as it is now counts as unchanged.
    """
    report = PullReport()
    batch: list[ServiceRequest] = []
    pulled = pull(
        url,
        since,
        until=until,
        client=client,
        page_days=page_days,
        api_key=api_key,
        jurisdiction_id=jurisdiction_id,
        fmt=fmt,
        stats=report.stats,
    )
    async for request in pulled:
        batch.append(request)
        if len(batch) >= CHUNK:
            await store_requests(session, places, batch, mapping or {}, report)
            batch = []
    await store_requests(session, places, batch, mapping or {}, report)
    report.refused.sort(key=lambda r: str(r["service_request_id"]))
    return report
