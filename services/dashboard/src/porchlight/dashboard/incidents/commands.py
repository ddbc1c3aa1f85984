"""``porchlight dashboard incidents import``: a city's crime incidents from CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.commands import in_transaction

incidents_app = typer.Typer(help="Crime incidents (CSV imports).", no_args_is_help=True)


@incidents_app.command("import")
def incidents_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Incidents CSV")],
    mapping: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="CSV: code,nibrs_code,category")
    ] = None,
) -> None:
    """Import crime incidents; districts found by point-in-polygon. Prints the report as JSON."""
    from porchlight.dashboard.incidents.service import MappingError, import_incidents
    from porchlight.dashboard.settings import DashboardSettings
    from porchlight.kit.city import load_city

    async def work(session: AsyncSession) -> dict[str, object]:
        report = await import_incidents(
            session,
            load_city(DashboardSettings().places_file),
            file.name,
            file.read_text(encoding="utf-8-sig"),
            mapping.read_text(encoding="utf-8-sig") if mapping else None,
        )
        return {**report.__dict__, "import_id": str(report.import_id)}

    try:
        # A running platform's database (or DATABASE_URL), as before: no embedded servers started.
        typer.echo(json.dumps(in_transaction(ctx, work, embedded=False, upgrade=False), indent=2))
    except MappingError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
