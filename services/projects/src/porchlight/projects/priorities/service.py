"""Rules for priorities: a place is required, concerns are linked by topic and place."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox, PriorityCreated
from porchlight.kit.auth import Principal
from porchlight.kit.errors import NotFound
from porchlight.projects.districts.scope import check_district
from porchlight.projects.priorities.models import Priority
from porchlight.projects.priorities.repository import PriorityRepository
from porchlight.projects.priorities.schemas import PriorityIn, PriorityPatch


async def create_priority(session: AsyncSession, outbox: Outbox, body: PriorityIn, who: Principal) -> Priority:
    check_district(who, body.district, "the priority", "body.district")
    # A concern without a place is the priority's place; its topic is one of the priority's.
    concerns = []
    for c in body.concerns:
        link = c.model_dump(exclude_none=True)
        link.setdefault("district", body.district)
        if body.neighborhood and "neighborhood" not in link and link["district"] == body.district:
            link["neighborhood"] = body.neighborhood
        concerns.append(link)
    topics = list(dict.fromkeys([*body.topics, *(c.topic for c in body.concerns)]))
    priority = Priority(
        id=uuid.uuid4(),
        title=body.title,
        district=body.district,
        neighborhood=body.neighborhood,
        quarter=body.quarter,
        topics=topics,
        concerns=concerns,
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
