"""Issue 15: during a broker outage the logs grew by ~80,000 connection-error lines in 3 minutes,
and every refused request wrote its stack trace again. One line per kind of warning or error a
minute, and the next one says how many were left out (kit.logs.RepeatFilter)."""

from __future__ import annotations

import io
import logging
import time

import pytest

from porchlight.kit.logs import RepeatFilter, configure_logging


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


CLOCK = Clock()


@pytest.fixture
def log() -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RepeatFilter(window_s=60, clock=CLOCK))
    logger = logging.getLogger(f"storm-{time.monotonic_ns()}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return logger, out


def test_a_storm_of_one_error_is_one_line_and_then_a_count(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = log
    for i in range(10_000):
        logger.error("Unable connect to node with id %s: connection refused", i)
    assert out.getvalue().count("\n") == 1
    CLOCK.now += 59
    logger.error("Unable connect to node with id %s: connection refused", 1)
    assert out.getvalue().count("\n") == 1  # still within the minute
    CLOCK.now += 2
    logger.error("Unable connect to node with id %s: connection refused", 7)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "10000 more like this in the last 60 s left out" in lines[1]
    assert lines[1].startswith("Unable connect to node with id 7")


def test_different_kinds_and_ordinary_lines_all_pass(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = log
    logger.warning("relay: %s failed", "a")
    logger.error("relay: %s failed", "b")  # another level: another kind
    logger.warning("consumer %s lagging", "c")
    try:
        raise KeyError("x")
    except KeyError:
        logger.exception("relay: %s failed", "d")  # with an exception: another kind
    for i in range(50):
        logger.info("note %s stored", i)  # facts, not a storm
    assert out.getvalue().count("relay:") == 3 and out.getvalue().count("lagging") == 1
    assert out.getvalue().count("stored") == 50


def test_each_service_s_line_is_its_own_kind(log: tuple[logging.Logger, io.StringIO]) -> None:
    # One standalone process logs for five services: after a broker restart each relay says how
    # many events it republished, and the operator must see every one of them (issue 16).
    logger, out = log
    for service, n in (("intake", 224), ("synthesis", 22), ("layers", 0), ("intake", 5)):
        logger.warning("the broker is new: republished %d events", n, extra={"service": service})
    assert out.getvalue().splitlines() == [
        "the broker is new: republished 224 events",
        "the broker is new: republished 22 events",
        "the broker is new: republished 0 events",
    ]


def test_the_services_logging_drops_the_repeats() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("json", "INFO")
        assert any(isinstance(f, RepeatFilter) for h in root.handlers for f in h.filters)
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
