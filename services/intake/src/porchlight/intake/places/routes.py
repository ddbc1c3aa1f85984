"""HTTP routes of places: the city's map for staff, a resolver, and the admin's reload."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query

from porchlight.events.catalog import GeoPoint
from porchlight.intake.places.repository import PlaceRepository
from porchlight.intake.places.schemas import LoadReport, ResolveOut
from porchlight.intake.places.service import current_index, load_geojson, resolve_in
from porchlight.kit.app import GeoJSONResponse, Session, geojson_answer
from porchlight.kit.auth import Admin, CurrentPrincipal

router = APIRouter(prefix="/v1/places", tags=["places"])


@router.get(
    "",
    response_class=GeoJSONResponse,
    responses=geojson_answer("A GeoJSON FeatureCollection"),
)
async def list_places(
    session: Session,
    _: CurrentPrincipal,
    kind: Annotated[Literal["district", "neighborhood"] | None, Query()] = None,
) -> GeoJSONResponse:
    """The city's districts and neighborhoods as a GeoJSON FeatureCollection.

    Each feature carries its `kind`, `code`, `name` (and a neighborhood its `district`) and a
    `bbox`; `kind` narrows the collection to one kind.
    """
    places = await PlaceRepository(session).all(kind)
    features = [
        {
            "type": "Feature",
            "id": p.code,
            "bbox": [p.min_lon, p.min_lat, p.max_lon, p.max_lat],
            "properties": {"kind": p.kind, "code": p.code, "name": p.name}
            | ({"district": p.parent_code} if p.parent_code else {}),
            "geometry": p.geometry,
        }
        for p in places
    ]
    return GeoJSONResponse({"type": "FeatureCollection", "features": features})


@router.get("/resolve", response_model=ResolveOut)
async def resolve_place(
    session: Session,
    _: CurrentPrincipal,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
) -> ResolveOut:
    """The district and neighborhood of a point.

    A point outside every district of the city is a 422 naming `query.point`.
    """
    place = resolve_in(await current_index(session), point=GeoPoint(lat=lat, lon=lon), field="query")
    return ResolveOut(district=place.district, neighborhood=place.neighborhood)


@router.put("", response_model=LoadReport)
async def replace_places(
    session: Session,
    _: Admin,
    collection: Annotated[dict[str, Any], Body(description="A FeatureCollection, as `porchlight places load` takes")],
) -> LoadReport:
    """Replace the city's places (admin).

    All at once, in one transaction: a collection with any bad feature changes nothing, and the
    answer names each problem by feature index and property.
    """
    # The body is checked by our own parser, not a pydantic model: its errors name the
    # feature index and property (body.features[3].geometry), which a model could not.
    return await load_geojson(session, collection)
