"""Sample events for tests: ``sample_event(cls)`` builds a valid instance of any catalog class.

The builder reads the pydantic field annotations instead of a hand-written table, so a new event
class (or a new version) gets a sample without touching this file. Values are deterministic
(UUIDs derived from the class and field name, fixed UTC times) so tests can compare them.

    from events.samples import sample_event   # pytest puts tests/ on sys.path (pyproject)
    event = sample_event(NoteSubmitted, district="D7")
"""

from __future__ import annotations

import types
import typing
import uuid
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Literal, TypeVar

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from porchlight.events import Event, all_event_classes

E = TypeVar("E", bound=Event)

_NS = uuid.UUID("6f1c1f9e-3d0a-4c5e-9a57-0d4c1b7a2e10")
SAMPLE_TIME = datetime(2025, 6, 1, 14, 30, 15, 123456, tzinfo=UTC)
SAMPLE_DATE = date(2025, 6, 1)

# Field names whose generic value would be wrong or unrealistic.
_BY_NAME: dict[str, Any] = {
    "district": "D4",
    "neighborhood": "Riverside",
    "quarter": "2025-Q3",
    "lat": 41.8781,
    "lon": -87.6298,
    "language": "en",
    "model_version": "porchlight-synth-0.1",
    "layer": "311",
    "layers": ["311", "crime"],
    "period_start": date(2025, 5, 1),
    "period_end": date(2025, 5, 31),
    "starts_on": date(2025, 7, 1),
    "due_on": date(2025, 9, 30),
    "sentiment_score": 0.25,
    "relative_risk": 1.8,
    "geometry": {"type": "LineString", "coordinates": [[-87.6298, 41.8781], [-87.6290, 41.8785]]},
}


def _bounded_number(info: FieldInfo | None, default: float) -> float:
    lo: float | None = None
    hi: float | None = None
    for m in info.metadata if info else ():
        if isinstance(m, Ge):
            lo = float(m.ge)  # type: ignore[arg-type]
        elif isinstance(m, Gt):
            lo = float(m.gt) + 1  # type: ignore[arg-type]
        elif isinstance(m, Le):
            hi = float(m.le)  # type: ignore[arg-type]
        elif isinstance(m, Lt):
            hi = float(m.lt) - 1  # type: ignore[arg-type]
    value = default
    if lo is not None and value < lo:
        value = lo
    if hi is not None and value > hi:
        value = hi
    return value


def _value(annotation: Any, name: str, owner: str, info: FieldInfo | None, full: bool) -> Any:
    if name in _BY_NAME:
        return _BY_NAME[name]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _value(inner[0], name, owner, info, full)
    if origin is Literal:
        return args[0]
    if origin in (list, tuple, set, frozenset):
        return [_value(args[0], name, owner, None, full)]
    if origin is dict:
        return {"k": _value(args[1], name, owner, None, full)}
    if origin is typing.Annotated:
        return _value(args[0], name, owner, info, full)
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return _model_kwargs(annotation, full)
        if issubclass(annotation, Enum):
            return next(iter(annotation))
        if issubclass(annotation, bool):
            return True
        if issubclass(annotation, int):
            return int(_bounded_number(info, 3))
        if issubclass(annotation, float):
            return float(_bounded_number(info, 0.5))
        if issubclass(annotation, uuid.UUID):
            return uuid.uuid5(_NS, f"{owner}.{name}")
        if issubclass(annotation, datetime):
            return SAMPLE_TIME
        if issubclass(annotation, date):
            return SAMPLE_DATE
        if issubclass(annotation, str):
            return f"sample {name.replace('_', ' ')}"
    raise TypeError(f"samples.py cannot build a value for {owner}.{name}: {annotation!r}")


def _model_kwargs(cls: type[BaseModel], full: bool) -> dict[str, Any]:
    kwargs = {}
    for name, info in cls.model_fields.items():
        if info.is_required() or full:
            kwargs[name] = _value(info.annotation, name, cls.__name__, info, full)
    return kwargs


def sample_event(cls: type[E], *, full: bool = True, **overrides: Any) -> E:
    """A valid instance of ``cls``.

    ``full=True`` also fills optional fields (so nested models and nullable fields are exercised);
    ``full=False`` fills only the required ones. ``overrides`` replace any field.
    """
    kwargs = _model_kwargs(cls, full)
    kwargs.update(overrides)
    return cls.model_validate(kwargs)


def all_samples(*, full: bool = True) -> list[Event]:
    """One sample of every catalog event class, sorted by type."""
    return [sample_event(cls, full=full) for cls in all_event_classes()]
