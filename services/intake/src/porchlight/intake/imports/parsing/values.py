"""Cells as departments type them: dates, durations, counts, types, sentiment.

Every parser takes a raw cell (text from a CSV; text, number, date or time from XLSX) and
returns a value or raises ``CellError`` with a reason that never quotes the cell (reports are
shown and exported: a cell may hold a resident's name).

Dates (docs: the import section of services/intake/README or the module docstring of rows.py):

- ISO 8601 first (``2026-01-05``, ``2026-01-05 14:30``, with ``T``, seconds, ``Z`` or an offset);
- numbers with separators follow the import's ``date_format``: ``mdy`` (default: a US
  department's 1/5/2026 is January 5), ``dmy`` or ``ymd``; a four-digit first part is always
  year-month-day. Nothing is guessed from the values: 13/5/2026 in ``mdy`` is an error that says
  to choose ``dmy``, not a silent swap that would make 1/5 and 13/5 mean different orders;
- month names in any order: ``Jan 5 2026``, ``January 5, 2026``, ``5-Jan-26``, ``Mon, Jan 5 2026``;
- Excel serial day numbers (``45297``, also as a cell number), the 1900 date system;
- two-digit years are 20xx unless that is more than a year ahead, then 19xx;
- a time, if any, follows the date or sits in its own column (``14:30``, ``2:30 PM``, ``2 pm``,
  an Excel time); times without an offset are the department's local time (``timezone``);
  a date without a time is midnight local time.
"""

from __future__ import annotations

import contextlib
import math
import re
import uuid
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

