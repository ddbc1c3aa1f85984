"""``porchlight dashboard``: rebuild the read models from the events."""

from __future__ import annotations

import asyncio

import typer

from porchlight.kit.commands import command_settings, require_running, service_of

dashboard_app = typer.Typer(help="Dashboard read models and crime statistics.", no_args_is_help=True)


@dashboard_app.command("rebuild")
def rebuild_cmd(ctx: typer.Context) -> None:
    """Empty the read models and rebuild them from every event on the topics (projections/service.py)."""
    from porchlight.dashboard.projections.service import rebuild

    spec = service_of(ctx)
    settings = require_running(command_settings(), broker=True)
    report = asyncio.run(rebuild(settings, spec))
    typer.echo(f"rebuilt from {report.records} events on {report.partitions} partitions in {report.seconds}s")
