"""``porchlight retention run [--dry-run]``: one retention round now, in-process.

The same round the service's worker runs every ``PORCHLIGHT_INTAKE_RETENTION_INTERVAL_S``, with
the same ``PORCHLIGHT_INTAKE_RETENTION_*`` periods. A dry run counts what is due and changes
nothing. The events go to intake's outbox with the erasures; a running intake publishes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from porchlight.kit.settings import KitSettings

retention_app = typer.Typer(help="Erase residents' words past their retention period.", no_args_is_help=True)


@retention_app.command("run")
def run(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what is due; erase nothing")] = False,
) -> None:
    """Erase the words of notes, meetings, contacts and imports past their retention period (one round)."""
    import asyncio
    import dataclasses
    import json

    from porchlight.intake.db import outbox
    from porchlight.intake.erasure.service import retention_round
    from porchlight.intake.settings import IntakeSettings
    from porchlight.kit.commands import database, infrastructure, service_of

    spec = service_of(ctx)
    intake_settings = IntakeSettings()

    async def work(settings: KitSettings) -> dict[str, object]:
        async with database(spec, settings, pool_size=1) as (_, sessions):
            report = await retention_round(sessions, outbox, intake_settings, dry_run=dry_run)
        return dataclasses.asdict(report)

    with infrastructure() as settings:
        typer.echo(json.dumps(asyncio.run(work(settings)), indent=2))
