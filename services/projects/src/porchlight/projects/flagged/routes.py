"""HTTP routes of flagged issues: the board's Flagged column, and one step to a micro-project."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from porchlight.kit.app import Session
from porchlight.kit.auth import CurrentPrincipal, Supervisor
from porchlight.projects.db import outbox
from porchlight.projects.flagged import repository, service
from porchlight.projects.flagged.schemas import ConvertedOut, ConvertIn, FlaggedOut
from porchlight.projects.inputs.fields import QueryText

router = APIRouter(prefix="/v1/flagged", tags=["flagged issues"])


@router.get("", response_model=list[FlaggedOut])
async def list_flagged(
    session: Session,
    who: CurrentPrincipal,
    district: QueryText = None,
    department: QueryText = None,
    status: Annotated[str | None, Query(pattern="^(flagged|converted|dismissed)$")] = "flagged",
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[FlaggedOut]:
    """Issues departments flagged, newest first.

    The board's Flagged column: waiting ones by default, filtered by district and department (a
    district-scoped caller sees its own district's).
    """
    rows = await repository.listed(session, who.district_scope or district, department, status, limit)
    return [FlaggedOut.model_validate(r) for r in rows]


@router.post("/{issue_id}/project", status_code=201, response_model=ConvertedOut, responses={404: {}, 409: {}})
async def convert_flagged(
    issue_id: uuid.UUID, session: Session, who: Supervisor, body: ConvertIn | None = None
) -> ConvertedOut:
    """Turn a flagged issue into a micro-project.

    One step: the district's newest priority, the flagging department as owner, the proposed
    remedy kind, two weeks from today (each may be given). `project.created` goes out. An
    unknown issue is a 404; one converted or dismissed already a 409.
    """
    card, project = await service.convert(session, outbox, issue_id, body or ConvertIn(), who)
    return ConvertedOut(issue_id=card.issue_id, project_id=project.id, title=project.title, due_on=project.due_on)


@router.post("/{issue_id}/dismiss", response_model=FlaggedOut, responses={404: {}, 409: {}})
async def dismiss_flagged(issue_id: uuid.UUID, session: Session, who: Supervisor) -> FlaggedOut:
    """Dismiss a flagged issue.

    It leaves the Flagged column without becoming a project (not the district's to act on, or
    handled already); it stays listed with `status=dismissed`. An unknown issue is a 404; one
    converted or dismissed already a 409.
    """
    return FlaggedOut.model_validate(await service.dismiss(session, issue_id, who))
