"""Synthesis as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.events import ConsumerSpec, NoteSubmitted
from porchlight.kit.service import ServiceSpec
from porchlight.synthesis.db import metadata
from porchlight.synthesis.notes import models as _models  # noqa: F401  (tables on the metadata)
from porchlight.synthesis.notes.handlers import on_note_submitted
from porchlight.synthesis.notes.routes import router as notes_router

spec = ServiceSpec(
    name="synthesis",
    title="synthesis",
    default_port=8002,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[notes_router],
    consumers=[ConsumerSpec(group="porchlight.synthesis", handlers={NoteSubmitted: on_note_submitted})],
)
