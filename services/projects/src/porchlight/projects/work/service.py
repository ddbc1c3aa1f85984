"""Rules for micro-projects: creation with DICE checks and warnings, moves, tasks, completion,
and reminding the owners of what needs attention.

Every change bumps the card's ``version`` (its ETag), is announced to the open boards
(repository.py: ``pg_notify``) and leaves its events in the outbox — all in the caller's
transaction. What else a finished project sets off (wins drafts one) is handed in as a
``Completion``: work does not know who listens.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import (
    Outbox,
    ProjectCompleted,
    ProjectCompletionRequested,
    ProjectCreated,
    ProjectMoved,
    ProjectReminded,
    TaskCompleted,
    TaskReopened,
)
from porchlight.events.catalog import GeoPoint
from porchlight.kit.auth import Principal, Role
from porchlight.kit.errors import Conflict, Forbidden, NotFound, ValidationProblem
from porchlight.projects.departments.service import require_department, require_team
from porchlight.projects.districts.scope import check_district
from porchlight.projects.priorities.repository import PriorityRepository
from porchlight.projects.work.access import owners_of, require_owner
from porchlight.projects.work.models import Project, ProjectMove, Task
from porchlight.projects.work.repository import WorkRepository
from porchlight.projects.work.rules.cards import card_of, card_of_head, head_of, notice_of
from porchlight.projects.work.rules.planning import (
    check_dates,
    check_enforcement_order,
    check_version,
    planning_advice,
)
from porchlight.projects.work.rules.transitions import allowed_from
from porchlight.projects.work.schemas import MoveIn, PlanningWarning, ProjectIn, ProjectPatch, TaskIn, TaskPatch

STALLED_AFTER = timedelta(days=7)
REMIND_AT_MOST_EVERY = timedelta(hours=20)

Reason = Literal["overdue", "stalled"]
#: A step run when a project is done, in the transaction that moves it (wins/startup.py).
DoneStep = Callable[[AsyncSession, Project], Awaitable[object]]


class Completion:
    """What a finished project sets off, in the same transaction: the steps handed in at start-up."""

    def __init__(self, *steps: DoneStep) -> None:
        self.steps = steps

    async def __call__(self, session: AsyncSession, project: Project) -> None:
        for step in self.steps:
            await step(session, project)


def now() -> datetime:
    return datetime.now(UTC)


async def get_project(session: AsyncSession, project_id: uuid.UUID, *, lock: bool = False) -> Project:
    project = await WorkRepository(session).get(project_id, lock=lock)
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


async def _touch(session: AsyncSession, project: Project) -> dict[str, Any]:
    """After a change: a new version, the change time, the card announced to the boards."""
    repo = WorkRepository(session)
    before = card_of_head(project.card_head)
    project.version += 1
    project.changed_at = now()
    await repo.flush()
    card = card_of(project, await owners_of(session, project))
    project.card_head = head_of(card)
    await repo.flush()
    await repo.announce(notice_of(card, before))
    return card


async def create_project(
    session: AsyncSession, outbox: Outbox, body: ProjectIn, who: Principal
) -> tuple[Project, list[PlanningWarning]]:
    priority = await PriorityRepository(session).get(body.priority_id, lock=True)  # counts stay true
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
    check_dates(body.starts_on, body.due_on)
    for i, task in enumerate(body.tasks):
        if task.department:
            await require_department(session, task.department, f"body.tasks.{i}.department")

    repo = WorkRepository(session)
    kinds = await repo.remedy_kinds(priority.id)
    check_enforcement_order(body.remedy_kind, kinds, bool(body.justification or priority.enforcement_justification))
    warnings = [
        PlanningWarning(code=code, field=field, message=message)
        for code, field, message in planning_advice(body.starts_on, body.due_on, len(kinds) + 1)
    ]

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
        public=body.remedy_kind != "enforcement" if body.public is None else body.public,
        announce_tasks=body.announce_tasks,
        tasks_total=len(body.tasks),
        tasks_done=0,
        version=1,
        created_by=who.subject,
        created_at=stamp,
        changed_at=stamp,
    )
    await repo.add(project)
    await repo.add(
        *(_task(project, task) for task in body.tasks),
        ProjectMove(project_id=project.id, from_status=None, to_status="proposed", moved_by=who.subject),
    )
    card = card_of(project, owners)
    project.card_head = head_of(card)
    await repo.flush()
    await repo.announce(notice_of(card))
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
            public=project.public,
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
        public=project.public if task.public is None else task.public,
        done=False,
    )


async def update_project(
    session: AsyncSession, project_id: uuid.UUID, patch: ProjectPatch, expected: int | None, who: Principal
) -> Project:
    project = await get_project(session, project_id, lock=True)
    owners = await require_owner(session, who, project)
    check_version(project.version, expected if expected is not None else patch.version, card_of(project, owners))
    changes = patch.model_dump(exclude_unset=True, exclude={"version", "point"})
    if "department" in changes:
        await require_department(session, changes["department"], "body.department")
    if changes.get("team"):
        await require_team(session, changes["team"], "body.team")
    check_dates(changes.get("starts_on", project.starts_on), changes.get("due_on", project.due_on))
    for name, value in changes.items():
        setattr(project, name, value)
    if "point" in patch.model_fields_set:
        project.lat = patch.point.lat if patch.point else None
        project.lon = patch.point.lon if patch.point else None
    await _touch(session, project)
    return project


async def move_project(
    session: AsyncSession,
    outbox: Outbox,
    project_id: uuid.UUID,
    move: MoveIn,
    expected: int | None,
    who: Principal,
    *,
    on_done: Completion,
) -> Project:
    project = await get_project(session, project_id, lock=True)
    owners = await require_owner(session, who, project)
    check_version(project.version, expected if expected is not None else move.version, card_of(project, owners))
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
    WorkRepository(session).stage(
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
                # The work's place (city work, not a resident's): layers compares it with controls.
                point=GeoPoint(lat=project.lat, lon=project.lon)
                if project.lat is not None and project.lon is not None
                else None,
            )
        )
        await on_done(session, project)
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
    WorkRepository(session).stage(task)  # flushed with the card's change below
    project.tasks_total += 1
    project.awaiting_confirmation = False
    await _touch(session, project)
    return task


async def change_task(
    session: AsyncSession, outbox: Outbox, project_id: uuid.UUID, task_id: uuid.UUID, patch: TaskPatch, who: Principal
) -> Task:
    project = await get_project(session, project_id, lock=True)
    task = await WorkRepository(session).task(task_id)
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
        stamp = now()
        task.done = patch.done
        task.completed_at = stamp if patch.done else None
        task.completed_by = who.subject if patch.done else None
        project.tasks_done += 1 if patch.done else -1
        public = project.public and task.public
        if patch.done:
            events.append(
                TaskCompleted(
                    task_id=task.id,
                    project_id=project.id,
                    department=task.department,
                    completed_at=stamp,
                    completed_by=who.subject,
                    title=task.title,
                    public=public,
                    announce=public and project.announce_tasks,
                )
            )
        else:
            # Every reader that counted the completion takes it back (done, undone, done: one).
            events.append(
                TaskReopened(
                    task_id=task.id,
                    project_id=project.id,
                    department=task.department,
                    reopened_at=stamp,
                    reopened_by=who.subject,
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
    return await WorkRepository(session).tasks_of(project_id)


async def history_of(session: AsyncSession, project_id: uuid.UUID) -> list[ProjectMove]:
    await get_project(session, project_id)
    return await WorkRepository(session).moves_of(project_id)


async def remind(
    session: AsyncSession,
    outbox: Outbox,
    who: Principal,
    district: str | None = None,
    department: str | None = None,
) -> list[tuple[Project, Reason]]:
    """One ``project.reminded`` per overdue or stalled project not reminded in the last day.

    A reminder is an event other systems turn into an email or a text; a project is reminded at
    most once a day, however often reminders are run.
    """
    repo = WorkRepository(session)
    stamp = now()
    due: dict[object, tuple[Project, Reason]] = {}
    for p in await repo.stalled(district, department, stamp - STALLED_AFTER):
        due[p.id] = (p, "stalled")
    for p in await repo.overdue(district, department, stamp.date()):
        due[p.id] = (p, "overdue")  # overdue says more than stalled
    sent: list[tuple[Project, Reason]] = []
    for project, reason in due.values():
        if project.reminded_at is not None and stamp - project.reminded_at < REMIND_AT_MOST_EVERY:
            continue
        # Reminding is not a change of the card: changed_at stays (it measures stalling).
        project.reminded_at = stamp
        sent.append((project, reason))
        await outbox.add(
            session,
            ProjectReminded(
                project_id=project.id,
                priority_id=project.priority_id,
                title=project.title,
                district=project.district,
                department=project.department,
                owner=project.owner,
                reason=reason,
                due_on=project.due_on,
                last_changed_at=project.changed_at,
                reminded_at=stamp,
                reminded_by=who.subject,
            ),
        )
    await repo.flush()
    return sent
