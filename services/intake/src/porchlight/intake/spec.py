"""Intake as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.events import ContactLogged, NoteSubmitted
from porchlight.intake.contacts import models as _contacts_models  # noqa: F401  (tables on the metadata)
from porchlight.intake.contacts.routes import router as contacts_router
from porchlight.intake.contacts.startup import provide_contact_desk
from porchlight.intake.db import metadata, outbox
from porchlight.intake.imports import models as _imports_models  # noqa: F401  (tables on the metadata)
from porchlight.intake.imports.commands import import_app
from porchlight.intake.imports.routes import router as imports_router
from porchlight.intake.imports.startup import resume_imports_on_startup
from porchlight.intake.meetings import models as _meetings_models  # noqa: F401  (tables on the metadata)
from porchlight.intake.meetings.routes import router as meetings_router
from porchlight.intake.notes import models as _models  # noqa: F401  (tables on the metadata)
from porchlight.intake.notes.routes import router as notes_router
from porchlight.intake.notes.service import PRODUCES as NOTES_EVENTS
from porchlight.intake.places import models as _places_models  # noqa: F401  (tables on the metadata)
from porchlight.intake.places.commands import places_app
from porchlight.intake.places.routes import router as places_router
from porchlight.intake.places.startup import load_demo_city_on_startup
from porchlight.intake.privacy.logging import install_log_redaction
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.service import ServiceSpec

spec = ServiceSpec(
    name="intake",
    title="intake",
    default_port=8001,
    metadata=metadata,
    outbox=outbox,
    migrations_dir=Path(__file__).parent / "migrations",
    # Contacts first: the router tries routers in this order, and POST /v1/contacts is the
    # route an officer's phone calls most (docs/benchmarks.md, "Intake: contacts").
    routers=[contacts_router, notes_router, places_router, meetings_router, imports_router],
    produces=[NoteSubmitted, ContactLogged, *NOTES_EVENTS],
    settings=IntakeSettings,
    commands={"places": places_app, "import": import_app},
    # The desk before anything that could take a contact; the demo city before imports resume.
    on_startup=[install_log_redaction, provide_contact_desk, load_demo_city_on_startup, resume_imports_on_startup],
)
