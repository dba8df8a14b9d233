"""Limits every server of the assistant shares (Rasa's and the action server), and how they answer
requests they will not serve. No Rasa import: the action server uses this too.

- `MAX_MESSAGE_CHARS`: the longest message any channel or the action server reads (`TOO_LONG` otherwise).
- `harden(app)`, before a Sanic server starts:
  - a small `REQUEST_MAX_SIZE` (LTA_REQUEST_MAX_BYTES, default 256 KiB; raised to just over 5 MB in the Rasa
    process only, where `POST /screen` takes a file with the bearer token): Sanic answers 413 from the
    Content-Length header, or as soon as a chunked body passes the limit, before the body is read;
  - time limits on clients: Sanic counts each from the last bytes that arrived. Headers: `REQUEST_TIMEOUT`
    (LTA_REQUEST_TIMEOUT_SECONDS, default 10 s). Body and answer: `RESPONSE_TIMEOUT` (LTA_RESPONSE_TIMEOUT_SECONDS,
    default 60 s, above engine.io's 45 s long poll; Rasa's own is an hour). An idle kept-alive connection:
    `KEEP_ALIVE_TIMEOUT` 15 s (Rasa's is 120 s). Websockets are not limited by these;
  - every error answered as JSON: a 4xx with its reason, or a 500 with an error id that is also in the
    log. Never a traceback, an exception's text or the request body;
  - `GET /` says the server is running, without a version (Rasa's own says which release it is).
- `parse_json(body)`: a request body as JSON, with a nesting limit; anything else is a `ValueError`.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
from typing import Any

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
TOO_LONG = (
    "Sorry, that message is too long for me ({n:,} characters). Please keep it under {max:,} characters: "
    "the service, its value and when the procurement starts are enough."
)
DEFAULT_REQUEST_MAX_BYTES = 256 * 1024
DEFAULT_REQUEST_TIMEOUT_S = 10.0
DEFAULT_RESPONSE_TIMEOUT_S = 60.0
KEEP_ALIVE_TIMEOUT_S = 15.0
MAX_JSON_DEPTH = 32
SERVER_ERROR = "something went wrong on our side; try again in a moment"
RUNNING = "The Light Touch Assistant is running."


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def request_max_bytes() -> int:
    """The largest request body any of Rasa's routes reads (socket.io messages included)."""
    return int(_env_number("LTA_REQUEST_MAX_BYTES", DEFAULT_REQUEST_MAX_BYTES))


def error_id() -> str:
    """A short random id that ties an answer to its line in the log."""
    return secrets.token_hex(6)


def too_long(text: str) -> str | None:
    """The reply for a message longer than MAX_MESSAGE_CHARS, else None."""
    return TOO_LONG.format(n=len(text), max=MAX_MESSAGE_CHARS) if len(text) > MAX_MESSAGE_CHARS else None


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def parse_json(body: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """JSON from a request body; ValueError for bytes that are not UTF-8 JSON or nest deeper than `max_depth`."""
    try:
        text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else body
        value = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ValueError("not JSON") from None
    if _too_deep(value, max_depth):
        raise ValueError(f"JSON nested more than {max_depth} levels")
    return value


def error_response(request: Any, exception: Exception) -> Any:
    """Sanic's answer to any error of a request: JSON, with no detail of the failure."""
    from sanic import response
    from sanic.exceptions import RequestTimeout, SanicException, ServiceUnavailable

    status = getattr(exception, "status_code", 500) if isinstance(exception, SanicException) else 500
    if isinstance(exception, (RequestTimeout, ServiceUnavailable)):
        # A time limit ran out: close the connection after this answer. Sanic would otherwise wait, with no
        # time limit any more, for the rest of a body that a slow client may never send.
        stream = getattr(request, "stream", None)
        if stream is not None and hasattr(stream, "request_body"):
            stream.request_body = None
            stream.keep_alive = False
    if 400 <= status < 500:
        reasons = {404: "not found", 405: "method not allowed", 408: "the request took too long to arrive",
                   413: "the request is too large"}
        return response.json({"error": reasons.get(status, "the request could not be read")}, status=status)
    ref = error_id()
    logger.error("Error %s answering a %s request (%s).", ref, getattr(request, "method", "?"),
                 type(exception).__name__, exc_info=logger.isEnabledFor(logging.DEBUG))
    return response.json({"error": SERVER_ERROR, "error_id": ref}, status=status if status >= 500 else 500)


async def _root(request: Any) -> Any:
    from sanic import response

    if request.method == "GET" and request.path == "/":
        return response.text(RUNNING)
    return None


def harden(app: Any, max_bytes: int | None = None) -> None:
    """Request limits, error answers and a root page without a version, on a Sanic app that has not started
    yet (once per app; calling it again does nothing). `max_bytes` overrides LTA_REQUEST_MAX_BYTES."""
    if getattr(app.ctx, "lta_hardened", False):
        if max_bytes and max_bytes > app.config.REQUEST_MAX_SIZE:
            app.config.REQUEST_MAX_SIZE = int(max_bytes)  # a route that takes a file (POST /screen) raises it
        return
    app.ctx.lta_hardened = True
    app.config.REQUEST_MAX_SIZE = int(max(max_bytes or 0, request_max_bytes()))
    app.config.REQUEST_TIMEOUT = _env_number("LTA_REQUEST_TIMEOUT_SECONDS", DEFAULT_REQUEST_TIMEOUT_S)
    app.config.RESPONSE_TIMEOUT = _env_number("LTA_RESPONSE_TIMEOUT_SECONDS", DEFAULT_RESPONSE_TIMEOUT_S)
    app.config.KEEP_ALIVE_TIMEOUT = KEEP_ALIVE_TIMEOUT_S
    app.error_handler.add(Exception, error_response)
    app.register_middleware(_root, "request")
