"""Start-up: seed the city's rule set from the rules file, and start the connections worker."""

from __future__ import annotations

from porchlight.kit.runtime import ServiceRuntime
from porchlight.layers.connections import service
from porchlight.layers.connections.rules import load_rules
from porchlight.layers.connections.worker import ConnectionsWorker
from porchlight.layers.settings import LayersSettings


async def start_connections(runtime: ServiceRuntime) -> None:
    settings = runtime.resource(LayersSettings)
    async with runtime.sessions() as session, session.begin():
        await service.seed_rules(session, load_rules(settings.rules_file))
    worker = runtime.provide(ConnectionsWorker(runtime.sessions, tick_s=settings.connections_tick_s))
    if runtime.run_consumers:  # a command or a test without background work evaluates on demand
        runtime.spawn(worker.run(runtime.stopping), "connections")
