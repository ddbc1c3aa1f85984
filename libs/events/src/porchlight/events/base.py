"""The base class every event in the catalog derives from, and the registry of event types.

An event class carries three class-level facts besides its fields:

* ``TYPE``  — the CloudEvents ``type``: ``org.porchlight.<aggregate>.<verb>.v<N>``;
* ``TOPIC`` — the Kafka topic it is published to;
* ``KEY``   — the name of the field whose value is the Kafka key, so that every event of one
  aggregate (or one district) lands on one partition and stays in order.

Versions evolve by adding a new class (``...v2``) that only adds optional fields; the old class
is never changed (tests/events/test_schema_compat.py enforces it against docs/schemas/).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

_REGISTRY: dict[str, type[Event]] = {}


class Event(BaseModel):
    """Base of all Porchlight events; the payload is the CloudEvents ``data``."""

    # Readers ignore fields they do not know, so a producer on a newer minor version never
    # breaks an older consumer.
    model_config = ConfigDict(extra="ignore", frozen=True)

    TYPE: ClassVar[str]
    TOPIC: ClassVar[str]
    KEY: ClassVar[str]
    #: Systems outside Porchlight (a department's records system, a 311 platform) may publish it:
    #: the AsyncAPI document gives it a receive operation (docs/integrating.md).
    INBOUND: ClassVar[bool] = False

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        event_type = cls.__dict__.get("TYPE")
        if event_type is None:  # an abstract intermediate class
            return
        if event_type in _REGISTRY:
            raise TypeError(f"event type {event_type} is declared twice")
        if cls.KEY not in cls.model_fields:
            raise TypeError(f"{cls.__name__}.KEY names no field: {cls.KEY}")
        _REGISTRY[event_type] = cls

    def partition_key(self) -> str:
        """The Kafka key: the value of the field named by ``KEY``."""
        value = getattr(self, self.KEY)
        return "" if value is None else str(value)

    def subject(self) -> str:
        """The CloudEvents ``subject``: the aggregate's id (the key unless overridden)."""
        return self.partition_key()


def event_class(event_type: str) -> type[Event] | None:
    """The class registered for a CloudEvents ``type``, or None when unknown."""
    return _REGISTRY.get(event_type)


def all_event_classes() -> list[type[Event]]:
    """Every registered event class, sorted by type name."""
    return [_REGISTRY[t] for t in sorted(_REGISTRY)]
