"""GroupCommit: concurrent writes share one call of ``write``, and every caller gets its own answer.

Pure logic: ``write`` here is a function that records the groups it was given (the contacts'
writer against the real database is tested in tests/intake/test_contacts.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg
import pytest
import sqlalchemy as sa

from porchlight.kit.groupcommit import GroupCommit


class Recorder:
    """A ``write`` that doubles each item, after a pause (the transaction's round trip)."""

    def __init__(self, pause_s: float = 0.01, bad: set[int] | None = None, down: bool = False) -> None:
        self.groups: list[list[int]] = []
        self.pause_s, self.bad, self.down = pause_s, bad or set(), down

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.groups.append(list(items))
        await asyncio.sleep(self.pause_s)
        if self.down:
            raise ConnectionRefusedError("database unreachable")
        if self.bad & set(items):
            raise sa.exc.DataError("INSERT ...", {}, Exception("value out of range"))
        return [2 * i for i in items]


async def test_concurrent_items_are_written_in_groups_and_each_gets_its_own_result() -> None:
    write = Recorder()
    group = GroupCommit(write, name="test")
    results = await asyncio.gather(*(group.submit(i) for i in range(100)))
    assert results == [2 * i for i in range(100)]
    # Submitted in the same turn of the event loop: one group (its flusher starts after them).
    assert write.groups == [list(range(100))]


async def test_items_arriving_while_a_group_is_written_form_the_next_group() -> None:
    write = Recorder(pause_s=0.05)
    group = GroupCommit(write, name="test")
    first = asyncio.create_task(group.submit(0))
    await asyncio.sleep(0.01)  # the group [0] is being written
    rest = await asyncio.gather(*(group.submit(i) for i in range(1, 50)))
    assert await first == 0 and rest == [2 * i for i in range(1, 50)]
    assert write.groups == [[0], list(range(1, 50))]


async def test_groups_are_capped_and_keep_the_order_of_submission() -> None:
    write = Recorder()
    group = GroupCommit(write, name="test", max_group=30)
    results = await asyncio.gather(*(group.submit(i) for i in range(100)))
    assert results == [2 * i for i in range(100)]
    assert [len(g) for g in write.groups] == [30, 30, 30, 10]
    assert [i for g in write.groups for i in g] == list(range(100))


async def test_an_item_alone_is_written_without_waiting_for_others() -> None:
    write = Recorder(pause_s=0)
    group = GroupCommit(write, name="test")
    assert await group.submit(7) == 14
    assert await group.submit(8) == 16
    assert write.groups == [[7], [8]]


async def test_one_bad_item_fails_its_own_request_only() -> None:
    write = Recorder(bad={13})
    group = GroupCommit(write, name="test")
    results = await asyncio.gather(*(group.submit(i) for i in range(20)), return_exceptions=True)
    assert isinstance(results[13], sa.exc.DataError)
    assert [r for i, r in enumerate(results) if i != 13] == [2 * i for i in range(20) if i != 13]
    # The failed group was written again item by item.
    assert [13] in write.groups and sum(len(g) == 1 for g in write.groups) >= 19


async def test_a_value_the_driver_cannot_encode_is_one_items_fault_too() -> None:
    async def write(items: Sequence[int]) -> list[int]:
        if 5 in items:
            raise asyncpg.exceptions.DataError("value out of int16 range")
        return list(items)

    group = GroupCommit(write, name="test")
    results = await asyncio.gather(*(group.submit(i) for i in range(10)), return_exceptions=True)
    assert isinstance(results[5], asyncpg.exceptions.DataError)
    assert [r for r in results if not isinstance(r, Exception)] == [i for i in range(10) if i != 5]


async def test_an_unreachable_database_fails_the_whole_group_at_once() -> None:
    write = Recorder(down=True)
    group = GroupCommit(write, name="test")
    results = await asyncio.gather(*(group.submit(i) for i in range(10)), return_exceptions=True)
    assert all(isinstance(r, ConnectionRefusedError) for r in results)
    assert write.groups == [list(range(10))]  # no retry one by one against a dead database


async def test_a_caller_that_goes_away_does_not_take_the_group_down() -> None:
    write = Recorder(pause_s=0.05)
    group = GroupCommit(write, name="test")
    first = asyncio.create_task(group.submit(1))
    await asyncio.sleep(0.01)  # the first group is being written
    waiting = [asyncio.create_task(group.submit(i)) for i in range(2, 6)]
    await asyncio.sleep(0)
    waiting[0].cancel()  # item 2's client disconnected while it waited
    results = await asyncio.gather(first, *waiting[1:])
    assert results == [2, 6, 8, 10]
    assert write.groups == [[1], [2, 3, 4, 5]]  # item 2 was still written, as a lost answer would be
    with pytest.raises(asyncio.CancelledError):
        await waiting[0]


async def test_a_write_that_answers_for_the_wrong_number_of_items_fails_loudly() -> None:
    async def write(items: Sequence[int]) -> list[int]:
        return list(items)[:-1]

    group = GroupCommit(write, name="test")
    results = await asyncio.gather(*(group.submit(i) for i in range(3)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)  # never an answer given to the wrong item
