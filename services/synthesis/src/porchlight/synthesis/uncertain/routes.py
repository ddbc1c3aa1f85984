"""HTTP: "help the model" — the concerns the model is least sure of, for a supervisor to label.

A supervisor answers each with ``PUT /v1/concerns/{concern_id}/topic`` (corrections/routes.py):
confirming the suggested topic or choosing another is the same correction, learned as a new
model version.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from porchlight.kit.app import Provided, Session, Sessions
from porchlight.kit.auth import Supervisor, words_district
from porchlight.synthesis.corrections.access import check_concern_districts, own_district
from porchlight.synthesis.insights.repository import Place
from porchlight.synthesis.insights.routes import ScopeParams
from porchlight.synthesis.insights.service import period_out
from porchlight.synthesis.learning.service import ModelHolder
from porchlight.synthesis.model.uncertainty import RULE
from porchlight.synthesis.uncertain.schemas import TopicChance, UncertainConcern, UncertainOut
from porchlight.synthesis.uncertain.service import least_sure_concerns

router = APIRouter(tags=["concerns"])
Model = Annotated[ModelHolder, Provided(ModelHolder)]


@router.get("/v1/concerns/uncertain", response_model=UncertainOut, responses={403: {}})
async def list_uncertain_concerns(
    session: Session,
    scope: ScopeParams,
    who: Supervisor,
    holder: Model,
    sessions: Sessions,
    limit: Annotated[int, Query(ge=1, le=100, description="How many concerns, least sure first")] = 20,
) -> UncertainOut:
    """The concerns of a place and period the model is least sure of (none a supervisor labeled
    yet), with their words, the topic they count under, the topics the current model weighs and
    the model version with the number of labels it learned.

    A supervisor whose token names a district gets that district's (the default; another is a 403
    naming ``query.district``); one without the claim, any district's or the whole city's.
    While the service's model is still loading (a minute after a start), the list is empty and
    ``model_loading`` is true: ask again shortly."""
    own = own_district(who)
    if scope.place.district is not None:
        check_concern_districts(own, [scope.place.district], "query.district")
    # The statements are residents' words: the same rule as every list of them (kit.auth).
    place = Place(words_district(who, scope.place.district or own), scope.place.neighborhood)
    found = await least_sure_concerns(session, holder, sessions, place, scope.period, limit)
    return UncertainOut(
        district=place.district,
        period=period_out(scope.period),
        model_version=found.model_version,
        model_version_number=found.model_version_number,
        model_loading=found.loading,
        labels_learned=found.labels_learned,
        rule=RULE,
        considered=found.considered,
        concerns=[
            UncertainConcern(
                concern_id=u.concern.id,
                note_id=u.concern.note_id,
                text=u.concern.text,
                district=u.concern.district,
                neighborhood=u.concern.neighborhood,
                occurred_at=u.concern.occurred_at,
                topic=u.concern.topic,
                topic_label=u.topic_label,
                suggested_topic=u.alternatives[0][0],
                suggested_label=u.alternatives[0][1],
                margin=u.margin,
                unsure=u.unsure,
                alternatives=[TopicChance(topic=t, label=label, probability=p) for t, label, p in u.alternatives],
            )
            for u in found.concerns
        ],
    )
