"""HTTP routes of district activity."""

from __future__ import annotations

from fastapi import APIRouter

from porchlight.dashboard.activity.repository import ActivityRepository
from porchlight.dashboard.activity.schemas import ActivitySummary, DistrictActivityOut
from porchlight.kit.app import Session
from porchlight.kit.auth import CurrentPrincipal

router = APIRouter(prefix="/v1/activity", tags=["activity"])


@router.get("", response_model=ActivitySummary)
async def get_activity(session: Session, _: CurrentPrincipal) -> ActivitySummary:
    """Notes received per district, with the newest note's time.

    Counted from `note.submitted` as the events arrive (the backbone's own check of delivery).
    """
    rows = [DistrictActivityOut.model_validate(r) for r in await ActivityRepository(session).all()]
    return ActivitySummary(total_notes=sum(r.notes for r in rows), districts=rows)
