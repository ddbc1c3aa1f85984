"""JSON logs, one object per line, carrying the current request id and event id.

Log lines never carry request bodies or event data: residents' words and names stay out of logs.
"""

from __future__ import annotations

import logging
import sys
import traceback

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
