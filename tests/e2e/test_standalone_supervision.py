"""`porchlight run` looks after what it starts (issue 16).

* The embedded broker and PostgreSQL are supervised: ``kill -9`` either, and it comes back at
  the same address, the services report ready again and a new note flows through, untouched.
* Ctrl-C stops everything it started, also the broker and PostgreSQL it restarted; so does SIGTERM.
* A ``kill -9`` of ``porchlight run`` itself leaves nothing that stops the next start.
* ``make run`` prints a short summary, not the ~700 JSON log lines of the demo load.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from support.standalone import SERVICES, Run, alive, end_runs, postgres_family

from porchlight.kit.embedded import free_port
from porchlight.kit.standalone import children_file, end_leftovers

pytestmark = pytest.mark.integration

# The harness (Run and friends) is in tests/support/standalone.py, shared with test_faults.py.


@pytest.fixture
def ports() -> dict[str, int]:
    return {name: free_port() for name in SERVICES}


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    end_runs(started)  # a failed test leaves nothing behind for the next ones


def test_a_killed_broker_and_database_come_back_and_ctrl_c_stops_them(
    tmp_path: Path, ports: dict[str, int], runs: list[Run]
) -> None:
    data = tmp_path / "data"
    run = Run(tmp_path, data, ports, free_port(), "run")
    runs.append(run)
    run.wait_ready()
    run.note_flows_through(1)

    old_broker = run.broker()
    old_broker.kill()
    took = run.all_ready_within(20)
    new_broker = run.broker()
    assert new_broker.pid != old_broker.pid
    assert "embedded broker" in run.output and "is back after" in run.output
    run.note_flows_through(2)

    old_postmaster = run.postmaster()
    old_postmaster.kill()
    took_pg = run.all_ready_within(30)
    new_postmaster = run.postmaster()
    assert new_postmaster.pid != old_postmaster.pid
    assert "embedded PostgreSQL" in run.output
    run.note_flows_through(3)
    print(f"ready again after the broker died: {took:.1f}s, after PostgreSQL died: {took_pg:.1f}s")

    spawned = [run.broker(), *postgres_family(data)]
    run.interrupt()
    assert not alive(spawned), [p.info for p in alive(spawned)]
    assert not postgres_family(data)
    assert not children_file(data).exists()


def test_a_start_after_a_killed_run_comes_up_and_stops_cleanly(
    tmp_path: Path, ports: dict[str, int], runs: list[Run]
) -> None:
    data, broker_port = tmp_path / "data", free_port()
    first = Run(tmp_path, data, ports, broker_port, "first")
    runs.append(first)
    first.wait_ready()
    first.proc.kill()  # kill -9: it stops nothing
    first.proc.wait(10)

    second = Run(tmp_path, data, ports, broker_port, "second")
    runs.append(second)
    second.wait_ready()
    assert "is taken" not in second.output
    second.note_flows_through(1)
    spawned = [second.broker(), *postgres_family(data)]
    second.interrupt(signal.SIGTERM)  # as a service manager stops it
    # The PostgreSQL the killed run left was adopted, and is stopped with the rest.
    assert not alive(spawned)
    assert not postgres_family(data)


def test_leftovers_of_a_crashed_run_are_ended_but_not_a_stranger_on_a_recycled_pid(tmp_path: Path) -> None:
    leftover = subprocess.Popen(["sleep", "300"])
    stranger = subprocess.Popen(["sleep", "300"])
    try:
        started = psutil.Process(leftover.pid).create_time()
        entries = {
            "broker": [
                {"pid": leftover.pid, "started": started},
                # The same pid number as a process of ours once had, but started at another time.
                {"pid": stranger.pid, "started": psutil.Process(stranger.pid).create_time() - 100},
            ],
            "postgres": [],
        }
        children_file(tmp_path).write_text(json.dumps(entries))
        end_leftovers(tmp_path)
        with contextlib.suppress(psutil.NoSuchProcess):  # reaped by end_leftovers' wait
            assert psutil.Process(leftover.pid).status() == psutil.STATUS_ZOMBIE
        assert stranger.poll() is None
        assert not children_file(tmp_path).exists()
    finally:
        for p in (leftover, stranger):
            p.kill()
            p.wait()


def test_make_run_prints_a_short_summary_and_keeps_the_full_logs_in_a_file(
    tmp_path: Path, ports: dict[str, int], runs: list[Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As `make run` starts it, where no XDG_RUNTIME_DIR is set (root, containers, ssh): the
    # platformdirs warning came from there.
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("PORCHLIGHT_DASHBOARD_DEMO_ON_EMPTY", "true")
    monkeypatch.setenv("PORCHLIGHT_LAYERS_DEMO_ON_EMPTY", "true")
    # 3 % of the demo quarter (~20 notes, ~540 incidents): its INFO lines alone would
    # flood the terminal the old way, and `make test` stays within its time.
    monkeypatch.setenv("PORCHLIGHT_DASHBOARD_DEMO_SCALE", "0.03")
    data = tmp_path / "data"
    run = Run(tmp_path, data, ports, free_port(), "run")
    runs.append(run)
    run.wait_ready()
    deadline = time.monotonic() + 240
    while "demo city loaded" not in run.output:
        assert run.proc.poll() is None and time.monotonic() < deadline, run.output[-3000:]
        time.sleep(0.5)
    time.sleep(3)  # what the demo's notes set off downstream
    run.interrupt()

    lines = run.output.splitlines()
    assert len(lines) <= 15, run.output
    assert not [line for line in lines if line.lstrip().startswith("{")], run.output
    assert "Warning" not in run.output, run.output
    log_file = data / "porchlight.log"
    assert f"full logs in {log_file.absolute()}" in run.output
    logged = log_file.read_text().splitlines()
    assert len(logged) > 100  # everything still logged, as JSON lines
    assert all(json.loads(line)["level"] for line in logged)


def test_a_database_starting_up_is_the_infrastructures_failure_not_the_events() -> None:
    """While a restarted PostgreSQL recovers it refuses with SQLSTATE 57P03; a consumer that took
    that for the event's fault dead-lettered good events, and synthesis' analyzer died of it."""
    from sqlalchemy.exc import DBAPIError

    from porchlight.events.consumer import is_transient

    class DriverError(Exception):
        def __init__(self, sqlstate: str) -> None:
            super().__init__("from the driver")
            self.sqlstate = sqlstate

    for state in ("57P03", "57P01", "08006"):
        assert is_transient(DBAPIError("SELECT 1", None, DriverError(state))), state
    assert not is_transient(DBAPIError("INSERT", None, DriverError("23505")))  # the event's own fault
