"""Group commit: the writes of many concurrent requests share one transaction.

A request that must write a row (a contact logged from a phone) would otherwise pay for a
session, a statement, a commit and the commit's fsync on its own; at hundreds of requests a
second that is most of its CPU and most of the database's work (docs/benchmarks.md, "Intake:
contacts"). ``GroupCommit.submit`` queues the item and waits; one flusher task writes what is
queued with a single call of ``write`` (one statement, one commit), then the next group, which
gathered while the first was being written. Nothing waits on a timer: alone, an item is written
at once; under load, groups grow by themselves. This is PostgreSQL's own group commit, one
level up.

``write`` gets the items in the order they were submitted and returns one result per item, in
the same order, after its transaction committed: a caller's answer is never sent before its
row is durable. When a group fails on what one item can cause (a constraint, a value the
database refuses), each of its items is written again on its own, so one bad item fails its
request only; when the database is unreachable, the whole group fails at once.

A request cancelled while it waits (the client went away) does not take its item back: the
item is written with its group, as a committed transaction whose answer was lost would be, and
the client's retry is answered by the idempotency rules of the caller.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import asyncpg
import sqlalchemy as sa
from prometheus_client import Histogram

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Items per group written, by writer (how much the grouping saves; 1 means no load).
GROUP_SIZE = Histogram(
    "porchlight_group_commit_size",
    "Items written together in one transaction",
    ["writer"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
)


class GroupCommit(Generic[Item, Result]):
    """Queue items from concurrent tasks; write them in groups of at most ``max_group``."""

    def __init__(
        self,
        write: Callable[[Sequence[Item]], Awaitable[Sequence[Result]]],
        *,
        name: str,
        max_group: int = 256,
    ) -> None:
        self._write = write
        self._max_group = max_group
        self._size = GROUP_SIZE.labels(name)
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Write ``item`` with whatever else is queued; its result once the group committed."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Result] = loop.create_future()
        self._queue.append((item, done))
        if self._flusher is None or self._flusher.done():
            # A task of its own, not the first caller's: a caller that is cancelled must not
            # take the group's transaction (and everyone's answer) down with it.
            self._flusher = loop.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        while self._queue:
            group = self._queue[: self._max_group]
            del self._queue[: self._max_group]
            try:
                await self._write_group(group)
            except BaseException as exc:  # cancelled at shutdown: nobody may wait for ever
                for _, done in (*group, *self._queue):
                    if not done.done():
                        done.set_exception(exc if isinstance(exc, Exception) else RuntimeError("writer stopped"))
                self._queue.clear()
                raise

    async def _write_group(self, group: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        self._size.observe(len(group))
        try:
            results = await self._write([item for item, _ in group])
        except Exception as exc:
            if len(group) == 1 or not one_item_could_cause(exc):
                for _, done in group:
                    _settle(done, exc=exc)
                return
            log.warning("a group of %d writes failed (%s); writing them one by one", len(group), type(exc).__name__)
            for item, done in group:
                try:
                    (result,) = await self._write([item])
                except Exception as one_exc:
                    _settle(done, exc=one_exc)
                else:
                    _settle(done, result=result)
            return
        if len(results) != len(group):  # a bug in ``write``: fail loudly, never mis-assign answers
            error = RuntimeError(f"write returned {len(results)} results for {len(group)} items")
            for _, done in group:
                _settle(done, exc=error)
            return
        for (_, done), result in zip(group, results, strict=True):
            _settle(done, result=result)


def one_item_could_cause(exc: Exception) -> bool:
    """Whether a group's failure may be one item's fault (then its items are tried one by one)."""
    # SQLAlchemy's wrappers; asyncpg's own errors for writers that use the driver directly; and
    # a value the driver could not encode (asyncpg raises a ValueError or TypeError for it).
    return isinstance(
        exc,
        sa.exc.IntegrityError
        | sa.exc.DataError
        | asyncpg.exceptions.IntegrityConstraintViolationError
        | asyncpg.exceptions.DataError
        | ValueError
        | TypeError,
    )


def _settle(done: asyncio.Future[Result], *, result: Result | None = None, exc: Exception | None = None) -> None:
    if done.done():  # its request was cancelled while it waited
        return
    if exc is not None:
        done.set_exception(exc)
    else:
        done.set_result(result)  # type: ignore[arg-type]
