"""Startup benchmark: ``porchlight run`` from a warm install to every service ready (issue 2).

    python bench/startup.py [--runs 3] [--timeout 60]

Runs the venv's ``porchlight run`` as a subprocess, ``--runs`` times in a row on ONE fresh temp
``PORCHLIGHT_DATA_DIR`` (so the first run includes initdb and the first migrations; the others
start on existing data — "warm"), every port free and chosen here (``PORCHLIGHT_<SERVICE>_PORT``,
``--broker-port``), 127.0.0.1 only. For each run it measures, from the moment the process is
spawned:

* ``ready_line_s``: until ``porchlight run`` prints its "ready in" line;
* ``healthz_s``: until every service's ``/healthz`` answers 200;
* milestones from the JSON log (PostgreSQL up, topics created, migrations done, uvicorn started);

then sends SIGINT and measures ``shutdown_s`` until the process exits, checks the exit code is 0
and that no PostgreSQL or Tansu process of this run is left (matched by data dir / broker port).
The temp directory is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

from porchlight.kit.embedded import free_port
from porchlight.kit.service import discover_services

#: (milestone, text of the first JSON log message that marks it)
MILESTONES = [
    ("postgres_up", "Now asserting server is running"),
    ("topics_created", "created topics"),
    ("first_uvicorn", "Started server process"),
]


def porchlight_bin() -> str:
    exe = Path(sys.executable).parent / "porchlight"
    return str(exe) if exe.exists() else shutil.which("porchlight") or "porchlight"


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5) as r:
            return bool(r.status == 200)
    except Exception:
        return False


def leftovers(data_dir: Path, broker_port: int) -> list[str]:
    """PostgreSQL / Tansu processes that belong to this run and still exist."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if (str(data_dir) in cmd and "postgres" in cmd) or (f"127.0.0.1:{broker_port}" in cmd and "broker" in cmd):
            found.append(f"{proc.info['pid']}: {cmd[:120]}")
    return found


def log_time(line: str) -> float | None:
    try:
        rec = json.loads(line)
        return datetime.strptime(rec["time"], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    except Exception:
        return None


def one_run(n: int, data_dir: Path, services: list[str], timeout_s: float) -> dict[str, Any]:
    ports = {name: free_port() for name in services}
    broker_port = free_port()
    env = dict(os.environ, PORCHLIGHT_DATA_DIR=str(data_dir), PORCHLIGHT_LOG_FORMAT="json")
    env.pop("DATABASE_URL", None)
    env.pop("KAFKA_BOOTSTRAP", None)
    for name, port in ports.items():
        env[f"PORCHLIGHT_{name.upper()}_PORT"] = str(port)
    log_path = data_dir.parent / f"run{n}.log"
    t0 = time.time()
    proc = subprocess.Popen(
        [porchlight_bin(), "run", "--broker-port", str(broker_port)],
        stdout=subprocess.PIPE,
        stderr=open(log_path, "wb"),  # noqa: SIM115
        env=env,
        start_new_session=True,  # our Ctrl-C is not its Ctrl-C; we send SIGINT ourselves
    )
    ready_line: dict[str, Any] = {}

    def read_stdout() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode(errors="replace").strip()
            if line.startswith("ready in") and "t" not in ready_line:
                ready_line["t"] = time.time()
                ready_line["text"] = line

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    result: dict[str, Any] = {"run": n, "kind": "first (initdb)" if n == 1 else "warm"}
    pending = set(ports)
    deadline = t0 + timeout_s
    while pending and time.time() < deadline and proc.poll() is None:
        for name in list(pending):
            if healthy(ports[name]):
                pending.discard(name)
        if pending:
            time.sleep(0.05)
    t_health = time.time()
    while "t" not in ready_line and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    if pending or "t" not in ready_line:
        result["error"] = f"not ready within {timeout_s}s (waiting for {sorted(pending)}; rc={proc.poll()})"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        result["log_tail"] = log_path.read_text(errors="replace")[-2000:]
        return result
    result["healthz_s"] = round(t_health - t0, 2)
    result["ready_line_s"] = round(ready_line["t"] - t0, 2)
    result["ready_line"] = ready_line["text"]
    # shutdown
    t1 = time.time()
    proc.send_signal(signal.SIGINT)
    try:
        rc = proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        rc = proc.wait(10)
        result["error"] = "did not stop within 30 s of SIGINT (killed)"
    result["shutdown_s"] = round(time.time() - t1, 2)
    result["exit_code"] = rc
    time.sleep(0.2)
    result["leftover_processes"] = leftovers(data_dir, broker_port)
    result["ports_closed"] = not any(healthy(p) for p in ports.values())
    # milestones from the log (the JSON log's clock is the same wall clock)
    marks: dict[str, float] = {}
    for line in log_path.read_text(errors="replace").splitlines():
        t = log_time(line)
        if t is None:
            continue
        marks.setdefault("first_log_line", t)
        for name, text in MILESTONES:
            if text in line:
                marks.setdefault(name, t)
    result["milestones_s"] = {k: round(v - t0, 2) for k, v in sorted(marks.items(), key=lambda kv: kv[1])}
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for ready, per run")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()

    services = sorted(discover_services())
    tmp = Path(tempfile.mkdtemp(prefix="pl-startup-"))
    data_dir = tmp / "data"
    results = []
    try:
        for n in range(1, args.runs + 1):
            r = one_run(n, data_dir, services, args.timeout)
            results.append(r)
            print(json.dumps({k: v for k, v in r.items() if k != "log_tail"}), flush=True)
            if "error" in r and "log_tail" in r:
                print(r["log_tail"], file=sys.stderr)
                break
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ok = [r for r in results if "error" not in r]
    print("\n== porchlight run: startup and shutdown ==")
    print(f"services: {', '.join(services)}")
    for r in results:
        if "error" in r:
            print(f"run {r['run']} ({r['kind']}): ERROR {r['error']}")
            continue
        print(
            f"run {r['run']} ({r['kind']:<14}): all /healthz 200 after {r['healthz_s']:>5.2f} s, "
            f"'ready in' line after {r['ready_line_s']:>5.2f} s ({r['ready_line']!r}); "
            f"SIGINT -> exit {r['exit_code']} in {r['shutdown_s']:.2f} s; "
            f"leftover processes: {len(r['leftover_processes'])}"
        )
    warm = [r["healthz_s"] for r in ok if r["run"] > 1]
    if warm:
        print(f"warm median: {statistics.median(warm):.2f} s to all healthy")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    clean = all(r.get("exit_code") == 0 and not r.get("leftover_processes") for r in ok)
    sys.exit(0 if ok and len(ok) == len(results) and clean else 1)


if __name__ == "__main__":
    main()
