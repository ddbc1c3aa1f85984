"""JSON logs, one object per line, carrying the current request id and event id.

Log lines never carry request bodies or event data: residents' words and names stay out of logs.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import click
from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

from porchlight.events.logcontext import event_id_var, event_type_var, request_id_var


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # An explicit ``extra={"request_id": ...}`` wins: the 500 handler runs after the
        # request-context middleware has already left (see errors.py).
        record.request_id = getattr(record, "request_id", None) or request_id_var.get()
        record.event_id = getattr(record, "event_id", None) or event_id_var.get()
        record.event_type = event_type_var.get()
        # The trace and span the line was written in (empty when nothing is traced), so that a
        # log line leads to its trace and back.
        context = trace.get_current_span().get_span_context()
        record.trace_id = format(context.trace_id, "032x") if context.is_valid else None
        record.span_id = format(context.span_id, "016x") if context.is_valid else None
        return True


class RepeatFilter(logging.Filter):
    """At most one warning or error of a kind per ``window_s``; the next one says how many were left out.

    A broker outage made aiokafka and the relays log ~80,000 connection errors in 3 minutes
    (issue 15), and a storm of the same failing request writes the same stack trace thousands of
    times: the operator needs the first line and a count, not a full disk. A kind is the logger,
    the level, the message *template* (before its arguments: "relay: %s failed" is one kind
    whatever it failed on), the exception's type and the ``service`` the line is about. INFO and
    below pass untouched: they are not storms, and each one is its own fact.
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
        # A standalone process logs for five services: each service's line is its own kind.
        kind = (record.name, record.levelno, str(record.msg), exc, getattr(record, "service", None))
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
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(event_id)s %(event_type)s"
                " %(trace_id)s %(span_id)s",
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


#: The level's colour at a terminal (click.style's arguments): what needs a look stands out.
LEVEL_STYLES: dict[int, dict[str, Any]] = {
    logging.DEBUG: {"fg": "blue"},
    logging.INFO: {"fg": "green"},
    logging.WARNING: {"fg": "yellow", "bold": True},
    logging.ERROR: {"fg": "red", "bold": True},
    logging.CRITICAL: {"fg": "white", "bg": "red", "bold": True},
}


def wants_colour(stream: TextIO, no_color: str | None) -> bool:
    """Colours only for a person: the stream is a terminal, and NO_COLOR (no-color.org) is unset or empty."""
    isatty = getattr(stream, "isatty", None)
    return not no_color and callable(isatty) and bool(isatty())


class TerminalFormatter(logging.Formatter):
    """One short line per record for a person at a terminal: the time, the level, the message.

    An exception adds its type only; its frames are in the log file, where the terminal line
    points (``configure_terminal_logging``). With ``colour``, the level has its colour and the time
    and the logger's name are dimmed (ANSI escapes, through click, which typer already brings).
    """

    def __init__(self, colour: bool = False) -> None:
        super().__init__(datefmt="%H:%M:%S")
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        plain = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        when, level, name = self.formatTime(plain, self.datefmt), f"{record.levelname:<7}", f"[{record.name}]"
        if self.colour:
            when, name = click.style(when, dim=True), click.style(name, dim=True)
            level = click.style(level, **LEVEL_STYLES.get(record.levelno, {}))
        line = f"{when} {level} {plain.getMessage()}  {name}"
        if record.exc_info and record.exc_info[0] is not None:
            line += f" ({record.exc_info[0].__name__}; details in the log file)"
        return line


class _Tee(logging.Handler):
    """Hands each record to several handlers, after this handler's filters ran once (the
    RepeatFilter counts a record once, whichever handlers then write it)."""

    def __init__(self, *handlers: logging.Handler) -> None:
        super().__init__()
        self.targets = handlers

    def emit(self, record: logging.LogRecord) -> None:
        for handler in self.targets:
            if record.levelno >= handler.level:
                handler.handle(record)

    def close(self) -> None:
        for handler in self.targets:
            handler.close()
        super().close()


def configure_terminal_logging(log_file: Path, level: str = "INFO", no_color: str | None = None) -> None:
    """Standalone mode at a terminal: everything as JSON lines in ``log_file``; on stderr only
    warnings and errors, one readable line each (``make run`` printed ~700 JSON lines while the
    demo city loaded, issue 16), in colour when stderr is a terminal and ``no_color`` (the
    NO_COLOR variable, through the settings) is unset. Python warnings (libraries'
    deprecations) go to the file only.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.handlers.RotatingFileHandler(log_file, maxBytes=20_000_000, backupCount=3, encoding="utf-8")
    to_file.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(event_id)s %(event_type)s"
            " %(trace_id)s %(span_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING)
    terminal.setFormatter(TerminalFormatter(colour=wants_colour(sys.stderr, no_color)))
    terminal.addFilter(lambda record: record.name != "py.warnings")
    both = _Tee(to_file, terminal)
    both.addFilter(RepeatFilter())
    both.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [both]
    root.setLevel(level)
    logging.captureWarnings(True)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
