"""``porchlight synthesis reanalyze --since DATE``: relabel history with the current model (resumable)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer

synthesis_app = typer.Typer(help="Synthesis maintenance: re-analysis of stored notes.", no_args_is_help=True)


@synthesis_app.command("reanalyze")
def reanalyze_command(
    ctx: typer.Context,
    since: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], help="Notes that took place from this date (UTC)"),
    ],
    batch_size: Annotated[int, typer.Option(min=1, max=5000, help="Notes per transaction")] = 200,
    restart: Annotated[bool, typer.Option(help="Start over instead of resuming an unfinished run")] = False,
) -> None:
    """Re-analyze notes since DATE with the current taxonomy and model version.

    Progress is committed with every batch: run the same command again to resume after a stop.
    Events go to synthesis's outbox; a running synthesis service publishes them.
    """
    # Imported here: ``porchlight --help`` does not load the model's libraries.
    from porchlight.kit.commands import command_settings, database, require_running, service_of
    from porchlight.synthesis.learning.service import ModelHolder
    from porchlight.synthesis.reanalysis.service import reanalyze
    from porchlight.synthesis.settings import SynthesisSettings

    spec = service_of(ctx)
    settings = require_running(command_settings())
    start = since if since.tzinfo else since.replace(tzinfo=UTC)

    async def main() -> None:
        # The service's schema is already there (a running or migrated service): no migration here.
        async with database(spec, settings, upgrade=False) as (_, sessions):
            report = await reanalyze(
                sessions,
                ModelHolder(SynthesisSettings()),  # this process's own model, built from the database
                start,
                batch_size=batch_size,
                restart=restart,
                progress=lambda run: typer.echo(f"  {run.notes_seen} notes seen, {run.notes_analyzed} re-analyzed"),
            )
        state = "resumed and finished" if report.resumed else "finished"
        typer.echo(
            f"run {report.run_id} {state}: {report.notes_seen} notes seen, {report.notes_analyzed} re-analyzed "
            f"with model {report.model_version}"
        )

    try:
        asyncio.run(main())
    except RuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
