"""Events in from projects: priorities, micro-projects (created, moved, completed), tasks done
and reopened, and published updates -> the read model of the work done for each district."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.newsletters.repository import queue as queue_newsletter
from porchlight.dashboard.newsletters.service import MAILED
from porchlight.dashboard.projections.models import priorities, project_tasks, projects, updates
from porchlight.dashboard.webhooks.service import queue_update
from porchlight.dashboard.work.repository import announce_step, withdraw_step
from porchlight.events import (
    Envelope,
    EventRouter,
    PriorityCreated,
    ProjectCompleted,
    ProjectCreated,
    TaskCompleted,
    TaskReopened,
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
        "neighborhood": event.neighborhood,
        "concerns": [c.model_dump(mode="json") for c in event.concerns],
        "heard_since": event.heard_since,
        "quotes": [q.model_dump(mode="json") for q in event.quotes],
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
        "neighborhood": event.neighborhood,
        "place": event.place,
        # Where the city works (not a resident's place): the flyers' map.
        "lat": event.point.lat if event.point else None,
        "lon": event.point.lon if event.point else None,
        "public": event.public,
    }
    # completed_at and tasks_done are left alone: a completion may have been applied first.
    await session.execute(upsert(projects, values, key=["project_id"]))


async def _task_state(session: AsyncSession, values: dict[str, object]) -> None:
    """Keep the task's latest state (by time), then count its project's done tasks anew."""
    later = lambda t, excluded: t.c.changed_at <= excluded.changed_at  # noqa: E731
    only = ["done", "completed_at", "changed_at"] + [k for k in ("title", "public") if k in values]
    await session.execute(upsert(project_tasks, values, key=["task_id"], only=only, where=later))
    done = (
        sa.select(sa.func.count())
        .where(project_tasks.c.project_id == values["project_id"], project_tasks.c.done)
        .scalar_subquery()
    )
    await session.execute(
        sa.update(projects).where(projects.c.project_id == values["project_id"]).values(tasks_done=done)
    )


@router.subscriber
async def on_task_completed(session: AsyncSession, event: TaskCompleted, _: Envelope) -> None:
    values: dict[str, object] = {
        "task_id": event.task_id,
        "project_id": event.project_id,
        "public": event.public,
        "done": True,
        "completed_at": event.completed_at,
        "changed_at": event.completed_at,
    }
    if event.title is not None:
        values["title"] = event.title
    await _task_state(session, values)
    if event.announce and event.public and event.title:
        # The owner chose to tell the neighborhood at once: the step goes to the public page's
        # updates, its feed and the webhooks (not to the subscribers' email: wins and bulletins go there).
        update_id = await announce_step(session, event)
        if update_id is not None:
            await queue_update(session, update_id)


@router.subscriber
async def on_task_reopened(session: AsyncSession, event: TaskReopened, _: Envelope) -> None:
    values: dict[str, object] = {
        "task_id": event.task_id,
        "project_id": event.project_id,
        "done": False,
        "completed_at": None,
        "changed_at": event.reopened_at,
    }
    await withdraw_step(session, event.task_id, event.reopened_at)
    await _task_state(session, values)


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
    """Kept for the pages and, in the same transaction, queued for every webhook endpoint and (a
    win or a bulletin) for its neighborhoods' subscribers: the workers pick them up within a second."""
    values = {
        "update_id": event.update_id,
        "district": event.district,
        "neighborhood": event.neighborhood,
        "kind": event.kind,
        "title": event.title,
        "body": event.body,
        "published_at": event.published_at,
        "project_id": event.project_id,
        "translations": {lang: text.model_dump() for lang, text in event.translations.items()},
        "place": event.place,
        "topics": list(event.topics),
        "priority_id": event.priority_id,
        "concerns": [c.model_dump(mode="json") for c in event.concerns],
        "heard_since": event.heard_since,
        "quotes": [q.model_dump(mode="json") for q in event.quotes],
    }
    await session.execute(insert(updates).values(**values).on_conflict_do_nothing())
    await queue_update(session, event.update_id)
    if event.kind in MAILED:  # composed and handed to intake by the composer (newsletters/)
        await queue_newsletter(session, event.update_id, datetime.now(UTC))
