"""``make run`` on an empty database: load the demo quarter in the background.

Only in standalone mode, only when ``PORCHLIGHT_DASHBOARD_DEMO_ON_EMPTY`` is true (the Makefile's
``run`` target sets it; plain ``porchlight run`` and the tests leave it off), only when
``porchlight run`` wrote its runtime file (the other services' ports), and only when the
dashboard has seen no meeting, note, contact or incident yet.
"""

from __future__ import annotations

import asyncio
import logging
import time

import sqlalchemy as sa

from porchlight.dashboard.settings import DashboardSettings
from porchlight.kit.runtime import ServiceRuntime

log = logging.getLogger(__name__)

_EMPTY = sa.text(
    "SELECT NOT EXISTS (SELECT 1 FROM dashboard.notes) AND NOT EXISTS (SELECT 1 FROM dashboard.meetings) "
    "AND NOT EXISTS (SELECT 1 FROM dashboard.contact_stats) AND NOT EXISTS (SELECT 1 FROM dashboard.incident_records)"
)


async def load_demo_when_empty(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    own = runtime.resource(DashboardSettings)
    if settings.mode != "standalone" or not own.demo_on_empty:
        return
    if not (settings.data_dir / "runtime.json").exists():
        return
    async with runtime.engine.connect() as conn:
        if not (await conn.execute(_EMPTY)).scalar():
            return

    async def load() -> None:
        from porchlight.dashboard.demo.service import Endpoints, load_demo, summary

        def progress(line: str) -> None:
            # On stdout with the start-up summary: a few lines a person reads while it loads
            # (the log file has the detail).
            print(f"demo city: {line}", flush=True)

        try:
            await asyncio.sleep(1.0)  # let every server come up first
            started = time.monotonic()
            counts = await load_demo(
                settings, Endpoints.from_runtime(settings), scale=own.demo_scale, progress=progress
            )
            log.info("demo city loaded", extra={"counts": counts})
            print(summary(counts, time.monotonic() - started), flush=True)
        except Exception as exc:  # the demo is a convenience: never take the service down
            log.warning("demo load failed (%s: %s)", type(exc).__name__, exc)

    runtime.spawn(load(), "demo-load")
