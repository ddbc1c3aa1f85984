"""HTTP: emerging clusters of a place and period, and promoting one to a topic."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.synthesis.corrections.access import own_district
from porchlight.synthesis.emerging.schemas import EmergingOut, PromoteIn, PromoteOut
from porchlight.synthesis.emerging.service import promote
from porchlight.synthesis.insights.routes import ScopeParams
from porchlight.synthesis.insights.service import cluster_out, emerging_clusters, period_out
from porchlight.synthesis.model.live import version_tag

router = APIRouter(prefix="/v1/emerging", tags=["emerging"])
READERS = [Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]


@router.get("", response_model=EmergingOut, dependencies=READERS)
async def list_emerging_clusters(session: Session, scope: ScopeParams) -> EmergingOut:
    """Candidate topics: clusters of the concerns no topic fits, named by their distinctive words."""
    clusters = await emerging_clusters(session, scope.place, scope.period)
    return EmergingOut(period=period_out(scope.period), clusters=[cluster_out(c) for c in clusters])


@router.post("/promote", response_model=PromoteOut, status_code=201)
async def promote_emerging_cluster(
    session: Session, body: PromoteIn, who: Annotated[Principal, Depends(Allow(Role.supervisor))]
) -> PromoteOut:
    """Make a cluster a topic of the taxonomy; its statements become the topic's examples.

    The topic is city-wide (one taxonomy); a supervisor whose token names a district promotes
    clusters of that district's concerns only (403 when one is from elsewhere)."""
    row, taxonomy, relabelled = await promote(
        session,
        name=body.name,
        label=body.label,
        description=body.description,
        concern_ids=body.concern_ids,
        by=who.subject,
        only_district=own_district(who),
    )
    return PromoteOut(
        topic=body.name,
        taxonomy_version=taxonomy.version,
        model_version=version_tag(row.version, taxonomy),
        relabelled=sorted(relabelled),
    )
