"""All SQL of a task announced: the step of a public project goes to its place's updates (the page,
the feed, the webhooks) when its owner chose to tell the neighborhood at once, and leaves them when
the task is marked undone (a webhook already delivered cannot be called back; one still waiting is
dropped)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.projections.models import project_tasks, projects, updates
from porchlight.dashboard.webhooks.models import webhook_deliveries
from porchlight.events import TaskCompleted

STEP = "step"


def step_id(task_id: uuid.UUID, completed_at: datetime) -> uuid.UUID:
    """One update per completion: the same event applied twice adds nothing; done again, anew."""
    return uuid.uuid5(task_id, f"step {completed_at.isoformat()}")


async def announce_step(session: AsyncSession, event: TaskCompleted) -> uuid.UUID | None:
    """The step as an update of its project's place (a project kept internal announces nothing)."""
    p = (
        await session.execute(
            sa.select(projects.c.district, projects.c.neighborhood, projects.c.title, projects.c.place).where(
                projects.c.project_id == event.project_id, projects.c.public
            )
        )
    ).first()
    if p is None or event.title is None:
        return None
    update_id = step_id(event.task_id, event.completed_at)
    values = {
        "update_id": update_id,
        "district": p.district,
        "neighborhood": p.neighborhood,
        "kind": STEP,
        "title": event.title,
        "body": p.title,
        "published_at": event.completed_at,
        "project_id": event.project_id,
        "place": p.place,
        # Who did it is not said: a step is the work's, as the project's timeline shows it.
        "translations": {},
        "topics": [],
    }
    await session.execute(insert(updates).values(**values).on_conflict_do_nothing())
    return update_id


async def withdraw_step(session: AsyncSession, task_id: uuid.UUID, reopened_at: datetime) -> None:
    """Before a reopening is applied: the step announced for the task's completion it undoes leaves
    the updates, and its deliveries not yet sent are dropped (a late, older reopening: nothing)."""
    t = project_tasks.c
    held = (await session.execute(sa.select(t.done, t.completed_at, t.changed_at).where(t.task_id == task_id))).first()
    if held is None or not held.done or held.completed_at is None or held.changed_at > reopened_at:
        return
    gone = step_id(task_id, held.completed_at)
    deleted = await session.execute(sa.delete(updates).where(updates.c.update_id == gone, updates.c.kind == STEP))
    if deleted.rowcount:  # type: ignore[attr-defined]
        d = webhook_deliveries.c
        await session.execute(sa.delete(webhook_deliveries).where(d.update_id == gone, d.status == "pending"))
