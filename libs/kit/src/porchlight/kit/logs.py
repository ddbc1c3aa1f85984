"""JSON logs, one object per line, carrying the current request id and event id.

Log lines never carry request bodies or event data: residents' words and names stay out of logs.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable

from pythonjsonlogger.json import JsonFormatter

from porchlight.events.logcontext import event_id_var, event_type_var, request_id_var


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # An explicit ``extra={"request_id": ...}`` wins: the 500 handler runs after the
        # request-context middleware has already left (see errors.py).
        record.request_id = getattr(record, "request_id", None) or request_id_var.get()
        record.event_id = getattr(record, "event_id", None) or event_id_var.get()
        record.event_type = event_type_var.get()
        return True


class RepeatFilter(logging.Filter):
    """At most one warning or error of a kind per ``window_s``; the next one says how many were left out.

    A broker outage made aiokafka and the relays log ~80,000 connection errors in 3 minutes
    (issue 15), and a storm of the same failing request writes the same stack trace thousands of
    times: the operator needs the first line and a count, not a full disk. A kind is the logger,
    the level, the message *template* (before its arguments: "relay: %s failed" is one kind
    whatever it failed on) and the exception's type. INFO and below pass untouched: they are
    not storms, and each one is its own fact.
    """

    def __init__(self, window_s: float = 60.0, kinds: int = 2048, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.window_s = window_s
        self.clock = clock
        self.kinds = kinds
        #: kind -> [window start (monotonic), records left out in it]
        self.seen: OrderedDict[tuple[object, ...], list[float]] = OrderedDict()
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        exc = record.exc_info[0] if record.exc_info else None
        kind = (record.name, record.levelno, str(record.msg), exc)
        now = self.clock()
        with self.lock:
            entry = self.seen.get(kind)
            if entry is not None and now - entry[0] < self.window_s:
                entry[1] += 1
                return False
            left_out = int(entry[1]) if entry is not None else 0
            self.seen[kind] = [now, 0]
            self.seen.move_to_end(kind)
            while len(self.seen) > self.kinds:
                self.seen.popitem(last=False)
        if left_out:
            record.msg = f"{record.msg} [{left_out} more like this in the last {self.window_s:g} s left out]"
        return True


def safe_traceback(exc: BaseException) -> str:
    """An exception chain's frames and exception types, without the exceptions' messages.

    Messages can quote data (PostgreSQL quotes the value it refused, a validation error the
    input), so they stay out of logs; the frames still say where and how it failed.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    parts = []
    for e in reversed(chain):
        frames = "".join(traceback.format_tb(e.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{type(e).__module__}.{type(e).__qualname__}")
    return "\n\nwhich led to\n\n".join(parts)


def configure_logging(fmt: str = "json", level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RepeatFilter())
    handler.addFilter(ContextFilter())
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(event_id)s %(event_type)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiokafka is chatty about every reconnect; warnings are what an operator needs.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
