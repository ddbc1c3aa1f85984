"""The district's flagged issues, as GeoJSON for its map and the district page's list."""

from __future__ import annotations

from fastapi import APIRouter, Path

from porchlight.dashboard.flagged import repository
from porchlight.dashboard.pages.access import check_district
from porchlight.kit.app import GeoJSONResponse, Session, geojson_answer
from porchlight.kit.auth import Staff

router = APIRouter(tags=["pages"])


@router.get(
    "/v1/districts/{code}/flagged.geojson",
    response_class=GeoJSONResponse,
    responses=geojson_answer("A FeatureCollection of the district's flagged issues, newest first (at most 200)"),
)
async def get_district_flagged(
    session: Session, who: Staff, code: str = Path(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
) -> GeoJSONResponse:
    """Issues departments flagged in a district.

    Each as a point (where the department put it) with its department, category, place and
    words; issues flagged without a point come with a null geometry.
    """
    check_district(who, code)
    rows = await repository.of_district(session, code)
    features = [
        {
            "type": "Feature",
            "id": str(r.issue_id),
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]} if r.lat is not None else None,
            "properties": {
                "issue_id": str(r.issue_id),
                "department": r.department,
                "category": r.category,
                "description": r.description,
                "place": r.place,
                "flagged_at": r.flagged_at.isoformat(),
            },
        }
        for r in rows
    ]
    return GeoJSONResponse({"type": "FeatureCollection", "features": features})
