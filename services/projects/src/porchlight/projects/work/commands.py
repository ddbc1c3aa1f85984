"""``porchlight projects``: remind owners of overdue and stalled projects (cron), seed the demo.

The demo: one priority per district, each broken into micro-projects across departments —
physical changes and positive activities first, as DICE asks — with tasks, some already moving
on the board. Idempotent: a district that already has the demo priority of the quarter is skipped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox
from porchlight.kit.auth import Principal, Role
from porchlight.kit.commands import in_transaction
from porchlight.projects.db import outbox as projects_outbox
from porchlight.projects.departments.models import Team
from porchlight.projects.departments.repository import DepartmentRepository
from porchlight.projects.priorities.repository import PriorityRepository
from porchlight.projects.priorities.schemas import ConcernLink, PriorityIn
from porchlight.projects.priorities.service import create_priority
from porchlight.projects.work.schemas import MoveIn, ProjectIn, TaskIn, TaskPatch
from porchlight.projects.work.service import Completion, change_task, create_project, move_project, remind, tasks_of

projects_app = typer.Typer(help="Priorities, micro-projects and wins.", no_args_is_help=True)

DEMO_TITLE = "Safer streets in {district}"
SYSTEM = Principal(subject="demo-loader", roles=frozenset({Role.supervisor}))


@projects_app.command("remind")
def remind_cmd(
    ctx: typer.Context,
    district: Annotated[str | None, typer.Option(help="Only this district")] = None,
    department: Annotated[str | None, typer.Option(help="Only this department's projects")] = None,
) -> None:
    """Send project.reminded for every overdue or stalled project not reminded today (run it daily)."""
    who = Principal(subject="porchlight-projects-remind", roles=frozenset({Role.supervisor}), kind="system")

    async def work(session: AsyncSession) -> list[str]:
        sent = await remind(session, projects_outbox, who, district, department)
        return [f"{reason:<8} {p.department:<18} {p.due_on} {p.title}" for p, reason in sent]

    lines = in_transaction(ctx, work)
    for line in lines:
        typer.echo(line)
    typer.echo(f"{len(lines)} reminder(s) queued")


@projects_app.command("seed-demo")
def seed_demo_cmd(
    ctx: typer.Context, districts: Annotated[list[str], typer.Argument(help="District codes, e.g. D1 D4")]
) -> None:
    """Add the demo priority and its micro-projects to each district (skips districts that have it)."""

    async def work(session: AsyncSession) -> list[uuid.UUID]:
        return await seed_demo(session, districts)

    created = in_transaction(ctx, work)
    typer.echo(f"{len(created)} priorit{'y' if len(created) == 1 else 'ies'} created")


@dataclass(frozen=True)
class DemoProject:
    title: str
    place: str
    department: str
    remedy: str
    days: int
    tasks: tuple[tuple[str, str], ...]  # (title, department)
    moves: tuple[str, ...] = ()
    win: str | None = None
    team: str | None = None


DEMO_PROJECTS = [
    DemoProject(
        "Fix the streetlights on Main Street",
        "Main St between 3rd and 5th",
        "public-works",
        "physical",
        7,
        (("Survey the dark poles", "public-works"), ("Replace the lamps", "public-works")),
        ("planned", "in_progress"),
        "The streetlights on Main Street between 3rd and 5th are fixed.",
    ),
    DemoProject(
        "Trim the bushes at Elm Park",
        "Elm Park, north entrance",
        "parks",
        "physical",
        5,
        (("Trim along the path", "parks"), ("Haul the cuttings", "parks")),
        ("planned",),
        "The bushes at Elm Park's north entrance are trimmed: the path is open to view again.",
    ),
    DemoProject(
        "Tuesday evening foot patrol and coffee",
        "Corner of Main and 4th",
        "police",
        "positive_activity",
        14,
        (("Schedule the officers", "police"), ("Invite the block association", "police")),
        ("planned", "in_progress"),
    ),
    DemoProject(
        "Adopt-a-corner cleanup with the block association",
        "Oak Ave and 2nd",
        "parks",
        "ownership",
        10,
        (("Recruit volunteers", "parks"), ("Provide gloves and bags", "public-works")),
    ),
    DemoProject(
        "Board up the vacant house on Pine Street",
        "Pine St, the vacant lot block",
        "code-enforcement",
        "policy",
        14,
        (("Notify the owner", "code-enforcement"), ("Secure doors and windows", "public-works")),
        ("blocked",),
    ),
    DemoProject(
        "Co-response visits to the shelter line",
        "Shelter on Market St",
        "police",
        "positive_activity",
        14,
        (("Pair officer and social worker", "social-services"),),
        (),
        None,
        "police-social",
    ),
]


async def ensure_demo_teams(session: AsyncSession) -> None:
    repo = DepartmentRepository(session)
    if await repo.team("police-social") is None:
        await repo.add(
            Team(code="police-social", name="Police and social worker", departments=["police", "social-services"])
        )


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


async def seed_demo(
    session: AsyncSession, districts: list[str], *, outbox: Outbox | None = None, today: date | None = None
) -> list[uuid.UUID]:
    """Create the demo priority and its projects in each district; returns the new priorities' ids.

    Runs in the caller's transaction (events go to the outbox with the rows; the service's own
    outbox unless another is given).
    """
    outbox = projects_outbox if outbox is None else outbox
    today = today or datetime.now(UTC).date()
    quarter = _quarter(today)
    await ensure_demo_teams(session)
    created: list[uuid.UUID] = []
    for district in districts:
        title = DEMO_TITLE.format(district=district)
        if await PriorityRepository(session).find(district, title, quarter) is not None:
            continue
        priority = await create_priority(
            session,
            outbox,
            PriorityIn(
                title=title,
                district=district,
                quarter=quarter,
                topics=["street_lighting", "violence", "parks"],
                # Picked by topic; what residents said is counted and quoted from their notes.
                concerns=[ConcernLink(topic="street_lighting"), ConcernLink(topic="parks")],
                outcome_measure="Violent incidents reported per month in the district",
            ),
            SYSTEM,
        )
        created.append(priority.id)
        for i, demo in enumerate(DEMO_PROJECTS):
            starts = today - timedelta(days=3) + timedelta(days=i)
            project, _ = await create_project(
                session,
                outbox,
                ProjectIn(
                    priority_id=priority.id,
                    title=demo.title,
                    place=demo.place,
                    department=demo.department,
                    team=demo.team,
                    remedy_kind=demo.remedy,
                    starts_on=starts,
                    due_on=starts + timedelta(days=demo.days - 1),
                    win_text=demo.win,
                    tasks=[TaskIn(title=t, department=d) for t, d in demo.tasks],
                ),
                SYSTEM,
            )
            for to in demo.moves:
                reason = "Waiting for the owner's permission to enter" if to == "blocked" else None
                await move_project(
                    session,
                    outbox,
                    project.id,
                    MoveIn(to=to, reason=reason),
                    project.version,
                    SYSTEM,
                    on_done=Completion(),  # the demo moves no card to done
                )
            if demo.moves[-1:] == ("in_progress",):
                first = (await tasks_of(session, project.id))[0]
                await change_task(session, outbox, project.id, first.id, TaskPatch(done=True), SYSTEM)
    return created
