"""HTTP routes of bulletins."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from porchlight.kit.app import Session
from porchlight.kit.auth import CurrentPrincipal, Supervisor
from porchlight.kit.paging import MAX_LIMIT, Cursor, CursorParam, LimitParam, next_link
from porchlight.projects.bulletins import service
from porchlight.projects.bulletins.repository import BulletinRepository
from porchlight.projects.bulletins.schemas import BulletinIn, BulletinOut
from porchlight.projects.db import outbox
from porchlight.projects.inputs.fields import QueryText
from porchlight.projects.inputs.paging import cursor_at_time

router = APIRouter(prefix="/v1/bulletins", tags=["bulletins"])


@router.post("", response_model=BulletinOut, status_code=201, responses={422: {}})
async def publish_bulletin(body: BulletinIn, session: Session, who: Supervisor) -> BulletinOut:
    """Tell a district or one of its neighborhoods something, on every channel at once.

    Scored for plain language as it is sent (`POST /v1/plain-language` checks it while it is
    written); above grade 10 it needs `reason`, kept with it. A district's supervisor writes
    their district's only. Sends `update.published` (kind `bulletin`).
    """
    return BulletinOut.model_validate(await service.publish_bulletin(session, outbox, body, who))


@router.get("", response_model=list[BulletinOut])
async def list_bulletins(
    session: Session,
    _: CurrentPrincipal,
    request: Request,
    response: Response,
    district: QueryText = None,
    cursor: CursorParam = None,
    limit: LimitParam = MAX_LIMIT,
) -> list[BulletinOut]:
    """Bulletins published, newest first (the next page's URL in the `Link` header)."""
    rows = await BulletinRepository(session).page(district, cursor_at_time(cursor), limit)
    more = len(rows) > limit
    rows = rows[:limit]
    next_link(request, response, Cursor(rows[-1].published_at, rows[-1].id) if more else None)
    return [BulletinOut.model_validate(b) for b in rows]
