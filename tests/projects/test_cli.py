"""``porchlight projects remind`` (run daily by cron) and ``seed-demo`` against the real database."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from projects.helpers import execute, outbox_events
from typer.testing import CliRunner

from porchlight.kit.cli import app
from porchlight.kit.settings import KitSettings
from porchlight.projects.spec import spec
from porchlight.projects.work.commands import projects_app


@pytest.fixture
def cli_env(settings: KitSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.require_database_url())
    monkeypatch.setenv("KAFKA_BOOTSTRAP", settings.require_kafka_bootstrap())
    monkeypatch.setenv("PORCHLIGHT_DATA_DIR", str(settings.data_dir))


def test_seed_demo_then_remind_from_the_command_line(settings: KitSettings, cli_env: None) -> None:
    district = f"CLI-{uuid.uuid4().hex[:6]}"
    runner = CliRunner()
    r = runner.invoke(projects_app, ["seed-demo", district], obj=spec)
    assert r.exit_code == 0, r.output
    assert "1 priority created" in r.output
    assert "0 priorities created" in runner.invoke(projects_app, ["seed-demo", district], obj=spec).output
    # The demo's projects are fresh: nothing is overdue or stalled yet.
    r = runner.invoke(projects_app, ["remind", "--district", district], obj=spec)
    assert r.exit_code == 0 and "0 reminder(s) queued" in r.output


def test_remind_sends_one_event_per_late_project(settings: KitSettings, cli_env: None) -> None:
    # A plain test: the command runs its own event loop.
    district = f"CLI-{uuid.uuid4().hex[:6]}"
    runner = CliRunner()
    assert runner.invoke(projects_app, ["seed-demo", district], obj=spec).exit_code == 0
    asyncio.run(
        execute(
            settings,
            "UPDATE projects.projects SET due_on = current_date - 1, starts_on = current_date - 9 "
            "WHERE district = :d AND place = 'Elm Park, north entrance'",
            d=district,
        )
    )
    r = runner.invoke(projects_app, ["remind", "--district", district], obj=spec)
    assert r.exit_code == 0 and "1 reminder(s) queued" in r.output, r.output
    assert "overdue  parks" in r.output
    [event] = asyncio.run(outbox_events(settings, "project.reminded.v1", district=district))
    assert event["reason"] == "overdue" and event["reminded_by"] == "porchlight-projects-remind"


def test_the_group_is_on_the_porchlight_command() -> None:
    from porchlight.kit.cli import _add_service_clis

    _add_service_clis()
    r = CliRunner().invoke(app, ["projects", "--help"])
    assert r.exit_code == 0 and "remind" in r.output and "seed-demo" in r.output
