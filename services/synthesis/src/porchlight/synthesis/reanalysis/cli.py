"""``porchlight synthesis reanalyze --since DATE``: relabel history with the current model (resumable)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer

synthesis_app = typer.Typer(help="Synthesis maintenance: re-analysis of stored notes.", no_args_is_help=True)


@synthesis_app.command("reanalyze")
def reanalyze_command(
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
    from porchlight.kit.db import create_engine, session_factory
    from porchlight.kit.settings import KitSettings
    from porchlight.kit.standalone import load_runtime_env
    from porchlight.synthesis.reanalysis.runner import reanalyze

    settings = load_runtime_env(KitSettings())
    start = since if since.tzinfo else since.replace(tzinfo=UTC)

    async def main() -> None:
        engine = create_engine(settings.require_database_url(), pool_size=2, application_name="porchlight-reanalyze")
        try:
            report = await reanalyze(
                session_factory(engine),
                start,
                batch_size=batch_size,
                restart=restart,
                progress=lambda run: typer.echo(f"  {run.notes_seen} notes seen, {run.notes_analyzed} re-analyzed"),
            )
        finally:
            await engine.dispose()
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
