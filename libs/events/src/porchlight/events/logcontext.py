"""Context variables that put the current request id and event id on every log line."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("porchlight_request_id", default=None)
event_id_var: ContextVar[str | None] = ContextVar("porchlight_event_id", default=None)
event_type_var: ContextVar[str | None] = ContextVar("porchlight_event_type", default=None)


@contextlib.contextmanager
def event_context(event_id: str, event_type: str) -> Iterator[None]:
    tokens = (event_id_var.set(event_id), event_type_var.set(event_type))
    try:
        yield
    finally:
        event_id_var.reset(tokens[0])
        event_type_var.reset(tokens[1])
