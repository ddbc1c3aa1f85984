"""Start-up: the target-vs-control worker, provided to the handlers (who wake it) and started."""

from __future__ import annotations

from porchlight.kit.runtime import ServiceRuntime
from porchlight.layers.evaluation.worker import EvaluationWorker
from porchlight.layers.records.service import Places


def start_evaluations(runtime: ServiceRuntime) -> None:
    worker = runtime.provide(EvaluationWorker(runtime.sessions, lambda: runtime.resource(Places)))
    if runtime.run_consumers:  # a command or a test without background work evaluates on demand
        runtime.spawn(worker.run(runtime.stopping), "evaluations")
