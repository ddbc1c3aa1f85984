"""Rate limits: sign-in routes per client address, write requests per authenticated caller.

The windows are the ``limits`` library's (fixed windows, in memory): a limit holds per process,
which is what a sign-in door and a runaway client need (a city runs a handful of pods, so the
effective limit is at most that many times the setting). Over the limit the answer is ``429``
with ``Retry-After`` (seconds until the window resets) and a problem body.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from porchlight.kit.errors import ProblemError

#: The methods that change something: the ones the write limit counts.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s
        self.headers = {"Retry-After": str(retry_after_s)}


class RateLimit:
    """One limit (``"10/minute"``, or several as ``"5/second;100/minute"``; empty: none) by key."""

    def __init__(self, spec: str, what: str) -> None:
        self.what = what
        self.items: list[RateLimitItem] = parse_many(spec) if spec.strip() else []
        self._limiter = FixedWindowRateLimiter(MemoryStorage())

    def check(self, key: str) -> None:
        """Count one request of ``key``; raise ``TooManyRequests`` when it is over a limit."""
        for item in self.items:
            if not self._limiter.hit(item, self.what, key):
                reset_at = self._limiter.get_window_stats(item, self.what, key).reset_time
                retry = max(1, math.ceil(reset_at - time.time()))
                raise TooManyRequests(f"Too many {self.what} requests: at most {item}. Try again in {retry} s.", retry)
