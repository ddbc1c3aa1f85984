"""Wins: drafted in plain language when a project completes, published when a supervisor approves.

The draft is built from what staff wrote (the project's ``win_text`` or title, its place, the
department) and the priority's concerns ("you said, we did"): the win keeps the priority's
selection of concerns in its place and its quotes by reference, and update.published carries them,
so the pages count the notes behind it and read the words from them. Nothing goes out before a supervisor approves it.

A supervisor edits a draft, approves it, or sends it back to its author with a reason; the author
(the project's owner, or anyone of its department) edits it and sends it for approval again.
Every change reaches the open boards at once (repository.py: ``announce``). Sending back is a
matter between the supervisor and the author, so it publishes no event; approving sends
``update.published`` (the dashboard counts wins by it).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox, UpdatePublished
from porchlight.events.catalog import ConcernRef, ConcernSelection, GeoPoint, UpdateText
from porchlight.kit.auth import Principal, Role
from porchlight.kit.errors import Conflict, Forbidden, NotFound
from porchlight.projects.departments.repository import DepartmentRepository
from porchlight.projects.districts.scope import check_district
from porchlight.projects.plainlanguage.service import publishable
from porchlight.projects.priorities.models import Priority
from porchlight.projects.priorities.repository import PriorityRepository
from porchlight.projects.wins.models import Win
from porchlight.projects.wins.repository import WinRepository
from porchlight.projects.wins.schemas import WinApproval, WinOut, WinPatch, WinReturn
from porchlight.projects.work.models import Project


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


#: PostgreSQL's limit on a notification is 8000 bytes: a longer notice leaves the body out (the
#: board then reads the win).
NOTICE_LIMIT = 7900


def notice_of(win: Win) -> str:
    """A win as the open boards hear of it: filtered like a card (priority, district, owners)."""
    payload = WinOut.model_validate(win).model_dump(mode="json", exclude={"concerns", "reading"})
    payload |= {"event": "win", "owners": [win.department] if win.department else []}
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    if len(text.encode()) > NOTICE_LIMIT:
        payload.pop("body")
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return text


async def _changed(session: AsyncSession, win: Win) -> None:
    repo = WinRepository(session)
    await repo.flush()
    await repo.announce(notice_of(win))


def _authored_by(who: Principal, win: Win) -> bool:
    """The win's author: its project's owner, or anyone of the department that did the work."""
    return (win.author is not None and who.subject == win.author) or (
        who.department is not None and who.department == win.department
    )


def _said(topics: list[str], joiner: str) -> str:
    names = list(dict.fromkeys(t.replace("_", " ") for t in topics))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {joiner} {names[-1]}"


def draft_text(project: Project, priority: Priority, department_name: str) -> tuple[str, str]:
    """A title and a body a resident reads in ten seconds: short sentences, no priority jargon
    (the plain-language check scores them; a draft must not need a reason to go out)."""
    where = f" at {project.place}" if project.place else ""
    title = _sentence(project.win_text) if project.win_text else _sentence(f"Done: {project.title}{where}")
    topics = _topics(priority)
    said = f"You told us about {_said(topics, 'and')}. " if topics else ""
    finished = format_date(project.completed_at or datetime.now(UTC), "MMMM d", locale="en")
    body = f"{said}{department_name} did the work. It was done on {finished}."
    return title, body


def draft_text_es(project: Project, priority: Priority, department_name: str) -> tuple[str, str]:
    """The Spanish draft: the sentences are the platform's, the names and the work as staff wrote
    them (a supervisor translates those before approving; nothing is machine-translated)."""
    where = f" en {project.place}" if project.place else ""
    title = _sentence(project.win_text) if project.win_text else _sentence(f"Hecho: {project.title}{where}")
    topics = _topics(priority)
    said = f"Nos hablaron de {_said(topics, 'y')}. " if topics else ""
    finished = format_date(project.completed_at or datetime.now(UTC), "d 'de' MMMM", locale="es")
    body = f"{said}{department_name} hizo el trabajo. Quedó listo el {finished}."
    return title, body


def _topics(priority: Priority) -> list[str]:
    return [str(c["topic"]) for c in priority.concerns if c.get("topic")] or list(priority.topics)


async def draft_win(session: AsyncSession, project: Project) -> Win:
    """The win of a finished project, drafted once (a ``Completion`` step: wins/startup.py)."""
    existing = await WinRepository(session).of_project(project.id)
    if existing is not None:
        return existing
    priority = await PriorityRepository(session).get(project.priority_id)
    assert priority is not None
    department = await DepartmentRepository(session).department(project.department)
    name = department.name if department else project.department
    title, body = draft_text(project, priority, name)
    title_es, body_es = draft_text_es(project, priority, name)
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
        title_es=title_es,
        body_es=body_es,
        topics=list(dict.fromkeys([*priority.topics, *(c["topic"] for c in concerns if c.get("topic"))])),
        concerns=[{k: c.get(k) for k in ("topic", "district", "neighborhood")} for c in concerns],
        heard_since=priority.heard_since,
        quotes=list(priority.quotes),
        status="draft",
        drafted_at=datetime.now(UTC),  # set here, not by the server: the notice below needs it
        author=project.owner or project.created_by,
        department=project.department,
    )
    await WinRepository(session).add(win)
    await _changed(session, win)
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
    if not who.has(Role.supervisor) and not (win.status == "returned" and _authored_by(who, win)):
        raise Forbidden("a supervisor edits a draft win; its author edits it once it is sent back")
    for name, value in patch.model_dump(exclude_unset=True).items():
        setattr(win, name, value)
    await _changed(session, win)
    return win


async def return_win(session: AsyncSession, win_id: uuid.UUID, body: WinReturn, who: Principal) -> Win:
    """A supervisor sends a draft back to its author, saying what to change."""
    win = await get_win(session, win_id, lock=True)
    check_district(who, win.district, "this win")
    if win.status != "draft":
        raise Conflict(f"the win is {'already sent back' if win.status == 'returned' else 'published'}")
    win.status = "returned"
    win.return_reason = body.reason
    win.returned_by = who.subject
    win.returned_at = datetime.now(UTC)
    await _changed(session, win)
    return win


async def resubmit_win(session: AsyncSession, win_id: uuid.UUID, who: Principal) -> Win:
    """The author sends a win that was sent back for approval again (a draft once more)."""
    win = await get_win(session, win_id, lock=True)
    check_district(who, win.district, "this win")
    if win.status != "returned":
        raise Conflict(f"the win is {win.status}: only a win sent back is sent for approval again")
    if not (who.has(Role.supervisor) or _authored_by(who, win)):
        raise Forbidden(f"only its author ({win.author or win.department}) sends this win for approval again")
    win.status = "draft"
    await _changed(session, win)
    return win


async def approve_win(
    session: AsyncSession, outbox: Outbox, win_id: uuid.UUID, body: WinApproval, who: Principal
) -> Win:
    win = await get_win(session, win_id, lock=True)
    check_district(who, win.district, "this win")
    if win.status == "published":
        raise Conflict("the win is already published")
    if win.status == "returned":
        raise Conflict("the win was sent back to its author: it is approved once they send it again")
    grade, reason = publishable("the win", WinOut.model_validate(win).reading, body.reason)
    win.status = "published"
    win.approved_by = who.subject
    win.published_at = datetime.now(UTC)
    win.reading_grade = grade
    win.plain_language_reason = reason
    await _changed(session, win)
    point = GeoPoint(lat=win.lat, lon=win.lon) if win.lat is not None and win.lon is not None else None
    translations = {"es": UpdateText(title=win.title_es, body=win.body_es)} if win.title_es and win.body_es else {}
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
            translations=translations,
            reading_grade=grade,
            plain_language_reason=win.plain_language_reason,
            priority_id=win.priority_id,
            concerns=[ConcernSelection.model_validate(c) for c in win.concerns if c.get("topic") and c.get("district")],
            heard_since=win.heard_since,
            quotes=[ConcernRef.model_validate(q) for q in win.quotes],
        ),
    )
    return win
