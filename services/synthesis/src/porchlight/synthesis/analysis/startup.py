"""Startup: the city's taxonomy is in the database (first start), and the model is warming up.

Loading the model takes seconds (weights verified, prototypes embedded), so it is done in the
background by the analyzer: the HTTP side and the consumer work at once; notes received meanwhile
wait, pending, for the model.
"""

from __future__ import annotations

import asyncio
import logging

from porchlight.kit.runtime import ServiceRuntime
from porchlight.synthesis.analysis.live import HOLDER, ensure_seeded
from porchlight.synthesis.analysis.worker import ANALYZER

log = logging.getLogger(__name__)


async def seed_and_warm(runtime: ServiceRuntime) -> None:
    async with runtime.sessions() as session, session.begin():
        await ensure_seeded(session)

    if not runtime.run_consumers:
        return  # an app without background work (tests of the HTTP side) analyzes nothing

    # The analyzer returns when the runtime stops rather than waiting to be cancelled.
    stopping = runtime.stopping.is_set

    async def warm() -> None:
        try:
            async with runtime.sessions() as session, session.begin():
                await HOLDER.current(session)
        except Exception as exc:  # the analyzer loads it again; it will say what is wrong
            log.warning("model warm-up failed (%s)", type(exc).__name__)

    async def analyze() -> None:
        loading = asyncio.create_task(warm())
        while not loading.done():  # a shutdown during the first load does not wait for it
            if stopping():
                loading.cancel()
                return
            await asyncio.wait({loading}, timeout=0.1)
        await ANALYZER.run(runtime.sessions, stopping)

    # One of the runtime's background tasks: stopped (bounded) with the consumers on shutdown,
    # and its death fails /healthz like theirs.
    runtime.spawn(analyze(), "analyzer")
