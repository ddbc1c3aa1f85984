"""HTTP routes of records: a department's one-record door, the records list, the map layer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from porchlight.kit.app import GeoJSONResponse, Provided, Session, geojson_answer
from porchlight.kit.auth import Allow, Principal, Role, Staff
from porchlight.kit.errors import NotFound, ValidationProblem
from porchlight.kit.paging import MAX_LIMIT, Cursor, CursorParam, LimitParam, cursor_of, next_link
from porchlight.layers.records import repository, service
from porchlight.layers.records.schemas import AcceptedOut, LayerOut, RecordIn, RecordOut
from porchlight.layers.records.service import Places

router = APIRouter(tags=["records"])

PlacesDep = Annotated[Places, Provided(Places)]
#: Department systems (API key or partner token) and analysts send records.
Sender = Annotated[Principal, Depends(Allow(Role.partner, Role.analyst))]
#: A filter in the query string: no NUL (PostgreSQL refuses it), a short code.
Code = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


def record_out(row: Any, now: datetime | None = None) -> RecordOut:
    data = dict(row._mapping)
    data["open"] = service.is_open(row.status, row.closed_at, now or datetime.now(row.opened_at.tzinfo))
    return RecordOut.model_validate(data)


def refused(exc: service.RecordRefused) -> ValidationProblem:
    return ValidationProblem(
        str(exc), errors=[{"field": f"body.{e['field']}", "message": e["message"]} for e in exc.errors]
    )


@router.post("/v1/records", response_model=AcceptedOut, status_code=200)
async def report_record(body: RecordIn, session: Session, who: Sender, places: PlacesDep) -> AcceptedOut:
    """Report a department record (or change it).

    The HTTP door for a department's system: the same record sent again (same department and
    `external_id`) updates it. A department system's API key may only send its own department's
    records. Refused records answer 422 naming the field (unknown layer, outside the city...).
    """
    if who.department and who.department != body.department and not who.has(Role.analyst):
        raise ValidationProblem(
            "a department system sends its own records",
            errors=[{"field": "body.department", "message": f"this key belongs to {who.department!r}"}],
        )
    rec = service.RecordIn(
        **body.model_dump(exclude={"point"}), point=(body.point.lat, body.point.lon) if body.point else None
    )
    report = await service.accept(session, [rec], places, source="http")
    if report.refused:
        raise refused(service.RecordRefused(report.refused[0][1]))
    record_id = await repository.id_of(session, body.department, body.external_id)
    outcome = "created" if report.created else "updated" if report.updated else "unchanged"
    return AcceptedOut(record_id=record_id, outcome=outcome)


@router.get("/v1/records", response_model=list[RecordOut])
async def list_records(
    session: Session,
    _: Staff,
    request: Request,
    response: Response,
    layer: Code = None,
    department: Code = None,
    district: Code = None,
    status: Annotated[str | None, Query(pattern="^(open|closed)$", description="open or closed")] = None,
    cursor: CursorParam = None,
    limit: LimitParam = MAX_LIMIT,
) -> list[RecordOut]:
    """Department records, newest first.

    Filtered by layer, department, district and open/closed. The next page's URL comes in the
    `Link` header (none on the last page).
    """
    open_only = None if status is None else status == "open"
    rows = await repository.page(
        session,
        cursor_of(cursor),
        limit,
        layer=layer,
        department=department,
        district=district,
        open_only=open_only,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_link(request, response, Cursor(rows[-1].opened_at, rows[-1].record_id) if more else None)
    return [record_out(r) for r in rows]


@router.get(
    "/v1/records.geojson",
    response_class=GeoJSONResponse,
    responses=geojson_answer("A FeatureCollection of records (their geometry; properties without ids of people)"),
)
async def get_records_geojson(
    session: Session,
    _: Staff,
    layer: Code = None,
    district: Code = None,
    status: Annotated[str | None, Query(pattern="^(open|closed)$", description="open or closed")] = "open",
    limit: Annotated[int, Query(ge=1, le=10_000, description="At most this many, newest first")] = 5_000,
) -> GeoJSONResponse:
    """Records as a map layer.

    The newest records of a layer (open ones by default) as GeoJSON features, for the map.
    """
    open_only = None if status is None else status == "open"
    rows = await repository.features(session, limit, layer=layer, district=district, open_only=open_only)
    features = [
        {
            "type": "Feature",
            "id": str(r.record_id),
            "geometry": r.geometry,
            "properties": {
                "record_id": str(r.record_id),
                "department": r.department,
                "layer": r.layer,
                "external_id": r.external_id,
                "category": r.category,
                "status": r.status,
                "district": r.district,
                "opened_at": r.opened_at.isoformat(),
                "closed_at": r.closed_at.isoformat() if r.closed_at else None,
            },
        }
        for r in rows
    ]
    return GeoJSONResponse({"type": "FeatureCollection", "features": features})


@router.get("/v1/records/{record_id}", response_model=RecordOut, responses={404: {}})
async def get_record(record_id: uuid.UUID, session: Session, _: Staff) -> RecordOut:
    """One record.

    As stored now (its latest version).
    """
    row = await repository.one(session, record_id)
    if row is None:
        raise NotFound(f"no record {record_id}")
    return record_out(row)


@router.get("/v1/layers", response_model=list[LayerOut])
async def list_layers(session: Session, _: Staff, places: PlacesDep) -> list[LayerOut]:
    """The city's layers.

    Every layer of the registry with its department and how many of its records are open (a
    record is closed by its `closed_at`, or by a status such as closed, resolved or fixed).
    """
    counts = await repository.open_counts(session)
    reg = places.registry
    return [
        LayerOut(
            code=lay.code,
            name=lay.name,
            department=lay.department,
            department_name=reg.departments[lay.department],
            shape=lay.shape,
            scheduled=lay.scheduled,
            description=lay.description,
            open_records=counts.get((lay.department, lay.code), (0, 0))[0],
            records=counts.get((lay.department, lay.code), (0, 0))[1],
        )
        for lay in reg.layers.values()
    ]
