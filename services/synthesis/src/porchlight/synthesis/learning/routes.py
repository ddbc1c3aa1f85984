"""HTTP: the taxonomy (read, edit at run time), supervisors' topic corrections, the model version."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Response

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import ValidationProblem
from porchlight.synthesis.analysis.live import version_tag
from porchlight.synthesis.learning.districts import own_district
from porchlight.synthesis.learning.models import Correction, TaxonomyVersion
from porchlight.synthesis.learning.schemas import (
    CorrectionOut,
    ModelOut,
    TaxonomyIn,
    TaxonomyOut,
    TaxonomyVersionOut,
    TopicCorrection,
)
from porchlight.synthesis.learning.service import correct_topic, current_taxonomy, put_taxonomy

router = APIRouter(tags=["taxonomy"])
READERS = [Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]
Supervisor = Annotated[Principal, Depends(Allow(Role.supervisor))]


def _etag_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise ValidationProblem(
            "Invalid If-Match", errors=[{"field": "header.if-match", "message": "the ETag of a taxonomy version"}]
        )
    return int(tag)


@router.get("/v1/taxonomy", response_model=TaxonomyOut, dependencies=READERS)
async def get_taxonomy(session: Session, response: Response) -> TaxonomyOut:
    row, taxonomy = await current_taxonomy(session)
    response.headers["ETag"] = f'"{taxonomy.version}"'
    return TaxonomyOut(
        version=taxonomy.version,
        fingerprint=taxonomy.fingerprint,
        model_version=version_tag(row.version, taxonomy),
        city=taxonomy.city,
        topics=[t.to_dict() for t in taxonomy],
    )


@router.put("/v1/taxonomy", response_model=TaxonomyOut, responses={412: {}})
async def replace_taxonomy(
    session: Session,
    body: TaxonomyIn,
    response: Response,
    who: Supervisor,
    if_match: Annotated[str | None, Header(description="ETag of the version you edited")] = None,
) -> TaxonomyOut:
    """A new taxonomy version (and model version); notes analyzed from now on use it."""
    row, taxonomy = await put_taxonomy(
        session, body.model_dump(exclude={"version"}), who.subject, _etag_version(if_match)
    )
    response.headers["ETag"] = f'"{taxonomy.version}"'
    return TaxonomyOut(
        version=taxonomy.version,
        fingerprint=taxonomy.fingerprint,
        model_version=version_tag(row.version, taxonomy),
        city=taxonomy.city,
        topics=[t.to_dict() for t in taxonomy],
    )


@router.get("/v1/taxonomy/versions", response_model=list[TaxonomyVersionOut], dependencies=READERS)
async def taxonomy_versions(session: Session) -> list[TaxonomyVersionOut]:
    rows = (await session.scalars(sa.select(TaxonomyVersion).order_by(TaxonomyVersion.version.desc()))).all()
    return [
        TaxonomyVersionOut(
            version=r.version,
            fingerprint=r.fingerprint,
            reason=r.reason,
            created_by=r.created_by,
            topics=len(r.document.get("topics", [])),
        )
        for r in rows
    ]


@router.put("/v1/concerns/{concern_id}/topic", response_model=CorrectionOut, tags=["concerns"])
async def set_concern_topic(session: Session, concern_id: int, body: TopicCorrection, who: Supervisor) -> CorrectionOut:
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


@router.get("/v1/model", response_model=ModelOut, dependencies=READERS)
async def model_version(session: Session) -> ModelOut:
    row, taxonomy = await current_taxonomy(session)
    corrections = await session.scalar(
        sa.select(sa.func.count()).select_from(Correction).where(Correction.id <= row.corrections_upto)
    )
    return ModelOut(
        version=row.version,
        model_version=version_tag(row.version, taxonomy),
        taxonomy_version=row.taxonomy_version,
        corrections=int(corrections or 0),
        reason=row.reason,
    )
