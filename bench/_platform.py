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
