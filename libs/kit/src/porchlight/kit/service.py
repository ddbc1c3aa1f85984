"""What a service declares about itself, and how the kit finds services.

Each service distribution registers a ``ServiceSpec`` under the entry-point group
``porchlight.services``; the CLI and the standalone runner load them by name, so nothing in the
kit imports a service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic_settings import BaseSettings

from porchlight.events import ConsumerSpec, Event, Inbox, Outbox
from porchlight.kit.audit import AuditPolicy

if TYPE_CHECKING:
    import typer

#: A start-up hook: given the service's ``ServiceRuntime`` (engine, sessions, settings,
#: resources) once the engine, producer and relay are up and before the consumers start, so what
#: it ``provide``s is there for the first event. (``Any``, not the class: runtime.py imports this
#: module, and the import graph stays a tree.)
StartupHook = Callable[[Any], Any]

ENTRY_POINT_GROUP = "porchlight.services"


@dataclass
class ServiceSpec:
    """One service: its name, schema, outbox, HTTP routes, consumers, migrations and commands."""

    name: str
    title: str
    default_port: int
    metadata: sa.MetaData
    #: Built next to the metadata in the service's ``db.py`` (its tables are on that metadata).
    outbox: Outbox
    migrations_dir: Path
    routers: Sequence[APIRouter] = ()
    consumers: Sequence[ConsumerSpec] = ()
    produces: Sequence[type[Event]] = ()
    #: The service's own settings class (pydantic-settings, with its env prefix): read once when
    #: the service starts, provided to routes and handlers by type (``kit.app.Provided``).
    settings: type[BaseSettings] | None = None
    #: Command groups the service adds to ``porchlight`` (e.g. ``porchlight places``); their
    #: commands find this spec as ``ctx.obj`` (``kit.commands``).
    commands: Mapping[str, typer.Typer] = field(default_factory=dict)
    #: Start-up work (seed data, a model, a background loop); see ``StartupHook``.
    on_startup: Sequence[StartupHook] = ()
    #: Path of a web UI for people (``porchlight run`` prints "open ... in a browser" for it).
    web_ui: str | None = None
    #: An audit trail (``kit.audit``): every change and the reads the policy names are recorded
    #: in the service's ``audit`` table (a migration creates it: ``kit.audittrail.create_audit_table``).
    audit: AuditPolicy | None = None
    inbox: Inbox = field(init=False)

    def __post_init__(self) -> None:
        if self.metadata.schema != self.schema:
            raise ValueError(f"{self.name}: metadata schema must be {self.schema!r}")
        if self.outbox.table.metadata is not self.metadata:
            raise ValueError(f"{self.name}: the outbox must be built on the service's metadata")
        self.inbox = Inbox(self.metadata)

    @property
    def schema(self) -> str:
        return self.name

    @property
    def topics(self) -> list[str]:
        """Every topic this service writes or reads, dead-letter topics included."""
        names = {cls.TOPIC for cls in self.produces}
        for c in self.consumers:
            names.update(c.topics)
            names.update(c.dlq_topics)
        return sorted(names)


def discover_services() -> dict[str, ServiceSpec]:
    """Every installed service, by name, in a stable order."""
    found: dict[str, ServiceSpec] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        spec = ep.load()
        if not isinstance(spec, ServiceSpec):
            raise TypeError(f"entry point {ep.name} is not a ServiceSpec")
        found[spec.name] = spec
    return found


def get_service(name: str) -> ServiceSpec:
    services = discover_services()
    if name not in services:
        raise KeyError(f"unknown service {name!r}; installed: {', '.join(services) or 'none'}")
    return services[name]
