"""Flagged issues on the board: a card per ``issue.flagged`` with its owner and a DICE remedy
kind, and one step from a micro-project (``project.created`` goes out as for any project)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import IssueFlagged, Outbox
from porchlight.events.catalog import GeoPoint
from porchlight.kit.auth import Principal
from porchlight.kit.errors import Conflict, NotFound, ValidationProblem
from porchlight.projects.districts.scope import check_district
from porchlight.projects.flagged import repository
from porchlight.projects.flagged.schemas import ConvertIn
from porchlight.projects.work import service as work
from porchlight.projects.work.models import Project
from porchlight.projects.work.schemas import ProjectIn

#: The remedy kind proposed when the flagging department gives none, from words of its category:
#: the first rule whose word starts one of the category's words wins (so "lights" and "loitering"
#: match, but "street" is no "tree", "design" no "sign" and "parking" no "park"); none: physical,
#: DICE's first remedy. DICE puts enforcement last: it is never proposed, only chosen by a person.
_REMEDIES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\b(?:light|streetlight|lamp|graffiti|vacant|trash|litter|dump|abandon|pothole|sidewalk|fence|tree"
            r"|needle|sign|broken|overgrow|rodent|rats?\b)",
            re.IGNORECASE,
        ),
        "physical",
    ),
    (
        re.compile(r"\b(?:noise|noisy|loud|loiter|youth|gathering|party|parties|music)", re.IGNORECASE),
        "positive_activity",
    ),
    (re.compile(r"\b(?:permit|zoning|licen[cs]|ordinance|code\b|codes\b)", re.IGNORECASE), "policy"),
    (re.compile(r"\b(?:owner|landlord|propert|lots?\b)", re.IGNORECASE), "ownership"),
]
#: A micro-project is one or two weeks (DICE's small, visible steps).
PROJECT_DAYS = 14


def propose_remedy(category: str, given: str | None) -> tuple[str, bool]:
    """(remedy kind, whether the department gave it)."""
    if given:
        return given, True
    for pattern, kind in _REMEDIES:
        if pattern.search(category):
            return kind, False
    return "physical", False


async def on_flagged(session: AsyncSession, event: IssueFlagged) -> None:
    kind, given = propose_remedy(event.category, event.remedy_kind)
    await repository.add(
        session,
        {
            "issue_id": event.issue_id,
            "district": event.district,
            "department": event.department,
            "category": event.category,
            "description": event.description,
            "place": event.place,
            "lat": event.point.lat if event.point else None,
            "lon": event.point.lon if event.point else None,
            "record_ids": event.record_ids,
            "remedy_kind": kind,
            "remedy_given": given,
            "flagged_at": event.flagged_at,
            "status": "flagged",
        },
    )


async def _waiting(session: AsyncSession, issue_id: uuid.UUID, who: Principal) -> Any:
    """The card, locked, while it waits in the Flagged column (404 unknown, 409 already handled;
    a district's supervisor handles their district's only)."""
    card = await repository.one(session, issue_id, lock=True)
    if card is None:
        raise NotFound(f"no flagged issue {issue_id}")
    check_district(who, card.district, "the flagged issue", "path.issue_id")
    if card.status != "flagged":
        raise Conflict(f"the flagged issue is {card.status} already")
    return card


async def dismiss(session: AsyncSession, issue_id: uuid.UUID, who: Principal) -> Any:
    """Off the Flagged column without a project (not ours to act on, or handled already); kept."""
    await _waiting(session, issue_id, who)
    return await repository.dismissed(session, issue_id)


async def convert(
    session: AsyncSession, outbox: Outbox, issue_id: uuid.UUID, body: ConvertIn, who: Principal
) -> tuple[Any, Project]:
    """The flagged issue as a micro-project of the district's priority (the newest, unless given)."""
    card = await _waiting(session, issue_id, who)
    priority_id = body.priority_id or await repository.newest_priority(session, card.district)
    if priority_id is None:
        raise ValidationProblem(
            "the district has no priority yet: a micro-project belongs to one",
            errors=[{"field": "body.priority_id", "message": f"no priority in {card.district}"}],
        )
    starts = body.starts_on or work.now().date()
    project, _ = await work.create_project(
        session,
        outbox,
        ProjectIn(
            priority_id=priority_id,
            title=(body.title or f"{card.category}{f' — {card.place}' if card.place else ''}")[:200],
            description=(card.description or None),
            place=card.place,
            point=GeoPoint(lat=card.lat, lon=card.lon) if card.lat is not None else None,
            district=card.district,
            department=body.department or card.department,
            remedy_kind=body.remedy_kind or card.remedy_kind,
            starts_on=starts,
            due_on=body.due_on or starts + timedelta(days=PROJECT_DAYS),
        ),
        who,
    )
    await repository.converted(session, issue_id, project.id)
    return card, project
