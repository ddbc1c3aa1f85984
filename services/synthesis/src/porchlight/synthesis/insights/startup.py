"""Start-up: the insight warmer runs with the consumers (insights/worker.py)."""

from __future__ import annotations

from porchlight.kit.runtime import ServiceRuntime
from porchlight.synthesis.insights.worker import keep_insights_warm


def start_insight_warmer(runtime: ServiceRuntime) -> None:
    if not runtime.run_consumers:
        return  # an app without background work: requests build what they serve
    runtime.spawn(keep_insights_warm(runtime.sessions, runtime.stopping.is_set), "insight-warmer")
