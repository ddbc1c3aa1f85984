"""Synthesis test fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from support import running

from porchlight.kit.settings import KitSettings
from porchlight.synthesis.learning.service import ModelHolder


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(settings: KitSettings) -> AsyncIterator[httpx.AsyncClient]:
    """Synthesis running (consumers on), its model loaded before a module's first test publishes
    (loaded once per process); one per test module."""
    async with running("synthesis", settings) as (app, http):
        async with app.state.runtime.sessions() as session, session.begin():
            await app.state.runtime.resource(ModelHolder).current(session)
        yield http
