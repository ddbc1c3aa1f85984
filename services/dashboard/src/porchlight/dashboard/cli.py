"""``porchlight dashboard``, ``porchlight report`` and ``porchlight demo`` commands."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from porchlight.kit.settings import KitSettings

dashboard_app = typer.Typer(help="Dashboard read models and crime statistics.", no_args_is_help=True)
incidents_app = typer.Typer(help="Crime incidents (CSV imports).", no_args_is_help=True)
dashboard_app.add_typer(incidents_app, name="incidents")
report_app = typer.Typer(help="Monthly community reports.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo city.", no_args_is_help=True)


def _database_settings() -> KitSettings:
    from porchlight.kit.cli import _settings

    settings = _settings()
    if not settings.database_url:
        typer.echo("no database: start `porchlight run` first, or set DATABASE_URL", err=True)
        raise typer.Exit(2)
    return settings


@dashboard_app.command("rebuild")
def rebuild_cmd(ctx: typer.Context) -> None:
    """Empty the read models and rebuild them from every event on the topics (see rebuild.py)."""
    from porchlight.dashboard.rebuild import rebuild
    from porchlight.kit.commands import service_of

    spec = service_of(ctx)
    settings = _database_settings()
    if not settings.kafka_bootstrap:
        typer.echo("no broker: start `porchlight run` first, or set KAFKA_BOOTSTRAP", err=True)
        raise typer.Exit(2)
    report = asyncio.run(rebuild(settings, spec))
    typer.echo(f"rebuilt from {report.records} events on {report.partitions} partitions in {report.seconds}s")


@incidents_app.command("import")
def incidents_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Incidents CSV")],
    mapping: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="CSV: code,nibrs_code,category")
    ] = None,
) -> None:
    """Import crime incidents; districts found by point-in-polygon. Prints the report as JSON."""
    from porchlight.dashboard.incidents.importer import MappingError, import_incidents
    from porchlight.dashboard.places import load_city
    from porchlight.kit.db import create_engine, session_factory

    settings = _database_settings()

    async def run() -> dict[str, object]:
        engine = create_engine(settings.require_database_url(), pool_size=1)
        try:
            async with session_factory(engine)() as session, session.begin():
                report = await import_incidents(
                    session,
                    load_city(),
                    file.name,
                    file.read_text(encoding="utf-8-sig"),
                    mapping.read_text(encoding="utf-8-sig") if mapping else None,
                )
                return {**report.__dict__, "import_id": str(report.import_id)}
        finally:
            await engine.dispose()

    try:
        typer.echo(json.dumps(asyncio.run(run()), indent=2))
    except MappingError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


@report_app.command("monthly")
def report_monthly(
    month: Annotated[str, typer.Option(help="YYYY-MM")],
    out: Annotated[Path, typer.Option(help="Where to write: .pdf or .html")],
    district: Annotated[str | None, typer.Option(help="A district code (default: the whole city)")] = None,
) -> None:
    """The monthly community report, as PDF or HTML (by the file's extension)."""
    from porchlight.dashboard.pages.period import Month
    from porchlight.dashboard.places import load_city
    from porchlight.dashboard.reports.data import gather
    from porchlight.dashboard.reports.html import render_html
    from porchlight.dashboard.reports.pdf import render_pdf
    from porchlight.dashboard.settings import DashboardSettings
    from porchlight.kit.db import create_engine, session_factory
    from porchlight.kit.errors import ProblemError

    settings = _database_settings()
    dsettings = DashboardSettings()

    async def run() -> None:
        engine = create_engine(settings.require_database_url(), pool_size=1)
        try:
            async with session_factory(engine)() as session:
                report = await gather(
                    session,
                    load_city(dsettings.places_file),
                    Month.parse(month, "--month"),
                    district,
                    meeting_hours=dsettings.meeting_hours,
                )
        finally:
            await engine.dispose()
        if out.suffix.lower() == ".html":
            out.write_text(render_html(report), encoding="utf-8")
        else:
            out.write_bytes(render_pdf(report))

    try:
        asyncio.run(run())
    except ProblemError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"wrote {out}")


@demo_app.command("load")
def demo_load(
    seed: Annotated[int, typer.Option(help="Random seed (the same seed gives the same quarter)")] = 7,
    scale: Annotated[float, typer.Option(help="1.0 = a realistic quarter; smaller for a quick look")] = 1.0,
) -> None:
    """Fill the demo city with a quarter through the services' own APIs (needs `porchlight run`)."""
    from porchlight.dashboard.demo.loader import Endpoints, load_demo

    settings = _database_settings()
    endpoints = Endpoints.from_runtime(settings)
    summary = asyncio.run(load_demo(settings, endpoints, seed=seed, scale=scale))
    typer.echo(json.dumps(summary, indent=2))
