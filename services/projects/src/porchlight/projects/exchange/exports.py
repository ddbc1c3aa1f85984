"""Files out: projects as CSV (spreadsheets), a department's due dates as iCalendar (RFC 5545).

Cells that a spreadsheet would run as a formula are quoted (CSV injection); an import of the
export undoes the quoting (service.py).
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.inputs import csv_cell
from porchlight.projects.departments.models import Department
from porchlight.projects.exchange.repository import ExchangeRepository

COLUMNS = [
    "id",
    "priority_id",
    "title",
    "description",
    "district",
    "neighborhood",
    "place",
    "lat",
    "lon",
    "department",
    "team",
    "remedy_kind",
    "justification",
    "starts_on",
    "due_on",
    "status",
    "blocked_reason",
    "owner",
    "tasks_total",
    "tasks_done",
    "version",
    "win_text",
]


async def export_csv(
    session: AsyncSession, priority: uuid.UUID | None, district: str | None, department: str | None
) -> str:
    """Every project the filters select as one CSV text (a header row, then a row per project)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for p in await ExchangeRepository(session).projects(priority, district, department):
        row = {c: getattr(p, c) for c in COLUMNS}
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return out.getvalue()


async def department_calendar(session: AsyncSession, department: Department) -> bytes:
    """The department's (and its teams') due dates as all-day events, one per project."""
    cal = Calendar()
    cal.add("prodid", "-//Porchlight//projects//EN")
    cal.add("version", "2.0")
    # One line: icalendar refuses a line break in this name, and names stored before departments'
    # names were kept to one line (kit.inputs.SingleLine) may hold one.
    cal.add("x-wr-calname", f"{' '.join(department.name.split())}: micro-project due dates")
    stamp = datetime.now(UTC)
    for p in await ExchangeRepository(session).projects_owned_by(department.code):
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
