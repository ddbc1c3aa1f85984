"""Start-up: provide the retention worker, and run it in the background unless turned off."""

from __future__ import annotations

from porchlight.intake.db import outbox
from porchlight.intake.erasure.worker import RetentionWorker
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.runtime import ServiceRuntime


async def start_retention(runtime: ServiceRuntime) -> None:
    settings = runtime.resource(IntakeSettings)
    worker = runtime.provide(RetentionWorker(runtime.sessions, outbox, settings))
    # A command or a test without background work runs it on demand (`run_once`).
    if runtime.run_consumers and settings.retention_interval_s > 0:
        runtime.spawn(worker.run(runtime.stopping), "retention")
