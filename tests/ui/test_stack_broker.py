"""The browser tests' stack starts on a broker of its own with none of the session's earlier
events (tests/ui/conftest.py): in a full run the stack's relays sent it every event of the
session at start (outbox rows other tests left unpublished, and each archive, as to a broker that
came back empty), and a page waiting on one new note waited over a minute behind them."""

from __future__ import annotations

import pytest
from support import all_topics, broker_records
from ui.helpers import run_async

from porchlight.events import from_kafka

pytestmark = pytest.mark.integration


def test_the_stack_s_broker_holds_only_events_made_since_it_started(stack) -> None:  # type: ignore[no-untyped-def]
    topics = [t for t in all_topics() if ".dlq." not in t]  # dead letters: whatever bytes came in
    records = run_async(broker_records(stack.settings.require_kafka_bootstrap(), topics))
    older = [e for e in (from_kafka(r.key, r.value, r.headers) for r in records) if e.time < stack.started_at]
    assert not older, (
        f"{len(older)} of the {len(records)} events on the stack's broker were made before it started "
        f"at {stack.started_at} (the oldest: {min(e.time for e in older)}, {older[0].type}): earlier tests' "
        "events were sent to it"
    )
