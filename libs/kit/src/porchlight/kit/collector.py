"""Python's garbage collector, set for a service: a large heap built at start, then many
short-lived objects per event or request.

After start a service holds a few hundred thousand long-lived objects (imported modules, the
city's districts, a model, registries). With Python's defaults each full collection walks them
all again, and a busy consumer makes one every few batches: on the Kafka door that was about
half the time (2,900 records/s with the defaults, 5,800/s set as here, docs/benchmarks.md).
So what start-up built is frozen out of the collector (``gc.freeze``: never scanned again, never
freed, as it lives as long as the process anyway), and the youngest generation is collected
every 10,000 allocations instead of 700: fewer passes over the same short-lived objects.
Cycles are still found and freed.
"""

from __future__ import annotations

import gc


def settle_heap(gen0_threshold: int) -> None:
    """Collect once, freeze what survives, and set the youngest generation's threshold.

    Called when a service has started (its start-up hooks have built what it keeps); 0 leaves
    Python's threshold as it is.
    """
    gc.collect()
    gc.freeze()
    if gen0_threshold > 0:
        _, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(gen0_threshold, gen1, gen2)
