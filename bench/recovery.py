"""Recovery of the standalone platform (issue 16): how long until every service is ready again
after ``kill -9`` of the broker, of PostgreSQL, and of the whole ``porchlight run``; and that the
notes filed before each kill are all counted after it.

    python bench/recovery.py [--rounds N]

All on 127.0.0.1: one ``porchlight run`` (no demo city) on a temp data directory with free ports,
removed at exit (results: docs/benchmarks.md). Each round files a note and waits until synthesis
and the dashboard count it, then kills, in turn, the broker (the supervisor restarts it), the
PostgreSQL postmaster (the same), and the whole run (started again on the same data directory),
timing each from the kill to every service's ``/readyz`` 200 and checking after each that a new
note is counted with all the earlier ones (nothing lost, nothing doubled). The writes under load
and the exact ids are the fault test's (tests/e2e/test_faults.py); this measures the times.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the tests' harness

from support.standalone import SERVICES, Run, end_runs

from porchlight.kit.embedded import free_port


def _until_back(run: Run, what: str, before: int, timeout: float = 60) -> None:
    """Until the supervisor logged ``what`` back once more than ``before`` times."""
    deadline = time.monotonic() + timeout
    while sum(what in line and "is back after" in line for line in run.output.splitlines()) <= before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not back:\n{run.output[-2000:]}")
        time.sleep(0.05)


def _backs(run: Run, what: str) -> int:
    return sum(what in line and "is back after" in line for line in run.output.splitlines())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="porchlight-recovery-"))
    ports = {name: free_port() for name in SERVICES}
    broker_port = free_port()
    runs: list[Run] = []
    times: dict[str, list[float]] = {"broker": [], "postgres": [], "whole run": []}
    notes = 0
    try:
        run = Run(tmp, tmp / "data", ports, broker_port, "run-0")
        runs.append(run)
        run.wait_ready()
        run.all_ready_within(60)
        for r in range(args.rounds):
            notes += 1
            run.note_flows_through(notes)

            for part, what, process in (
                ("broker", "the embedded broker", run.broker),
                ("postgres", "embedded PostgreSQL", run.postmaster),
            ):
                before, killed = _backs(run, what), time.monotonic()
                process().kill()
                _until_back(run, what, before)
                run.all_ready_within(60)
                times[part].append(time.monotonic() - killed)
                notes += 1
                run.note_flows_through(notes)

            killed = time.monotonic()
            run.proc.kill()
            run.proc.wait(10)
            run = Run(tmp, tmp / "data", ports, broker_port, f"run-{r + 1}")
            runs.append(run)
            run.wait_ready()
            run.all_ready_within(60)
            times["whole run"].append(time.monotonic() - killed)
            notes += 1
            run.note_flows_through(notes)  # every earlier note is still counted once, with this one
    finally:
        end_runs(runs)
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        json.dumps(
            {
                "rounds": args.rounds,
                "notes_counted_once": notes,
                **{
                    f"{what}_ready_s": {
                        "median": round(statistics.median(v), 1),
                        "max": round(max(v), 1),
                        "all": [round(x, 1) for x in v],
                    }
                    for what, v in times.items()
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
