"""``porchlight places``: load the city's places from a GeoJSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

places_app = typer.Typer(help="The city's districts and neighborhoods.", no_args_is_help=True)


@places_app.command("load")
def load(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A GeoJSON FeatureCollection")
    ],
) -> None:
    """Replace the city's places with the file's, all at once (nothing changes if any is bad)."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from porchlight.intake.places.service import load_geojson
    from porchlight.kit.commands import in_transaction
    from porchlight.kit.errors import ValidationProblem

    try:
        collection = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        typer.echo(f"{file}: not JSON ({exc})", err=True)
        raise typer.Exit(1) from exc

    async def work(session: AsyncSession) -> Any:
        return await load_geojson(session, collection, field="")

    # A database already known (DATABASE_URL, or a running `porchlight run`) needs nothing
    # started; otherwise the embedded servers start for the load, as `porchlight migrate` does.
    try:
        report = in_transaction(ctx, work)
    except ValidationProblem as exc:  # the transaction rolled back: nothing changed
        problems = exc.errors or []
        for e in problems:
            typer.echo(f"{e['field']}: {e['message']}", err=True)
        typer.echo(f"{file}: {len(problems)} problem(s); nothing was changed", err=True)
        raise typer.Exit(1) from None
    typer.echo(report.model_dump_json(indent=2))
