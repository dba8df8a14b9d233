"""`POST /screen`: the screening over HTTP, for scripts (the REST channel's bearer token) and the widget.

    curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: text/csv" --data-binary @pipeline.csv \
         "http://localhost:5005/screen?name=pipeline.csv&as_of=2027-01-10&format=json"

The body is the file itself (CSV, XLSX or OCDS JSON), at most 5 MB and 2,000 rows (larger files: `ltr screen`).
Query: `name` (the file's name, to tell its kind), `as_of` (default: today), `buyer`, `format` (`json`, `csv`
or `xlsx`), `map` (repeatable, "Heading=field"). JSON answers: {"rows", "summary", "columns", "ignored",
"notes", "as_of"}; CSV and XLSX are downloads. Errors are `{"error": ...}` with a 4xx status, never a trace.
The screening runs off the event loop, so other conversations carry on meanwhile.

The widget's "Check a list" (`POST /widget/screen`, bot/server/channels/socketio.py) uses the same checks and the
same screening (`checked_options`, `run_screening`, `download_response`), with the signed chat session instead
of the bearer token; `widget_view` is the table it shows, and `Held` keeps each session's last screening for its
downloads.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from collections import OrderedDict
from datetime import date, datetime
from typing import Optional, Any, Awaitable, Callable, Union

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.ltr.model import BUYERS

from . import MAX_BYTES, MapError, TableError, load, parse_map, screen_row, summary

logger = logging.getLogger(__name__)
MAX_ROWS = 2000
FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def today() -> date:
    """Today in London, or LTR_TODAY (an ISO date), as the action server takes it (actions/common.py)."""
    fixed = os.environ.get("LTR_TODAY")
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            pass
    try:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo("Europe/London")).date()
    except Exception:  # no time zone database: the local date is close enough
        return date.today()


def screen_file(data: bytes, name: str, as_of: date, buyer: str, mapping: list[str]) -> dict[str, Any]:
    """The screening of one uploaded file as JSON; TableError or MapError when it cannot be read."""
    loaded = load(name, data, parse_map(mapping))
    if len(loaded.rows) > MAX_ROWS:
        raise TableError(f"{len(loaded.rows):,} rows is more than {MAX_ROWS:,}; screen it with `ltr screen`")
    rows = []
    for row in loaded.rows:
        r = screen_row(row, as_of, buyer)
        r.pop("trace", None)
        rows.append(r)
    return {"rows": rows, "summary": summary(rows), "columns": loaded.columns, "ignored": loaded.ignored,
            "notes": loaded.notes, "as_of": as_of.isoformat()}


def checked_options(args: Any) -> Union[HTTPResponse, tuple[str, str, date, list[str]]]:
    """The query's format, buyer, date and column map, or the 400 that says what is wrong with them."""
    fmt = args.get("format", "json")
    if fmt not in FORMATS:
        return _error("format must be json, csv or xlsx", 400)
    buyer = args.get("buyer", "sub_central")
    if buyer not in BUYERS:
        return _error(f"buyer must be one of: {', '.join(BUYERS)}", 400)
    try:
        as_of = date.fromisoformat(args["as_of"][0]) if "as_of" in args else today()
    except ValueError:
        return _error("as_of must be a date like 2027-01-10", 400)
    return fmt, buyer, as_of, list(args.getlist("map", []))


def size_error(data: bytes) -> Optional[HTTPResponse]:
    if len(data) > MAX_BYTES:
        return _error(f"the file must be at most {MAX_BYTES // (1024 * 1024)} MB", 413)
    if not data:
        return _error("send the file as the body (CSV, XLSX or OCDS JSON)", 400)
    return None


