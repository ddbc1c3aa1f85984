"""Intake as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.events import ConsumerSpec, ContactLogged, NoteSubmittedV2
from porchlight.events.catalog import ContactErased, NoteErased
from porchlight.intake.contacts import models as _contacts_models  # noqa: F401  (tables on the metadata)
from porchlight.intake.contacts.routes import router as contacts_router
from porchlight.intake.contacts.startup import provide_contact_desk
from porchlight.intake.db import metadata, outbox
from porchlight.intake.erasure import models as _erasure_models  # noqa: F401  (tables on the metadata)
from porchlight.intake.erasure.commands import retention_app
from porchlight.intake.erasure.routes import router as erasure_router
from porchlight.intake.erasure.startup import start_retention
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
from porchlight.intake.privacy.ner import warm_up as load_name_model
from porchlight.intake.settings import IntakeSettings
from porchlight.intake.subscriptions import models as _subscription_models  # noqa: F401  (tables on the metadata)
from porchlight.intake.subscriptions.handlers import router as subscriptions_events
from porchlight.intake.subscriptions.routes import router as subscriptions_router
from porchlight.intake.subscriptions.startup import start_mailer
from porchlight.kit.audit import Action, AuditPolicy
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
    routers=[
        contacts_router,
        notes_router,
        places_router,
        meetings_router,
        imports_router,
        erasure_router,
        subscriptions_router,
    ],
    produces=[NoteSubmittedV2, ContactLogged, *NOTES_EVENTS, NoteErased, ContactErased],
    # Newsletters the dashboard rendered, to mail to the subscribers only intake knows (ADR 0017).
    consumers=[ConsumerSpec(group="porchlight.intake", routers=[subscriptions_events])],
    settings=IntakeSettings,
    commands={"places": places_app, "import": import_app, "retention": retention_app},
    # The desk before anything that could take a contact; the demo city before imports resume. The
    # name model (checked against its pinned hashes) before any text: a tampered one stops intake.
    on_startup=[
        install_log_redaction,
        load_name_model,
        provide_contact_desk,
        load_demo_city_on_startup,
        resume_imports_on_startup,
        start_retention,
        start_mailer,
    ],
    # Every change is recorded; these reads too: they answer with residents' words or contacts.
    audit=AuditPolicy(
        reads={
            "GET /v1/notes": Action.read,
            "GET /v1/notes/export.csv": Action.export,
            "GET /v1/notes/{note_id}": Action.read,
            "GET /v1/notes/{note_id}/revisions": Action.read,
            "GET /v1/meetings": Action.read,
            "GET /v1/meetings/{meeting_id}": Action.read,
            "GET /v1/contacts": Action.read,
            "GET /v1/contacts/export.csv": Action.export,
            "GET /v1/contacts/{contact_id}": Action.read,
            "GET /v1/imports/{import_id}": Action.read,
            "GET /v1/imports/{import_id}/errors.csv": Action.export,
        }
    ),
)
