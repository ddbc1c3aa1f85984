"""Flagging an issue: checked (a registered department, a place inside the city, records that
exist), stored and announced as ``issue.flagged`` in one transaction. Issues flagged by a
department's own system arrive as the same event and are stored alike."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import IssueFlagged
from porchlight.events.catalog import GeoPoint
from porchlight.layers.db import outbox
from porchlight.layers.issues import repository
from porchlight.layers.issues.schemas import IssueIn
from porchlight.layers.records.service import Places


class IssueRefused(ValueError):
    """``errors`` name each field (``{"field", "message"}``)."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


async def flag(session: AsyncSession, body: IssueIn, places: Places, by: str) -> dict[str, Any]:
    errors = places.registry.refusals(body.department, None)
    (district,) = places.locator.districts([body.point.lat], [body.point.lon])
    if district is False or district is None:
        errors.append({"field": "point", "message": "outside the city"})
    missing = await repository.missing_records(session, body.department, body.record_ids)
    errors += [
        {"field": f"record_ids.{i}", "message": f"no record {r!r} from {body.department!r}"}
        for i, r in enumerate(body.record_ids)
        if r in missing
    ]
    if errors:
        raise IssueRefused(errors)
    row = {
        "issue_id": uuid.uuid4(),
        "department": body.department,
        "category": body.category,
        "district": str(district),
        "lat": body.point.lat,
        "lon": body.point.lon,
        "place": body.place,
        "description": body.description,
        "record_ids": body.record_ids,
        "remedy_kind": body.remedy_kind,
        "flagged_at": datetime.now(UTC),
        "flagged_by": by,
        "source": "http",
    }
    await repository.insert(session, row)
    await outbox.add(
        session,
        IssueFlagged(
            issue_id=row["issue_id"],
            department=body.department,
            category=body.category,
            district=row["district"],
            point=GeoPoint(lat=body.point.lat, lon=body.point.lon),
            description=body.description,
            flagged_at=row["flagged_at"],
            record_ids=body.record_ids,
            place=body.place,
            remedy_kind=body.remedy_kind,
        ),
    )
    return row


async def store_external(session: AsyncSession, event: IssueFlagged, places: Places) -> None:
    """An issue a department's own system published: kept as it said (its district must be ours)."""
    if event.district not in places.locator.city.codes:
        raise IssueRefused([{"field": "district", "message": f"no district {event.district!r} in the city"}])
    await repository.insert(
        session,
        {
            "issue_id": event.issue_id,
            "department": event.department,
            "category": event.category,
            "district": event.district,
            "lat": event.point.lat if event.point else None,
            "lon": event.point.lon if event.point else None,
            "place": event.place,
            "description": event.description,
            "record_ids": event.record_ids,
            "remedy_kind": event.remedy_kind,
            "flagged_at": event.flagged_at,
            "flagged_by": event.department,
            "source": "kafka",
        },
    )
