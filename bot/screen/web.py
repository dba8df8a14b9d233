"""`POST /screen`: the screening over HTTP, for scripts (the REST channel's bearer token) and the widget.

    curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: text/csv" --data-binary @pipeline.csv \
         "http://localhost:5005/screen?name=pipeline.csv&as_of=2027-01-10&format=json"

The body is the file itself (CSV, XLSX or OCDS JSON), at most 5 MB and 2,000 rows (larger files: `ltr screen`).
Query: `name` (the file's name, to tell its kind), `as_of` (default: today), `buyer`, `format` (`json`, `csv`
or `xlsx`), `map` (repeatable, "Heading=field"). JSON answers: {"rows", "summary", "columns", "ignored",
"notes", "as_of"}; CSV and XLSX are downloads. Errors are `{"error": ...}` with a 4xx status, never a trace.
The screening runs off the event loop, so other conversations carry on meanwhile.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Optional, Any, Awaitable, Callable

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


def screen_handler(authorised: Callable[[Request], Optional[str]]) -> Callable[[Request], Awaitable[HTTPResponse]]:
    """`authorised` gives the sender-id prefix the bearer token may use ("" for any) or None without a valid token."""
    async def screen(request: Request) -> HTTPResponse:
        if authorised(request) is None:
            return response.json({"error": "a bearer token is needed: Authorization: Bearer <LTA_REST_TOKEN>"},
                                 status=401, headers={"WWW-Authenticate": "Bearer"})
        body = request.body or b""
        if len(body) > MAX_BYTES:
            return _error(f"the file must be at most {MAX_BYTES // (1024 * 1024)} MB", 413)
        if not body:
            return _error("send the file as the body (CSV, XLSX or OCDS JSON)", 400)
        if (request.content_type or "").split(";")[0].strip().lower() in _FORMS:
            return _error("send the file itself as the body, not a form", 415)
        args = request.args
        fmt = args.get("format", "json")
        if fmt not in FORMATS:
            return _error("format must be json, csv or xlsx", 400)
        buyer = args.get("buyer", "sub_central")
        if buyer not in BUYERS:
            return _error(f"buyer must be one of: {', '.join(BUYERS)}", 400)
        try:
            as_of = date.fromisoformat(args["as_of"][0]) if "as_of" in args else date.today()
        except ValueError:
            return _error("as_of must be a date like 2027-01-10", 400)
        name = (args.get("name") or "upload")[:200]
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                None, screen_file, body, name, as_of, buyer, list(args.getlist("map", [])))
        except (TableError, MapError) as e:
            return _error(str(e), 422)
        except Exception as e:  # never a trace to the caller
            logger.error("A screening failed (%s).", type(e).__name__)
            return _error("the file could not be screened", 500)
        if fmt == "json":
            return response.json(result)
        from .output import to_csv, to_xlsx

        try:
            data = to_csv(result["rows"]).encode("utf-8") if fmt == "csv" else to_xlsx(result["rows"])
        except ImportError:
            return _error("XLSX cannot be written on this server; ask for csv", 501)
        return response.raw(data, content_type=FORMATS[fmt], headers={
            "Content-Disposition": f'attachment; filename="screening.{fmt}"', "X-Content-Type-Options": "nosniff"})

    return screen


__all__ = ["MAX_ROWS", "screen_file", "screen_handler"]
