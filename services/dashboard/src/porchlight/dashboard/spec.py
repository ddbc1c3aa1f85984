"""Dashboard as the kit sees it (registered under the ``porchlight.services`` entry point)."""

from pathlib import Path

from porchlight.dashboard.activity import models as _models  # noqa: F401  (tables on the metadata)
from porchlight.dashboard.activity.routes import router as activity_router
from porchlight.dashboard.branding import models as _branding_tables  # noqa: F401  (tables on the metadata)
from porchlight.dashboard.branding.routes import router as branding_router
from porchlight.dashboard.chain.routes import router as chain_router
from porchlight.dashboard.contacts.handlers import router as contacts_events
from porchlight.dashboard.db import metadata, outbox
from porchlight.dashboard.demo.commands import demo_app
from porchlight.dashboard.demo.startup import load_demo_when_empty
from porchlight.dashboard.erasure.handlers import router as erasure_events
from porchlight.dashboard.flagged import models as _flagged_tables  # noqa: F401  (tables on the metadata)
from porchlight.dashboard.flagged.handlers import router as flagged_events
from porchlight.dashboard.flagged.routes import router as flagged_router
from porchlight.dashboard.incidents import models as _incident_tables  # noqa: F401  (tables on the metadata)
from porchlight.dashboard.incidents.handlers import router as incidents_events
from porchlight.dashboard.incidents.routes import router as incidents_router
from porchlight.dashboard.insights.handlers import router as insights_events
from porchlight.dashboard.listening import models as _reach_tables  # noqa: F401  (tables on the metadata)
from porchlight.dashboard.listening.routes import router as listening_router
from porchlight.dashboard.meetings.handlers import router as meetings_events
from porchlight.dashboard.newsletters import models as _newsletter_tables  # noqa: F401  (tables on the metadata)
from porchlight.dashboard.newsletters.routes import router as newsletters_router
from porchlight.dashboard.newsletters.startup import start_newsletters
from porchlight.dashboard.notes.handlers import router as notes_events
from porchlight.dashboard.pages.routes import router as pages_router
from porchlight.dashboard.photos import models as _photo_tables  # noqa: F401  (tables on the metadata)
from porchlight.dashboard.photos.routes import router as photos_router
from porchlight.dashboard.privacy.routes import router as privacy_router
from porchlight.dashboard.projections import models as _tables  # noqa: F401  (tables on the metadata)
from porchlight.dashboard.projections.commands import dashboard_app
from porchlight.dashboard.public.routes import router as public_router
from porchlight.dashboard.public.startup import provide_page_cache
from porchlight.dashboard.reports.commands import report_app
from porchlight.dashboard.reports.routes import router as reports_router
from porchlight.dashboard.settings import DashboardSettings
from porchlight.dashboard.sources.routes import router as sources_router
from porchlight.dashboard.web import router as web_router
from porchlight.dashboard.web.startup import provide_upstreams
from porchlight.dashboard.webhooks import models as _webhook_tables  # noqa: F401  (tables on the metadata)
from porchlight.dashboard.webhooks.routes import router as webhooks_router
from porchlight.dashboard.webhooks.startup import start_webhooks
from porchlight.dashboard.work.handlers import router as work_events
from porchlight.events import ConsumerSpec, NewsletterRequested
from porchlight.kit.audit import Action, AuditPolicy
from porchlight.kit.service import ServiceSpec

spec = ServiceSpec(
    name="dashboard",
    title="dashboard",
    default_port=8000,
    metadata=metadata,
    outbox=outbox,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[
        activity_router,
        pages_router,
        listening_router,
        sources_router,
        chain_router,
        flagged_router,
        incidents_router,
        reports_router,
        privacy_router,
        branding_router,
        photos_router,
        webhooks_router,
        newsletters_router,
        public_router,
        web_router,
    ],
    consumers=[
        ConsumerSpec(
            group="porchlight.dashboard",
            routers=[
                notes_events,
                meetings_events,
                contacts_events,
                insights_events,
                work_events,
                incidents_events,
                flagged_events,
                erasure_events,
            ],
        )
    ],
    # Newsletters composed here for intake to mail (newsletters/; ADR 0017).
    produces=[NewsletterRequested],
    commands={"dashboard": dashboard_app, "report": report_app, "demo": demo_app},
    settings=DashboardSettings,
    on_startup=[provide_upstreams, provide_page_cache, start_webhooks, start_newsletters, load_demo_when_empty],
    web_ui="/",
    # Every change is recorded; these reads too: they answer with residents' (redacted) words or
    # the notes behind a figure.
    audit=AuditPolicy(
        reads={
            "GET /v1/notes/sources": Action.read,
            "GET /v1/districts/{code}/concerns.geojson": Action.read,
            "GET /v1/districts/{code}/page": Action.read,
            "GET /v1/reports/monthly": Action.export,
            "GET /v1/chain/notes/{note_id}": Action.read,
            "GET /v1/chain/priorities/{priority_id}": Action.read,
            "GET /v1/chain/projects/{project_id}": Action.read,
            "GET /v1/chain/updates/{update_id}": Action.read,
        },
        forwards=("/api/",),  # the web UI's proxy: the service it forwards to records the request
        not_changes=frozenset({"POST /web/demo-token", "POST /web/oidc/token"}),  # sign-ins store nothing
    ),
)
