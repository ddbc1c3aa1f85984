"""Events in: ``project.completed`` (projects). A project with a point is kept for target vs
control; a redelivered event changes nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import ProjectCompleted
from porchlight.events.routing import EventRouter
from porchlight.layers.evaluation import service
from porchlight.layers.evaluation.worker import EvaluationWorker

router = EventRouter()


@router.subscriber
async def on_project_completed(session: AsyncSession, event: ProjectCompleted, worker: EvaluationWorker) -> None:
    if await service.receive(session, event):
        worker.wake()  # due at once when a whole day has passed already
