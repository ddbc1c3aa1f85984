"""Intake as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.events import NoteSubmitted
from porchlight.intake.db import metadata
from porchlight.intake.notes import models as _models  # noqa: F401  (tables on the metadata)
from porchlight.intake.notes.routes import router as notes_router
from porchlight.kit.service import ServiceSpec

spec = ServiceSpec(
    name="intake",
    title="intake",
    default_port=8001,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[notes_router],
    produces=[NoteSubmitted],
)
