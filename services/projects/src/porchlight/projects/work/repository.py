"""All SQL about micro-projects, their tasks and moves — and the notice of a changed card.

A changed card is announced with ``pg_notify`` inside the transaction that makes it: PostgreSQL
delivers the notification only on commit (never for a rolled-back change) and to every
listening connection, so each replica's board hub (board/worker.py) hears every replica's
changes. The same statement moves the boards' generation on (``board_state``): cached boards
are rebuilt (board/service.py). Work owns both, so it announces without knowing who listens.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.paging import Cursor
from porchlight.projects.work.models import Project, ProjectMove, Task

#: The PostgreSQL channel every card change is announced on (board/worker.py listens).
CARD_CHANNEL = "porchlight_projects_board"
#: Every card change moves the boards' generation on, in its own transaction.
BUMP = sa.text("UPDATE projects.board_state SET generation = generation + 1 WHERE id = 1")


def _scope(stmt: sa.Select[Any], district: str | None, department: str | None) -> sa.Select[Any]:
    if district:
        stmt = stmt.where(Project.district == district)
    if department:
        stmt = stmt.where(Project.department == department)
    return stmt


def _ascending(stmt: sa.Select[Any], at_col: Any, at: object, cursor: Cursor | None, limit: int | None) -> Any:
    """Oldest first (what needs attention longest comes first); after ``cursor``; one row more
    than ``limit`` to see if more follow (kit.paging's keyset, the other way round)."""
    if cursor is not None:
        stmt = stmt.where(sa.tuple_(at_col, Project.id) > sa.tuple_(at, cursor.id))
    stmt = stmt.order_by(at_col, Project.id)
    return stmt if limit is None else stmt.limit(limit + 1)


class WorkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, project_id: uuid.UUID, *, lock: bool = False) -> Project | None:
        stmt = sa.select(Project).where(Project.id == project_id)
        if lock:
            stmt = stmt.with_for_update()
        return await self.session.scalar(stmt)

    async def remedy_kinds(self, priority_id: uuid.UUID) -> list[str]:
        """The remedy kind of each project the priority holds."""
        return list(
            await self.session.scalars(sa.select(Project.remedy_kind).where(Project.priority_id == priority_id))
        )

    async def task(self, task_id: uuid.UUID) -> Task | None:
        return await self.session.get(Task, task_id)

    async def tasks_of(self, project_id: uuid.UUID) -> list[Task]:
        # Tasks filed together share created_at (one transaction): the id breaks the tie, so a
        # card lists its tasks in the same order on every read (it flipped after an update).
        stmt = sa.select(Task).where(Task.project_id == project_id).order_by(Task.created_at, Task.id)
        return list(await self.session.scalars(stmt))

    async def moves_of(self, project_id: uuid.UUID) -> list[ProjectMove]:
        stmt = sa.select(ProjectMove).where(ProjectMove.project_id == project_id).order_by(ProjectMove.id)
        return list(await self.session.scalars(stmt))

    async def overdue(
        self,
        district: str | None,
        department: str | None,
        today: date,
        cursor: Cursor | None = None,
        limit: int | None = None,
    ) -> Sequence[Project]:
        """Not done and past due, earliest due date first (the cursor's ``at`` is a due date)."""
        stmt = _scope(sa.select(Project).where(Project.status != "done", Project.due_on < today), district, department)
        at = date.fromisoformat(str(cursor.at)) if cursor is not None else None
        return (await self.session.scalars(_ascending(stmt, Project.due_on, at, cursor, limit))).all()

    async def stalled(
        self,
        district: str | None,
        department: str | None,
        cutoff: datetime,
        cursor: Cursor | None = None,
        limit: int | None = None,
    ) -> Sequence[Project]:
        """Not done and unchanged since ``cutoff``, longest unchanged first."""
        stmt = sa.select(Project).where(Project.status != "done", Project.changed_at < cutoff)
        stmt = _scope(stmt, district, department)
        at = cursor.at if cursor is not None else None
        return (await self.session.scalars(_ascending(stmt, Project.changed_at, at, cursor, limit))).all()

    async def add(self, *rows: Project | Task | ProjectMove) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def announce(self, notice: str) -> None:
        """Queue a card's notice for the boards; PostgreSQL sends it when the transaction commits."""
        await self.session.execute(BUMP)
        await self.session.execute(sa.select(sa.func.pg_notify(CARD_CHANNEL, notice)))

    def stage(self, *rows: Project | Task | ProjectMove) -> None:
        """Add rows to the unit of work; the next flush writes them."""
        self.session.add_all(rows)