#: Cells meaning "nothing here".
BLANKS = frozenset(
    {
        "",
        "n/a",
        "na",
        "n.a.",
        "none",
        "null",
        "nil",
        "-",
        "--",
        "---",
        "—",
        "#n/a",
        "?",
        "tbd",
        "unknown",
        "not applicable",
        "nan",
    }
)
_BLANK_MAX = max(map(len, BLANKS)) + 1
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_EXCEL_EPOCH = datetime(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 18_264, 73_051  # 1950-01-01 .. 2100-01-01


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown (no cell value in it)."""


def clean(value: Any, *, keep_lines: bool = False) -> Any:
    """Text trimmed (no-break and zero-width spaces too); None for blank markers ("N/A", "-")."""
    if value is None:
        return None
    if not isinstance(value, str):
        return value
    if value.isascii() and value.isprintable() and value.strip() == value and "  " not in value:
        text = value  # most cells: nothing to clean (a hundred thousand rows make it count)
    else:
        text = value.translate(_INVISIBLE).replace("\u00a0", " ")
        if keep_lines:
            text = "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()
        else:
            text = " ".join(text.split())
    return None if len(text) < _BLANK_MAX and text.casefold() in BLANKS else text


# --- dates and times -------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_WEEKDAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
_TIME = re.compile(
    r"(?:^|[\sT,])(?P<h>\d{1,2})(?::(?P<m>\d{2}))?(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[ap]\.?\s?m\.?)?$",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"^(\d{1,4})[/\-.](\d{1,2})[/\-.](\d{1,4})$")
_SERIAL = re.compile(r"\d{5}(\.\d+)?")
_TOKENS = re.compile(r"[\s,/\-.]+")
_NEGATIVE = re.compile(r"-\s*\d+(\.\d+)?")
_CLOCK_DURATION = re.compile(r"(\d{1,2}):(\d{2})")
_COUNT = re.compile(r"(-?\d+)(?:\.0+)?(?:\s+[a-z]+)?")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_LIST_SEPARATORS = re.compile(r"[\n;|]+")
ORDERS = {"mdy": "month/day/year", "dmy": "day/month/year", "ymd": "year-month-day"}


def _year(text: str, today: date) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 2000 if 2000 + year <= today.year + 1 else 1900
    return year


def _make_date(y: int, m: int, d: int, order: str) -> date:
    if not 1 <= m <= 12:
        hint = " (for day/month/year files choose date_format=dmy)" if order == "mdy" and 1 <= d <= 12 else ""
        raise CellError(f"no month {m} in {ORDERS[order]} order{hint}")
    try:
        return date(y, m, d)
    except ValueError:
        raise CellError(f"day {d} does not exist in that month ({ORDERS[order]} order)") from None


def _split_time(text: str) -> tuple[str, time | None]:
    """``"1/5/2026 2:30 PM"`` -> (``"1/5/2026"``, 14:30); a bare number is not a time."""
    m = _TIME.search(text)
    if m is None or (m.group("m") is None and m.group("ampm") is None):
        return text, None
    head = text[: m.start()].strip(" ,T")
    if not head:
        return text, None
    return head, parse_time(m.group(0).strip(" ,T"))


def parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, int | float) and 0 <= value < 1:  # an Excel time: a fraction of a day
        seconds = round(value * 86_400)
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    m = _TIME.search(" " + str(value).strip())
    if m is None or m.end() != len(str(value).strip()) + 1:
        raise CellError("not a time (use 14:30 or 2:30 PM)")
    hour, minute, second = int(m.group("h")), int(m.group("m") or 0), int(m.group("s") or 0)
    ampm = (m.group("ampm") or "").replace(".", "").replace(" ", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise CellError("not a time: the hour of an AM/PM time is 1 to 12")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise CellError("not a time of day")
    return time(hour, minute, second)


def _from_serial(serial: float) -> datetime:
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise CellError("a number that is not an Excel date (expected a day number between 1950 and 2100)")
    return _EXCEL_EPOCH + timedelta(days=serial)


def _named_month(text: str, today: date) -> date | None:
    tokens = [t for t in _TOKENS.split(text.lower()) if t]
    months = [t for t in tokens if t[:3] in _MONTHS and t.isalpha() and (len(t) == 3 or t.startswith(t[:3]))]
    months = [t for t in months if t[:3] not in _WEEKDAYS]
    if len(months) != 1:
        return None
    rest = [
        t.removesuffix("st").removesuffix("nd").removesuffix("rd").removesuffix("th")
        for t in tokens
        if t not in months and t[:3] not in _WEEKDAYS
    ]
    if len(rest) != 2 or not all(t.isdigit() for t in rest):
        return None
    days = [t for t in rest if len(t) <= 2 and 1 <= int(t) <= 31]
    if len(rest[0]) == 4:
        y, d = rest[0], rest[1]
    elif len(rest[1]) == 4 or len(days) == 1:
        d, y = (rest[0], rest[1]) if rest[0] in days and len(rest[1]) != 1 else (rest[1], rest[0])
    else:
        d, y = rest  # "5-Jan-26": day first, as Excel writes it
    return _make_date(_year(y, today), _MONTHS[months[0][:3]], int(d), "mdy")


def parse_date(value: Any, *, order: str, zone: tzinfo, at: Any = None, today: date | None = None) -> datetime:
    """A cell (and an optional time cell) as an aware datetime; see the module docstring."""
    today = today or date.today()
    moment: datetime | None = None
    clock = parse_time(at) if at is not None else None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _from_serial(float(value))
    elif isinstance(value, str):
        moment = _parse_text(value.strip(), order, today)
    else:
        raise CellError("not a date")
    if clock is not None:
        moment = datetime.combine(moment.date(), clock, moment.tzinfo)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _parse_text(text: str, order: str, today: date) -> datetime:
    if m := _NUMERIC.match(text):  # the common case first: 1/5/2026, no time
        return datetime.combine(_numeric(m, order, today) or _not_a_date(order), time())
    if text and set(text) == {"#"}:
        raise CellError("shows ##### (the column was too narrow when Excel saved the file): the date was lost")
    if _SERIAL.fullmatch(text):
        return _from_serial(float(text))
    if text[:4].isdigit():
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            pass
    head, clock = _split_time(text)
    m = _NUMERIC.match(head)
    day = _numeric(m, order, today) if m else _named_month(head, today)
    return datetime.combine(day or _not_a_date(order), clock or time())


def _numeric(m: re.Match[str], order: str, today: date) -> date | None:
    a, b, c = m.groups()
    if len(a) == 4:
        return _make_date(int(a), int(b), int(c), "ymd")
    if order == "ymd":
        return _make_date(_year(a, today), int(b), int(c), "ymd")
    if len(c) in (2, 4):
        month, dom = (a, b) if order == "mdy" else (b, a)
        return _make_date(_year(c, today), int(month), int(dom), order)
    return None


def _not_a_date(order: str) -> date:
    raise CellError(f"not a date (use {ORDERS[order]} like 1/5/2026, 2026-01-05 or Jan 5 2026)")


# --- numbers -------------------------------------------------------------------------------

_DURATION = re.compile(
    r"(?:(?P<h>\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours)\.?)?\s*(?:and\s*)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*(?P<unit>m|min|mins|minute|minutes)?\.?)?",
    re.IGNORECASE,
)


def _number(text: str) -> float:
    text = text.replace(",", ".") if "," in text and "." not in text else text.replace(",", "")
    return float(text)


def parse_minutes(value: Any, *, unit: str = "minutes") -> int:
    """``90``, ``"90 min"``, ``"1h 30m"``, ``"1h30"``, ``"1:30"``, ``"1.5 h"`` -> minutes.

    A bare number is in the column's unit (an "Hours" column's 1.5 is 90 minutes). Negative
    numbers come back negative, for the form's range check to name.
    """
    per = 60 if unit == "hours" else 1
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _round(value * per)
    text = str(value).strip().lower()
    if _NEGATIVE.fullmatch(text):
        return _round(float(text.replace(" ", "")) * per)
    if m := _CLOCK_DURATION.fullmatch(text):
        return int(m.group(1)) * 60 + int(m.group(2))
    m = _DURATION.fullmatch(text)
    if not text or m is None or not (m.group("h") or m.group("m")):
        raise CellError("not a duration (use minutes like 90, or 1h 30m, or 1.5 h)")
    hours = float(m.group("h") or 0)
    minutes = float(m.group("m") or 0)
    if m.group("m") and not m.group("h") and not m.group("unit"):
        minutes *= per  # a bare number: the column's unit
    return _round(hours * 60 + minutes)


def _round(value: float) -> int:
    """Half a minute up, as people round (``round`` would take 12.5 to 12)."""
    return math.floor(abs(value) + 0.5) * (1 if value >= 0 else -1)


def parse_count(value: Any) -> int:
    """A whole number: ``7``, ``7.0`` (Excel), ``"7"``, ``"7 residents"``; negatives pass through."""
    if isinstance(value, bool):
        raise CellError("not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError("not a whole number")
    m = _COUNT.fullmatch(str(value).strip().lower())
    if m is None:
        raise CellError("not a whole number")
    return int(m.group(1))


def parse_coordinate(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return _number(str(value).strip())
    except ValueError:
        raise CellError("not a number (decimal degrees, like 42.3601)") from None


_SENTIMENT_WORDS = {
    "very negative": 1,
    "very bad": 1,
    "terrible": 1,
    "hostile": 1,
    "negative": 2,
    "bad": 2,
    "poor": 2,
    "neg": 2,
    "frustrated": 2,
    "neutral": 3,
    "mixed": 3,
    "ok": 3,
    "okay": 3,
    "fair": 3,
    "positive": 4,
    "good": 4,
    "pos": 4,
    "very positive": 5,
    "very good": 5,
    "excellent": 5,
    "great": 5,
}


def parse_sentiment(value: Any) -> int:
    """1..5 as a number (``4``, ``4.0``, ``"4/5"``, ``"4 - good"``) or a word (``"positive"`` is 4)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            return int(value)
        raise CellError("not a sentiment: a whole number 1 to 5, or a word like negative, neutral, positive")
    text = " ".join(re.sub(r"[^a-z0-9/.]+", " ", str(value).lower()).split())
    if m := re.match(r"^(\d)(?:\.0)?(?:\s*/\s*5)?(?:\s|$)", text):
        return int(m.group(1))
    word = _SENTIMENT_WORDS.get(text)
    if word is None:
        raise CellError("not a sentiment: a whole number 1 to 5, or a word like negative, neutral, positive")
    return word


