"""Wins: drafted in plain language when a project completes, published when a supervisor approves.

The draft is built from what staff wrote (the project's ``win_text`` or title, its place, the
department) and the priority's concerns ("you said, we did"); residents' quotes are the redacted
words synthesis already published. Nothing goes out before a supervisor approves it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox, UpdatePublished
from porchlight.events.catalog import GeoPoint
from porchlight.kit.auth import Principal
from porchlight.kit.errors import Conflict, NotFound
from porchlight.projects.departments.repository import DepartmentRepository
from porchlight.projects.districts.scope import check_district
from porchlight.projects.priorities.models import Priority
from porchlight.projects.priorities.repository import PriorityRepository
from porchlight.projects.wins.models import Win
from porchlight.projects.wins.repository import WinRepository
from porchlight.projects.wins.schemas import WinPatch
from porchlight.projects.work.models import Project


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def draft_text(project: Project, priority: Priority, department_name: str) -> tuple[str, str]:
    """A title and a body a resident reads in ten seconds."""
    where = f" at {project.place}" if project.place else ""
    title = _sentence(project.win_text) if project.win_text else _sentence(f"Done: {project.title}{where}")
    topics = [str(c["topic"]) for c in priority.concerns if c.get("topic")] or list(priority.topics)
    area = project.neighborhood or priority.neighborhood or project.district
    said = (
        f"You told us about {', '.join(dict.fromkeys(t.replace('_', ' ') for t in topics))} in {area}. "
        if topics
        else ""
    )
    finished = (project.completed_at or datetime.now(UTC)).strftime("%B %-d")
    body = f"{said}{department_name} finished “{project.title}”{where} on {finished}. It is part of “{priority.title}”."
    return title, body


async def draft_win(session: AsyncSession, project: Project) -> Win:
    """The win of a finished project, drafted once (a ``Completion`` step: wins/startup.py)."""
    existing = await WinRepository(session).of_project(project.id)
    if existing is not None:
        return existing
    priority = await PriorityRepository(session).get(project.priority_id)
    assert priority is not None
    department = await DepartmentRepository(session).department(project.department)
    title, body = draft_text(project, priority, department.name if department else project.department)
    concerns = [
        c
        for c in priority.concerns
        if c.get("district") in (None, project.district)
        and (not project.neighborhood or c.get("neighborhood") in (None, project.neighborhood))
    ]
    win = Win(
        id=uuid.uuid4(),
        project_id=project.id,
        priority_id=priority.id,
        district=project.district,
        neighborhood=project.neighborhood,
        place=project.place,
        lat=project.lat,
        lon=project.lon,
        title=title,
        body=body,
        topics=list(dict.fromkeys([*priority.topics, *(c["topic"] for c in concerns if c.get("topic"))])),
        concerns=concerns,
        status="draft",
    )
    await WinRepository(session).add(win)
    return win


async def get_win(session: AsyncSession, win_id: uuid.UUID, *, lock: bool = False) -> Win:
    win = await WinRepository(session).get(win_id, lock=lock)
    if win is None:
        raise NotFound(f"no win {win_id}")
    return win


async def edit_win(session: AsyncSession, win_id: uuid.UUID, patch: WinPatch, who: Principal) -> Win:
    win = await get_win(session, win_id, lock=True)
    check_district(who, win.district, "this win")
    if win.status == "published":
        raise Conflict("the win is published; it cannot be edited")
    for name, value in patch.model_dump(exclude_unset=True).items():
        setattr(win, name, value)
    await WinRepository(session).flush()
    return win


async def approve_win(session: AsyncSession, outbox: Outbox, win_id: uuid.UUID, who: Principal) -> Win:
    win = await get_win(session, win_id, lock=True)
    check_district(who, win.district, "this win")
    if win.status == "published":
        raise Conflict("the win is already published")
    win.status = "published"
    win.approved_by = who.subject
    win.published_at = datetime.now(UTC)
    await WinRepository(session).flush()
    point = GeoPoint(lat=win.lat, lon=win.lon) if win.lat is not None and win.lon is not None else None
    await outbox.add(
        session,
        UpdatePublished(
            update_id=win.id,
            district=win.district,
            neighborhood=win.neighborhood,
            kind="win",
            title=win.title,
            body=win.body,
            published_at=win.published_at,
            project_id=win.project_id,
            place=win.place,
            point=point,
            topics=list(win.topics),
        ),
    )
    return win
