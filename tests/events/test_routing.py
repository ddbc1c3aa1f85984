"""Typed handlers: the event a handler applies is read from its annotation (routing.py)."""

from __future__ import annotations

import pytest
from events.samples import sample_event
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import ConsumerSpec, Envelope, EventRouter, NoteSubmitted
from porchlight.events.catalog import NoteRevised, PriorityCreated
from porchlight.events.envelope import new_envelope


class Counter:
    """A resource a service would provide at start-up."""

    def __init__(self) -> None:
        self.seen: list[str] = []


def test_handlers_register_by_their_annotations() -> None:
    router = EventRouter()

    @router.subscriber
    async def on_priority(session: AsyncSession, event: PriorityCreated, env: Envelope) -> None: ...

    @router.batch_subscriber
    async def on_notes(session: AsyncSession, batch: list[tuple[NoteSubmitted | NoteRevised, Envelope]]) -> None: ...

    spec = ConsumerSpec(group="g", routers=[router])
    assert set(spec.event_classes) == {PriorityCreated, NoteSubmitted, NoteRevised}
    one, many = spec.bound({})
    assert set(one) == {PriorityCreated} and set(many) == {NoteSubmitted, NoteRevised}
    assert spec.topics == sorted({PriorityCreated.TOPIC, NoteSubmitted.TOPIC})


def test_a_handler_without_an_event_parameter_is_refused() -> None:
    router = EventRouter()
    with pytest.raises(TypeError, match="no parameter annotated"):

        @router.subscriber
        async def on_nothing(session: AsyncSession) -> None: ...


def test_two_handlers_for_one_event_are_refused() -> None:
    first, second = EventRouter(), EventRouter()

    @first.subscriber
    async def a(event: PriorityCreated) -> None: ...

    @second.subscriber
    async def b(event: PriorityCreated) -> None: ...

    with pytest.raises(ValueError, match="two handlers"):
        ConsumerSpec(group="g", routers=[first, second])


async def test_parameters_are_filled_by_annotation_with_provided_resources() -> None:
    router = EventRouter()

    @router.subscriber
    async def on_priority(counter: Counter, event: PriorityCreated, env: Envelope) -> None:
        counter.seen.append(f"{event.title}:{env.type}")

    counter = Counter()
    one, _ = ConsumerSpec(group="g", routers=[router]).bound({Counter: counter})
    event = sample_event(PriorityCreated)
    await one[PriorityCreated](None, event, new_envelope(event, source="/test"))  # type: ignore[arg-type]
    assert counter.seen == [f"{event.title}:{PriorityCreated.TYPE}"]


async def test_a_missing_resource_is_named() -> None:
    router = EventRouter()

    @router.subscriber
    async def on_priority(counter: Counter, event: PriorityCreated) -> None: ...

    one, _ = ConsumerSpec(group="g", routers=[router]).bound({})
    event = sample_event(PriorityCreated)
    with pytest.raises(LookupError, match="Counter"):
        await one[PriorityCreated](None, event, new_envelope(event, source="/test"))  # type: ignore[arg-type]
