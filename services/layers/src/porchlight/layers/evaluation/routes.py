"""HTTP route of target vs control: a completed project's result."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from porchlight.kit.app import Session
from porchlight.kit.auth import Staff
from porchlight.kit.errors import Forbidden, NotFound
from porchlight.layers.evaluation import repository
from porchlight.layers.evaluation.schemas import ProjectEvaluationOut, TargetControlOut

router = APIRouter(prefix="/v1/evaluations", tags=["evaluations"])


@router.get("/projects/{project_id}", response_model=ProjectEvaluationOut)
async def get_project_evaluation(project_id: uuid.UUID, session: Session, who: Staff) -> ProjectEvaluationOut:
    """A completed project's target-vs-control result.

    Incidents (and residents' sentiment, with notes enough) in the project's target area before
    and after completion against matched control cells of its district: difference in
    differences with a permutation test. ``waiting`` until a whole day has passed since
    completion; ``so_far`` while the after period fills. 404 for a project layers never received
    as completed with a place. A district's staff see their own district's projects.
    """
    row = await repository.get(session, project_id)
    if row is None:
        raise NotFound(f"no completed project {project_id} with a place")
    scope = who.district_scope
    if scope and scope != row.district:
        raise Forbidden(f"project {project_id} is not in district {scope}")
    return ProjectEvaluationOut(
        project_id=row.project_id,
        priority_id=row.priority_id,
        district=row.district,
        lat=row.lat,
        lon=row.lon,
        completed_at=row.completed_at,
        status=row.status,
        final=row.due_at is None,
        evaluated_at=row.evaluated_at,
        next_evaluation_at=row.due_at,
        version=row.version,
        reason=row.reason,
        result=TargetControlOut.model_validate(row.result) if row.result is not None else None,
    )