# --- contact types -------------------------------------------------------------------------

_TYPE_SYNONYMS = {
    "conversation": (
        "conversation",
        "talk",
        "chat",
        "community conversation",
        "walk and talk",
        "porch talk",
        "street conversation",
        "positive conversation",
        "conversations",
    ),
    "youth_activity": (
        "youth",
        "youth activity",
        "youth event",
        "youth program",
        "youth sports",
        "mentoring",
        "mentorship",
        "school visit",
        "sports",
        "basketball",
        "pal",
        "police athletic league",
        "kids",
        "summer camp",
        "camp",
    ),
    "business_checkin": (
        "business",
        "business check",
        "business check in",
        "business checkin",
        "business visit",
        "store visit",
        "merchant visit",
        "merchant check",
        "business contact",
    ),
    "event": (
        "event",
        "community event",
        "community meeting",
        "meeting",
        "festival",
        "block party",
        "national night out",
        "coffee with a cop",
        "presentation",
        "fair",
        "open house",
        "cookout",
        "town hall",
    ),
    "referral": (
        "referral",
        "referrals",
        "referred",
        "social services referral",
        "resource referral",
        "services referral",
        "service referral",
    ),
    "other": ("other", "misc", "miscellaneous"),
}
_TYPES = {alias: kind for kind, aliases in _TYPE_SYNONYMS.items() for alias in aliases}
_TYPE_WORDS = (
    ("youth", "youth_activity"),
    ("business", "business_checkin"),
    ("referral", "referral"),
    ("referred", "referral"),
    ("event", "event"),
    ("conversation", "conversation"),
)
TYPE_CHOICES = "conversation, youth activity, business check-in, event, referral or other"


