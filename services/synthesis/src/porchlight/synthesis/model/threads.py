"""Model work off the event loop, in daemon threads.

``asyncio.to_thread`` uses the loop's default executor, whose threads are joined when the loop
closes: the service's shutdown (SIGTERM, Ctrl-C) in the middle of a model load would wait for it.
A daemon thread is left behind instead: the transaction it was part of rolls back, the consumer
and the relay stop in their bounded time, and the work is redone by the next start.

One thing must not happen: the interpreter finalizing while such a thread is inside torch's C++
code (measured: "terminate called without an active exception", exit status -6, when Ctrl-C
came during the model's first load). So at exit, after the services stopped, the process waits
for those threads (at most ``EXIT_WAIT_S``) before finalizing.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

EXIT_WAIT_S = 120.0
_running: set[threading.Thread] = set()


@atexit.register
def _let_model_threads_finish() -> None:
    deadline = time.monotonic() + EXIT_WAIT_S
    for thread in list(_running):
        thread.join(max(0.0, deadline - time.monotonic()))


async def in_daemon_thread(fn: Callable[..., T], *args: Any) -> T:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)  # type: ignore[arg-type]

    def work() -> None:
        try:
            result = fn(*args)
        except BaseException as exc:
            _reply(settle, None, exc)
            return
        finally:
            _running.discard(threading.current_thread())
        _reply(settle, result, None)

    def _reply(callback: Callable[..., None], *values: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutdown): nobody waits
            loop.call_soon_threadsafe(callback, *values)

    thread = threading.Thread(target=work, name=f"synthesis:{getattr(fn, '__name__', 'work')}", daemon=True)
    _running.add(thread)
    thread.start()
    return await future
