"""Short-lived signed links to decision records, for channels that show a link rather than a download
button (Slack; Teams can use the same).

`record_url(sender_id, assessment)` gives `{LTA_PUBLIC_URL}/records/<token>`, or None when LTA_PUBLIC_URL
is not set (the channel then shows no link). The token names the conversation and the answer (the
digest of the stored assessment, `bot.server.store.assessment_digest`) and when it expires, signed with
HMAC-SHA256. `GET /records/<token>` (added to the Rasa server by `install`) checks the signature and the
expiry, looks the answer up in that conversation only, re-checks it with the engine
(`bot.render.record.authoritative_assessment`) and returns the HTML record. Nothing is taken from the
request but the token, so a link cannot be bent to another officer's conversation.

Environment:
- LTA_PUBLIC_URL: the public https address of the Rasa server (e.g. https://lta.example.gov.uk);
- LTA_SESSION_SECRET: the server's secret (`make run` keeps one in var/session-secret); the links' key is
  derived from it. Without it a random key is made when the server starts, so links stop working after a
  restart;
- LTA_RECORD_LINK_HOURS: how long a link works (default 24).

The token is signed, not encrypted: it carries the channel's conversation id (for Slack, workspace,
channel and user ids) but never a message or a fact.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
from datetime import datetime, timezone
from typing import Any, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server.store import assessment_digest, assessments_in, understood_in

logger = logging.getLogger(__name__)

ROUTE = "/records/<token>"
ROUTE_NAME = "lta_record_link"
DEFAULT_HOURS = 24.0
MAX_TOKEN_CHARS = 600
_process_key = secrets.token_bytes(32)
_warned = False

# The page is a document, never an app: no scripts, no outside resources, not indexed, not cached.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
EXPIRED = "This link to a decision record has expired or is not valid. Ask the assistant again for a new one."
NOT_FOUND = "This decision record is no longer kept. Ask the assistant again for a new one."


class LinkError(ValueError):
    """A token that is forged, damaged or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key() -> bytes:
    """A key of its own, derived from the server's secret (so a web chat session id is never a valid link)."""
    global _warned
    configured = os.environ.get("LTA_SESSION_SECRET", "")
    if configured:
        return hashlib.sha256(b"lta-record-link\0" + configured.encode("utf-8")).digest()
    if not _warned:
        logger.warning("LTA_SESSION_SECRET is not set: decision record links stop working when the server restarts.")
        _warned = True
    return _process_key


def _hours() -> float:
    try:
        return float(os.environ.get("LTA_RECORD_LINK_HOURS", DEFAULT_HOURS))
    except ValueError:
        return DEFAULT_HOURS


def make_token(sender_id: str, digest: str, expires: float, key: bytes) -> str:
    body = _b64(json.dumps({"s": sender_id, "d": digest, "x": int(expires)}, separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_b64(hmac.new(key, body.encode('ascii'), hashlib.sha256).digest())}"


def read_token(token: str, now: float, key: bytes) -> tuple[str, str]:
    """(sender id, assessment digest) from a token this server signed and that has not expired."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise LinkError("malformed")
    body, signature = token.split(".")
    expected = _b64(hmac.new(key, body.encode("ascii", "replace"), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature):
        raise LinkError("bad signature")
    try:
        data = json.loads(_unb64(body))
        sender, digest, expires = str(data["s"]), str(data["d"]), float(data["x"])
    except (ValueError, KeyError, TypeError):
        raise LinkError("malformed") from None
    if now > expires:
        raise LinkError("expired")
    return sender, digest


_BASE_URL = re.compile(r"https?://[^/\s?#]+(/[^\s?#]*)?")  # fullmatch


def public_url() -> Optional[str]:
    url = os.environ.get("LTA_PUBLIC_URL", "").strip().rstrip("/")
    return url if url and _BASE_URL.fullmatch(url) else None


def check_settings(what: str) -> None:
    """At a channel's start: refuse a malformed LTA_PUBLIC_URL, and say when `what` will carry no record links."""
    url = os.environ.get("LTA_PUBLIC_URL", "").strip()
    if url and public_url() is None:
        raise ValueError(f"LTA_PUBLIC_URL must be a base URL such as https://lta.example.gov.uk, not {url!r}")
    if not url:
        logger.warning("LTA_PUBLIC_URL is not set: %s will not link to their decision record.", what)


def record_url(sender_id: str, assessment: Any, now: Optional[float] = None) -> Optional[str]:
    """A link to the decision record of `assessment` as given in conversation `sender_id`; None without
    LTA_PUBLIC_URL."""
    base = public_url()
    if base is None:
        return None
    now = time.time() if now is None else now
    token = make_token(sender_id, assessment_digest(assessment), now + _hours() * 3600, _key())
    return f"{base}/records/{token}"


async def find_in_conversation(store: Any, sender_id: str, digest: str) -> Optional[tuple[dict, list]]:
    """The assessment with `digest` and the facts shown with it, from that one conversation."""
    tracker = await store.retrieve(sender_id)
    for event in reversed(list(getattr(tracker, "events", None) or [])):
        data = event.as_dict()
        for stored in assessments_in(data):
            if assessment_digest(stored) == digest:
                return stored, understood_in(data)
    return None


def _page(text: str, status: int) -> HTTPResponse:
    return response.text(text, status=status, headers=HEADERS)


async def record_page(request: Request, token: str) -> HTTPResponse:
    from bot.render.record import RecordError, authoritative_assessment, render_record_html

    try:
        sender_id, digest = read_token(token, time.time(), _key())
    except LinkError as e:
        logger.info("Refused a decision record link (%s).", e)
        return _page(EXPIRED, 404)
    store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
    if store is None:
        return _page("The assistant is starting; try again in a minute.", 503)
    try:
        found = await find_in_conversation(store, sender_id, digest)
    except Exception as e:  # the store is down: say so, not "not found"
        logger.error("Could not read a conversation for a decision record (%s).", type(e).__name__)
        return _page("The conversation store is unavailable; try again shortly.", 503)
    if found is None:
        return _page(NOT_FOUND, 404)
    stored, understood = found
    try:
        assessment, note = authoritative_assessment(stored)
        page = render_record_html(assessment, datetime.now(timezone.utc), note, understood=understood or None)
    except RecordError as e:
        logger.error("A stored answer could not be made into a record (%s).", type(e).__name__)
        return _page(NOT_FOUND, 404)
    return response.html(page, headers=HEADERS)


def install(app: Sanic) -> None:
    """Adds GET /records/<token> to the Rasa server (once, whichever channel asks first)."""
    if not any(getattr(r, "name", "").endswith(ROUTE_NAME) for r in app.router.routes):
        app.add_route(record_page, ROUTE, methods=["GET"], name=ROUTE_NAME)
