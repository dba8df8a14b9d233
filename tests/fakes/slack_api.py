"""A loopback stand-in for Slack: the Web API the channel calls (chat.postMessage, chat.update,
chat.postEphemeral), recorded, and requests signed the way Slack signs them (v0, HMAC-SHA256 of
"v0:<timestamp>:<body>" with the signing secret:
https://docs.slack.dev/authentication/verifying-requests-from-slack).

`FakeSlack` runs an aiohttp server in its own thread, so both async unit tests and the synchronous
end-to-end tests can use it: `fake.url` is the base to give as SLACK_API_URL, `fake.calls` the recorded
calls, `fake.wait(predicate)` waits until a call satisfies it.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlencode

from aiohttp import web

BOT_USER = "UBOTLTA01"
TEAM = "T0COUNCIL"


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    token: str
    ts: str = ""


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _ts: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))
    refuse_channels: set[str] = field(default_factory=set)  # Slack answers {"ok": false} for these

    def start(self) -> "FakeSlack":
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_post("/api/{method}", self._handle)
            runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.url = f"http://127.0.0.1:{port}/api/"
            self._runner = runner
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if request.content_type == "application/json":
            body = json.loads(raw or b"{}")
        else:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        for key in ("blocks",):
            if isinstance(body.get(key), str):
                body[key] = json.loads(body[key])
        method = request.match_info["method"]
        ts = f"1764000000.{next(self._ts):06d}"
        with self._cond:
            self.calls.append(Call(method, body, request.headers.get("Authorization", ""), ts))
            self._cond.notify_all()
        if body.get("channel") in self.refuse_channels:
            return web.json_response({"ok": False, "error": "channel_not_found"})
        return web.json_response({"ok": True, "channel": body.get("channel"), "ts": ts,
                                  "message": {"ts": ts, "text": body.get("text"), "blocks": body.get("blocks")}})

    def posts(self, method: str = "chat.postMessage") -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait(self, predicate: Callable[[list[Call]], bool], timeout: float = 60) -> list[Call]:
        """Waits until predicate(calls) holds; returns the calls."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.calls):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"Slack calls never matched; got {[(c.method, c.body.get('text')) for c in self.calls]}")
                self._cond.wait(left)
            return list(self.calls)

    def since(self, n: int) -> list[Call]:
        with self._cond:
            return list(self.calls[n:])


# ---- what Slack sends --------------------------------------------------------------------------


def signed_headers(body: bytes, secret: str, timestamp: Optional[int] = None, content_type: str = "application/json",
                   retry: Optional[int] = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, "Content-Type": content_type}
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return headers


_event_ids = itertools.count(1)
_message_ts = itertools.count(1)


def message_ts() -> str:
    return f"1763000000.{next(_message_ts):06d}"


def direct_message(text: str, user: str, channel: str = "D0DIRECT1", ts: Optional[str] = None,
                   thread_ts: Optional[str] = None, **event: Any) -> dict[str, Any]:
    """An Events API envelope for a direct message to the app (message.im)."""
    inner = {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text,
             "ts": ts or message_ts(), "team": TEAM, **event}
    if thread_ts:
        inner["thread_ts"] = thread_ts
    return envelope(inner)


def mention(text: str, user: str, channel: str = "C0PROCURE", ts: Optional[str] = None,
            thread_ts: Optional[str] = None) -> dict[str, Any]:
    """An app_mention in a channel; the text starts with the app's mention, as Slack sends it."""
    inner = {"type": "app_mention", "channel": channel, "user": user, "text": f"<@{BOT_USER}> {text}",
             "ts": ts or message_ts(), "team": TEAM}
    if thread_ts:
        inner["thread_ts"] = thread_ts
    return envelope(inner)


def envelope(event: dict[str, Any]) -> dict[str, Any]:
    return {"token": "unused", "team_id": TEAM, "api_app_id": "A0LTA", "type": "event_callback",
            "event_id": f"Ev{next(_event_ids):08d}", "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}


def click(posted: Call, title: str, user: str) -> dict[str, Any]:
    """The block_actions payload Slack sends when `user` clicks the button `title` on a posted message."""
    blocks = posted.body.get("blocks") or []
    for block in blocks:
        for element in block.get("elements") or []:
            if block.get("type") == "actions" and element.get("text", {}).get("text") == title:
                channel = posted.body["channel"]
                message = {"type": "message", "ts": posted.ts, "text": posted.body.get("text"), "blocks": blocks,
                           "thread_ts": posted.body.get("thread_ts"), "bot_id": "B0LTA"}
                return {
                    "type": "block_actions",
                    "user": {"id": user, "team_id": TEAM},
                    "team": {"id": TEAM},
                    "api_app_id": "A0LTA",
                    "container": {"type": "message", "message_ts": posted.ts, "channel_id": channel,
                                  "is_ephemeral": False, "thread_ts": posted.body.get("thread_ts")},
                    "channel": {"id": channel},
                    "message": message,
                    "trigger_id": "1.2.3",
                    "response_url": "https://hooks.slack.invalid/actions/1",
                    "actions": [{"type": "button", "action_id": element["action_id"], "block_id": block["block_id"],
                                 "text": element["text"], "value": element["value"],
                                 "action_ts": f"{time.time():.6f}"}],
                }
    raise AssertionError(f"no button {title!r} on that message")


def form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def buttons(call: Call) -> list[dict[str, Any]]:
    return [e for b in call.body.get("blocks") or [] if b.get("type") == "actions" for e in b.get("elements") or []]


def block_text(call: Call) -> str:
    """Every text of a posted message's blocks, in order (sections, fields, context)."""
    out: list[str] = []
    for b in call.body.get("blocks") or []:
        if isinstance(b.get("text"), dict):
            out.append(b["text"]["text"])
        out += [f["text"] for f in b.get("fields") or []]
        out += [e.get("text", "") for e in b.get("elements") or [] if b.get("type") == "context"]
    return "\n".join(out)
