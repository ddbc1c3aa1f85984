"""HTTP: emerging clusters of a place and period, and promoting one to a topic."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.synthesis.analysis.live import version_tag
from porchlight.synthesis.insights.build import cluster_out, emerging_clusters, period_out
from porchlight.synthesis.insights.params import ScopeParams
from porchlight.synthesis.insights.schemas import EmergingCluster, PeriodOut
from porchlight.synthesis.learning.districts import own_district
from porchlight.synthesis.learning.service import promote

router = APIRouter(prefix="/v1/emerging", tags=["emerging"])
READERS = [Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]


class EmergingOut(BaseModel):
    period: PeriodOut
    clusters: list[EmergingCluster]


class PromoteIn(BaseModel):
    name: str = Field(min_length=1, max_length=63, description="The new topic's key, lower_snake_case")
    label: str = Field(default="", max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    concern_ids: list[int] = Field(min_length=1, max_length=500, description="The cluster's concern_ids")


class PromoteOut(BaseModel):
    topic: str
    taxonomy_version: int
    model_version: str
    relabelled: list[int]


@router.get("", response_model=EmergingOut, dependencies=READERS)
async def emerging(session: Session, scope: ScopeParams) -> EmergingOut:
    """Candidate topics: clusters of the concerns no topic fits, named by their distinctive words."""
    clusters = await emerging_clusters(session, scope.place, scope.period)
    return EmergingOut(period=period_out(scope.period), clusters=[cluster_out(c) for c in clusters])


@router.post("/promote", response_model=PromoteOut, status_code=201)
async def promote_cluster(
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
