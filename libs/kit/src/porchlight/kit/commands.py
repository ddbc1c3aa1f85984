"""What a service's commands share: their spec, the infrastructure, an engine, a transaction.

Every command that touches a service's database walks the same steps — settings (and the
running ``porchlight run``'s addresses), the embedded servers when nothing is configured,
an engine, migrations, a session, the engine disposed, the servers stopped — written once here::

    @places_app.command("load")
    def load(ctx: typer.Context, file: Path) -> None:
        report = in_transaction(ctx, lambda session: load_geojson(session, ...))

The group's commands get their service's ``ServiceSpec`` as ``ctx.obj``: the CLI hands it in when
it adds the group (kit/cli.py), so no command imports its own ``spec`` module.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.migrations import migrate
from porchlight.kit.service import ServiceSpec
from porchlight.kit.settings import KitSettings

T = TypeVar("T")


def service_of(ctx: typer.Context) -> ServiceSpec:
    """The spec of the service whose command is running (``ctx.obj``, set by the CLI)."""
    spec = ctx.find_object(ServiceSpec)
    if spec is None:
        raise RuntimeError("this command runs under `porchlight`, which hands it its service")
    return spec


def command_settings() -> KitSettings:
    """The environment's settings, with a running ``porchlight run``'s addresses filled in."""
    from porchlight.kit.standalone import load_runtime_env

    return load_runtime_env(KitSettings())


def require_running(settings: KitSettings, *, broker: bool = False) -> KitSettings:
    """Exit with a clear message (status 2) when the database (or broker) is not known."""
    if not settings.database_url:
        typer.echo("no database: start `porchlight run` first, or set DATABASE_URL", err=True)
        raise typer.Exit(2)
    if broker and not settings.kafka_bootstrap:
        typer.echo("no broker: start `porchlight run` first, or set KAFKA_BOOTSTRAP", err=True)
        raise typer.Exit(2)
    return settings


@contextmanager
def infrastructure(settings: KitSettings | None = None) -> Iterator[KitSettings]:
    """The settings with a database: the one configured (``DATABASE_URL`` or a running
    ``porchlight run``), else the embedded servers, started for the command and stopped after."""
    from porchlight.kit.standalone import Infrastructure

    settings = settings or command_settings()
    if settings.database_url:
        yield settings
        return
    infra = Infrastructure(settings)
    try:
        yield infra.start()
    finally:
        infra.stop()


@asynccontextmanager
async def database(
    spec: ServiceSpec, settings: KitSettings, *, upgrade: bool = True, pool_size: int = 2
) -> AsyncIterator[tuple[AsyncEngine, async_sessionmaker[AsyncSession]]]:
    """An engine on the service's database (schema migrated unless ``upgrade=False``), disposed after."""
    engine = create_engine(
        settings.require_database_url(), pool_size=pool_size, application_name=f"porchlight-{spec.name}-cli"
    )
    try:
        if upgrade:  # a fresh embedded database has no tables yet; a no-op otherwise
            await migrate(engine, spec)
        yield engine, session_factory(engine)
    finally:
        await engine.dispose()


def in_transaction(
    ctx: typer.Context, work: Callable[[AsyncSession], Awaitable[T]], *, embedded: bool = True, upgrade: bool = True
) -> T:
    """Run ``work`` in one transaction on the service's database and return what it returns.

    With ``embedded`` the embedded servers start when no database is configured; without, the
    command exits with a clear message instead.
    """
    spec = service_of(ctx)

    async def run(settings: KitSettings) -> T:
        async with database(spec, settings, upgrade=upgrade, pool_size=1) as (_, sessions):  # noqa: SIM117
            async with sessions() as session, session.begin():  # the factory exists only inside
                return await work(session)

    if not embedded:
        return asyncio.run(run(require_running(command_settings())))
    with infrastructure() as settings:
        return asyncio.run(run(settings))
