"""Projects as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.kit.service import ServiceSpec
from porchlight.projects.db import metadata
from porchlight.projects.priorities import models as _models  # noqa: F401  (tables on the metadata)
from porchlight.projects.priorities.routes import router as priorities_router

spec = ServiceSpec(
    name="projects",
    title="projects",
    default_port=8003,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[priorities_router],
)
