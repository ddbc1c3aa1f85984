"""HTTP: a newsletter previewed before it is approved ("the recipient count and a rendered preview
before sending"; Decidim's administrators asked for the same)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from fastapi import APIRouter

from porchlight.dashboard.newsletters.schemas import PreviewIn, PreviewOut
from porchlight.dashboard.newsletters.service import compose
from porchlight.dashboard.pages.access import check_district
from porchlight.dashboard.settings import Config
from porchlight.kit.app import Session
from porchlight.kit.auth import Supervisor
from porchlight.kit.city import load_city
from porchlight.kit.errors import ValidationProblem

router = APIRouter(prefix="/v1/newsletters", tags=["newsletters"])


@router.post("/preview", response_model=PreviewOut, responses={422: {}})
async def preview_newsletter(body: PreviewIn, session: Session, who: Supervisor, config: Config) -> PreviewOut:
    """The draft rendered in each language as its subscribers would get it (with its "you said"
    line counted from the notes now, its approved photos and the team's branding). Sends nothing."""
    check_district(who, body.district)
    city = load_city(config.places_file)
    if body.neighborhood and body.neighborhood not in {n.code for n in city.neighborhoods}:
        raise ValidationProblem(
            "Unknown neighborhood", errors=[{"field": "body.neighborhood", "message": "not a neighborhood of the city"}]
        )
    draft = SimpleNamespace(
        update_id=uuid.uuid4(),
        published_at=datetime.now(UTC),
        **body.model_dump(include={"district", "neighborhood", "kind", "title", "body", "place", "project_id"}),
        topics=list(body.topics),
        translations={lang: text.model_dump() for lang, text in body.translations.items()},
        concerns=[c.model_dump(mode="json") for c in body.concerns],
        heard_since=body.heard_since,
        quotes=[q.model_dump(mode="json") for q in body.quotes],
    )
    event = await compose(session, city, draft, config.public_base())
    if event is None:
        return PreviewOut(neighborhoods=[], editions={})
    return PreviewOut(neighborhoods=event.neighborhoods, editions=event.editions)
