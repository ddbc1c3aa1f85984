"""HTTP routes of micro-projects: cards, moves, tasks, history, and what needs attention."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.app import Session
from porchlight.kit.auth import ANY_STAFF, Allow, CurrentPrincipal, Principal, Role
from porchlight.projects.districts import narrow
from porchlight.projects.inputs import QueryText
from porchlight.projects.work import attention
from porchlight.projects.work.access import owners_of
from porchlight.projects.work.cards import card_of
from porchlight.projects.work.etag import if_match_version, set_etag
from porchlight.projects.work.models import Project
from porchlight.projects.work.schemas import (
    Card,
    MoveIn,
    MoveOut,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    ReminderOut,
    TaskIn,
    TaskOut,
    TaskPatch,
    Warning_,
)
from porchlight.projects.work.service import (
    add_task,
    change_task,
    create_project,
    get_project,
    history_of,
    move_project,
    tasks_of,
    update_project,
)

router = APIRouter(prefix="/v1/projects", tags=["projects"])

#: Staff change cards; which cards is decided per card (work/access.py: own department or supervisor,
#: in the caller's district when the token names one — districts.py).
Staff = Annotated[Principal, Depends(Allow(*ANY_STAFF))]
Supervisor = Annotated[Principal, Depends(Allow(Role.supervisor))]
IfMatch = Annotated[str | None, Header(description="The card's ETag: the change loses with 409 if it moved on")]

CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"description": "The card changed (body: `current`), or the move is not allowed (body: `allowed`)"},
    428: {"description": "No If-Match (or version): the board is shared, changes say what they are based on"},
}


async def project_out(session: AsyncSession, project: Project, warnings: list[Warning_] | None = None) -> ProjectOut:
    card = card_of(project, await owners_of(session, project))
    tasks = [TaskOut.model_validate(t) for t in await tasks_of(session, project.id)]
    return ProjectOut.model_validate(
        card
        | {
            "description": project.description,
            "justification": project.justification,
            "win_text": project.win_text,
            "created_by": project.created_by,
            "created_at": project.created_at,
            "completed_at": project.completed_at,
            "tasks": tasks,
            "warnings": warnings or [],
        }
    )


# --- attention (declared before /{project_id}) ------------------------------------------------


@router.get("/overdue", response_model=list[Card], summary="Projects past their due date, not done")
async def list_overdue(
    session: Session, _: CurrentPrincipal, district: QueryText = None, department: QueryText = None
) -> list[Card]:
    rows = await attention.overdue(session, district, department)
    return [Card.model_validate(card_of(p, await owners_of(session, p))) for p in rows]


@router.get("/stalled", response_model=list[Card], summary="Projects unchanged for a week, not done")
async def list_stalled(
    session: Session, _: CurrentPrincipal, district: QueryText = None, department: QueryText = None
) -> list[Card]:
    rows = await attention.stalled(session, district, department)
    return [Card.model_validate(card_of(p, await owners_of(session, p))) for p in rows]


@router.post(
    "/reminders",
    response_model=list[ReminderOut],
    summary="Remind the owners of overdue and stalled projects (project.reminded events)",
)
async def post_reminders(
    session: Session, who: Supervisor, request: Request, district: QueryText = None, department: QueryText = None
) -> list[ReminderOut]:
    # A district supervisor reminds their district's owners: theirs when left out, another is a 403.
    district = narrow(who, district)
    sent = await attention.remind(session, request.app.state.spec.outbox, who, district, department)
    return [ReminderOut(project_id=p.id, reason=r, owner=p.owner, department=p.department) for p, r in sent]


# --- projects ---------------------------------------------------------------------------------


@router.post("", response_model=ProjectOut, status_code=201, summary="Add a micro-project to a priority")
async def post_project(
    body: ProjectIn, session: Session, who: Staff, request: Request, response: Response
) -> ProjectOut:
    project, warnings = await create_project(session, request.app.state.spec.outbox, body, who)
    response.headers["Location"] = f"/v1/projects/{project.id}"
    set_etag(response, project.version)
    return await project_out(session, project, warnings)


@router.get("/{project_id}", response_model=ProjectOut)
async def get_one(project_id: uuid.UUID, session: Session, _: CurrentPrincipal, response: Response) -> ProjectOut:
    project = await get_project(session, project_id)
    set_etag(response, project.version)
    return await project_out(session, project)


@router.patch("/{project_id}", response_model=ProjectOut, responses=CHANGE_RESPONSES)
async def patch_one(
    project_id: uuid.UUID,
    patch: ProjectPatch,
    session: Session,
    who: Staff,
    response: Response,
    if_match: IfMatch = None,
) -> ProjectOut:
    project = await update_project(session, project_id, patch, if_match_version(if_match), who)
    set_etag(response, project.version)
    return await project_out(session, project)


@router.post(
    "/{project_id}/moves",
    response_model=ProjectOut,
    responses=CHANGE_RESPONSES,
    summary="Move the card: proposed -> planned -> in_progress -> done, or blocked (with a reason)",
)
async def post_move(
    project_id: uuid.UUID,
    move: MoveIn,
    session: Session,
    who: Staff,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
) -> ProjectOut:
    outbox = request.app.state.spec.outbox
    project = await move_project(session, outbox, project_id, move, if_match_version(if_match), who)
    set_etag(response, project.version)
    return await project_out(session, project)


@router.get("/{project_id}/history", response_model=list[MoveOut], summary="Every move: who, when, from, to")
async def get_history(project_id: uuid.UUID, session: Session, _: CurrentPrincipal) -> list[MoveOut]:
    return [MoveOut.model_validate(m) for m in await history_of(session, project_id)]


@router.post("/{project_id}/tasks", response_model=TaskOut, status_code=201, responses={409: {}})
async def post_task(project_id: uuid.UUID, body: TaskIn, session: Session, who: Staff) -> TaskOut:
    return TaskOut.model_validate(await add_task(session, project_id, body, who))


@router.patch(
    "/{project_id}/tasks/{task_id}",
    response_model=TaskOut,
    responses={409: {}},
    summary="Change a task; done=true sends task.completed (the last one asks the owner to confirm)",
)
async def patch_task(
    project_id: uuid.UUID, task_id: uuid.UUID, patch: TaskPatch, session: Session, who: Staff, request: Request
) -> TaskOut:
    task = await change_task(session, request.app.state.spec.outbox, project_id, task_id, patch, who)
    return TaskOut.model_validate(task)
