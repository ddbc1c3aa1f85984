"""Start-up: the newsletter composer."""

from __future__ import annotations

from porchlight.dashboard.newsletters.worker import NewsletterComposer
from porchlight.dashboard.settings import DashboardSettings
from porchlight.kit.runtime import ServiceRuntime


def start_newsletters(runtime: ServiceRuntime) -> None:
    composer = runtime.provide(NewsletterComposer(runtime.sessions, lambda: runtime.resource(DashboardSettings)))
    if runtime.run_consumers:
        runtime.spawn(composer.run(runtime.stopping), "newsletters")
