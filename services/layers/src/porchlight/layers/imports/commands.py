"""``porchlight layers import FILE [--mapping M] [--dry-run]``: a department's CSV, GeoJSON or XLSX file.

The command joins the ``layers`` group that incidents/commands.py opens (one group per service);
spec.py imports this module so that it is on the group.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.commands import in_transaction
from porchlight.layers.incidents.commands import layers_app


@layers_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV, GeoJSON or XLSX")],
    mapping: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="YAML: which column gives which field (imports/mappings/)"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only: the same report, nothing written")] = False,
) -> None:
    """Import a department's records from a file. Prints the report (rows, created, refused by line...) as JSON."""
    # Imported here: `porchlight --help` stays quick, and a bad place file fails this command only.
    from porchlight.layers.imports.reading import FileError, MappingError
    from porchlight.layers.imports.service import import_file, mapping_of
    from porchlight.layers.records.startup import places_of
    from porchlight.layers.settings import LayersSettings

    try:
        rules = mapping_of(mapping.read_text(encoding="utf-8-sig") if mapping else None)
    except (MappingError, UnicodeDecodeError) as exc:
        typer.echo(f"{mapping}: {exc}", err=True)
        raise typer.Exit(1) from exc
    places = places_of(LayersSettings())
    data = file.read_bytes()

    async def work(session: AsyncSession) -> dict[str, Any]:
        report = await import_file(session, places, file.name, data, rules, dry_run=dry_run)
        return report.as_dict()

    try:
        # A running platform's database (or DATABASE_URL): its layers relay publishes the
        # record.accepted events this import writes to the outbox.
        typer.echo(json.dumps(in_transaction(ctx, work, embedded=False, upgrade=False), indent=2))
    except FileError as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(1) from exc
