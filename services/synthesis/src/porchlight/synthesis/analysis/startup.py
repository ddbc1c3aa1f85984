"""Start-up: the analyzer is provided (the consumer wakes it) and, with consumers, started.

Loading the model takes seconds (weights verified, prototypes embedded), so it is done in the
background by the analyzer: the HTTP side and the consumer work at once; notes received meanwhile
wait, pending, for the model. Runs after learning/startup.py, which provides the model holder.
"""

from __future__ import annotations

import asyncio
import logging

from porchlight.kit.runtime import ServiceRuntime
from porchlight.synthesis.analysis.worker import Analyzer
from porchlight.synthesis.learning.service import ModelHolder
from porchlight.synthesis.settings import SynthesisSettings

log = logging.getLogger(__name__)


def start_analyzer(runtime: ServiceRuntime) -> None:
    holder = runtime.resource(ModelHolder)
    settings = runtime.resource(SynthesisSettings)
    analyzer = runtime.provide(
        Analyzer(holder, loops=settings.analyzers, tracer=runtime.tracer, adapt_from=settings.adapt_from)
    )

    if not runtime.run_consumers:
        return  # an app without background work (tests of the HTTP side) analyzes nothing

    # The analyzer returns when the runtime stops rather than waiting to be cancelled.
    stopping = runtime.stopping.is_set

    async def warm() -> None:
        try:
            async with runtime.sessions() as session, session.begin():
                await holder.current(session)
        except Exception as exc:  # the analyzer loads it again; it will say what is wrong
            log.warning("model warm-up failed (%s)", type(exc).__name__)

    async def analyze() -> None:
        loading = asyncio.create_task(warm())
        while not loading.done():  # a shutdown during the first load does not wait for it
            if stopping():
                loading.cancel()
                return
            await asyncio.wait({loading}, timeout=0.1)
        await analyzer.run(runtime.sessions, stopping)

    # One of the runtime's background tasks: stopped (bounded) with the consumers on shutdown,
    # and its death fails /healthz like theirs.
    runtime.spawn(analyze(), "analyzer")
