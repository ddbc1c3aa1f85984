"""Dependencies are handed in: what a service provides at start-up reaches its routes and
handlers by type; commands get their service from the CLI; one keyset cursor; one upsert."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import pytest
import sqlalchemy as sa
import typer
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from porchlight.events import Outbox
from porchlight.kit.app import Provided, create_app
from porchlight.kit.auth import Public
from porchlight.kit.commands import service_of
from porchlight.kit.db import create_engine, upsert
from porchlight.kit.paging import Cursor
from porchlight.kit.runtime import MissingResource, ServiceRuntime
from porchlight.kit.service import ServiceSpec
from porchlight.kit.settings import KitSettings


class Greeter:
    def __init__(self, word: str) -> None:
        self.word = word


def _spec(**extra: object) -> ServiceSpec:
    metadata = sa.MetaData(schema="greeter")
    return ServiceSpec(
        name="greeter",
        title="greeter",
        default_port=9999,
        metadata=metadata,
        outbox=Outbox(metadata, source="/porchlight/greeter"),
        migrations_dir=Path("."),
        **extra,  # type: ignore[arg-type]
    )


def test_the_outbox_must_be_built_on_the_services_metadata() -> None:
    metadata = sa.MetaData(schema="greeter")
    with pytest.raises(ValueError, match="outbox"):
        ServiceSpec(
            name="greeter",
            title="greeter",
            default_port=9999,
            metadata=metadata,
            outbox=Outbox(sa.MetaData(schema="greeter"), source="/x"),
            migrations_dir=Path("."),
        )


def test_resources_are_provided_by_type_and_a_missing_one_is_named() -> None:
    runtime = ServiceRuntime(_spec(), KitSettings())
    greeter = runtime.provide(Greeter("hello"))
    assert runtime.resource(Greeter) is greeter
    with pytest.raises(MissingResource, match="greeter provides no Cursor"):
        runtime.resource(Cursor)


def test_a_route_gets_what_the_runtime_provided() -> None:
    router = APIRouter()

    @router.get("/hello", dependencies=[Depends(Public("test"))])
    async def say_hello(greeter: Annotated[Greeter, Provided(Greeter)]) -> dict[str, str]:
        """Say hello."""
        return {"said": greeter.word}

    app = create_app(_spec(routers=[router]), KitSettings())
    runtime = ServiceRuntime(app.state.spec, app.state.settings)
    runtime.provide(Greeter("hello"))
    app.state.runtime = runtime  # what the lifespan does, without its servers
    client = TestClient(app)  # not as a context manager: that would run the lifespan
    assert client.get("/hello").json() == {"said": "hello"}


def test_a_command_gets_its_service_from_the_cli() -> None:
    group = typer.Typer()
    seen: list[str] = []

    @group.command("who")
    def who(ctx: typer.Context) -> None:
        seen.append(service_of(ctx).name)

    @group.command("other")
    def other() -> None: ...

    root = typer.Typer()
    root.add_typer(group, name="greeter", context_settings={"obj": _spec()})
    result = CliRunner().invoke(root, ["greeter", "who"])
    assert result.exit_code == 0, result.output
    assert seen == ["greeter"]


@pytest.mark.parametrize(
    "cursor",
    [
        Cursor(datetime(2026, 12, 5, 10, 0, tzinfo=UTC), uuid.UUID(int=7)),
        Cursor(42, 7),
        Cursor("2026-12", "abc"),
    ],
)
def test_cursors_round_trip(cursor: Cursor) -> None:
    assert Cursor.decode(cursor.encode()) == cursor


def test_cursors_issued_before_the_kit_had_them_still_decode() -> None:
    import base64
    import json

    old = base64.urlsafe_b64encode(json.dumps(["2026-12-05T10:00:00+00:00", str(uuid.UUID(int=7))]).encode())
    assert Cursor.decode(old.decode().rstrip("=")) == Cursor(datetime(2026, 12, 5, 10, 0, tzinfo=UTC), uuid.UUID(int=7))


@pytest.mark.integration
async def test_upsert_replaces_values_and_adds_counters(settings: KitSettings) -> None:
    metadata = sa.MetaData()
    name = f"upsert_{uuid.uuid4().hex[:8]}"
    table = sa.Table(
        name,
        metadata,
        sa.Column("k", sa.Text, primary_key=True),
        sa.Column("label", sa.Text),
        sa.Column("n", sa.Integer),
        sa.Column("at", sa.Integer),
    )
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            newer = lambda t, excluded: t.c.at <= excluded.at  # noqa: E731
            await conn.execute(upsert(table, {"k": "a", "label": "one", "n": 1, "at": 1}, key=["k"], add=["n"]))
            await conn.execute(upsert(table, [{"k": "a", "label": "two", "n": 2, "at": 2}], key=["k"], add=["n"]))
            await conn.execute(upsert(table, {"k": "a", "label": "old", "n": 5, "at": 0}, key=["k"], where=newer))
            row = (await conn.execute(sa.select(table))).one()
            await conn.run_sync(metadata.drop_all)
    finally:
        await engine.dispose()
    assert (row.label, row.n, row.at) == ("two", 3, 2)
