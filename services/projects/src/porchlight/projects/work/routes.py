"""HTTP routes of micro-projects: cards, moves, tasks, history, and what needs attention."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.app import Provided, Session
from porchlight.kit.auth import CurrentPrincipal, Staff, Supervisor
from porchlight.kit.paging import MAX_LIMIT, Cursor, CursorParam, LimitParam, next_link
from porchlight.projects.db import outbox
from porchlight.projects.districts.scope import narrow
from porchlight.projects.impact import repository as impact_repository
from porchlight.projects.inputs.fields import QueryText
from porchlight.projects.inputs.paging import cursor_at_day, cursor_at_time
from porchlight.projects.work import service
from porchlight.projects.work.access import owners_of
from porchlight.projects.work.models import Project
from porchlight.projects.work.repository import WorkRepository
from porchlight.projects.work.rules.cards import card_of
from porchlight.projects.work.rules.etags import etag, if_match_version
from porchlight.projects.work.schemas import (
    Card,
    MoveIn,
    MoveOut,
    PlanningWarning,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    ReminderOut,
    TaskIn,
    TaskOut,
    TaskPatch,
)

router = APIRouter(prefix="/v1/projects", tags=["projects"])

#: Staff change cards; which cards is decided per card (work/access.py: own department or supervisor,
#: in the caller's district when the token names one — districts/scope.py).
IfMatch = Annotated[str | None, Header(description="The card's ETag: the change loses with 409 if it moved on")]
#: What a finished project sets off (provided at start-up: wins/startup.py).
OnDone = Annotated[service.Completion, Provided(service.Completion)]

CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"description": "The card changed (body: `current`), or the move is not allowed (body: `allowed`)"},
    428: {"description": "No If-Match (or version): the board is shared, changes say what they are based on"},
}


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


async def project_out(
    session: AsyncSession, project: Project, warnings: list[PlanningWarning] | None = None
) -> ProjectOut:
    card = card_of(project, await owners_of(session, project))
    tasks = [TaskOut.model_validate(t) for t in await service.tasks_of(session, project.id)]
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
            "target_control": await impact_repository.of_project(session, project.id),
        }
    )


async def _cards(session: AsyncSession, rows: Sequence[Project]) -> list[Card]:
    return [Card.model_validate(card_of(p, await owners_of(session, p))) for p in rows]


# --- attention (declared before /{project_id}) ------------------------------------------------
# Oldest first, paged by cursor; the body stays a plain list, the next page is in `Link`.


@router.get("/overdue", response_model=list[Card])
async def list_overdue_projects(
    session: Session,
    _: CurrentPrincipal,
    request: Request,
    response: Response,
    district: QueryText = None,
    department: QueryText = None,
    cursor: CursorParam = None,
    limit: LimitParam = MAX_LIMIT,
) -> list[Card]:
    """Projects past their due date, not done.

    Earliest due date first. The next page's URL comes in the `Link` header.
    """
    repo = WorkRepository(session)
    rows = await repo.overdue(district, department, service.now().date(), cursor_at_day(cursor), limit)
    more = len(rows) > limit
    rows = rows[:limit]
    next_link(request, response, Cursor(rows[-1].due_on.isoformat(), rows[-1].id) if more else None)
    return await _cards(session, rows)


@router.get("/stalled", response_model=list[Card])
async def list_stalled_projects(
    session: Session,
    _: CurrentPrincipal,
    request: Request,
    response: Response,
    district: QueryText = None,
    department: QueryText = None,
    cursor: CursorParam = None,
    limit: LimitParam = MAX_LIMIT,
) -> list[Card]:
    """Projects unchanged for a week, not done.

    Longest unchanged first. The next page's URL comes in the `Link` header.
    """
    cutoff = service.now() - service.STALLED_AFTER
    rows = await WorkRepository(session).stalled(district, department, cutoff, cursor_at_time(cursor), limit)
    more = len(rows) > limit
    rows = rows[:limit]
    next_link(request, response, Cursor(rows[-1].changed_at, rows[-1].id) if more else None)
    return await _cards(session, rows)


@router.post("/reminders", response_model=list[ReminderOut])
async def remind_owners(
    session: Session, who: Supervisor, district: QueryText = None, department: QueryText = None
) -> list[ReminderOut]:
    """Remind the owners of overdue and stalled projects (project.reminded events).

    At most one reminder a day per project. A district supervisor reminds their district's owners:
    theirs when `district` is left out, another district is a 403.
    """
    district = narrow(who, district)
    sent = await service.remind(session, outbox, who, district, department)
    return [ReminderOut(project_id=p.id, reason=r, owner=p.owner, department=p.department) for p, r in sent]


# --- projects ---------------------------------------------------------------------------------


@router.post("", response_model=ProjectOut, status_code=201)
async def create_project(body: ProjectIn, session: Session, who: Staff, response: Response) -> ProjectOut:
    """Add a micro-project to a priority.

    A department adds projects it owns, a supervisor any. Unknown department, team or priority and
    dates out of order are a 422 naming the field; `warnings` advise splitting long projects and
    large priorities. Sends `project.created`.
    """
    project, warnings = await service.create_project(session, outbox, body, who)
    response.headers["Location"] = f"/v1/projects/{project.id}"
    set_etag(response, project.version)
    return await project_out(session, project, warnings)


@router.get("/{project_id}", response_model=ProjectOut)
async def get_project(project_id: uuid.UUID, session: Session, _: CurrentPrincipal, response: Response) -> ProjectOut:
    """One micro-project with its tasks.

    Its `ETag` is the card's version: send it back in `If-Match` to change the card.
    """
    project = await service.get_project(session, project_id)
    set_etag(response, project.version)
    return await project_out(session, project)


@router.patch("/{project_id}", response_model=ProjectOut, responses=CHANGE_RESPONSES)
async def update_project(
    project_id: uuid.UUID,
    patch: ProjectPatch,
    session: Session,
    who: Staff,
    response: Response,
    if_match: IfMatch = None,
) -> ProjectOut:
    """Change a card's details.

    Its owners (or a supervisor) only; needs `If-Match` (or `version`): 428 without, 409 with the
    current card when someone changed it first.
    """
    project = await service.update_project(session, project_id, patch, if_match_version(if_match), who)
    set_etag(response, project.version)
    return await project_out(session, project)


@router.post("/{project_id}/moves", response_model=ProjectOut, responses=CHANGE_RESPONSES)
async def move_project(
    project_id: uuid.UUID,
    move: MoveIn,
    session: Session,
    who: Staff,
    on_done: OnDone,
    response: Response,
    if_match: IfMatch = None,
) -> ProjectOut:
    """Move the card: proposed -> planned -> in_progress -> done, or blocked (with a reason).

    A move not allowed from the card's status is a 409 with `allowed`; `done` needs every task
    done and drafts the project's win. Sends `project.moved` (and `project.completed`).
    """
    expected = if_match_version(if_match)
    project = await service.move_project(session, outbox, project_id, move, expected, who, on_done=on_done)
    set_etag(response, project.version)
    return await project_out(session, project)


@router.get("/{project_id}/history", response_model=list[MoveOut])
async def list_project_moves(project_id: uuid.UUID, session: Session, _: CurrentPrincipal) -> list[MoveOut]:
    """Every move: who, when, from, to.

    Oldest first; a card moves a handful of times, so the list is not paged.
    """
    return [MoveOut.model_validate(m) for m in await service.history_of(session, project_id)]


@router.post("/{project_id}/tasks", response_model=TaskOut, status_code=201, responses={409: {}})
async def create_task(project_id: uuid.UUID, body: TaskIn, session: Session, who: Staff) -> TaskOut:
    """Add a task to a micro-project.

    Its owners only; a done project takes no more tasks (409).
    """
    return TaskOut.model_validate(await service.add_task(session, project_id, body, who))


@router.patch("/{project_id}/tasks/{task_id}", response_model=TaskOut, responses={409: {}})
async def update_task(
    project_id: uuid.UUID, task_id: uuid.UUID, patch: TaskPatch, session: Session, who: Staff
) -> TaskOut:
    """Change a task; done=true sends task.completed (the last one asks the owner to confirm),
    done=false on a done task sends task.reopened.

    The task's department or the project's owners may change it; the tasks of a done project are
    final (409).
    """
    task = await service.change_task(session, outbox, project_id, task_id, patch, who)
    return TaskOut.model_validate(task)
