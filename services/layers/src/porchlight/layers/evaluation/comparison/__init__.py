"""Target vs control, DICE's last step: a completed project's place against matched places of the
same district, by difference-in-differences with a permutation test (no SQL, no HTTP).

``matching``: the target area's H3 cells, the control pool and nearest-neighbour matching on the
before period. ``did``: the periods, the differences, the test and the plain-language summary.
"""

from porchlight.layers.evaluation.comparison.did import (
    Events,
    Periods,
    SentimentResult,
    TargetControlResult,
    Window,
    epoch_seconds,
    evaluate_place,
    figure,
    periods,
)
from porchlight.layers.evaluation.comparison.matching import (
    TREND_WEIGHT,
    Matched,
    cells_of,
    cells_within,
    control_pool,
    match_controls,
)

__all__ = [
    "TREND_WEIGHT",
    "Events",
    "Matched",
    "Periods",
    "SentimentResult",
    "TargetControlResult",
    "Window",
    "cells_of",
    "cells_within",
    "control_pool",
    "epoch_seconds",
    "evaluate_place",
    "figure",
    "match_controls",
    "periods",
]
