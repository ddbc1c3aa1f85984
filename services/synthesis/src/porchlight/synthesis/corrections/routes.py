"""HTTP: a supervisor's topic correction of one concern statement."""

from __future__ import annotations

from fastapi import APIRouter

from porchlight.kit.app import Session
from porchlight.kit.auth import Supervisor
from porchlight.synthesis.corrections.access import own_district
from porchlight.synthesis.corrections.schemas import CorrectionOut, TopicCorrection
from porchlight.synthesis.corrections.service import correct_topic
from porchlight.synthesis.model.live import version_tag

router = APIRouter(tags=["concerns"])


@router.put("/v1/concerns/{concern_id}/topic", response_model=CorrectionOut)
async def correct_concern_topic(
    session: Session, concern_id: int, body: TopicCorrection, who: Supervisor
) -> CorrectionOut:
    """A supervisor's correction: the concern's topic is set, and the model learns from it.

    A supervisor whose token names a district corrects that district's concerns only (403)."""
    concern, previous, row, taxonomy = await correct_topic(
        session, concern_id, body.topic, who.subject, only_district=own_district(who)
    )
    return CorrectionOut(
        concern_id=concern.id,
        note_id=concern.note_id,
        topic=concern.topic,
        previous_topic=previous,
        model_version=version_tag(row.version, taxonomy),
        model_version_number=row.version,
    )
