"""Start-up: the webhook sender, provided (the handler wakes it) and started."""

from __future__ import annotations

from porchlight.dashboard.settings import DashboardSettings
from porchlight.dashboard.webhooks.worker import WebhookSender
from porchlight.kit.runtime import ServiceRuntime


def start_webhooks(runtime: ServiceRuntime) -> None:
    sender = runtime.provide(WebhookSender(runtime.sessions, lambda: runtime.resource(DashboardSettings)))
    if runtime.run_consumers:  # a command or a test without background work sends on demand
        runtime.spawn(sender.run(runtime.stopping), "webhooks")
