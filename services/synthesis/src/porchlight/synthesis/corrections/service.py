"""A supervisor's correction: a concern's topic set by hand, learned as a new model version.

Made in the request's transaction under the learning lock (learning/service.py): the correction
row, a model version that includes it, the concern relabelled, and ``note.analyzed`` queued again
for its note. Notes analyzed after the commit are labeled by the new version.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.errors import NotFound, ValidationProblem
from porchlight.synthesis.analysis.service import announce_notes
from porchlight.synthesis.corrections.access import check_concern_districts
from porchlight.synthesis.corrections.repository import CorrectionRepository
from porchlight.synthesis.learning.models import Correction, ModelVersion
from porchlight.synthesis.learning.service import (
    current_taxonomy,
    ensure_seeded,
    new_model_version,
    take_learning_lock,
)
from porchlight.synthesis.model.live import version_tag
from porchlight.synthesis.model.taxonomy import UNASSIGNED, Taxonomy
from porchlight.synthesis.notes.models import AnalyzedConcern


async def correct_topic(
    session: AsyncSession, concern_id: int, topic: str, by: str, *, only_district: str | None = None
) -> tuple[AnalyzedConcern, str, ModelVersion, Taxonomy]:
    """Set a concern's topic by hand; the correction becomes a learned example (model version + 1).

    ``only_district``: the corrector's one district (access.py), None for city-wide."""
    await ensure_seeded(session)
    await take_learning_lock(session)
    current, taxonomy = await current_taxonomy(session)
    if topic == UNASSIGNED or topic not in taxonomy:
        raise ValidationProblem(
            "Unknown topic", errors=[{"field": "body.topic", "message": f"{topic!r} is not a topic of the taxonomy"}]
        )
    repo = CorrectionRepository(session)
    concern = await repo.concern_locked(concern_id)
    if concern is None:
        detail = f"There is no concern statement {concern_id}."
        raise NotFound(detail, errors=[{"field": "path.concern_id", "message": detail}])
    check_concern_districts(only_district, [concern.district], "path.concern_id")
    previous = concern.topic
    correction = await repo.add(
        Correction(
            concern_id=concern.id,
            note_id=concern.note_id,
            text=concern.text,
            from_topic=previous,
            to_topic=topic,
            topic_probs=concern.topic_probs,
            corrected_by=by,
        )
    )
    row = await new_model_version(
        session,
        taxonomy_version=current.taxonomy_version,
        corrections_upto=correction.id,
        reason=f"correction {correction.id}",
        by=by,
    )
    tag = version_tag(row.version, taxonomy)
    concern.topic, concern.topic_source, concern.model_version = topic, "supervisor", tag
    await repo.flush()
    await announce_notes(session, [concern.note_id], tag)
    return concern, previous, row, taxonomy
