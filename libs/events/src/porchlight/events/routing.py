"""Typed event handlers: a handler says what it handles by its parameters' annotations.

As FastStream's ``@subscriber`` does, the event class a handler applies is read from its
annotation instead of a ``{EventClass: handler}`` map kept next to it::

    router = EventRouter()


    @router.subscriber
    async def on_note_submitted(session: AsyncSession, event: NoteSubmitted) -> None: ...


    @router.batch_subscriber  # every new event of these types in a consumed batch at once
    async def on_notes(session: AsyncSession, batch: list[tuple[NoteSubmitted | NoteRevised, Envelope]]) -> None: ...

A handler's parameters are filled by annotation: the ``AsyncSession`` of the consumer's
transaction, the event (an ``Event`` subclass or a union of them), its ``Envelope``, and any
object the service provided at start-up by type (``ServiceRuntime.provide``, e.g. a worker to
wake). ``ConsumerSpec(group=..., routers=[router])`` consumes them.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events.base import Event
from porchlight.events.envelope import Envelope

Resources = Mapping[type, object]


def _event_classes(annotation: Any) -> tuple[type[Event], ...]:
    """``NoteSubmitted`` or ``NoteSubmitted | NoteRevised`` -> the classes; else ()."""
    if isinstance(annotation, type) and issubclass(annotation, Event) and annotation is not Event:
        return (annotation,)
    if typing.get_origin(annotation) in (Union, types.UnionType):
        found = [c for arg in typing.get_args(annotation) for c in _event_classes(arg)]
        return tuple(found) if len(found) == len(typing.get_args(annotation)) else ()
    return ()


def _batch_classes(annotation: Any) -> tuple[type[Event], ...]:
    """``list[tuple[E, Envelope]]`` (E a class or a union of classes) -> the classes; else ()."""
    if typing.get_origin(annotation) is not list:
        return ()
    (item,) = typing.get_args(annotation) or (None,)
    if typing.get_origin(item) is not tuple:
        return ()
    args = typing.get_args(item)
    if len(args) != 2 or args[1] is not Envelope:
        return ()
    return _event_classes(args[0])


@dataclass(frozen=True)
class Subscriber:
    """A handler and what its parameters are: ``kinds[i]`` is "session", "event", "envelope",
    "batch" or the type of a provided resource."""

    call: Callable[..., Awaitable[None]]
    events: tuple[type[Event], ...]
    kinds: tuple[str | type, ...]
    batch: bool

    @classmethod
    def of(cls, fn: Callable[..., Awaitable[None]], *, batch: bool) -> Subscriber:
        hints = typing.get_type_hints(fn)
        kinds: list[str | type] = []
        events: tuple[type[Event], ...] = ()
        for name in inspect.signature(fn).parameters:
            kind: str | type
            hint = hints.get(name)
            if hint is None:
                raise TypeError(f"{fn.__qualname__}: parameter {name!r} needs a type annotation")
            found = _batch_classes(hint) if batch else _event_classes(hint)
            if found:
                if events:
                    raise TypeError(f"{fn.__qualname__}: one event parameter only")
                events, kind = found, "batch" if batch else "event"
            elif hint is AsyncSession:
                kind = "session"
            elif hint is Envelope and not batch:
                kind = "envelope"
            elif isinstance(hint, type):
                kind = hint  # a resource the service provides
            else:
                raise TypeError(f"{fn.__qualname__}: cannot fill parameter {name!r} ({hint!r})")
            kinds.append(kind)
        if not events:
            shape = "list[tuple[SomeEvent, Envelope]]" if batch else "an Event subclass (or a union of them)"
            raise TypeError(f"{fn.__qualname__}: no parameter annotated with {shape}")
        return cls(fn, events, tuple(kinds), batch)

    def _args(self, session: AsyncSession, payload: Any, env: Envelope | None, resources: Resources) -> list[Any]:
        args: list[Any] = []
        for kind in self.kinds:
            if kind == "session":
                args.append(session)
            elif kind in ("event", "batch"):
                args.append(payload)
            elif kind == "envelope":
                args.append(env)
            else:
                assert isinstance(kind, type)
                try:
                    args.append(resources[kind])
                except KeyError:
                    raise LookupError(f"{self.call.__qualname__} needs a {kind.__name__} nobody provided") from None
        return args

    def bind(self, resources: Resources) -> Callable[..., Awaitable[None]]:
        """The handler in the consumer's calling convention: ``(session, event, env)`` for one
        event, ``(session, batch)`` for a batch; resources are looked up at each call."""
        if self.batch:

            async def on_batch(session: AsyncSession, batch: list[tuple[Any, Envelope]]) -> None:
                await self.call(*self._args(session, batch, None, resources))

            return on_batch

        async def on_event(session: AsyncSession, event: Any, env: Envelope) -> None:
            await self.call(*self._args(session, event, env, resources))

        return on_event


class EventRouter:
    """A set of typed handlers (one capability's), given to a ``ConsumerSpec``."""

    def __init__(self) -> None:
        self.subscribers: list[Subscriber] = []

    def subscriber(self, fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """Register ``fn`` for each event class of its event parameter's annotation."""
        self.subscribers.append(Subscriber.of(fn, batch=False))
        return fn

    def batch_subscriber(self, fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """Register ``fn`` for every new event of its batch parameter's classes in a batch."""
        self.subscribers.append(Subscriber.of(fn, batch=True))
        return fn

    def include(self, *others: EventRouter) -> None:
        for other in others:
            self.subscribers.extend(other.subscribers)