async def off_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` in a worker thread: writing 2,000 rows to XLSX takes seconds, and conversations carry on meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


async def run_screening(data: bytes, name: str, as_of: date, buyer: str,
                        mapping: list[str]) -> Union[HTTPResponse, dict[str, Any]]:
    """`screen_file` off the event loop; a plain 422 when the file cannot be read, a 500 without a trace on a fault."""
    try:
        return await asyncio.get_running_loop().run_in_executor(None, screen_file, data, name[:200], as_of, buyer, mapping)
    except (TableError, MapError) as e:
        return _error(str(e), 422)
    except Exception as e:  # never a trace to the caller
        logger.error("A screening failed (%s).", type(e).__name__)
        return _error("the file could not be screened", 500)


def download_response(table: list[list[Any]], fmt: str, headers: Optional[dict[str, str]] = None) -> HTTPResponse:
    """The screening as a CSV or XLSX download (`bot.screen.output`: injection neutralised)."""
    from .output import csv_of_table, xlsx_of_table

    try:
        data = csv_of_table(table).encode("utf-8") if fmt == "csv" else xlsx_of_table(table)
    except ImportError:
        return _error("XLSX cannot be written on this server; ask for csv", 501)
    return response.raw(data, content_type=FORMATS[fmt], headers={
        **(headers or {}), "Content-Disposition": f'attachment; filename="screening.{fmt}"', "X-Content-Type-Options": "nosniff"})


def screen_handler(authorised: Callable[[Request], Optional[str]]) -> Callable[[Request], Awaitable[HTTPResponse]]:
    """`authorised` gives the sender-id prefix the bearer token may use ("" for any) or None without a valid token."""
    async def screen(request: Request) -> HTTPResponse:
        if authorised(request) is None:
            return response.json({"error": "a bearer token is needed: Authorization: Bearer <LTA_REST_TOKEN>"},
                                 status=401, headers={"WWW-Authenticate": "Bearer"})
        body = request.body or b""
        refused = size_error(body)
        if refused:
            return refused
        if (request.content_type or "").split(";")[0].strip().lower() in _FORMS:
            return _error("send the file itself as the body, not a form", 415)
        options = checked_options(request.args)
        if isinstance(options, HTTPResponse):
            return options
        fmt, buyer, as_of, mapping = options
        result = await run_screening(body, request.args.get("name") or "upload", as_of, buyer, mapping)
        if isinstance(result, HTTPResponse):
            return result
        if fmt == "json":
            return response.json(result)
        from .output import table_rows

        return await off_loop(lambda: download_response(list(table_rows(result["rows"])), fmt))

    return screen


# ---- the widget's "Check a list" -------------------------------------------------------------------------

REGIME_SHORT = {"PA2023": "Procurement Act 2023", "PCR2015": "PCR 2015", "PSR": "PSR", "none": "Exempt"}
FILTERS = ("light_touch", "above_threshold", "needs_input", "psr", "exempt")
WIDGET_TYPES = (".csv", ".xlsx")


def _own_words(result: dict[str, Any]) -> str:
    read = result.get("read") or {}
    parts = []
    for name in ("service", "title", "description"):
        for piece in (read.get(name) or "").split("; "):
            text = piece.split(": ", 1)[1] if ": " in piece else piece
            if text and text not in parts:
                parts.append(text)
    words = " - ".join(parts)
    return words if len(words) <= 160 else words[:160].rsplit(" ", 1)[0] + "…"


def widget_view(result: dict[str, Any]) -> dict[str, Any]:
    """One screened row as the widget's table shows it: plain values (the widget puts them in as text), the
    filters it falls under, and the chat message that asks about it."""
    from .ask import chat_message

    regime = result.get("regime")
    if result.get("out_of_scope"):
        rules = "Out of scope"
    else:
        rules = REGIME_SHORT.get(regime or "", "Not known")
    flags = {
        "light_touch": result.get("light_touch") is True,
        "above_threshold": result.get("above_threshold") is True,
        "needs_input": result.get("status") == "needs_input",
        "psr": regime == "PSR",
        "exempt": regime == "none",
    }
    return {
        "row": str(result.get("row", "")), "line": result.get("line"), "what": _own_words(result),
        "status": result.get("status"), "rules": rules, "light_touch": result.get("light_touch"),
        "above_threshold": result.get("above_threshold"), "estimated_value_gbp": result.get("estimated_value_gbp"),
        "threshold_gbp": result.get("threshold_gbp"), "notifiable": result.get("notifiable"),
        "notices": list(result.get("notices") or []), "needs": list(result.get("needs") or []),
        "flags": [f for f in FILTERS if flags[f]], "ask": chat_message(result),
    }


def widget_result(screened: dict[str, Any], name: str, key: str) -> dict[str, Any]:
    rows = [widget_view(r) for r in screened["rows"]]
    counts = {f: sum(1 for r in rows if f in r["flags"]) for f in FILTERS}
    return {"id": key, "name": name, "rows": rows, "counts": counts, "summary": screened["summary"],
            "columns": screened["columns"], "ignored": screened["ignored"], "notes": screened["notes"],
            "as_of": screened["as_of"]}


class Held:
    """Each chat session's last screening, as the table its downloads are written from, for `ttl` seconds; at most
    `size` sessions (the oldest goes first). Kept in this process only: after a restart, or on another instance,
    the widget sends the file again."""

    def __init__(self, size: int = 16, ttl: float = 3600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.ttl, self.clock = size, ttl, clock
        self._held: "OrderedDict[str, tuple[str, float, list[list[Any]]]]" = OrderedDict()

    def put(self, sender_id: str, table: list[list[Any]]) -> str:
        key = secrets.token_urlsafe(12)
        self._held.pop(sender_id, None)
        self._held[sender_id] = (key, self.clock(), table)
        while len(self._held) > self.size:
            self._held.popitem(last=False)
        return key

    def get(self, sender_id: str, key: Any) -> Optional[list[list[Any]]]:
        held = self._held.get(sender_id)
        if held is None or not isinstance(key, str) or not secrets.compare_digest(held[0], key):
            return None
        if self.clock() - held[1] > self.ttl:
            self._held.pop(sender_id, None)
            return None
        return held[2]

    def drop(self, sender_id: str) -> None:
        self._held.pop(sender_id, None)


__all__ = ["FILTERS", "Held", "MAX_ROWS", "checked_options", "download_response", "off_loop", "run_screening", "screen_file",
           "screen_handler", "size_error", "today", "widget_result", "widget_view"]
