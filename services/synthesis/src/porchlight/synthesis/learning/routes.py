"""HTTP: the taxonomy (read, edit at run time, its versions) and the model version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Role, Supervisor
from porchlight.kit.errors import ValidationProblem
from porchlight.synthesis.learning.models import ModelVersion
from porchlight.synthesis.learning.repository import LearningRepository
from porchlight.synthesis.learning.schemas import ModelOut, TaxonomyIn, TaxonomyOut, TaxonomyVersionOut
from porchlight.synthesis.learning.service import current_taxonomy, put_taxonomy
from porchlight.synthesis.model.live import version_tag
from porchlight.synthesis.model.taxonomy import Taxonomy

router = APIRouter(tags=["taxonomy"])
READERS = [Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]


def _etag_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise ValidationProblem(
            "Invalid If-Match", errors=[{"field": "header.if-match", "message": "the ETag of a taxonomy version"}]
        )
    return int(tag)


def _taxonomy_out(row: ModelVersion, taxonomy: Taxonomy, response: Response) -> TaxonomyOut:
    response.headers["ETag"] = f'"{taxonomy.version}"'
    return TaxonomyOut(
        version=taxonomy.version,
        fingerprint=taxonomy.fingerprint,
        model_version=version_tag(row.version, taxonomy),
        city=taxonomy.city,
        topics=[t.to_dict() for t in taxonomy],
    )


@router.get("/v1/taxonomy", response_model=TaxonomyOut, dependencies=READERS)
async def get_taxonomy(session: Session, response: Response) -> TaxonomyOut:
    """The current taxonomy: its topics, version and the model version that labels new notes.

    The ``ETag`` is the taxonomy version: send it back as ``If-Match`` when you replace it."""
    row, taxonomy = await current_taxonomy(session)
    return _taxonomy_out(row, taxonomy, response)


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
    return _taxonomy_out(row, taxonomy, response)


@router.get("/v1/taxonomy/versions", response_model=list[TaxonomyVersionOut], dependencies=READERS)
async def list_taxonomy_versions(session: Session) -> list[TaxonomyVersionOut]:
    """Every version of the taxonomy, newest first: who made it and why."""
    rows = await LearningRepository(session).taxonomy_versions()
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


@router.get("/v1/model", response_model=ModelOut, dependencies=READERS)
async def get_model_version(session: Session) -> ModelOut:
    """The model version that labels new notes: its taxonomy version and the corrections it learned."""
    row, taxonomy = await current_taxonomy(session)
    corrections = await LearningRepository(session).count_corrections_upto(row.corrections_upto)
    return ModelOut(
        version=row.version,
        model_version=version_tag(row.version, taxonomy),
        taxonomy_version=row.taxonomy_version,
        corrections=corrections,
        reason=row.reason,
    )
