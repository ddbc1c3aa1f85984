"""The garbage collector is set once a server process has started (kit.collector): what start-up
built is frozen out of full collections, the youngest generation runs less often, and cycles
made afterwards are still freed. Without it the Kafka door ran at half speed (docs/benchmarks.md)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from porchlight.kit.app import create_app
from porchlight.kit.collector import settle_heap
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings


@pytest.fixture
def fresh_collector() -> Iterator[None]:
    """Python's own settings before the test and after it (the test process is shared)."""
    before = gc.get_threshold()
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_settling_freezes_what_lives_and_still_frees_later_cycles(fresh_collector: None) -> None:
    settle_heap(12_345)
    assert gc.get_threshold()[0] == 12_345
    assert gc.get_freeze_count() > 0
    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None, "a cycle made after start-up must still be collected"


def test_zero_keeps_pythons_threshold(fresh_collector: None) -> None:
    settle_heap(0)
    assert gc.get_threshold()[0] == 700


async def test_a_served_service_settles_its_heap_once_started(fresh_collector: None, settings: KitSettings) -> None:
    """As ``porchlight serve`` builds it (``freeze_heap``), with the threshold from settings."""
    app = create_app(
        get_service("projects"),
        settings.model_copy(update={"gc_gen0_threshold": 9_000}),
        run_background=False,
        freeze_heap=True,
    )
    assert gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        assert gc.get_threshold()[0] == 9_000
        assert gc.get_freeze_count() > 0
