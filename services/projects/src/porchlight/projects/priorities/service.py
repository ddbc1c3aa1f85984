"""Rules for priorities: a place is required, concerns are picked by topic and place.

A priority holds no figure and no resident's word of its own: its concerns are a selection (topic,
place, from ``heard_since``) and its quotes references to notes' concerns. Wherever they are shown,
the counts are computed from the notes and the words read from them, so they are never typed, never
stale and an erased note's words go with it.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox, PriorityCreated
from porchlight.events.catalog import ConcernRef, ConcernSelection
from porchlight.kit.auth import Principal
from porchlight.kit.errors import NotFound
from porchlight.projects.districts.scope import check_district
from porchlight.projects.priorities.models import Priority
from porchlight.projects.priorities.repository import PriorityRepository
from porchlight.projects.priorities.schemas import ConcernLink, PriorityIn, PriorityPatch, quarter_before


async def create_priority(session: AsyncSession, outbox: Outbox, body: PriorityIn, who: Principal) -> Priority:
    check_district(who, body.district, "the priority", "body.district")
    # A concern without a place is the priority's place; its topic is one of the priority's.
    concerns = []
    # Topics picked without a place are concerns of the priority's place.
    picked = body.concerns or [ConcernLink(topic=t) for t in body.topics]
    for c in picked:
        link = c.model_dump(exclude_none=True)
        link.setdefault("district", body.district)
        if body.neighborhood and "neighborhood" not in link and link["district"] == body.district:
            link["neighborhood"] = body.neighborhood
        concerns.append(link)
    topics = list(dict.fromkeys([*body.topics, *(c.topic for c in body.concerns)]))
    heard_since = body.heard_since or quarter_before(body.quarter)
    quotes = [q.model_dump(mode="json") for q in body.quotes]
    priority = Priority(
        id=uuid.uuid4(),
        title=body.title,
        district=body.district,
        neighborhood=body.neighborhood,
        quarter=body.quarter,
        topics=topics,
        concerns=concerns,
        heard_since=heard_since,
        quotes=quotes,
        outcome_measure=body.outcome_measure,
        outcome_before=body.outcome_before,
        enforcement_justification=body.enforcement_justification,
        created_by=who.subject,
    )
    await PriorityRepository(session).add(priority)
    await outbox.add(
        session,
        PriorityCreated(
            priority_id=priority.id,
            title=priority.title,
            district=priority.district,
            quarter=priority.quarter,
            topics=topics,
            neighborhood=priority.neighborhood,
            outcome_measure=priority.outcome_measure,
            concerns=[ConcernSelection.model_validate(c) for c in concerns],
            heard_since=heard_since,
            quotes=[ConcernRef.model_validate(q) for q in quotes],
        ),
    )
    return priority


async def get_priority(session: AsyncSession, priority_id: uuid.UUID, *, lock: bool = False) -> Priority:
    priority = await PriorityRepository(session).get(priority_id, lock=lock)
    if priority is None:
        raise NotFound(f"no priority {priority_id}")
    return priority


async def patch_priority(
    session: AsyncSession, priority_id: uuid.UUID, patch: PriorityPatch, who: Principal
) -> Priority:
    priority = await get_priority(session, priority_id)
    check_district(who, priority.district, "this priority")
    for name, value in patch.model_dump(exclude_unset=True).items():
        setattr(priority, name, value)
    await session.flush()
    return priority
