"""`porchlight run` as a subprocess, for the tests that kill its parts (issue 16).

``Run`` starts one ``porchlight run`` on its own data directory and ports (its output in a
file), finds the broker and postmaster it runs, mints tokens and reads the counts synthesis and
the dashboard show. ``postgres_family`` and ``alive`` find what a run left behind.
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

from porchlight.kit.auth import mint_token
from porchlight.kit.settings import KitSettings

SERVICES = ("dashboard", "intake", "synthesis", "projects", "layers")
DISTRICT = "D4"  # the demo city's South End: a fresh install holds no other note


class Run:
    """One `porchlight run` on a data directory, its output in a file."""

    def __init__(self, tmp_path: Path, data_dir: Path, ports: dict[str, int], broker_port: int, name: str) -> None:
        self.data_dir, self.ports, self.broker_port = data_dir, ports, broker_port
        self.env = dict(os.environ, PORCHLIGHT_DATA_DIR=str(data_dir))
        self.env.pop("PORCHLIGHT_LOG_FORMAT", None)  # the terminal an operator gets
        for key in ("DATABASE_URL", "KAFKA_BOOTSTRAP"):
            self.env.pop(key, None)
        self.env.update({f"PORCHLIGHT_{n.upper()}_PORT": str(p) for n, p in ports.items()})
        self.out_path = tmp_path / f"{name}.out"
        with open(self.out_path, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "porchlight.kit", "run", "--broker-port", str(broker_port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def output(self) -> str:
        return self.out_path.read_text()

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while "ready in" not in self.output:
            assert self.proc.poll() is None, self.output[-3000:]
            assert time.monotonic() < deadline, self.output[-3000:]
            time.sleep(0.2)

    def broker(self) -> psutil.Process:
        (tansu,) = [p for p in psutil.Process(self.proc.pid).children() if "tansu" in p.name()]
        return tansu

    def postmaster(self) -> psutil.Process:
        return psutil.Process(int((self.data_dir / "pg" / "postmaster.pid").read_text().split()[0]))

    def database_url(self) -> str:
        """The running platform's PostgreSQL (SQLAlchemy URL), as `porchlight run` wrote it down."""
        url: str = json.loads((self.data_dir / "runtime.json").read_text())["database_url"]
        return url

    def token(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "porchlight.kit", "token", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()

    def bearer(self, *roles: str, subject: str = "tester") -> dict[str, str]:
        """A bearer header signed with the run's local key, minted here: ``token`` starts a Python
        process for it, which takes a dozen seconds on a busy machine."""
        settings = KitSettings(mode="standalone", data_dir=self.data_dir)
        return {"Authorization": f"Bearer {mint_token(settings, subject=subject, roles=list(roles))}"}

    def all_ready_within(self, seconds: float) -> float:
        """Seconds until every service's /readyz says 200 (fails after ``seconds``)."""
        started = time.monotonic()
        pending = set(self.ports)
        while pending:
            for name in sorted(pending):
                try:
                    if httpx.get(f"http://127.0.0.1:{self.ports[name]}/readyz", timeout=3).status_code == 200:
                        pending.discard(name)
                except httpx.HTTPError:
                    pass
            assert time.monotonic() - started < seconds, f"not ready again: {sorted(pending)}\n{self.output[-3000:]}"
            time.sleep(0.2)
        return time.monotonic() - started

    def note_flows_through(self, expected: int, timeout: float = 60, district: str = DISTRICT) -> None:
        """Post a note (retrying while intake's database is coming back) and see synthesis and
        the dashboard count ``expected`` notes in the district."""
        liaison = self.token("--role", "liaison", "--subject", "host-9")
        supervisor = {"Authorization": f"Bearer {self.token('--role', 'supervisor')}"}
        deadline = time.monotonic() + timeout
        note = {"place": {"district": district}, "concerns": [{"text": "speeding on Elm"}], "sentiment": 2}
        while True:
            r = httpx.post(
                f"http://127.0.0.1:{self.ports['intake']}/v1/notes",
                json={**note, "attendees": 6},
                headers={"Authorization": f"Bearer {liaison}"},
                timeout=10,
            )
            if r.status_code == 201:
                break
            assert time.monotonic() < deadline, r.text
            time.sleep(0.5)
        while True:
            synth = httpx.get(
                f"http://127.0.0.1:{self.ports['synthesis']}/v1/notes/stats", headers=supervisor, timeout=10
            ).json()
            dash = httpx.get(f"http://127.0.0.1:{self.ports['dashboard']}/v1/activity", headers=supervisor, timeout=10)
            dash_n = next((d["notes"] for d in dash.json()["districts"] if d["district"] == district), 0)
            if synth["by_district"].get(district) == expected and dash_n == expected:
                return
            assert time.monotonic() < deadline, (synth, dash.json(), self.output[-3000:])
            time.sleep(0.3)

    def interrupt(self, sig: int = signal.SIGINT) -> None:
        self.proc.send_signal(sig)
        assert self.proc.wait(40) == 0, self.output[-3000:]


def alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def postgres_family(data_dir: Path) -> list[psutil.Process]:
    """Every PostgreSQL process serving ``data_dir`` (postmaster and its backends)."""
    found = []
    for p in psutil.process_iter(["name", "cmdline"]):
        try:
            if p.info["name"] == "postgres" and str(data_dir / "pg") in " ".join(p.info["cmdline"] or []):
                found.append(p)
                found.extend(p.children(recursive=True))
        except psutil.NoSuchProcess:
            pass
    return found


def end_runs(runs: list[Run]) -> None:
    """Kill what the runs started, whatever state a failed test left them in."""
    for run in runs:
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait(10)
        try:
            for p in postgres_family(run.data_dir):
                p.kill()
        except psutil.Error:
            pass
