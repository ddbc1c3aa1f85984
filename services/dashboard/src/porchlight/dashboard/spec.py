"""Dashboard as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.dashboard.activity import models as _models  # noqa: F401  (tables on the metadata)
from porchlight.dashboard.activity.handlers import on_notes_submitted
from porchlight.dashboard.activity.routes import router as activity_router
from porchlight.dashboard.db import metadata
from porchlight.events import ConsumerSpec, NoteSubmitted
from porchlight.kit.service import ServiceSpec

spec = ServiceSpec(
    name="dashboard",
    title="dashboard",
    default_port=8000,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[activity_router],
    consumers=[ConsumerSpec(group="porchlight.dashboard", batch_handlers={NoteSubmitted: on_notes_submitted})],
)
