"""``porchlight places``: load the city's places from a GeoJSON file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

places_app = typer.Typer(help="The city's districts and neighborhoods.", no_args_is_help=True)


@places_app.command("load")
def load(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A GeoJSON FeatureCollection")
    ],
) -> None:
    """Replace the city's places with the file's, all at once (nothing changes if any is bad)."""
    from porchlight.kit.cli import _settings
    from porchlight.kit.standalone import Infrastructure

    try:
        collection = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        typer.echo(f"{file}: not JSON ({exc})", err=True)
        raise typer.Exit(1) from exc
    settings = _settings()
    # A database already known (DATABASE_URL, or a running `porchlight run`) needs nothing
    # started; otherwise the embedded servers start for the load, as `porchlight migrate` does.
    infra = None if settings.database_url else Infrastructure(settings)
    try:
        if infra is not None:
            settings = infra.start()
        report = asyncio.run(_load(settings.require_database_url(), collection))
    finally:
        if infra is not None:
            infra.stop()
    if isinstance(report, list):
        for e in report:
            typer.echo(f"{e['field']}: {e['message']}", err=True)
        typer.echo(f"{file}: {len(report)} problem(s); nothing was changed", err=True)
        raise typer.Exit(1)
    typer.echo(report.model_dump_json(indent=2))


async def _load(url: str, collection: Any) -> Any:
    """The report, or the list of problems (the transaction then rolled back)."""
    from porchlight.intake.places.service import load_geojson
    from porchlight.intake.spec import spec
    from porchlight.kit.db import create_engine, session_factory
    from porchlight.kit.errors import ValidationProblem
    from porchlight.kit.migrations import migrate

    engine = create_engine(url, pool_size=1, application_name="porchlight-places-load")
    try:
        # A fresh embedded database has no tables yet; upgrading is a no-op otherwise.
        await migrate(engine, spec)
        async with session_factory(engine)() as session, session.begin():
            return await load_geojson(session, collection, field="")
    except ValidationProblem as exc:
        return exc.errors or []
    finally:
        await engine.dispose()
