"""Prometheus metrics of the event plumbing (module-level, labelled by service and group).

Counters are exported from 0 for every label set a consumer or relay will use, as soon as it is
built: a series that appears only at its first increment (at 1) makes ``increase()`` and
``rate()`` miss that first event, so an alert on the first dead letter would never fire.
"""

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

#: Events a consumer group applied (inbox row written, transaction committed).
EVENTS_CONSUMED = Counter(
    "porchlight_events_consumed_total", "Events applied by a consumer", ["service", "group", "type"]
)
#: Events a consumer saw again and skipped because its inbox already held them.
EVENTS_DUPLICATE = Counter(
    "porchlight_events_duplicate_total", "Redelivered events skipped by the inbox", ["service", "group"]
)
#: Handler attempts that raised (each retry counts).
EVENTS_FAILED = Counter("porchlight_events_failed_total", "Handler attempts that failed", ["service", "group"])
#: Events sent to a dead-letter topic.
EVENTS_DEAD_LETTERED = Counter(
    "porchlight_events_dead_lettered_total", "Events sent to a dead-letter topic", ["service", "group", "topic"]
)
#: Records behind the end of the partition. On the embedded broker (Tansu) the end offset it
#: reports is the start of the newest batch + 1, so the figure is approximate there.
CONSUMER_LAG = Gauge(
    "porchlight_consumer_lag",
    "Records not yet consumed per partition",
    ["service", "group", "topic", "partition", "approximate"],
)
#: Seconds from an event's ce_time to its application by a consumer.
EVENT_LATENCY = Histogram(
    "porchlight_event_apply_latency_seconds",
    "Time from event creation to its application",
    ["service", "group"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30),
)
#: Events the relay published from the outbox.
OUTBOX_PUBLISHED = Counter("porchlight_outbox_published_total", "Outbox rows published", ["service"])
#: Relay rounds that failed (broker or database unavailable).
OUTBOX_ERRORS = Counter("porchlight_outbox_errors_total", "Outbox relay rounds that failed", ["service"])
#: Rows waiting in the outbox.
OUTBOX_BACKLOG = Gauge("porchlight_outbox_backlog", "Outbox rows not yet published", ["service"])
#: Age in seconds of the oldest row waiting in the outbox.
OUTBOX_OLDEST_AGE = Gauge("porchlight_outbox_oldest_age_seconds", "Age of the oldest outbox row", ["service"])
#: Events republished from the outbox's archive to a broker that came back empty (docs/adr/0015).
OUTBOX_REPUBLISHED = Counter(
    "porchlight_outbox_republished_total", "Published events sent again to a new (empty) broker", ["service"]
)


def export_from_zero(service: str, group: str, topics: Iterable[str], types: Iterable[str]) -> None:
    """Create a consumer group's counter series at 0 (see the module docstring)."""
    for topic in topics:
        EVENTS_DEAD_LETTERED.labels(service, group, topic)
    for event_type in types:
        EVENTS_CONSUMED.labels(service, group, event_type)
    EVENTS_DUPLICATE.labels(service, group)
    EVENTS_FAILED.labels(service, group)
