"""Screening a whole pipeline, contract register or set of published notices: one engine answer per row.

    rows, report = load(name, data, overrides)     # CSV, XLSX or OCDS -> rows to screen, and what was read
    results = [screen_row(r, as_of, buyer) for r in rows]
    summary(results)                               # counts by regime, light touch, above/below, needs input

`ltr screen` (bot/cli.py) and `POST /screen` use this; `bot.screen.output` writes CSV, XLSX, JSON and records.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from .columns import FIELDS, MapError, assign, parse_map, unknown_overrides
from .rows import RowIn, screen_row
from .tables import MAX_BYTES, Table, TableError, read_csv, read_xlsx, sniff_kind

_UNIT = re.compile(r"\b(months?|mths?|weeks?)\b", re.I)


@dataclass
class Loaded:
    kind: str  # "csv", "xlsx" or "ocds"
    rows: list[RowIn]
    columns: dict[str, str] = field(default_factory=dict)  # heading -> field, for "which columns were used for what"
    ignored: list[str] = field(default_factory=list)  # headings not used
    notes: list[str] = field(default_factory=list)


def load(name: str, data: bytes, overrides: Optional[dict[str, str]] = None) -> Loaded:
    """Raises TableError when the file cannot be read at all."""
    kind = sniff_kind(name, data)
    if kind == "xls":
        raise TableError("old Excel files (.xls) cannot be read; save the sheet as .xlsx or CSV")
    if kind is None:
        raise TableError("not a CSV, XLSX or OCDS JSON file")
    if kind == "ocds":
        from .ocds import read_ocds

        rows, notes = read_ocds(data)
        return Loaded("ocds", rows, notes=notes)
    table = read_xlsx(data) if kind == "xlsx" else read_csv(data)
    return _from_table(kind, table, overrides or {})


def _from_table(kind: str, table: Table, overrides: dict[str, str]) -> Loaded:
    missing = unknown_overrides(table.headings, overrides)
    if missing:
        raise TableError(f"--map names a column the file does not have: {missing[0]!r}")
    cols = assign(table.headings, overrides)
    if not any(f in cols.values() for f in ("service", "title", "description", "cpv")):
        raise TableError("no column says what is being bought (a title, description, service or CPV column); "
                         "name one with --map \"Heading=service\"")
    units = {}
    for i, f in cols.items():
        m = _UNIT.search(table.headings[i])
        if f in ("term", "extensions") and m:
            units[f] = m.group(1).lower().rstrip("s").replace("mth", "month") + "s"
    rows = []
    ref_col = next((i for i, f in cols.items() if f == "ref"), None)
    for n, cells in table.rows:
        r = RowIn(ref="", line=n, heading_units=units)
        for i, f in cols.items():
            if i < len(cells) and f != "ref":
                r.cells.setdefault(f, []).append((table.headings[i], cells[i]))
        ref = cells[ref_col] if ref_col is not None and ref_col < len(cells) else ""
        r.ref = ref or str(n)
        if not any(t for c in r.cells.values() for _, t in c):
            continue
        rows.append(r)
    used = {table.headings[i]: f for i, f in cols.items()}
    ignored = [h for i, h in enumerate(table.headings) if i not in cols and h]
    return Loaded(kind, rows, used, ignored, table.notes)


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The counts a screening reports."""
    def lt(r):
        if r.get("out_of_scope"):
            return "out of scope"
        return "light touch" if r.get("light_touch") else "not light touch" if r.get("light_touch") is False else "not known"

    def regime(r):
        return r.get("regime") or ("out of scope" if r.get("out_of_scope") else "not known")

    def ab(r):
        a = r.get("above_threshold")
        if r.get("out_of_scope"):
            return "out of scope"
        return "above" if a else "below" if a is False else "no threshold" if r.get("regime") in ("PSR", "none") else "not known"

    return {
        "rows": len(results),
        "needs_input": sum(1 for r in results if r["status"] == "needs_input"),
        "regime": dict(Counter(regime(r) for r in results)),
        "light_touch": dict(Counter(lt(r) for r in results)),
        "threshold": dict(Counter(ab(r) for r in results)),
    }


__all__ = ["FIELDS", "Loaded", "MAX_BYTES", "MapError", "RowIn", "TableError", "load", "parse_map", "screen_row", "summary"]
