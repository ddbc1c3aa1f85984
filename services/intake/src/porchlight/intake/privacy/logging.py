"""A log filter that redacts personal data from every record (defence in depth).

Intake logs ids and kinds, never texts; this catches the mistake that would otherwise put a
resident's email in a log line: a text interpolated into a message, an exception that quotes
its input. The filter sits on the handlers, so it sees every record that reaches them, whatever
logger emitted it -- standalone mode runs all services in one process and the rule is the same.
"""

from __future__ import annotations

import logging
from typing import Any

from porchlight.intake.privacy.redact import redact

_WITHHELD = "[log message withheld: redaction failed]"
#: Handlers of loggers that do not propagate to the root but may carry request data.
_EXTRA_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class RedactingFilter(logging.Filter):
    """Replace the record's message with its redacted form (the args are already in it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        try:
            redacted = redact(message, ner=False)
            if redacted.changed:
                record.msg, record.args = redacted.text, ()
            if record.exc_info and not record.exc_text:
                # Format the traceback now so the handler prints the redacted copy.
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text, ner=False).text
            if record.stack_info:
                record.stack_info = redact(record.stack_info, ner=False).text
        except Exception:  # never let a text through because redaction failed
            record.msg, record.args = _WITHHELD, ()
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def install_log_redaction(state: Any = None) -> None:
    """Put one :class:`RedactingFilter` on the root's handlers (a ``ServiceSpec.on_startup`` hook).

    ``state`` is the app's state, unused: the hook signature the kit calls.
    """
    handlers = list(logging.getLogger().handlers)
    for name in _EXTRA_LOGGERS:
        handlers.extend(logging.getLogger(name).handlers)
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
