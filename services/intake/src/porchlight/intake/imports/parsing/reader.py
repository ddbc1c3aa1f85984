"""Reading an uploaded file: what it is, how it is encoded, its records one at a time.

Encodings, in this order: a byte-order mark decides (UTF-8, UTF-16); else UTF-8; else
Windows-1252, but only when UTF-8 fails, every byte decodes in Windows-1252 and no UTF-8 letter
came before the failure (Excel's "CSV" on Windows writes Windows-1252: ``café`` as one byte
``E9``; a file that is UTF-8 in part is mixed, and no single encoding reads it right). Anything
else is a 422 naming the byte (counted from 0) where UTF-8 failed; NUL bytes are refused too (a
UTF-16 file without its mark, or not text at all). The whole file is checked before it is
stored, so a bad byte at the end is refused before any row is looked at. Old binary ``.xls``
and other non-text files are a 415.

CSV: the delimiter is sniffed from the top of the file among ``, ; TAB |`` (the one that splits
the first lines into the same number of cells, most often, into the most cells); quote errors
are reported per record, and reading goes on at the next line. XLSX:
openpyxl in read-only mode streams rows (the first sheet, or the one named); merged title rows
above the header read as a cell and blanks and are skipped by the header search.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from porchlight.kit.errors import PayloadTooLarge, ProblemError, ValidationProblem

DELIMITERS = ",;\t|"
_SNIFF_BYTES = 64 * 1024
_SCAN_BYTES = 256 * 1024


class UnsupportedFile(ProblemError):
    status, slug, title = 415, "unsupported-file", "Not a CSV or XLSX file"


@dataclass(frozen=True)
class FileInfo:
    file_format: str  # csv | xlsx
    encoding: str | None
    size: int


@dataclass(frozen=True)
class Record:
    """A record of the file: its row number (as a spreadsheet counts) and cells, or a problem."""

    row: int
    cells: list[Any]
    problem: str | None = None


def _malformed(message: str) -> ValidationProblem:
    return ValidationProblem(message, errors=[{"field": "file", "message": message}])


def inspect(f: IO[bytes], *, max_bytes: int) -> FileInfo:
    """What the file is and how it is encoded; raises 413, 415 or 422 (see the module docstring)."""
    f.seek(0)
    head = f.read(8)
    if head.startswith(b"PK\x03\x04"):
        size = f.seek(0, io.SEEK_END)
        if size > max_bytes:
            raise PayloadTooLarge(f"The file exceeds {max_bytes} bytes")
        return FileInfo("xlsx", None, size)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFile("An old Excel .xls file: save it as .xlsx or as CSV UTF-8")
    if head.startswith((b"%PDF", b"\x1f\x8b", b"\x89PNG", b"\xff\xd8\xff")):
        raise UnsupportedFile("Not a spreadsheet: send a CSV or XLSX file")
    if not head:
        raise _malformed("the file is empty")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    return FileInfo("csv", _scan(f, encoding, max_bytes), f.seek(0, io.SEEK_END))


def _scan(f: IO[bytes], encoding: str, max_bytes: int) -> str:
    """Decode the whole file once: the encoding to read it with, or the 422 saying where it breaks."""
    f.seek(0)
    primary = codecs.getincrementaldecoder(encoding)("strict")
    fallback = codecs.getincrementaldecoder("cp1252")("strict") if encoding == "utf-8" else None
    failed_at: int | None = None
    nul_at: int | None = None
    #: UTF-8 letters before the first bad byte: the file mixes encodings, no single one fits.
    mixed = False
    offset = 0
    while True:
        chunk = f.read(_SCAN_BYTES)
        final = not chunk
        if offset + len(chunk) > max_bytes:
            raise PayloadTooLarge(f"The file exceeds {max_bytes} bytes")
        if nul_at is None and encoding != "utf-16" and (at := chunk.find(b"\x00")) >= 0:
            nul_at = offset + at
        if failed_at is None:
            pending = primary.getstate()[0]
            try:
                text = primary.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                failed_at = offset - len(pending) + exc.start
                mixed = mixed or not (pending + chunk)[: exc.start].isascii()
            else:
                if nul_at is None and "\x00" in text:  # UTF-16: a NUL character, not a byte
                    nul_at = offset
                mixed = mixed or not text.isascii()
        if fallback is not None:
            try:
                fallback.decode(chunk, final=final)
            except UnicodeDecodeError:
                fallback = None
        if final:
            break
        offset += len(chunk)
    if nul_at is not None:
        raise _malformed(
            f"malformed encoding at byte {nul_at}: a NUL byte (UTF-16 without a byte-order mark, or not a text "
            "file); save the file as CSV UTF-8"
        )
    if failed_at is None:
        return encoding
    if fallback is not None and not mixed:
        return "cp1252"
    name = "UTF-16" if encoding == "utf-16" else "UTF-8"
    if mixed:
        raise _malformed(
            f"malformed encoding at byte {failed_at}: the file is UTF-8 before this byte and not after it (mixed "
            "encodings); save it as CSV UTF-8"
        )
    raise _malformed(
        f"malformed encoding at byte {failed_at}: the file is not {name}"
        + (" nor Windows-1252" if encoding == "utf-8" else "")
        + "; save it as CSV UTF-8"
    )


def sniff_delimiter(sample: str) -> str:
    """The delimiter splitting the first lines most consistently into the most cells."""
    lines = [line for line in sample.splitlines()[:30] if line.strip()][:15]
    best, best_score = ",", 0.0
    for d in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=d))) for line in lines]
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        cells, times = Counter(wide).most_common(1)[0]
        score = times * cells
        if score > best_score:
            best, best_score = d, score
    return best


class Source:
    """An open file's records, its progress, and what was learned reading it."""

    def __init__(self, f: IO[bytes], info: FileInfo, *, sheet: str | None = None) -> None:
        self.f, self.info = f, info
        self.delimiter: str | None = None
        self.estimated_rows: int | None = None
        self._text: io.TextIOWrapper | None = None
        self._book: Any = None
        self._sheet = sheet

    def records(self) -> Iterator[Record]:
        return self._xlsx() if self.info.file_format == "xlsx" else self._csv()

    def position(self) -> int:
        """Bytes of the file read so far (CSV; XLSX is unzipped as it goes, so 0)."""
        return self.f.tell() if self.info.file_format == "csv" else 0

    def close(self) -> None:
        if self._text is not None:
            self._text.detach()  # leave the caller's file open
            self._text = None
        if self._book is not None:
            self._book.close()
            self._book = None

    def _csv(self) -> Iterator[Record]:
        encoding = self.info.encoding or "utf-8"
        self.f.seek(0)
        sample = self.f.read(_SNIFF_BYTES).decode(encoding, errors="ignore")
        self.delimiter = sniff_delimiter(sample)
        self.f.seek(0)
        self._text = io.TextIOWrapper(self.f, encoding=encoding, newline="")
        reader = csv.reader(self._text, delimiter=self.delimiter, strict=True)
        row = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row += 1
                yield Record(row, [], problem=f"unreadable CSV ({exc}): check the quotes of this row")
                continue
            row += 1
            yield Record(row, list(cells))

    def _xlsx(self) -> Iterator[Record]:
        import openpyxl  # only imports that read XLSX pay for it

        self.f.seek(0)
        try:
            self._book = openpyxl.load_workbook(self.f, read_only=True, data_only=True)
        except Exception as exc:  # a damaged workbook fails in many ways; all of them are the file's fault
            raise _malformed(f"not a readable XLSX file ({type(exc).__name__})") from None
        names = self._book.sheetnames
        if self._sheet is not None and self._sheet not in names:
            raise ValidationProblem(
                "No such sheet", errors=[{"field": "sheet", "message": f"the workbook's sheets are {names}"}]
            )
        ws = self._book[self._sheet] if self._sheet else self._book.worksheets[0]
        self.estimated_rows = ws.max_row
        rows = enumerate(ws.iter_rows(values_only=True), start=ws.min_row or 1)
        while True:
            try:
                row, values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # damaged sheet XML: the rest of the sheet cannot be read
                raise _malformed(f"the sheet cannot be read past this point ({type(exc).__name__})") from None
            yield Record(row, list(values))


def trimmed(cells: list[Any]) -> list[Any]:
    """Cells without the empty ones at the end (trailing delimiters, Excel's padding)."""
    end = len(cells)
    while end and (cells[end - 1] is None or (isinstance(cells[end - 1], str) and not cells[end - 1].strip())):
        end -= 1
    return cells[:end]
