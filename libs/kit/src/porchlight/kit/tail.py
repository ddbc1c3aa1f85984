"""``porchlight events tail``: print every event on Porchlight's topics as one JSON line.

It reads without a consumer group (nothing committed, nobody's offsets moved) from the start of
what the broker holds, then follows live. It does not jump to the end: the embedded broker's end
offsets are not exact, so "latest" would skip or repeat events there.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any, TextIO

from aiokafka import AIOKafkaConsumer

from porchlight.events import MalformedEvent, Topics, from_kafka


async def tail(
    bootstrap: str,
    event_type: str | None,
    limit: int | None,
    timeout_s: float | None,
    out: TextIO,
    *,
    client_options: Mapping[str, Any] | None = None,
) -> int:
    consumer = AIOKafkaConsumer(
        **(client_options or {}),
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    consumer.subscribe(Topics.all())
    printed = 0
    deadline = time.monotonic() + timeout_s if timeout_s else None
    try:
        while (limit is None or printed < limit) and (deadline is None or time.monotonic() < deadline):
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for rec in records:
                    try:
                        env = from_kafka(rec.key, rec.value, rec.headers)
                    except MalformedEvent as exc:
                        line = {"topic": rec.topic, "offset": rec.offset, "malformed": str(exc)}
                    else:
                        if event_type and not env.type.startswith(event_type):
                            continue
                        line = {
                            "topic": rec.topic,
                            "partition": rec.partition,
                            "offset": rec.offset,
                            "key": env.key,
                            "type": env.type,
                            "id": env.id,
                            "source": env.source,
                            "time": env.time.isoformat(),
                            "subject": env.subject,
                            "data": env.data,
                        }
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
                    out.flush()
                    printed += 1
                    if limit is not None and printed >= limit:
                        return printed
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
    return printed
