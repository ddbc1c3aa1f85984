"""A file's rows as ``{column: text}`` with their line numbers: CSV (UTF-8, delimiter sniffed),
GeoJSON (a FeatureCollection: properties as columns, the feature's geometry kept) and XLSX
(openpyxl read-only, the first sheet or the one the mapping names). Anything else is a ``FileError`` naming the file."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

DELIMITERS = ",;\t|"


class FileError(ValueError):
    """The file cannot be read at all (its ``status``: 415 not a supported kind, 422 unreadable)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Row:
    line: int  # as a person counts: the header is line 1 in CSV and XLSX, features count from 1
    cells: dict[str, str]
    geometry: dict[str, Any] | None = None


def kind_of(filename: str, data: bytes) -> str:
    name = filename.lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return "xlsx"
    if name.endswith((".geojson", ".json")) or data.lstrip()[:1] == b"{":
        return "geojson"
    if name.endswith((".csv", ".txt", ".tsv")) or "." not in name:
        return "csv"
    raise FileError(f"{filename}: not a CSV, GeoJSON or XLSX file", status=415)


def _text(data: bytes) -> str:
    if b"\x00" in data:
        raise FileError("not text: it contains NUL bytes (a binary file, or UTF-16 without its mark)", status=415)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"not UTF-8 text (byte {exc.start})") from None


def _csv(data: bytes) -> Iterator[Row]:
    text = _text(data)
    head = text[:64_000]
    try:
        delimiter = csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise FileError("the file is empty")
    columns = [c.strip() for c in header]
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        yield Row(line=reader.line_num, cells={c: v.strip() for c, v in zip(columns, values, strict=False)})


def _geojson(data: bytes) -> Iterator[Row]:
    try:
        doc = json.loads(_text(data))
    except json.JSONDecodeError as exc:
        raise FileError(f"not JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise FileError("a GeoJSON FeatureCollection is expected")
    for i, feature in enumerate(doc["features"], start=1):
        props = (feature or {}).get("properties") or {}
        cells = {str(k): "" if v is None else str(v) for k, v in props.items()} if isinstance(props, dict) else {}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        yield Row(line=i, cells=cells, geometry=geometry if isinstance(geometry, dict) else None)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx(data: bytes, sheet: str | None = None) -> Iterator[Row]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileError(f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise FileError(f"no sheet {sheet!r} in the workbook (it has {', '.join(map(repr, book.sheetnames))})")
        rows = (book[sheet] if sheet is not None else book.worksheets[0]).iter_rows(values_only=True)
        header: list[str] | None = None
        for n, values in enumerate(rows, start=1):
            cells = [_cell(v) for v in values]
            if header is None:
                if any(cells):
                    header = cells
                continue
            if any(cells):
                yield Row(line=n, cells=dict(zip(header, cells, strict=False)))
        if header is None:
            raise FileError(
                f"the workbook's sheet {sheet!r} is empty" if sheet else "the workbook's first sheet is empty"
            )
    finally:
        book.close()


def read_rows(filename: str, data: bytes, sheet: str | None = None) -> Iterator[Row]:
    """The rows of ``data`` (``sheet``: an XLSX workbook's sheet by name; ignored by CSV and GeoJSON).

    A generator: a ``FileError`` about the file's content comes with the first row asked for.
    """
    kind = kind_of(filename, data)
    if kind == "xlsx":
        return _xlsx(data, sheet)
    return {"csv": _csv, "geojson": _geojson}[kind](data)
