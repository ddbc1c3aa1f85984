"""The warmer: keeps the default period's insight of every district someone read in the last two
days (and the city view, once read) built at the data's version, so the common request
(``GET /v1/insights?district=D``) reads a stored body. A district nobody opens is built by its
first reader: in a city a correction changes every district, and building each of hundreds for no
one kept the cores busy.

It watches the data versions rather than being called by the writers: whatever changed a district
— notes analyzed, received, revised or erased, a correction, a taxonomy edit — shows in its
version, committed. Building inside the analyzer's transaction (where ``refresh_insights`` runs)
would hold the batch and the district's lock ~0.3 s per 750-note district; here the districts a
batch touched are rebuilt after its commit, one at a time, and a request that comes first builds
for itself (the answer is the same).

While notes keep coming to a district, each build is out of date at once: a district is rebuilt
when its version held still for one check (``WARM_EVERY_S``), or, under a steady stream, once it
has waited ``MAX_WAIT_S``. The warmer rests at least as long as its last round took, so it never
takes more than about half a core from the analyzer.

The same loop publishes the calibration the builds use, when it changed (calibration/service.py).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.events.consumer import is_transient
from porchlight.synthesis.calibration.service import ANNOUNCE_EVERY_S, announce_calibration
from porchlight.synthesis.insights.service import stale_default_insights, tidy_read_model, warm_default_insight

log = logging.getLogger(__name__)

#: How often the versions are checked.
WARM_EVERY_S = 0.25
#: The longest a district whose notes keep changing waits for its rebuild.
MAX_WAIT_S = 5.0
#: How often the change rows are compacted and old bodies forgotten.
TIDY_EVERY_S = 30.0


class Warmer:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], max_wait_s: float = MAX_WAIT_S) -> None:
        self.sessions = sessions
        self.max_wait_s = max_wait_s
        #: district -> (the version last seen stale, since when it has been stale)
        self.waiting: dict[str, tuple[int, float]] = {}

    async def round(self) -> int:
        """One check; returns how many insights were built."""
        now = time.monotonic()
        stale = dict(await stale_default_insights(self.sessions))
        self.waiting = {d: w for d, w in self.waiting.items() if d in stale}
        due = []
        for district, version in stale.items():
            seen, since = self.waiting.get(district, (None, now))
            if seen == version or now - since >= self.max_wait_s:
                due.append(district)
                self.waiting.pop(district, None)
            else:
                self.waiting[district] = (version, since)
        built = 0
        for district in due:
            built += await warm_default_insight(self.sessions, district)
        if due or not stale:  # the city view: after the districts it counts
            built += await warm_default_insight(self.sessions, None)
        return built


async def keep_insights_warm(
    sessions: async_sessionmaker[AsyncSession], stopping: Callable[[], bool], every_s: float = WARM_EVERY_S
) -> None:
    """Warm until ``stopping()``; a failed round (database away) is logged and tried again later."""
    warmer = Warmer(sessions)
    tidied = time.monotonic()
    announced = -math.inf
    while not stopping():
        started = time.monotonic()
        try:
            if started - announced >= ANNOUNCE_EVERY_S:  # at start, then now and then
                async with sessions() as session, session.begin():
                    await announce_calibration(session)
                announced = started
            await warmer.round()
            if started - tidied >= TIDY_EVERY_S:
                await tidy_read_model(sessions)
                tidied = started
        except Exception as exc:  # the type only: a message could quote a note
            (log.warning if is_transient(exc) else log.error)("insight warm-up failed (%s)", type(exc).__name__)
        rest = max(every_s, time.monotonic() - started)
        deadline = time.monotonic() + rest
        while not stopping() and (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(left, 0.1))
