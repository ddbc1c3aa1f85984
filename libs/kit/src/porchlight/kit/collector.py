"""Python's garbage collector, set for a server process: a large heap built at start, then many
short-lived objects per event or request.

Once its services have started, a process holds a few hundred thousand objects that live as long
as it does (modules, the city's districts, models, the apps). A full collection scans them all
again and stops the event loop for ~100 ms each time: bursts of slow events at the pipeline's
p99 (docs/benchmarks-history.md, "the heap freeze"). So that heap is frozen out of the
collector's reach (``gc.freeze``; garbage is collected first so that none of it is kept for
good). Then the youngest generation is collected every ``gen0_threshold`` allocations instead of
Python's 700: a busy consumer makes thousands of short-lived objects per batch, and on the Kafka
door fewer, larger passes were worth ~10 % (5,200-5,500 records/s at 700, 5,800-6,500 at
10,000; 2,900-3,200 with neither). Cycles are still found and freed.
"""

from __future__ import annotations

import gc


def settle_heap(gen0_threshold: int) -> None:
    """Freeze what lives now and set the youngest generation's threshold (0 keeps Python's).

    Call it once the process's services have started (``serve``, ``porchlight run``).
    """
    gc.collect()
    gc.freeze()
    if gen0_threshold > 0:
        _, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(gen0_threshold, gen1, gen2)
