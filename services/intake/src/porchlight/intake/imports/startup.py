"""Imports at intake's start: jobs whose runner died with its process are taken up again."""

from __future__ import annotations

import logging

from porchlight.intake.imports.worker import resume_stale
from porchlight.kit.runtime import ServiceRuntime

log = logging.getLogger(__name__)


async def resume_imports_on_startup(runtime: ServiceRuntime) -> None:
    """Intake's startup hook: take up imports whose runner died with its process.

    Only where background work runs (``porchlight run`` / ``serve``; not a test app without it).
    A failure is logged, not raised: the imports are also taken up by the next GET or commit.
    """
    if not runtime.run_relay:
        return
    try:
        resumed = await resume_stale(runtime)
    except Exception:
        log.warning("could not look for imports to resume", exc_info=True)
        return
    if resumed:
        log.info("resumed %s import(s) whose runner was gone", resumed)
