"""Events in from projects: priorities, micro-projects (created, moved, completed), completed
tasks and published updates -> the read model of the work done for each district."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.projections.models import priorities, projects, updates
from porchlight.events import (
    Envelope,
    EventRouter,
    PriorityCreated,
    ProjectCompleted,
    ProjectCreated,
    TaskCompleted,
    UpdatePublished,
)
from porchlight.events.catalog import ProjectMoved
from porchlight.kit.db import upsert

router = EventRouter()


@router.subscriber
async def on_priority_created(session: AsyncSession, event: PriorityCreated, _: Envelope) -> None:
    values = {
        "priority_id": event.priority_id,
        "title": event.title,
        "district": event.district,
        "quarter": event.quarter,
        "topics": list(event.topics),
    }
    await session.execute(upsert(priorities, values, key=["priority_id"]))


@router.subscriber
async def on_project_created(session: AsyncSession, event: ProjectCreated, _: Envelope) -> None:
    values = {
        "project_id": event.project_id,
        "priority_id": event.priority_id,
        "title": event.title,
        "district": event.district,
        "department": event.department,
        "remedy_kind": event.remedy_kind,
        "starts_on": event.starts_on,
        "due_on": event.due_on,
    }
    # completed_at and tasks_done are left alone: a completion may have been applied first.
    await session.execute(upsert(projects, values, key=["project_id"]))


@router.subscriber
async def on_task_completed(session: AsyncSession, event: TaskCompleted, _: Envelope) -> None:
    await session.execute(
        sa.update(projects)
        .where(projects.c.project_id == event.project_id)
        .values(tasks_done=projects.c.tasks_done + 1)
    )


@router.subscriber
async def on_project_completed(session: AsyncSession, event: ProjectCompleted, _: Envelope) -> None:
    values = {
        "project_id": event.project_id,
        "priority_id": event.priority_id,
        "district": event.district,
        "department": event.department,
        "completed_at": event.completed_at,
    }
    await session.execute(upsert(projects, values, key=["project_id"], only=["completed_at"]))


@router.subscriber
async def on_project_moved(session: AsyncSession, event: ProjectMoved, _: Envelope) -> None:
    """The card's board column; a move older than the one applied (lower version) changes nothing."""
    values = {
        "project_id": event.project_id,
        "priority_id": event.priority_id,
        "district": event.district,
        "department": event.department,
        "status": event.to_status,
        "version": event.version,
    }
    newer = lambda t, excluded: t.c.version < excluded.version  # noqa: E731
    await session.execute(upsert(projects, values, key=["project_id"], only=["status", "version"], where=newer))


@router.subscriber
async def on_update_published(session: AsyncSession, event: UpdatePublished, _: Envelope) -> None:
    values = {
        "update_id": event.update_id,
        "district": event.district,
        "neighborhood": event.neighborhood,
        "kind": event.kind,
        "title": event.title,
        "body": event.body,
        "published_at": event.published_at,
        "project_id": event.project_id,
    }
    await session.execute(insert(updates).values(**values).on_conflict_do_nothing())
