"""The embedded platform a bench runs against: its own PostgreSQL and Tansu in a temp directory.

Shared by the benches that start one service in a child process (board.py, contacts_load.py,
import_contacts.py). Everything lives under ``Platform.tmp`` and is removed by ``stop_platform``.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Platform:
    tmp: Path
    settings: Any = None
    pg: Any = None
    broker: Any = None
    #: The service under test, started by the bench (``start_child``).
    child: subprocess.Popen[bytes] | None = None
    #: An optional profiler attached to the child.
    spy: subprocess.Popen[bytes] | None = None
    port: int = 0


def start_platform(prefix: str, specs: Sequence[Any]) -> Platform:
    """Start PostgreSQL and Tansu, and migrate ``specs`` (kit ``prepare``: topics too)."""
    from porchlight.kit.embedded import EmbeddedBroker, EmbeddedPostgres, free_port
    from porchlight.kit.settings import KitSettings
    from porchlight.kit.standalone import prepare

    p = Platform(tmp=Path(tempfile.mkdtemp(prefix=prefix)))
    p.pg = EmbeddedPostgres(p.tmp / "pg")
    p.broker = EmbeddedBroker(port=free_port(), log_path=p.tmp / "broker.log")
    url, bootstrap = p.pg.start(), p.broker.start()
    p.settings = KitSettings(
        mode="standalone",
        database_url=url,
        kafka_bootstrap=bootstrap,
        embedded_broker=True,
        data_dir=p.tmp,
        log_format="text",
        log_level="WARNING",
    )
    asyncio.run(prepare(p.settings, list(specs)))
    return p


def stop_platform(p: Platform) -> None:
    """Profiler, then the child (SIGINT: graceful, its relay drains), broker, PostgreSQL, files."""
    if p.spy is not None and p.spy.poll() is None:
        p.spy.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.spy.wait(30)
    if p.child is not None and p.child.poll() is None:
        p.child.send_signal(signal.SIGINT)
        try:
            p.child.wait(30)
        except subprocess.TimeoutExpired:
            p.child.kill()
            p.child.wait(5)
    if p.broker is not None:
        p.broker.stop()
    if p.pg is not None:
        p.pg.stop()
    shutil.rmtree(p.tmp, ignore_errors=True)


def serve_service(config_path: str) -> None:
    """In the child: one service under uvicorn, with the settings ``start_service`` wrote."""
    import json

    import uvicorn

    from porchlight.kit.app import create_app
    from porchlight.kit.logs import configure_logging
    from porchlight.kit.service import get_service
    from porchlight.kit.settings import KitSettings

    cfg = json.loads(Path(config_path).read_text())
    configure_logging("text", "WARNING")
    uvicorn.run(
        # Settled for the collector as ``porchlight serve`` does (kit.collector): without it the
        # Kafka door measured half its speed.
        create_app(get_service(cfg["service"]), KitSettings(**cfg["settings"]), freeze_heap=True),
        host="127.0.0.1",
        port=cfg["port"],
        log_config=None,
        access_log=False,
        lifespan="on",
    )


def start_service(p: Platform, service: str, script: str, env: dict[str, str] | None = None) -> None:
    """Start ``service`` in a child process (``script --serve-child CONFIG`` calls
    ``serve_service``) on a free port, and wait until its ``/readyz`` answers."""
    import json
    import os
    import sys
    import time

    import httpx

    from porchlight.kit.embedded import free_port

    p.port = free_port()
    cfg = p.tmp / "child.json"
    cfg.write_text(
        json.dumps({"service": service, "settings": json.loads(p.settings.model_dump_json()), "port": p.port})
    )
    log = p.tmp / f"{service}.log"
    p.child = subprocess.Popen(
        [sys.executable, script, "--serve-child", str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=open(log, "ab"),  # noqa: SIM115 - the child owns it
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if p.child.poll() is not None:
            raise RuntimeError(f"{service} exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{p.port}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{service} did not become ready")
