"""What every service's input shares: no control characters, dates within reason; no formulas out.

In: PostgreSQL refuses NUL in text and JSON, and other control characters are never typed by a
person (a CR/LF in a one-line field breaks the files it is written into, such as iCalendar).
``refuse_control_characters`` is a dependency of every route (``create_app``): a NUL or other
control character in a query or path parameter, or in any string of a JSON body, is a 422 naming
the field, whatever the route declares. Free text keeps its tabs and line breaks there; a field
that is one line (a name, a title, a code) says so with ``SingleLine`` and refuses them too.

Out: a spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (CSV injection, OWASP). ``csv_cell`` quotes such text with a leading ``'``,
as OWASP recommends; numbers stay numbers (a negative longitude is not a formula).

Dates: Python's calendar ends in 9999 and PostgreSQL's begins before year 1, so a far date
fails deep in a query (a month after 9999-12, a day before 0001-01-01). Porchlight's work
happens this century: ``Day`` and ``parse_month`` keep dates and months within
``EARLIEST``..``LATEST`` and say so in people's words.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, BeforeValidator

from porchlight.kit.errors import human_error

#: The dates any input may name: this century (the work, the history imported, the plans).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
_DAY_RANGE = f"Enter a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}."
_MONTH_RANGE = f"Enter a month between {EARLIEST:%Y-%m} and {LATEST:%Y-%m}, e.g. 2026-11."


def _within(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise human_error("date_out_of_range", _DAY_RANGE)
    return value


#: A calendar day within ``EARLIEST``..``LATEST``.
Day = Annotated[date, AfterValidator(_within)]


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the month's first day; ValueError (a sentence for people) if it is not one
    or falls outside ``EARLIEST``..``LATEST``."""
    year, sep, month = text.partition("-")
    if not (sep and text.isascii() and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
        raise ValueError("Enter a month as YYYY-MM, e.g. 2026-11.")
    if not 1 <= int(month) <= 12:
        raise ValueError("Enter a month from 01 to 12, e.g. 2026-11.")
    first = date(int(year), int(month), 1)
    if not EARLIEST <= first <= LATEST:
        raise ValueError(_MONTH_RANGE)
    return first


#: Control characters text never holds: every C0 but tab, line feed and carriage return, and DEL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: In one line (and in a query or path parameter) tabs and line breaks are refused too.
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")
CONTROL_CODE = "control_character"
_IN_TEXT = "Remove the invisible control character from this text (retype it rather than paste it)."
_IN_LINE = "Keep this to one line: remove line breaks, tabs and invisible control characters."


def has_control(text: str, *, one_line: bool = False) -> bool:
    """Whether ``text`` holds a control character (``one_line``: a tab or line break counts)."""
    return (_CONTROL_OR_BREAK if one_line else _CONTROL).search(text) is not None


def printable(text: str) -> str:
    """``text`` with each control character, tab or line break replaced by U+FFFD: what was asked
    may be recorded (an audit entry, a log line) even when the request was refused for it."""
    return _CONTROL_OR_BREAK.sub("\ufffd", text)


def _free_text(value: str) -> str:
    if has_control(value):
        raise human_error(CONTROL_CODE, _IN_TEXT)
    return value


def _one_line(value: str) -> str:
    if has_control(value, one_line=True):
        raise human_error(CONTROL_CODE, _IN_LINE)
    return value


#: Text that may run over lines (a note, a description): no control characters but tab, CR, LF.
FreeText = Annotated[str, AfterValidator(_free_text)]
#: Text of one line (a name, a title, a code): no control characters, tabs or line breaks.
SingleLine = Annotated[str, AfterValidator(_one_line)]


def _not_null(value: Any) -> Any:
    if value is None:
        raise human_error("null_not_allowed", "This cannot be emptied: leave it out to keep it as it is.")
    return value


#: A change's field that may be left out but not sent as null (``"title": null`` on a patch):
#: ``Annotated[SingleLine | None, NotNull] = None``. A 422, not a 500 at the database's NOT NULL.
NotNull = BeforeValidator(_not_null)


# --- every route: query, path and JSON body ----------------------------------------------------

# A JSON string holds a control character only escaped (\u0000-\u001f, \u007f, \b, \f; \t \n \r
# are allowed) or, for DEL, as the raw byte: bodies without any of these are not parsed again.
_MAYBE_CONTROL = re.compile(rb"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\[bf]|\x7f")


def _error(loc: tuple[str | int, ...], message: str) -> dict[str, Any]:
    return {"type": CONTROL_CODE, "loc": loc, "msg": message, "input": None}


def _walk(value: Any, loc: tuple[str | int, ...], found: list[dict[str, Any]]) -> None:
    if isinstance(value, str):
        if has_control(value):
            found.append(_error(loc, _IN_TEXT))
    elif isinstance(value, dict):
        for key, item in value.items():
            if has_control(key, one_line=True):
                found.append(_error((*loc, key), "Remove the invisible control character from this field's name."))
            else:
                _walk(item, (*loc, key), found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, (*loc, i), found)


#: The attribute a route keeps its query parameters' names in (found at its first request).
_DECLARED = "__porchlight_query_names__"


def _declared_query(route: Any) -> frozenset[str] | None:
    """The query parameters the route reads, its dependencies' included (None: any, as when a
    pydantic model holds them); others are ignored here, as FastAPI ignores them."""
    if route is None:
        return frozenset()
    if not hasattr(route, _DECLARED):
        names: set[str] | None = set()
        todo, seen = [getattr(route, "dependant", None)], set()
        while todo and names is not None:
            dependant = todo.pop()
            if dependant is None or id(dependant) in seen:
                continue
            seen.add(id(dependant))
            for param in dependant.query_params:
                if isinstance(param.field_info.annotation, type) and issubclass(param.field_info.annotation, BaseModel):
                    names = None
                    break
                names.add(param.alias)
            todo.extend(dependant.dependencies)
        setattr(route, _DECLARED, None if names is None else frozenset(names))
    declared: frozenset[str] | None = getattr(route, _DECLARED)
    return declared


async def refuse_control_characters(request: Request) -> None:
    """A 422 naming each query or path parameter, or JSON body string, with a control character."""
    route = request.scope.get("route")
    declared = _declared_query(route)
    found = [
        _error(("query", name), _IN_LINE)
        for name, value in request.query_params.multi_items()
        if (declared is None or name in declared) and has_control(value, one_line=True)
    ]
    found += [
        _error(("path", name), _IN_LINE)
        for name, value in request.path_params.items()
        if isinstance(value, str) and has_control(value, one_line=True)
    ]
    content_type = request.headers.get("content-type", "")
    if getattr(route, "body_field", None) is not None and "json" in content_type:
        raw = await request.body()  # already read (and kept) by FastAPI for the route's body
        if _MAYBE_CONTROL.search(raw):
            try:
                body = json.loads(raw)
            except ValueError:
                body = None  # not JSON: the route's own validation says so
            _walk(body, ("body",), found)
    if found:
        raise RequestValidationError(found)


# --- CSV out: no formulas ----------------------------------------------------------------------

#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (a number such as -71.05 would not)."""
    return text.startswith(FORMULA_START) and not _number(text)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _quoted(text: str) -> bool:
    # A formula, or text that reads as a quoted formula already ("'=x"): quoted once more, so
    # that ``unneutralize`` gives every text back exactly as it was.
    return looks_like_formula(text) or (text.startswith("'") and _quoted(text[1:]))


def neutralize(text: str) -> str:
    """``text`` as a cell no spreadsheet runs: a formula gets a leading ``'`` (shown, never run)."""
    return "'" + text if _quoted(text) else text


def csv_cell(value: Any) -> str:
    """Any value as a CSV cell: nothing empty, times in UTC (``Z``), numbers as they are, text
    never a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, bool | int | float | Decimal | date):
        return str(value)
    return neutralize(str(value))


def unneutralize(text: str) -> str:
    """``text`` as it was before ``neutralize`` (an exported file imported again)."""
    return text[1:] if text.startswith("'") and _quoted(text[1:]) else text
