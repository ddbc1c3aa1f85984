"""The README's promise, end to end: `porchlight run` on a fresh data directory.

Starts the real command (embedded PostgreSQL, embedded broker, every service), posts a note with
a token minted by `porchlight token`, sees it counted by synthesis and dashboard and printed by
`porchlight events tail`, then stops everything with Ctrl-C (SIGINT) and checks nothing is left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from porchlight.kit.embedded import free_port

pytestmark = pytest.mark.integration

SERVICES = ("dashboard", "intake", "synthesis", "projects")


def _cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "porchlight.kit", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def test_porchlight_run_serves_a_note_end_to_end_and_stops_cleanly(tmp_path: Path) -> None:
    ports = {name: free_port() for name in SERVICES}
    env = dict(os.environ, PORCHLIGHT_DATA_DIR=str(tmp_path / "data"), PORCHLIGHT_LOG_FORMAT="text")
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP"):
        env.pop(name, None)
    env.update({f"PORCHLIGHT_{name.upper()}_PORT": str(port) for name, port in ports.items()})
    out_path = tmp_path / "run.out"
    with open(out_path, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "porchlight.kit", "run", "--broker-port", str(free_port())],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while "ready in" not in out_path.read_text():
            assert proc.poll() is None, out_path.read_text()[-3000:]
            assert time.monotonic() < deadline, out_path.read_text()[-3000:]
            time.sleep(0.2)
        printed = out_path.read_text()
        for name, port in ports.items():
            assert f"http://127.0.0.1:{port}" in printed, f"{name}'s URL is printed"
        assert f"open http://127.0.0.1:{ports['dashboard']}/ in a browser" in printed
        # pg_ctl daemonizes PostgreSQL (not our child): find it by its pid file.
        postmaster = int((tmp_path / "data" / "pg" / "postmaster.pid").read_text().split()[0])
        spawned = [*_children(proc.pid), psutil.Process(postmaster)]
        assert any("tansu" in p.name() for p in spawned) and any("postgres" in p.name() for p in spawned)

        liaison = _cli("token", "--role", "liaison", "--subject", "host-9", env=env).stdout.strip()
        supervisor = _cli("token", "--role", "supervisor", env=env).stdout.strip()
        district = "D4"  # the demo city's South End: a fresh install holds no other note
        r = httpx.post(
            f"http://127.0.0.1:{ports['intake']}/v1/notes",
            json={
                "place": {"district": district},
                "concerns": [{"text": "speeding on Elm"}],
                "sentiment": 2,
                "attendees": 6,
            },
            headers={"Authorization": f"Bearer {liaison}"},
        )
        assert r.status_code == 201, r.text
        note_id = r.json()["id"]

        auth = {"Authorization": f"Bearer {supervisor}"}
        deadline = time.monotonic() + 30
        while True:
            synth = httpx.get(f"http://127.0.0.1:{ports['synthesis']}/v1/notes/stats", headers=auth).json()
            dash = httpx.get(f"http://127.0.0.1:{ports['dashboard']}/v1/activity", headers=auth).json()
            dash_n = next((d["notes"] for d in dash["districts"] if d["district"] == district), 0)
            if synth["by_district"].get(district) == 1 and dash_n == 1:
                break
            assert time.monotonic() < deadline, (synth, dash)
            time.sleep(0.2)

        # The note's own event type: `org.porchlight.note` also matches note.analyzed, on another
        # topic, and which topic's first record tail reads first is up to the broker.
        tail = _cli(
            "events", "tail", "--type", "org.porchlight.note.submitted", "--limit", "1", "--timeout", "20", env=env
        )
        line = json.loads(tail.stdout.splitlines()[0])
        assert line["type"] == "org.porchlight.note.submitted.v2"
        assert line["data"]["note_id"] == note_id

        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0, out_path.read_text()[-3000:]
        assert time.monotonic() - started < 20
        assert not [p for p in spawned if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert not (tmp_path / "data" / "runtime.json").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
