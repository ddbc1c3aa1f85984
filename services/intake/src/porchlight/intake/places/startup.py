"""Places at intake's start: a standalone install starts with the demo city on its map."""

from __future__ import annotations

import logging

from porchlight.intake.places.service import load_demo_city
from porchlight.kit.runtime import ServiceRuntime

log = logging.getLogger(__name__)


async def load_demo_city_on_startup(runtime: ServiceRuntime) -> None:
    """Intake's startup hook: a standalone install starts with the demo city on its map."""
    if runtime.settings.mode != "standalone":
        return
    async with runtime.sessions() as session, session.begin():
        report = await load_demo_city(session)
    if report is not None:
        log.info("demo city loaded: %s districts, %s neighborhoods", report.districts, report.neighborhoods)
