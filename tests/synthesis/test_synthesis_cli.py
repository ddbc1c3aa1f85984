"""The synthesis command groups as ``porchlight`` mounts them: ``porchlight eval``, ``porchlight synthesis``."""

from __future__ import annotations

from typer.testing import CliRunner

from porchlight.kit import cli
from porchlight.kit.settings import KitSettings


def _porchlight() -> object:
    cli._add_service_clis()
    return cli.app


def test_eval_and_synthesis_are_top_level_groups() -> None:
    runner = CliRunner()
    app = _porchlight()
    r = runner.invoke(app, ["eval", "--help"])  # type: ignore[arg-type]
    assert r.exit_code == 0 and "--data" in r.output and "--train" in r.output
    r = runner.invoke(app, ["synthesis", "reanalyze", "--help"])  # type: ignore[arg-type]
    assert r.exit_code == 0 and "--since" in r.output


def test_reanalyze_records_a_finished_run(settings: KitSettings) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": settings.require_database_url(), "KAFKA_BOOTSTRAP": settings.require_kafka_bootstrap()}
    r = runner.invoke(_porchlight(), ["synthesis", "reanalyze", "--since", "2099-01-01"], env=env)  # type: ignore[arg-type]
    assert r.exit_code == 0, r.output
    assert "finished: 0 notes seen, 0 re-analyzed" in r.output
    r = runner.invoke(_porchlight(), ["synthesis", "reanalyze", "--since", "tomorrow"], env=env)  # type: ignore[arg-type]
    assert r.exit_code == 2
