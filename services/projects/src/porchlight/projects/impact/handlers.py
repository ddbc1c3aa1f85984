"""Events in: ``project.evaluated`` (layers' target vs control) -> the project's measured impact."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import EventRouter, ProjectEvaluated
from porchlight.projects.impact import repository

router = EventRouter()


@router.subscriber
async def on_project_evaluated(session: AsyncSession, event: ProjectEvaluated) -> None:
    await repository.keep(
        session,
        {
            "project_id": event.project_id,
            "priority_id": event.priority_id,
            "district": event.district,
            "version": event.version,
            "evaluated_at": event.evaluated_at,
            "result": event.model_dump(mode="json"),
        },
    )
