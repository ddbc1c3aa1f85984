"""HTTP: emerging clusters of a place and period, a promotion's preview, and promoting one to a topic."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.synthesis.corrections.access import own_district
from porchlight.synthesis.emerging.schemas import (
    EmergingOut,
    MovingConcern,
    PreviewIn,
    PreviewOut,
    PromoteIn,
    PromoteOut,
    TopicChange,
)
from porchlight.synthesis.emerging.service import Preview, confirm, preview
from porchlight.synthesis.insights.routes import Reader, Scope, ScopeParams
from porchlight.synthesis.insights.schemas import PlaceOut
from porchlight.synthesis.insights.service import cluster_out, emerging_clusters, period_out
from porchlight.synthesis.model.live import version_tag

router = APIRouter(prefix="/v1/emerging", tags=["emerging"])


@router.get("", response_model=EmergingOut)
async def list_emerging_clusters(session: Session, scope: ScopeParams, who: Reader) -> EmergingOut:
    """Candidate topics: clusters of the concerns no topic fits, named by their distinctive words.

    Their quotes (residents' words) only for a reader of the place's words (``words_withheld``)."""
    clusters = [cluster_out(c) for c in await emerging_clusters(session, scope.place, scope.period)]
    withheld = not who.reads_words_of(scope.place.district)
    if withheld:
        for c in clusters:
            c.quotes = []
    return EmergingOut(period=period_out(scope.period), clusters=clusters, words_withheld=withheld)


SUPERVISOR = Annotated[Principal, Depends(Allow(Role.supervisor))]


def preview_out(p: Preview, scope: Scope) -> PreviewOut:
    return PreviewOut(
        cluster_id=p.cluster_id,
        topic=p.topic,
        label=p.label,
        place=PlaceOut(district=scope.place.district, neighborhood=scope.place.neighborhood),
        period=period_out(scope.period),
        concerns=[MovingConcern.model_validate(m, from_attributes=True) for m in p.concerns],
        counts=[TopicChange.model_validate(c, from_attributes=True) for c in p.counts],
        preview=p.token,
    )


@router.post(
    "/preview",
    response_model=PreviewOut,
    responses={409: {"description": "The cluster is no longer among the place's emerging topics: list them again"}},
)
async def preview_promotion(session: Session, scope: ScopeParams, body: PreviewIn, who: SUPERVISOR) -> PreviewOut:
    """What making a cluster of this place and period a topic would do, written nowhere: the
    concerns it moves (their words, date and neighbourhood) and each changed topic's notes and
    concerns before and after. Confirm with ``POST /v1/emerging/promote`` and the ``preview`` token.
    A supervisor whose token names a district previews that district's clusters only (403)."""
    p = await preview(
        session,
        scope.place,
        scope.period,
        cluster_id=body.cluster_id,
        label=body.label,
        name=body.name,
        description=body.description,
        only_district=own_district(who),
    )
    return preview_out(p, scope)


@router.post(
    "/promote",
    response_model=PromoteOut,
    status_code=201,
    responses={409: {"description": "The preview no longer holds (the cluster or the topics changed): preview again"}},
)
async def promote_emerging_cluster(
    session: Session, scope: ScopeParams, body: PromoteIn, who: SUPERVISOR
) -> PromoteOut:
    """Make a previewed cluster a topic of the taxonomy: exactly the concerns the preview listed
    move to it, and its statements become the topic's examples. 409 when the preview no longer
    holds (the cluster or the topics changed since): preview again.

    The topic is city-wide (one taxonomy); a supervisor whose token names a district promotes
    clusters of that district's concerns only (403 when one is from elsewhere)."""
    row, taxonomy, done = await confirm(
        session,
        scope.place,
        scope.period,
        cluster_id=body.cluster_id,
        label=body.label,
        name=body.name,
        description=body.description,
        token=body.preview,
        by=who.subject,
        only_district=own_district(who),
    )
    return PromoteOut(
        topic=done.topic,
        label=done.label,
        taxonomy_version=taxonomy.version,
        model_version=version_tag(row.version, taxonomy),
        relabelled=sorted(m.concern_id for m in done.concerns),
    )
