"""Projects that need attention: past due, or unchanged for a week; and reminding their owners.

A reminder is an event (``project.reminded``) that other systems turn into an email or a text;
a project is reminded at most once a day, however often reminders are run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox, ProjectReminded
from porchlight.kit.auth import Principal
from porchlight.projects.work.models import Project

STALLED_AFTER = timedelta(days=7)
REMIND_AT_MOST_EVERY = timedelta(hours=20)

Reason = Literal["overdue", "stalled"]


def _scope(stmt: sa.Select[Project], district: str | None, department: str | None) -> sa.Select[Project]:
    if district:
        stmt = stmt.where(Project.district == district)
    if department:
        stmt = stmt.where(Project.department == department)
    return stmt


async def overdue(
    session: AsyncSession, district: str | None = None, department: str | None = None, today: date | None = None
) -> list[Project]:
    today = today or datetime.now(UTC).date()
    stmt = sa.select(Project).where(Project.status != "done", Project.due_on < today).order_by(Project.due_on)
    return list(await session.scalars(_scope(stmt, district, department)))


async def stalled(
    session: AsyncSession, district: str | None = None, department: str | None = None, at: datetime | None = None
) -> list[Project]:
    cutoff = (at or datetime.now(UTC)) - STALLED_AFTER
    stmt = sa.select(Project).where(Project.status != "done", Project.changed_at < cutoff).order_by(Project.changed_at)
    return list(await session.scalars(_scope(stmt, district, department)))


async def remind(
    session: AsyncSession,
    outbox: Outbox,
    who: Principal,
    district: str | None = None,
    department: str | None = None,
) -> list[tuple[Project, Reason]]:
    """One ``project.reminded`` per overdue or stalled project not reminded in the last day."""
    stamp = datetime.now(UTC)
    due: dict[object, tuple[Project, Reason]] = {}
    for p in await stalled(session, district, department, stamp):
        due[p.id] = (p, "stalled")
    for p in await overdue(session, district, department, stamp.date()):
        due[p.id] = (p, "overdue")  # overdue says more than stalled
    sent: list[tuple[Project, Reason]] = []
    for project, reason in due.values():
        if project.reminded_at is not None and stamp - project.reminded_at < REMIND_AT_MOST_EVERY:
            continue
        # Reminding is not a change of the card: changed_at stays (it measures stalling).
        project.reminded_at = stamp
        sent.append((project, reason))
        await outbox.add(
            session,
            ProjectReminded(
                project_id=project.id,
                priority_id=project.priority_id,
                title=project.title,
                district=project.district,
                department=project.department,
                owner=project.owner,
                reason=reason,
                due_on=project.due_on,
                last_changed_at=project.changed_at,
                reminded_at=stamp,
                reminded_by=who.subject,
            ),
        )
    await session.flush()
    return sent
