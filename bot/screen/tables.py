"""A spreadsheet (CSV or XLSX) -> its headings and its rows of text, whatever it looked like: a title block
above the headings, blank lines, merged-cell debris, duplicated rows, formulas, Windows-1252 text.

Nothing here knows the law; `bot.screen.rows` reads the cells.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional

MAX_BYTES = 5 * 1024 * 1024  # the widget's limit; the command line takes larger files
MAX_ROWS = 100_000


class TableError(ValueError):
    """The file cannot be read at all: the message says why, in plain words."""


@dataclass
class Table:
    headings: list[str]
    rows: list[tuple[int, list[str]]]  # (line or spreadsheet row number, cells as text)
    notes: list[str] = field(default_factory=list)  # what was skipped or assumed, for the report


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> text and the encoding used: UTF-8 (with or without a byte-order mark), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 (with BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def read_csv(data: bytes) -> Table:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError("this is not a text file (CSV): it looks like a binary file")
    text, encoding = decode(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        grid = [(i + 1, row) for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect))]
    except csv.Error as e:
        raise TableError(f"not a readable CSV file ({e})") from None
    table = _table(grid)
    if encoding != "UTF-8":
        table.notes.append(f"Read as {encoding}.")
    return table


def read_xlsx(data: bytes) -> Table:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise TableError("XLSX files cannot be read here (openpyxl is not installed); save the sheet as CSV") from None
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    import zipfile

    try:
        # data_only: a formula's last calculated value, never the formula itself
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise TableError(f"not a readable XLSX workbook ({type(e).__name__})") from None
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise TableError("the workbook has no sheets")
        grid = []
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            if i >= MAX_ROWS + 50:
                break
            grid.append((i + 1, [_cell_text(v) for v in row]))
        notes = [f"Read the first sheet, '{ws.title}'."] if len(wb.worksheets) > 1 else []
    finally:
        wb.close()
    table = _table(grid)
    table.notes[:0] = notes
    return table


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def _clean(cell: str) -> str:
    """Stray characters: non-breaking spaces, zero-width marks, line breaks inside a cell."""
    cell = cell.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return " ".join(cell.split())


def _table(grid: list[tuple[int, list[str]]]) -> Table:
    """Finds the heading row (the first of the first 20 with at least two recognised headings, else the first
    row with two or more cells), then keeps each data row once."""
    from .columns import guess_field

    cleaned = [(n, [_clean(c or "") for c in row]) for n, row in grid]
    nonblank = [(n, row) for n, row in cleaned if any(row)]
    if not nonblank:
        raise TableError("the file is empty")
    head_at = None
    for k, (n, row) in enumerate(nonblank[:20]):
        if sum(1 for c in row if c and guess_field(c)) >= 2:
            head_at = k
            break
    if head_at is None:
        head_at = next((k for k, (_, row) in enumerate(nonblank) if sum(1 for c in row if c) >= 2), None)
    if head_at is None:
        raise TableError("no row of column headings found")
    notes = []
    if head_at:
        notes.append(f"Skipped {head_at} line{'s' if head_at > 1 else ''} above the headings (line {nonblank[head_at][0]}).")
    headings = nonblank[head_at][1]
    width = len(headings)
    rows: list[tuple[int, list[str]]] = []
    seen: dict[tuple[str, ...], int] = {}
    blank = len(cleaned) - len(nonblank)
    debris = 0
    for n, row in nonblank[head_at + 1:]:
        row = (row + [""] * width)[:max(width, len(row))]
        if sum(1 for c in row if c) == 1 and not row[0] and width > 2:
            debris += 1  # a merged cell's leftover, or a section heading spread over the row
            continue
        if [c.lower() for c in row[:width]] == [h.lower() for h in headings]:
            debris += 1  # the headings repeated (a sheet pasted under another)
            continue
        key = tuple(c.lower() for c in row)
        if key in seen:
            notes.append(f"Line {n} repeats line {seen[key]}; screened once.")
            continue
        seen[key] = n
        rows.append((n, row))
        if len(rows) > MAX_ROWS:
            raise TableError(f"more than {MAX_ROWS:,} rows; split the file")
    if blank:
        notes.append(f"Skipped {blank} blank line{'s' if blank > 1 else ''}.")
    if debris:
        notes.append(f"Skipped {debris} line{'s' if debris > 1 else ''} that were not contracts (a section heading, "
                     "merged-cell leftovers or repeated headings).")
    return Table(headings, rows, notes)


def sniff_kind(name: str, data: bytes) -> Optional[str]:
    """"csv", "xlsx", "ocds" or None, from the content first and the file name second."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if head[:1] in (b"{", b"["):
        return "ocds"
    low = name.lower()
    if low.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if low.endswith((".json", ".jsonl", ".ndjson")):
        return "ocds"
    if low.endswith((".csv", ".tsv", ".txt")) or name == "-":
        return "csv"
    return None


__all__ = ["MAX_BYTES", "Table", "TableError", "decode", "read_csv", "read_xlsx", "sniff_kind"]
