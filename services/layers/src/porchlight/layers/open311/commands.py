"""``porchlight layers pull open311 --url URL --since DATE [--map CODE=layer ...]``: a city's Open311."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.commands import in_transaction
from porchlight.layers.incidents.commands import layers_app

pull_app = typer.Typer(help="Pull records from a city's existing systems.", no_args_is_help=True)


@pull_app.callback()
def pull() -> None:
    """Pull records from a city's existing systems (``porchlight layers pull open311 ...``)."""


def _since(text: str) -> datetime:
    from porchlight.layers.open311.georeport import parse_w3c

    try:
        moment = parse_w3c(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: not a date (such as 2026-01-01)", param_hint="--since") from exc
    if moment > datetime.now(UTC):
        raise typer.BadParameter("in the future", param_hint="--since")
    return moment


@pull_app.command("open311")
def pull_open311(
    ctx: typer.Context,
    url: Annotated[str, typer.Option(help="The endpoint's base, e.g. https://city.example/open311/v2")],
    since: Annotated[str, typer.Option(help="Requests from this W3C date or datetime on, e.g. 2026-01-01")],
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="CODE=layer: the city's service_code to a layer (repeat)")
    ] = None,
    api_key: Annotated[str | None, typer.Option(help="The city's API key, if its reads need one")] = None,
    jurisdiction_id: Annotated[str | None, typer.Option(help="For endpoints serving several cities")] = None,
    page_days: Annotated[int, typer.Option(min=1, max=90, help="Days asked per call (split when full)")] = 7,
    fmt: Annotated[str, typer.Option("--format", help="json or xml")] = "json",
) -> None:
    """Pull a city's Open311 requests as records (again and again: a request stored as it is counts
    unchanged). A service_code goes to the layer of the same code unless ``--map`` says otherwise;
    the record's department is the layer's. Prints the report as JSON."""
    # Imported here: `porchlight --help` stays quick, and a bad place file fails this command only.
    import httpx

    from porchlight.layers.open311.georeport import Open311ClientError, Open311FormatError
    from porchlight.layers.open311.service import parse_mapping, pull_into
    from porchlight.layers.records.startup import places_of
    from porchlight.layers.settings import LayersSettings

    if fmt not in ("json", "xml"):
        raise typer.BadParameter("json or xml", param_hint="--format")
    start = _since(since)
    try:
        codes = parse_mapping(mapping or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--map") from exc
    places = places_of(LayersSettings())
    unknown = sorted(layer for layer in codes.values() if layer not in places.registry.layers)
    if unknown:
        raise typer.BadParameter(f"no layer {', '.join(unknown)} in the registry", param_hint="--map")

    async def work(session: AsyncSession) -> dict[str, object]:
        report = await pull_into(
            session,
            places,
            url,
            start,
            mapping=codes,
            page_days=page_days,
            api_key=api_key,
            jurisdiction_id=jurisdiction_id,
            fmt="xml" if fmt == "xml" else "json",
        )
        return report.as_dict()

    try:
        # A running platform's database: its layers relay publishes the record.accepted events.
        typer.echo(json.dumps(in_transaction(ctx, work, embedded=False, upgrade=False), indent=2, default=str))
    except (Open311ClientError, Open311FormatError, httpx.HTTPError) as exc:
        typer.echo(f"open311 pull failed: {exc}", err=True)
        raise typer.Exit(1) from exc


# `porchlight layers pull open311`: the group goes on the layers app (spec.py imports this module).
layers_app.add_typer(pull_app, name="pull")
