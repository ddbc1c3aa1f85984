"""Which broker we talk to: its cluster id, to notice one that came back empty (docs/adr/0015).

A Kafka cluster keeps its id for life, with its data. The embedded broker keeps its topics in
memory and is started with a fresh id each time (kit/embedded.py), so a new id means "this broker
has none of what was published before": relays republish their archives to it and consumers read
its partitions from the start (their inboxes skip what they applied).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient

log = logging.getLogger(__name__)


class BrokerIdentity:
    """The broker's cluster id, asked at most every ``max_age_s`` (shared by a service's relay and
    consumers); None while the broker cannot be reached."""

    def __init__(
        self, bootstrap: str, *, client_options: Mapping[str, Any] | None = None, max_age_s: float = 5.0
    ) -> None:
        self.bootstrap = bootstrap
        self.client_options = dict(client_options or {})
        self.max_age_s = max_age_s
        self._value: str | None = None
        self._asked = -float("inf")

    async def cluster_id(self, *, fresh: bool = False) -> str | None:
        if not fresh and time.monotonic() - self._asked < self.max_age_s:
            return self._value
        self._asked = time.monotonic()
        admin = AIOKafkaAdminClient(**self.client_options, bootstrap_servers=self.bootstrap, request_timeout_ms=3_000)
        try:
            await admin.start()
            self._value = str((await admin.describe_cluster())["cluster_id"])
        except Exception as exc:  # the broker is away: ask again later
            log.debug("broker identity unknown (%s)", type(exc).__name__)
            self._value = None
        finally:
            with contextlib.suppress(Exception):  # closing a client that never connected
                await admin.close()
        return self._value
