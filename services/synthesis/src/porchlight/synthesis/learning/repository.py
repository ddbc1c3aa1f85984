"""All SQL about taxonomy versions, corrections and model versions (and the received concerns
that a version's topic shares are fitted to)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.synthesis.learning.models import Correction, ModelVersion, TaxonomyVersion
from porchlight.synthesis.notes.models import AnalyzedConcern

#: Serializes writers of taxonomy and model versions (two corrections at once get n+1 and n+2).
LEARNING_LOCK = "synthesis:learning"


class LearningRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def take_lock(self) -> None:
        await self.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": LEARNING_LOCK})

    async def has_model_version(self) -> bool:
        return bool(await self.session.scalar(sa.select(sa.func.count()).select_from(ModelVersion)))

    async def seed(self, document: dict[str, Any], fingerprint: str) -> None:
        """Taxonomy version 1 and model version 1 (each left alone when it exists)."""
        await self.session.execute(
            insert(TaxonomyVersion)
            .values(
                version=1,
                document=document,
                fingerprint=fingerprint,
                reason="loaded at first start",
                created_by="system",
            )
            .on_conflict_do_nothing()
        )
        await self.session.execute(
            insert(ModelVersion)
            .values(version=1, taxonomy_version=1, corrections_upto=0, reason="initial", created_by="system")
            .on_conflict_do_nothing()
        )

    async def latest_model_version(self) -> ModelVersion | None:
        return await self.session.scalar(sa.select(ModelVersion).order_by(ModelVersion.version.desc()).limit(1))

    async def taxonomy_version(self, version: int) -> TaxonomyVersion | None:
        return await self.session.get(TaxonomyVersion, version)

    async def taxonomy_versions(self) -> Sequence[TaxonomyVersion]:
        return (await self.session.scalars(sa.select(TaxonomyVersion).order_by(TaxonomyVersion.version.desc()))).all()

    async def last_taxonomy_version(self) -> int:
        return int(await self.session.scalar(sa.select(sa.func.max(TaxonomyVersion.version))) or 0)

    async def add(self, row: TaxonomyVersion | ModelVersion | Correction) -> None:
        self.session.add(row)
        await self.session.flush()

    async def count_concerns(self) -> int:
        """Concern statements received and analyzed so far (what topic shares are fitted to)."""
        return int(await self.session.scalar(sa.select(sa.func.count()).select_from(AnalyzedConcern)) or 0)

    async def recent_concerns(self, limit: int) -> list[tuple[str, bytes]]:
        """The latest ``limit`` concern statements with their stored embeddings, newest first."""
        rows = await self.session.execute(
            sa.select(AnalyzedConcern.text, AnalyzedConcern.embedding).order_by(AnalyzedConcern.id.desc()).limit(limit)
        )
        return [(text, blob) for text, blob in rows.all()]

    async def corrections_upto(self, last_id: int) -> list[tuple[str, str]]:
        """(statement, topic) of every correction up to ``last_id``, oldest first; a correction
        whose statement was erased (a blank text: docs/privacy.md) teaches nothing and is left out."""
        rows = await self.session.execute(
            sa.select(Correction.text, Correction.to_topic)
            .where(Correction.id <= last_id, Correction.text != "")
            .order_by(Correction.id)
        )
        return [(text, topic) for text, topic in rows.all()]

    async def correction_probabilities_key(self) -> tuple[int, int]:
        """(how many corrections have probabilities, the last one's id): what says whether the
        calibration fitted on them is still current, without reading them."""
        n, last = (
            await self.session.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(Correction.id), 0)).where(
                    Correction.topic_probs.is_not(None)
                )
            )
        ).one()
        return int(n), int(last)

    async def correction_probabilities(self) -> list[tuple[int, str, dict[str, float]]]:
        """(id, right topic, the model's probabilities) of every correction that has them: the
        labels the counts' calibration is measured on. Numbers only, so erased statements count."""
        rows = await self.session.execute(
            sa.select(Correction.id, Correction.to_topic, Correction.topic_probs)
            .where(Correction.topic_probs.is_not(None))
            .order_by(Correction.id)
        )
        return [(int(i), t, p) for i, t, p in rows.all() if p is not None]

    async def count_corrections_upto(self, last_id: int) -> int:
        found = await self.session.scalar(
            sa.select(sa.func.count()).select_from(Correction).where(Correction.id <= last_id)
        )
        return int(found or 0)
