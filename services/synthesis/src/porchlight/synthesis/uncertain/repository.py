"""All SQL of "help the model": the concerns a supervisor could still label, with their embeddings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.synthesis.insights.repository import Period, Place, concerns_where
from porchlight.synthesis.learning.models import Correction, ModelVersion
from porchlight.synthesis.notes.models import AnalyzedConcern as C


@dataclass(frozen=True)
class Candidate:
    id: int
    note_id: uuid.UUID
    text: str
    district: str
    neighborhood: str | None
    occurred_at: datetime
    topic: str
    embedding: bytes


class UncertainRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def candidates(self, place: Place, period: Period, limit: int) -> Sequence[Candidate]:
        """The place's concerns of the period no supervisor has labeled yet, newest first.

        Left out: concerns a supervisor corrected (their ``topic_source``, or a correction row:
        a later reanalysis may have relabelled one), and erased statements (no words, no
        embedding: docs/privacy.md)."""
        corrected = sa.select(Correction.id).where(Correction.concern_id == C.id).exists()
        rows = await self.session.execute(
            sa.select(C.id, C.note_id, C.text, C.district, C.neighborhood, C.occurred_at, C.topic, C.embedding)
            .where(
                *concerns_where(place, period),
                C.topic_source == "model",
                C.text != "",
                sa.func.octet_length(C.embedding) > 0,
                ~corrected,
            )
            .order_by(C.occurred_at.desc(), C.id.desc())
            .limit(limit)
        )
        return [Candidate(*r) for r in rows.all()]

    async def labels_learned(self, version: int) -> int:
        """Corrections model version ``version`` learned (``GET /v1/model``'s ``corrections``)."""
        upto = sa.select(ModelVersion.corrections_upto).where(ModelVersion.version == version).scalar_subquery()
        found = await self.session.scalar(
            sa.select(sa.func.count()).select_from(Correction).where(Correction.id <= upto)
        )
        return int(found or 0)
