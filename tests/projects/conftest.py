"""Fixtures of the projects tests: callers with roles and departments, a district of the test's own.

Projects' relay is off in most tests (``running(..., background=False)``): the events a step
causes are read from projects' outbox, where the transaction that made the change left them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from projects.helpers import Headers, token

from porchlight.kit.settings import KitSettings


@pytest.fixture
def as_role(settings: KitSettings) -> Callable[..., Headers]:
    def make(role: str, department: str | None = None, subject: str | None = None) -> Headers:
        return token(settings, role, department, subject)

    return make


@pytest.fixture
def supervisor(settings: KitSettings) -> Headers:
    return token(settings, "supervisor", subject="sgt-rivera")


@pytest.fixture
def district() -> str:
    """A district only this test uses (projects keeps districts as codes; intake owns the map)."""
    return f"P-{uuid.uuid4().hex[:8]}"
