"""HTTP: a supervisor's topic correction of one concern statement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from porchlight.kit.app import Session
from porchlight.kit.auth import Supervisor
from porchlight.synthesis.corrections.access import own_district
from porchlight.synthesis.corrections.schemas import CorrectionOut, TopicCorrection
from porchlight.synthesis.corrections.service import correct_topic
from porchlight.synthesis.model.live import version_tag

router = APIRouter(tags=["concerns"])
#: A concern's id: a positive PostgreSQL bigint (a larger number was a 500 from the database).
ConcernId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The concern statement's id")]


@router.put("/v1/concerns/{concern_id}/topic", response_model=CorrectionOut, responses={404: {}, 422: {}})
async def correct_concern_topic(
    session: Session, concern_id: ConcernId, body: TopicCorrection, who: Supervisor
) -> CorrectionOut:
    """A supervisor's correction: the concern's topic is set, and the model learns from it.

    A supervisor whose token names a district corrects that district's concerns only (403). A
    concern that does not exist is a 404 naming ``path.concern_id``, a topic the taxonomy does
    not have a 422 naming ``body.topic``; either changes nothing."""
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
