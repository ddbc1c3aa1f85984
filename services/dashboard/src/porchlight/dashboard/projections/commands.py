"""``porchlight dashboard``: rebuild the read models from the events."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from porchlight.kit.commands import command_settings, require_running, service_of

dashboard_app = typer.Typer(help="Dashboard read models and crime statistics.", no_args_is_help=True)


@dashboard_app.command("rebuild")
def rebuild_cmd(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even from fewer events than the dashboard has applied")
    ] = False,
) -> None:
    """Empty the read models and rebuild them from every event on the topics (projections/service.py)."""
    from porchlight.dashboard.projections.service import RebuildRefused, rebuild

    spec = service_of(ctx)
    settings = require_running(command_settings(), broker=True)
    try:
        report = asyncio.run(rebuild(settings, spec, force=force))
    except RebuildRefused as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"rebuilt from {report.records} events on {report.partitions} partitions in {report.seconds}s")
