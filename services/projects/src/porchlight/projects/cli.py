"""``porchlight projects``: remind owners of overdue and stalled projects (cron), seed the demo."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

projects_app = typer.Typer(help="Priorities, micro-projects and wins.", no_args_is_help=True)


def _in_transaction(work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    """Run ``work`` in one transaction on the configured database (or the embedded one)."""
    from porchlight.kit.cli import _settings
    from porchlight.kit.standalone import Infrastructure

    settings = _settings()
    infra = None if settings.database_url else Infrastructure(settings)
    try:
        if infra is not None:
            settings = infra.start()
        return asyncio.run(_run(settings.require_database_url(), work))
    finally:
        if infra is not None:
            infra.stop()


async def _run(url: str, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    from porchlight.kit.db import create_engine, session_factory
    from porchlight.kit.migrations import migrate
    from porchlight.projects.spec import spec

    engine = create_engine(url, pool_size=1, application_name="porchlight-projects-cli")
    try:
        await migrate(engine, spec)
        async with session_factory(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


@projects_app.command("remind")
def remind_cmd(
    district: Annotated[str | None, typer.Option(help="Only this district")] = None,
    department: Annotated[str | None, typer.Option(help="Only this department's projects")] = None,
) -> None:
    """Send project.reminded for every overdue or stalled project not reminded today (run it daily)."""
    from porchlight.kit.auth import Principal, Role
    from porchlight.projects.spec import spec
    from porchlight.projects.work.attention import remind

    who = Principal(subject="porchlight-projects-remind", roles=frozenset({Role.supervisor}), kind="system")

    async def work(session: AsyncSession) -> list[str]:
        sent = await remind(session, spec.outbox, who, district, department)
        return [f"{reason:<8} {p.department:<18} {p.due_on} {p.title}" for p, reason in sent]

    lines = _in_transaction(work)
    for line in lines:
        typer.echo(line)
    typer.echo(f"{len(lines)} reminder(s) queued")


@projects_app.command("seed-demo")
def seed_demo_cmd(districts: Annotated[list[str], typer.Argument(help="District codes, e.g. D1 D4")]) -> None:
    """Add the demo priority and its micro-projects to each district (skips districts that have it)."""
    from porchlight.projects.demo import seed_demo

    async def work(session: AsyncSession) -> list[Any]:
        return await seed_demo(session, districts)

    created = _in_transaction(work)
    typer.echo(f"{len(created)} priorit{'y' if len(created) == 1 else 'ies'} created")
