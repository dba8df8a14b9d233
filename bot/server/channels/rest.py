"""The REST channel (`POST /webhooks/rest/webhook`), for scripts and integrations, with a bearer token.

credentials.yml:

    bot.server.channels.rest.GuardedRestInput: {}

Every request needs `Authorization: Bearer <token>`: LTA_REST_TOKEN from the environment, or the
`token` key in credentials.yml. Without one the channel refuses every message (401), so a server
started by hand is never open; `make run` creates one in var/rest-token (0600) and prints it.

That one token may use any REST sender id: fine for one integration. With several, give each its own token
bound to a sender-id prefix, so none can read or wipe another's conversations:
`LTA_REST_TOKENS=crm-:<token>,intranet-:<token>` (comma-separated `prefix:token`; the token follows the last
colon). A request with such a token and a sender id outside its prefix gets 403.

- The body must be a JSON object (`Content-Type: application/json`) with `sender` (letters, digits,
  `_`, `-`, `.`, `@`, `:`; at most 128 characters) and `message` (a string); optional `metadata`
  (a small JSON object). Anything else gets a 4xx with a plain `{"error": ...}`.
- A sender id that belongs to another channel (web chat `web-…`, Teams `teams-`/`msteams-`/`botframework-`,
  Slack `slack-`) is refused with 403: REST cannot read or write those conversations.
- No CORS: a browser page on another site cannot use this channel (the token header needs a
  preflight, which nothing answers, and a form or `text/plain` post is refused).
- `GET /webhooks/rest/` and `GET /health` are health checks: 503 when the conversation store
  cannot be read or written (with an error id; the reason is in the log, never in the answer).
- `POST /screen` screens a whole file (a pipeline, register or OCDS notices) with the same token
  (`bot.screen.web`).

Building the channel installs, for the whole server (every channel):
- `bot.server.limits`: request size and time limits, JSON error answers with no detail, no version banner;
- `bot.server.guard`: the input gate, "I can't work that out right now, please try again." rather
  than silence when the action server is down, and loud storage failures;
- `bot.server.speedups`: the action server's replies checked without re-checking the schema
  each time (most of the time of a turn otherwise).
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server import capacity, guard, limits, speedups
from bot.server.channels.socketio import client_address
from bot.server.store import store_health

logger = logging.getLogger(__name__)

SENDER = re.compile(r"[A-Za-z0-9_.@:-]{1,128}")  # fullmatch: "$" would let a trailing newline through
FOREIGN_PREFIXES = ("web-", "teams-", "msteams-", "botframework-", "slack-")
MAX_BODY_BYTES = 16 * 1024


def foreign_sender(sender: str) -> bool:
    return sender.lower().startswith(FOREIGN_PREFIXES)


def parse_scoped_tokens(value: str) -> Dict[str, str]:
    """LTA_REST_TOKENS ("crm-:<token>,intranet-:<token>") -> {token: prefix}. Refuses a malformed entry, a prefix
    that is empty, belongs to another channel or starts another one (its token would reach the other's ids)."""
    tokens: Dict[str, str] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        prefix, _, token = item.rpartition(":")
        if not prefix or not token or not SENDER.fullmatch(prefix) or foreign_sender(prefix):
            raise ValueError("LTA_REST_TOKENS must be comma-separated prefix:token pairs, e.g. crm-:<token>; "
                             "each prefix made of letters, digits or _ - . @ : and not another channel's")
        tokens[token] = prefix
    prefixes = sorted(tokens.values())
    for a, b in zip(prefixes, prefixes[1:]):
        if b.startswith(a):
            raise ValueError(f"LTA_REST_TOKENS: the prefix {a!r} would also cover {b!r}; make them distinct")
    return tokens


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


async def health_response(request: Request) -> HTTPResponse:
    agent = getattr(request.app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return response.json({"status": "starting"}, status=503)
    ok, why = await asyncio.get_running_loop().run_in_executor(None, store_health, store)
    if ok:
        return response.json({"status": "ok", "store": "ok"})
    ref = limits.error_id()
    logger.error("Health check %s: the conversation store is unhealthy (%s).", ref, why)
    return response.json({"status": "unhealthy", "store": "unavailable", "error_id": ref}, status=503)


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        guard.install()
        speedups.install()
        credentials = credentials or {}
        return cls(token=os.environ.get("LTA_REST_TOKEN") or credentials.get("token") or "",
                   scoped=parse_scoped_tokens(os.environ.get("LTA_REST_TOKENS", "")))

    def __init__(self, token: str = "", scoped: Optional[Dict[str, str]] = None) -> None:
        self.token = token
        # token -> the sender-id prefix it may use; the single token may use any ("")
        self.tokens: Dict[str, str] = {**(scoped or {}), **({token: ""} if token else {})}
        if not self.tokens:
            logger.warning("No REST token (LTA_REST_TOKEN): the REST channel refuses every message.")
        elif any(len(t) < 16 for t in self.tokens):
            logger.warning("A REST token is shorter than 16 characters; use long random values.")

    def authorised(self, request: Request) -> Optional[str]:
        """The sender-id prefix the request's bearer token may use ("" for any), or None without a valid token."""
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        found = None
        for token, prefix in self.tokens.items():  # every one compared, in constant time
            if hmac.compare_digest(given.strip().encode(), token.encode()):
                found = prefix
        return found

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        channel = self

        class _Blueprint(Blueprint):
            def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
                super().register(app, options)
                limits.harden(app)
                if not any(getattr(r, "name", "").endswith("lta_health") for r in app.router.routes):
                    app.add_route(health_response, "/health", methods=["GET"], name="lta_health")
                if not any(getattr(r, "name", "").endswith("lta_screen") for r in app.router.routes):
                    from bot.screen import MAX_BYTES as SCREEN_MAX_BYTES
                    from bot.screen.web import screen_handler  # POST /screen: a whole file, same bearer token

                    limits.harden(app, max_bytes=SCREEN_MAX_BYTES + 64 * 1024)  # the file and its form fields
                    app.add_route(screen_handler(channel.authorised), "/screen", methods=["POST"], name="lta_screen")

        webhook = _Blueprint("custom_webhook_GuardedRestInput", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return await health_response(request)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            prefix = channel.authorised(request)
            if prefix is None:
                return response.json(
                    {"error": "a bearer token is needed: Authorization: Bearer <LTA_REST_TOKEN>"},
                    status=401, headers={"WWW-Authenticate": "Bearer"},
                )
            if len(request.body or b"") > MAX_BODY_BYTES:
                return _error(f"the body must be at most {MAX_BODY_BYTES} bytes", 413)
            if (request.content_type or "").split(";")[0].strip().lower() != "application/json":
                return _error("the body must be JSON (Content-Type: application/json)", 415)
            try:
                body = limits.parse_json(request.body or b"")
            except ValueError:
                return _error("the body is not valid JSON", 400)
            if not isinstance(body, dict):
                return _error('the body must be a JSON object: {"sender": "...", "message": "..."}', 400)
            sender = body.get("sender")
            if not isinstance(sender, str) or not SENDER.fullmatch(sender):
                return _error("sender must be 1 to 128 letters, digits or _ - . @ :", 400)
            if foreign_sender(sender):
                return _error("that sender id belongs to another channel", 403)
            if not sender.startswith(prefix):
                return _error(f"this token may only use sender ids that start with {prefix}", 403)
            if not capacity.RATES.address.allow(client_address(request)):
                return response.json({"error": capacity.SLOW_DOWN}, status=429, headers={"Retry-After": "2"})
            try:
                refusal, text, metadata = guard.gate(body.get("message"), body.get("metadata"))
            except guard.InputRefused as e:
                return _error(str(e), e.status)
            collector = CollectingOutputChannel()
            if refusal:
                await collector.send_text_message(sender, refusal)
                return response.json(collector.messages)
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=channel.name(), metadata=metadata)
                )
            except Exception as e:
                logger.error("A REST message failed (%s).", type(e).__name__)
                collector.messages.clear()
                await collector.send_text_message(sender, guard.CANNOT_WORK_OUT)
            return response.json(collector.messages)

        return webhook
