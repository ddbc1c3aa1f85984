"""Rules for micro-projects: creation with DICE checks and warnings, moves, tasks, completion.

Every change bumps the card's ``version`` (its ETag), is announced to the open boards
(board/fanout.py) and leaves its events in the outbox — all in the caller's transaction.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import (
    Outbox,
    ProjectCompleted,
    ProjectCompletionRequested,
    ProjectCreated,
    ProjectMoved,
    TaskCompleted,
)
from porchlight.events.catalog import GeoPoint
from porchlight.kit.auth import Principal, Role
from porchlight.kit.errors import Conflict, Forbidden, NotFound, ProblemError, ValidationProblem
from porchlight.projects.board.fanout import announce
from porchlight.projects.departments.service import require_department, require_team
from porchlight.projects.districts import check_district
from porchlight.projects.priorities.models import Priority
from porchlight.projects.wins.service import draft_win
from porchlight.projects.work.access import owners_of, require_owner
from porchlight.projects.work.cards import card_of, head_of
from porchlight.projects.work.models import Project, ProjectMove, Task
from porchlight.projects.work.schemas import MoveIn, ProjectIn, ProjectPatch, TaskIn, TaskPatch, Warning_
from porchlight.projects.work.transitions import allowed_from

#: Micro-projects take one or two weeks; longer ones are worth splitting.
MAX_SPAN_DAYS = 14
#: A quarter's priority is broken into 10-20 micro-projects.
MAX_PROJECTS_PER_PRIORITY = 20
#: DICE puts enforcement last: while a priority holds fewer than this many projects and they are
#: all enforcement, a new enforcement project must say why.
FIRST_PROJECTS = 3


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "Precondition required"


def now() -> datetime:
    return datetime.now(UTC)


async def get_project(session: AsyncSession, project_id: uuid.UUID, *, lock: bool = False) -> Project:
    stmt = sa.select(Project).where(Project.id == project_id)
    if lock:
        stmt = stmt.with_for_update()
    project = await session.scalar(stmt)
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


def check_version(project: Project, expected: int | None, current: dict[str, Any]) -> None:
    """Optimistic concurrency: a change based on an older card loses with the current card."""
    if expected is None:
        raise PreconditionRequired(
            "send If-Match with the card's ETag (or its version in the body): the board is shared",
            errors=[{"field": "header.If-Match", "message": "missing"}],
        )
    if expected != project.version:
        raise Conflict(
            f"the card changed since version {expected}: it is at version {project.version}",
            current=current,
        )


def _dates_in_order(starts_on: date, due_on: date, field: str = "body.due_on") -> None:
    if due_on < starts_on:
        raise ValidationProblem(
            "the due date is before the start date",
            errors=[{"field": field, "message": f"due {due_on} is before the start {starts_on}"}],
        )


def _span_warning(starts_on: date, due_on: date) -> list[Warning_]:
    span = (due_on - starts_on).days + 1
    if span <= MAX_SPAN_DAYS:
        return []
    return [
        Warning_(
            code="long-project",
            field="body.due_on",
            message=f"spans {span} days; micro-projects take one or two weeks: consider splitting it",
        )
    ]


async def _touch(session: AsyncSession, project: Project) -> dict[str, Any]:
    """After a change: a new version, the change time, the card announced to the boards."""
    before = json.loads(project.card_head + "}") if project.card_head else None
    project.version += 1
    project.changed_at = now()
    await session.flush()
    card = card_of(project, await owners_of(session, project))
    project.card_head = head_of(card)
    await session.flush()
    await announce(session, card, before)
    return card


async def create_project(
    session: AsyncSession, outbox: Outbox, body: ProjectIn, who: Principal
) -> tuple[Project, list[Warning_]]:
    priority = await session.get(Priority, body.priority_id, with_for_update=True)  # counts stay true
    if priority is None:
        raise ValidationProblem(
            "unknown priority", errors=[{"field": "body.priority_id", "message": f"no priority {body.priority_id}"}]
        )
    await require_department(session, body.department, "body.department")
    owners = [body.department]
    if body.team:
        owners += (await require_team(session, body.team, "body.team")).departments
    if not who.has(Role.supervisor) and who.department not in owners:
        raise Forbidden("a department adds projects it owns; a supervisor adds any")
    # A district's caller adds work to their district's priorities, in their district.
    check_district(who, priority.district, "the priority", "body.priority_id")
    check_district(who, body.district or priority.district, "the project", "body.district")
    _dates_in_order(body.starts_on, body.due_on)
    for i, task in enumerate(body.tasks):
        if task.department:
            await require_department(session, task.department, f"body.tasks.{i}.department")

    kinds = list(await session.scalars(sa.select(Project.remedy_kind).where(Project.priority_id == priority.id)))
    if (
        body.remedy_kind == "enforcement"
        and len(kinds) < FIRST_PROJECTS
        and all(k == "enforcement" for k in kinds)
        and not (body.justification or priority.enforcement_justification)
    ):
        raise ValidationProblem(
            "DICE puts enforcement last: say why this priority starts with enforcement",
            errors=[
                {
                    "field": "body.justification",
                    "message": "required while the priority's first projects are all enforcement: were physical "
                    "changes, positive activities, ownership of the space and policy considered?",
                }
            ],
        )
    warnings = _span_warning(body.starts_on, body.due_on)
    if len(kinds) + 1 > MAX_PROJECTS_PER_PRIORITY:
        warnings.append(
            Warning_(
                code="large-priority",
                field="body.priority_id",
                message=f"the priority now holds {len(kinds) + 1} projects (10-20 work best): consider splitting it",
            )
        )

    stamp = now()
    project = Project(
        id=uuid.uuid4(),
        priority_id=priority.id,
        title=body.title,
        description=body.description,
        district=body.district or priority.district,
        neighborhood=body.neighborhood or (priority.neighborhood if not body.district else None),
        place=body.place,
        lat=body.point.lat if body.point else None,
        lon=body.point.lon if body.point else None,
        department=body.department,
        team=body.team,
        remedy_kind=body.remedy_kind,
        justification=body.justification,
        starts_on=body.starts_on,
        due_on=body.due_on,
        status="proposed",
        owner=body.owner or who.subject,
        win_text=body.win_text,
        tasks_total=len(body.tasks),
        tasks_done=0,
        version=1,
        created_by=who.subject,
        created_at=stamp,
        changed_at=stamp,
    )
    session.add(project)
    await session.flush()
    for task in body.tasks:
        session.add(_task(project, task))
    session.add(ProjectMove(project_id=project.id, from_status=None, to_status="proposed", moved_by=who.subject))
    await session.flush()
    card = card_of(project, owners)
    project.card_head = head_of(card)
    await session.flush()
    await announce(session, card)
    await outbox.add(
        session,
        ProjectCreated(
            project_id=project.id,
            priority_id=priority.id,
            title=project.title,
            district=project.district,
            department=project.department,
            remedy_kind=body.remedy_kind,
            starts_on=project.starts_on,
            due_on=project.due_on,
            point=body.point,
            neighborhood=project.neighborhood,
            place=project.place,
            team=project.team,
        ),
    )
    return project, warnings


def _task(project: Project, task: TaskIn) -> Task:
    return Task(
        id=uuid.uuid4(),
        project_id=project.id,
        title=task.title,
        assignee=task.assignee,
        department=task.department or project.department,
        done=False,
    )


async def update_project(
    session: AsyncSession, project_id: uuid.UUID, patch: ProjectPatch, expected: int | None, who: Principal
) -> Project:
    project = await get_project(session, project_id, lock=True)
    owners = await require_owner(session, who, project)
    check_version(project, expected if expected is not None else patch.version, card_of(project, owners))
    changes = patch.model_dump(exclude_unset=True, exclude={"version", "point"})
    if "department" in changes:
        await require_department(session, changes["department"], "body.department")
    if changes.get("team"):
        await require_team(session, changes["team"], "body.team")
    _dates_in_order(changes.get("starts_on", project.starts_on), changes.get("due_on", project.due_on))
    for name, value in changes.items():
        setattr(project, name, value)
    if "point" in patch.model_fields_set:
        project.lat = patch.point.lat if patch.point else None
        project.lon = patch.point.lon if patch.point else None
    await _touch(session, project)
    return project


async def move_project(
    session: AsyncSession, outbox: Outbox, project_id: uuid.UUID, move: MoveIn, expected: int | None, who: Principal
) -> Project:
    project = await get_project(session, project_id, lock=True)
    owners = await require_owner(session, who, project)
    check_version(project, expected if expected is not None else move.version, card_of(project, owners))
    allowed = allowed_from(project.status)
    if move.to not in allowed:
        raise Conflict(
            f"a {project.status} project cannot move to {move.to}",
            allowed=allowed,
            current=card_of(project, owners),
        )
    if move.to == "blocked" and not (move.reason and move.reason.strip()):
        raise ValidationProblem(
            "say why the project is blocked", errors=[{"field": "body.reason", "message": "required to block"}]
        )
    if move.to == "done" and project.tasks_done < project.tasks_total:
        raise Conflict(
            f"{project.tasks_total - project.tasks_done} task(s) still open",
            allowed=allowed,
            current=card_of(project, owners),
        )
    stamp = now()
    from_status = project.status
    project.status = move.to
    project.blocked_reason = move.reason if move.to == "blocked" else None
    project.awaiting_confirmation = False if move.to == "done" else project.awaiting_confirmation
    if move.to == "done":
        project.completed_at = stamp
    session.add(
        ProjectMove(
            project_id=project.id,
            from_status=from_status,
            to_status=move.to,
            reason=move.reason,
            moved_by=who.subject,
            moved_at=stamp,
        )
    )
    await _touch(session, project)
    events: list[Any] = [
        ProjectMoved(
            project_id=project.id,
            priority_id=project.priority_id,
            district=project.district,
            department=project.department,
            from_status=from_status,
            to_status=move.to,
            reason=project.blocked_reason,
            moved_by=who.subject,
            moved_at=stamp,
            version=project.version,
        )
    ]
    if move.to == "done":
        events.append(
            ProjectCompleted(
                project_id=project.id,
                priority_id=project.priority_id,
                district=project.district,
                department=project.department,
                completed_at=stamp,
                completed_by=who.subject,
            )
        )
        await draft_win(session, project)
    await outbox.add(session, *events)
    return project


async def add_task(session: AsyncSession, project_id: uuid.UUID, body: TaskIn, who: Principal) -> Task:
    project = await get_project(session, project_id, lock=True)
    await require_owner(session, who, project)
    if project.status == "done":
        raise Conflict("the project is done: add a new project for more work", allowed=[])
    if body.department:
        await require_department(session, body.department, "body.department")
    task = _task(project, body)
    session.add(task)
    project.tasks_total += 1
    project.awaiting_confirmation = False
    await _touch(session, project)
    return task


async def change_task(
    session: AsyncSession, outbox: Outbox, project_id: uuid.UUID, task_id: uuid.UUID, patch: TaskPatch, who: Principal
) -> Task:
    project = await get_project(session, project_id, lock=True)
    task = await session.get(Task, task_id)
    if task is None or task.project_id != project.id:
        raise NotFound(f"no task {task_id} in project {project_id}")
    # The task's own department may tick it off, as may the project's owners (in their district).
    check_district(who, project.district, "this card")
    owners = await owners_of(session, project)
    if not (who.has(Role.supervisor) or who.department in {*owners, task.department}):
        raise Forbidden(f"only {task.department} or the project's owners may change this task")
    if patch.title is not None:
        task.title = patch.title
    if "assignee" in patch.model_fields_set:
        task.assignee = patch.assignee
    events: list[Any] = []
    if patch.done is not None and patch.done != task.done:
        if project.status == "done":
            raise Conflict("the project is done; its tasks are final", allowed=[])
        task.done = patch.done
        task.completed_at = now() if patch.done else None
        task.completed_by = who.subject if patch.done else None
        project.tasks_done += 1 if patch.done else -1
        if patch.done:
            assert task.completed_at is not None
            events.append(
                TaskCompleted(
                    task_id=task.id,
                    project_id=project.id,
                    department=task.department,
                    completed_at=task.completed_at,
                    completed_by=who.subject,
                )
            )
        all_done = project.tasks_total > 0 and project.tasks_done == project.tasks_total
        if all_done and not project.awaiting_confirmation:
            events.append(
                ProjectCompletionRequested(
                    project_id=project.id,
                    priority_id=project.priority_id,
                    district=project.district,
                    department=project.department,
                    owner=project.owner,
                    requested_at=now(),
                )
            )
        project.awaiting_confirmation = all_done
    await _touch(session, project)
    await outbox.add(session, *events)
    return task


async def tasks_of(session: AsyncSession, project_id: uuid.UUID) -> list[Task]:
    return list(await session.scalars(sa.select(Task).where(Task.project_id == project_id).order_by(Task.created_at)))


async def history_of(session: AsyncSession, project_id: uuid.UUID) -> list[ProjectMove]:
    await get_project(session, project_id)
    stmt = sa.select(ProjectMove).where(ProjectMove.project_id == project_id).order_by(ProjectMove.id)
    return list(await session.scalars(stmt))


def point_of(project: Project) -> GeoPoint | None:
    return GeoPoint(lat=project.lat, lon=project.lon) if project.lat is not None and project.lon is not None else None
