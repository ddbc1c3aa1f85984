"""Start-up: the mailer (it waits while no SMTP relay is set)."""

from __future__ import annotations

from porchlight.intake.settings import IntakeSettings
from porchlight.intake.subscriptions.worker import Mailer
from porchlight.kit.runtime import ServiceRuntime


def start_mailer(runtime: ServiceRuntime) -> None:
    mailer = runtime.provide(Mailer(runtime.sessions, lambda: runtime.resource(IntakeSettings)))
    if runtime.run_consumers:  # a command or a test without background work sends nothing
        runtime.spawn(mailer.run(runtime.stopping), "mailer")
