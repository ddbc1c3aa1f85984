"""Start-up hook of the board: the process's hub (one LISTEN connection) and its board cache."""

from __future__ import annotations

from porchlight.kit.db import asyncpg_dsn
from porchlight.kit.runtime import ServiceRuntime
from porchlight.projects.board.service import BoardCache
from porchlight.projects.board.worker import BoardHub


def install_board_hub(runtime: ServiceRuntime) -> None:
    """on_startup hook: the process's hub (listening on the service's database) and board cache."""
    runtime.provide(BoardHub(asyncpg_dsn(runtime.settings.require_database_url())))
    runtime.provide(BoardCache())
