"""``porchlight demo load``: fill the demo city through the services' own APIs."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from porchlight.kit.commands import command_settings, require_running

demo_app = typer.Typer(help="The demo city.", no_args_is_help=True)


@demo_app.command("load")
def demo_load(
    seed: Annotated[int, typer.Option(help="Random seed (the same seed gives the same quarter)")] = 7,
    scale: Annotated[float, typer.Option(help="1.0 = a realistic quarter; smaller for a quick look")] = 1.0,
) -> None:
    """Fill the demo city with a quarter through the services' own APIs (needs `porchlight run`)."""
    from porchlight.dashboard.demo.service import Endpoints, load_demo

    settings = require_running(command_settings())
    endpoints = Endpoints.from_runtime(settings)
    summary = asyncio.run(load_demo(settings, endpoints, seed=seed, scale=scale))
    typer.echo(json.dumps(summary, indent=2))