def parse_contact_type(value: Any) -> str:
    """A contact type from a department's word for it: "Youth event" is youth_activity."""
    text = " ".join(_NON_WORD.sub(" ", str(value).lower()).split())
    found = _TYPES.get(text) or _TYPES.get(text.removesuffix("s")) or _TYPES.get(text.replace("_", " "))
    if found is None:
        words = set(text.split())
        found = next((kind for word, kind in _TYPE_WORDS if word in words), None)
    if found is None:
        raise CellError(f"unknown contact type: use {TYPE_CHOICES}")
    return found


# --- ids and lists -------------------------------------------------------------------------

#: Namespace of the ids imports derive (uuid5): stable across replicas and versions.
ID_NAMESPACE = uuid.UUID("6f1c1b0e-2f5e-4d8a-9a57-3c1e0f7b9d21")


def record_id(kind: str, value: Any) -> uuid.UUID:
    """The id of a file's record: itself if it is a UUID, else derived from (kind, value)."""
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))  # Excel stores 17 as 17.0
    if len(text) in (32, 36, 38):  # the lengths a UUID is written in
        with contextlib.suppress(ValueError):
            return uuid.UUID(text)
    return uuid.uuid5(ID_NAMESPACE, f"{kind}|record|{text}")


def row_id(kind: str, import_id: uuid.UUID, row: int) -> uuid.UUID:
    """The id of a row without an id column: the same on every run of this import (idempotent)."""
    return uuid.uuid5(ID_NAMESPACE, f"{kind}|{import_id}|{row}")


def split_list(value: Any) -> list[str]:
    """One cell holding several items: lines, ``;`` or ``|`` separate them."""
    if value is None:
        return []
    return [p.strip() for p in _LIST_SEPARATORS.split(str(value)) if p.strip()]
