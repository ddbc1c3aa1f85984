"""HTTP routes of flagged issues: a department flags one (API or the web form), staff read them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from porchlight.kit.app import Provided, Session
from porchlight.kit.auth import Allow, Principal, Role, Staff
from porchlight.kit.errors import NotFound, ValidationProblem
from porchlight.kit.paging import MAX_LIMIT, Cursor, CursorParam, LimitParam, cursor_of, next_link
from porchlight.layers.issues import repository, service
from porchlight.layers.issues.schemas import IssueIn, IssueOut
from porchlight.layers.records.service import Places

router = APIRouter(prefix="/v1/issues", tags=["issues"])

Flagger = Annotated[Principal, Depends(Allow(Role.partner, Role.supervisor, Role.analyst))]
Code = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.post("", status_code=201, response_model=IssueOut)
async def flag_issue(
    body: IssueIn, session: Session, who: Flagger, places: Annotated[Places, Provided(Places)]
) -> IssueOut:
    """Flag an issue on the shared map.

    A department marks a problem at a place (a streetlight out, a vacant lot), with the records
    it is about. `issue.flagged` goes out: projects puts it in the board's Flagged column, the
    dashboard on its map. A department's key or token flags for its own department only.
    """
    if who.department and who.department != body.department and not who.has(Role.analyst):
        raise ValidationProblem(
            "a department flags its own issues",
            errors=[{"field": "body.department", "message": f"you flag for {who.department!r}"}],
        )
    try:
        row = await service.flag(session, body, places, who.subject)
    except service.IssueRefused as exc:
        raise ValidationProblem(
            str(exc), errors=[{"field": f"body.{e['field']}", "message": e["message"]} for e in exc.errors]
        ) from None
    return IssueOut.model_validate(row)


@router.get("", response_model=list[IssueOut])
async def list_issues(
    session: Session,
    who: Staff,
    request: Request,
    response: Response,
    district: Code = None,
    cursor: CursorParam = None,
    limit: LimitParam = MAX_LIMIT,
) -> list[IssueOut]:
    """Flagged issues, newest first.

    Filtered by district (a district-scoped caller sees its own). The next page's URL comes in
    the `Link` header.
    """
    rows = await repository.page(session, cursor_of(cursor), limit, who.district_scope or district)
    more = len(rows) > limit
    rows = rows[:limit]
    next_link(request, response, Cursor(rows[-1].flagged_at, rows[-1].issue_id) if more else None)
    return [IssueOut.model_validate(r) for r in rows]


@router.get("/{issue_id}", response_model=IssueOut, responses={404: {}})
async def get_issue(issue_id: uuid.UUID, session: Session, who: Staff) -> IssueOut:
    """One flagged issue.

    A district-scoped caller sees its own district's only.
    """
    row = await repository.one(session, issue_id)
    if row is None or (who.district_scope and row.district != who.district_scope):
        raise NotFound(f"no issue {issue_id}")
    return IssueOut.model_validate(row)
