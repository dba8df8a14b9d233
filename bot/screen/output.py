"""Writing a screening: CSV, XLSX or JSON by the file's extension, and one decision record per row.

Every text cell written to CSV or XLSX is neutralised against formula injection: a cell beginning with
`=`, `+`, `-`, `@` (or a tab or carriage return) gets a leading apostrophe, so a spreadsheet shows it as
text and never runs it. Records are escaped by `bot.render.record`.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import datetime
from typing import Any, Iterable

# (heading, field) of the table written for a spreadsheet; lists are joined with " | ".
COLUMNS = [
    ("Row", "row"), ("Status", "status"), ("Regime", "regime_name"), ("Light touch", "light_touch"),
    ("Above threshold", "above_threshold"), ("Threshold (£)", "threshold_gbp"),
    ("Estimated value (£)", "estimated_value_gbp"), ("VAT basis", "vat_basis"), ("Notifiable", "notifiable"),
    ("Service category", "service_category_label"), ("Notices", "notices"), ("Routes open", "routes_open"),
    ("Needs", "needs"), ("Warnings", "warnings"), ("Value working", "value_working"), ("Answer", "answer"),
    ("Description and CPV", "cpv_check"), ("Notes", "notes"), ("Read from", "read"),
]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe(text: str) -> str:
    """A cell that a spreadsheet will show as text, never evaluate."""
    return "'" + text if text.startswith(_DANGEROUS) else text


def _cell(r: dict[str, Any], field: str) -> Any:
    v = r.get(field)
    if field == "regime_name" and not v:
        v = "Exempt: no procurement rules" if r.get("regime") == "none" else ("" if r.get("regime") is None else r.get("regime"))
    if isinstance(v, bool):
        return "yes" if v else "no"
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, dict):
        return " | ".join(f"{k}: {x}" for k, x in v.items())
    if isinstance(v, list):
        return " | ".join(i["text"] if isinstance(i, dict) else str(i) for i in v)
    return str(v)


def table_rows(results: Iterable[dict[str, Any]]) -> Iterable[list[Any]]:
    yield [h for h, _ in COLUMNS]
    for r in results:
        yield [(safe(c) if isinstance(c, str) else c) for c in (_cell(r, f) for _, f in COLUMNS)]


def to_csv(results: Iterable[dict[str, Any]]) -> str:
    return csv_of_table(table_rows(results))


def to_xlsx(results: Iterable[dict[str, Any]]) -> bytes:
    return xlsx_of_table(table_rows(results))


def csv_of_table(table: Iterable[list[Any]]) -> str:
    """`table_rows` (already neutralised) as CSV text."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    for row in table:
        w.writerow([safe(c) if isinstance(c, str) else c for c in row])
    return "\ufeff" + out.getvalue()  # a byte-order mark, so Excel reads the pound sign right


def xlsx_of_table(table: Iterable[list[Any]]) -> bytes:
    """`table_rows` as an XLSX workbook: every text cell stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Screening")
    from openpyxl.cell import WriteOnlyCell

    for row in table:
        cells = []
        for v in row:
            c = WriteOnlyCell(ws, value=safe(v) if isinstance(v, str) else v)
            if isinstance(v, str):
                c.data_type = TYPE_STRING  # never a formula, whatever the text
            cells.append(c)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_json(results: list[dict[str, Any]]) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False)


def write(path: str, results: list[dict[str, Any]]) -> None:
    ext = os.path.splitext(path)[1].lower()
    if ext == ".xlsx":
        data = to_xlsx(results)
        with open(path, "wb") as f:
            f.write(data)
    elif ext == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(to_csv(results))
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(to_json(results))


def out_kind(path: str) -> str | None:
    ext = os.path.splitext(path)[1].lower()
    return {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}.get(ext)


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def write_records(folder: str, result: dict[str, Any], generated_at: datetime) -> list[str]:
    """One decision record for a row, as HTML and Markdown; [] when the row has no answer to record."""
    from bot.render.record import RecordError, render_record_html, render_record_markdown

    if not result.get("rules_version"):
        return []
    note = f"Screened row {result['row']}." + (" " + " ".join(result.get("notes") or []) if result.get("notes") else "")
    stem = _UNSAFE_NAME.sub("-", str(result["row"]))[:80].strip("-.") or str(result.get("line"))
    stem = f"{result.get('line', 0):05d}-{stem}"
    written = []
    try:
        html = render_record_html(result, generated_at, note=note[:2000])
        md = render_record_markdown(result, generated_at, note=note[:2000])
    except RecordError:
        return []
    for ext, text in ((".html", html), (".md", md)):
        p = os.path.join(folder, stem + ext)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        written.append(p)
    return written


__all__ = ["COLUMNS", "csv_of_table", "out_kind", "safe", "table_rows", "to_csv", "to_json", "to_xlsx", "write", "write_records", "xlsx_of_table"]
