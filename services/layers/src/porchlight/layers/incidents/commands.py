"""``porchlight layers import-incidents FILE [--mapping M]``: a city's crime incidents from CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.commands import in_transaction

layers_app = typer.Typer(help="Department layers: records, imports.", no_args_is_help=True)


@layers_app.callback()
def layers() -> None:
    """Department layers (a group even with one command: ``porchlight layers import-incidents``)."""


@layers_app.command("import-incidents")
def import_incidents_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Incidents CSV")],
    mapping: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="CSV: code,nibrs_code,category")
    ] = None,
) -> None:
    """Import crime incidents as records of the police ``incident`` layer. Prints the report as JSON."""
    # Imported here: `porchlight --help` stays quick, and a bad place file fails this command only.
    from porchlight.layers.incidents.parsing import FileProblem
    from porchlight.layers.incidents.service import import_incidents
    from porchlight.layers.records.startup import places_of
    from porchlight.layers.settings import LayersSettings

    places = places_of(LayersSettings())

    async def work(session: AsyncSession) -> dict[str, object]:
        report = await import_incidents(
            session,
            places,
            file.name,
            file.read_text(encoding="utf-8-sig"),
            mapping.read_text(encoding="utf-8-sig") if mapping else None,
        )
        return {**report.__dict__, "import_id": str(report.import_id)}

    try:
        # A running platform's database (or DATABASE_URL): its layers relay publishes the
        # record.accepted events this import writes to the outbox.
        typer.echo(json.dumps(in_transaction(ctx, work, embedded=False, upgrade=False), indent=2))
    except FileProblem as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
