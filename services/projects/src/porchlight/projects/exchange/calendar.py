"""A department's project due dates as an iCalendar feed (RFC 5545) any calendar app subscribes to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from icalendar import Calendar, Event
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.projects.departments.models import Department, Team
from porchlight.projects.work.models import Project


async def department_calendar(session: AsyncSession, department: Department) -> bytes:
    teams = sa.select(Team.code).where(Team.departments.contains([department.code]))
    stmt = (
        sa.select(Project)
        .where(sa.or_(Project.department == department.code, Project.team.in_(teams)))
        .order_by(Project.due_on, Project.id)
    )
    cal = Calendar()
    cal.add("prodid", "-//Porchlight//projects//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{department.name}: micro-project due dates")
    stamp = datetime.now(UTC)
    for p in await session.scalars(stmt):
        event = Event()
        event.add("uid", f"project-{p.id}@porchlight")
        event.add("dtstamp", stamp)
        event.add("dtstart", p.due_on)  # an all-day event on the due date
        event.add("dtend", p.due_on + timedelta(days=1))
        event.add("summary", f"Due: {p.title}")
        event.add("description", f"Status: {p.status.replace('_', ' ')}. Tasks done: {p.tasks_done}/{p.tasks_total}.")
        if p.place:
            event.add("location", p.place)
        if p.lat is not None and p.lon is not None:
            event.add("geo", (p.lat, p.lon))
        event.add("status", "CONFIRMED" if p.status != "proposed" else "TENTATIVE")
        event.add("categories", [p.remedy_kind, p.district])
        event.add("sequence", p.version)
        cal.add_component(event)
    return cal.to_ical()
