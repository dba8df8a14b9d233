"""The Slack channel: `POST /webhooks/slack/webhook` for both the Events API and interactivity.

credentials.yml:

    bot.server.channels.slack.SlackInput: {}

Settings come from the environment only (secrets never live in the repository):
- SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET: required; without them the server does not start
  and says which is missing;
- SLACK_API_URL: the Web API's base address (default https://slack.com/api/); tests point it at a
  loopback fake;
- LTA_PUBLIC_URL (optional): answers then link to their decision record (`bot.server.record_link`).

Why not Rasa's stock `SlackInput` (field notes §3.3): it posts with the legacy `as_user`, which new Slack
apps refuse, and replies in threads only by a setting. This one:

- accepts a request only with a valid v0 signature made in the last five minutes (401 otherwise); the
  url_verification challenge is answered only after that check; nothing from a refused request is
  processed, stored or logged;
- ignores Slack's retries (`X-Slack-Retry-Num`: 200 and `X-Slack-No-Retry: 1`) and any event id it has
  already seen: we answer at once and work in the background, so a retry is never needed;
- handles `message` events in direct messages and `app_mention` events in channels; bot messages,
  edits, deletions and other subtypes are ignored; the mention of the app is removed from the text;
- takes interactivity (`block_actions`, url-encoded `payload=`) at the same address, so the app
  manifest needs one request URL: a button's value is the Rasa payload it stands for;
- replies with chat.postMessage in the thread of the officer's message, without `as_user`, and never
  unfurls links; after a click the message is updated (chat.update) to show the choice without its
  buttons, so an old button cannot be clicked twice;
- passes every message through the one input gate (`bot.server.guard`) before Rasa sees it.

Conversations (Rasa sender ids, all starting `slack-`, which the REST channel refuses):
- a direct message: one conversation per officer and workspace, `slack-<team>-<user>` (like the web
  chat: "start again" starts afresh);
- a channel: one conversation per thread and officer, `slack-<team>-<channel>-<thread ts>-<user>`; two
  officers in one thread each keep their own facts, and buttons answer only for the officer they were
  shown to (anyone else is told so, privately).
"""
from __future__ import annotations

import asyncio
import html
import logging
import os
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional, Text
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.render import block_kit
from bot.server import guard, limits, record_link, speedups
from bot.server.channels import settings_needed

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
MAX_BODY_BYTES = 512 * 1024  # a block_actions payload carries the whole message it came from
SEEN_MAX = 10_000
SEEN_SECONDS = 3600
NOT_YOURS = "Those buttons belong to another officer's question. Mention me to ask your own."
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>|<([^<>]+)>")


class SlackSettingsError(RasaException):
    """The Slack channel is named in credentials.yml but its settings are missing or misplaced."""


@dataclass(frozen=True)
class Conversation:
    """Where a message came from and where its replies go."""

    team: str
    channel: str
    user: str
    reply_ts: str  # the thread the replies go to
    thread: Optional[str]  # the thread that scopes the conversation (None in a direct message)

    @property
    def sender_id(self) -> str:
        if self.thread is None:
            return f"slack-{self.team}-{self.user}"
        return f"slack-{self.team}-{self.channel}-{self.thread}-{self.user}"


def is_direct(channel: str) -> bool:
    return channel.startswith("D")


def plain_text(text: str, bot_users: set[str]) -> str:
    """Slack's message text as the officer typed it: our app's mention removed, other mentions and
    links as their labels, Slack's escapes undone (the input gate then sees any markup as typed)."""
    text = _MENTION.sub(lambda m: "" if m.group(1) in bot_users else f"@{m.group(1)}", text)

    def link(m: re.Match) -> str:
        if m.group(3) is not None:
            target = m.group(3)
            return target.split("|", 1)[-1] if target[:1] in "#!" else target
        return m.group(2) or m.group(1)

    return " ".join(html.unescape(_LINK.sub(link, text)).split())


class _Seen:
    """Event ids (and clicks) already taken, for an hour: Slack may deliver one event more than once."""

    def __init__(self) -> None:
        self._ids: "OrderedDict[str, float]" = OrderedDict()

    def first_time(self, key: str, now: float) -> bool:
        while self._ids and (len(self._ids) >= SEEN_MAX or next(iter(self._ids.values())) < now - SEEN_SECONDS):
            self._ids.popitem(last=False)
        if key in self._ids:
            return False
        self._ids[key] = now
        return True


class SlackOutput(OutputChannel):
    """Posts the assistant's messages into the officer's thread."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def __init__(self, client: AsyncWebClient, conversation: Conversation) -> None:
        self.client = client
        self.conversation = conversation

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """One message of ours is one Slack message: the answer as Block Kit (its plain-text copies,
        `ltr_answer_text`, are left out), a text with its buttons, or a text."""
        custom = message.get("custom")
        kind = custom.get("type") if isinstance(custom, dict) else None
        if kind == "ltr_answer_text":
            return
        if kind == "ltr_assessment":
            url = record_link.record_url(recipient_id, custom["assessment"])
            await self._post(block_kit.fallback_text(custom), block_kit.assessment_blocks(custom, url))
            return
        text = str(message.get("text") or "")
        buttons = message.get("buttons") or message.get("quick_replies") or []
        if buttons:
            await self._post(block_kit.escape(text), block_kit.message_blocks(text, buttons))
        elif text:
            await self._post(block_kit.escape(text))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post(block_kit.escape(text))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: Any, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def _post(self, text: str, blocks: Optional[list[dict[str, Any]]] = None) -> None:
        c = self.conversation
        kwargs: dict[str, Any] = {}
        if blocks:
            # The buttons answer for this officer only (a channel thread may have several).
            for b in blocks:
                if b.get("type") == "actions":
                    b["block_id"] = f"{b.get('block_id', 'lta')}.{c.user}"
            kwargs["blocks"] = blocks
        try:
            await self.client.chat_postMessage(channel=c.channel, thread_ts=c.reply_ts, text=text,
                                               unfurl_links=False, unfurl_media=False, **kwargs)
        except (SlackApiError, SlackClientError, OSError, asyncio.TimeoutError) as e:
            logger.error("Could not post a Slack message (%s).", _why(e))


def _why(e: Exception) -> str:
    if isinstance(e, SlackApiError):
        return f"Slack said {e.response.get('error', 'an error')}"
    return type(e).__name__


class SlackInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if credentials and any("token" in k or "secret" in k for k in credentials):
            raise SlackSettingsError("Slack's token and signing secret belong in the environment (SLACK_BOT_TOKEN, "
                                     "SLACK_SIGNING_SECRET), never in credentials.yml.")
        missing = [k for k in settings_needed("bot.server.channels.slack.SlackInput") if not os.environ.get(k)]
        if missing:
            raise SlackSettingsError(f"The Slack channel needs {' and '.join(missing)} in the environment "
                                     "(see docs/slack.md).")
        guard.install()
        speedups.install()
        record_link.check_settings("Slack answers")
        return cls(os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_SIGNING_SECRET"],
                   os.environ.get("SLACK_API_URL") or DEFAULT_API_URL)

    def __init__(self, bot_token: str, signing_secret: str, api_url: str = DEFAULT_API_URL) -> None:
        self.client = AsyncWebClient(token=bot_token, base_url=api_url if api_url.endswith("/") else api_url + "/")
        # Slack allows about one message a second per channel: wait as it says (Retry-After) once, then give up.
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
        self.verifier = SignatureVerifier(signing_secret)
        self.seen = _Seen()
        self._tasks: set[asyncio.Task] = set()

    # ---- checking a request ------------------------------------------------------------------------

    def signed(self, request: Request) -> bool:
        """A v0 signature of this body, made with our signing secret in the last five minutes."""
        try:
            return self.verifier.is_valid(body=request.body or b"",
                                          timestamp=request.headers.get("x-slack-request-timestamp"),
                                          signature=request.headers.get("x-slack-signature"))
        except (ValueError, TypeError):  # a timestamp that is not a number
            return False

    # ---- what Slack sends -----------------------------------------------------------------------------

    def _background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    def event(self, envelope: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        event, event_id = envelope.get("event"), envelope.get("event_id")
        if not isinstance(event, dict) or not isinstance(event_id, str) or not self.seen.first_time(f"event:{event_id}", time.time()):
            return
        kind, channel, user, text = event.get("type"), event.get("channel"), event.get("user"), event.get("text")
        if event.get("bot_id") or event.get("subtype") or not all(isinstance(x, str) and x for x in (channel, user, text)):
            return
        direct = is_direct(channel) or event.get("channel_type") == "im"
        # A direct message arrives as `message`; a mention in a channel as `app_mention` (Slack may send a
        # mention in a direct message as both: the `message` is the one taken).
        if (kind == "message" and not direct) or (kind == "app_mention" and direct) or kind not in ("message", "app_mention"):
            return
        team = str(envelope.get("team_id") or event.get("team") or "")
        ts = str(event.get("thread_ts") or event.get("ts") or "")
        conversation = Conversation(team, channel, user, reply_ts=ts, thread=None if direct else ts)
        bots = {str(a.get("user_id")) for a in envelope.get("authorizations") or [] if isinstance(a, dict)}
        self._background(self._handle(plain_text(text, bots), conversation, on_new_message))

    def interaction(self, payload: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        if payload.get("type") != "block_actions":
            return
        action = next((a for a in payload.get("actions") or [] if isinstance(a, dict) and a.get("type") == "button"), None)
        user = (payload.get("user") or {}).get("id")
        message = payload.get("message") or {}
        container = payload.get("container") or {}
        channel = (payload.get("channel") or {}).get("id") or container.get("channel_id")
        ts = message.get("ts") or container.get("message_ts")
        if not action or not isinstance(action.get("value"), str) or not all(isinstance(x, str) and x for x in (user, channel, ts)):
            return
        if not self.seen.first_time(f"click:{user}:{action.get('action_ts')}:{action.get('action_id')}", time.time()):
            return
        team = str((payload.get("team") or {}).get("id") or (payload.get("user") or {}).get("team_id") or "")
        root = str(message.get("thread_ts") or container.get("thread_ts") or ts)
        conversation = Conversation(team, channel, user, reply_ts=root, thread=None if is_direct(channel) else root)
        owner = str(action.get("block_id") or "").rpartition(".")[2]
        title = str((action.get("text") or {}).get("text") or action["value"])
        self._background(self._click(action["value"], title, owner, message, conversation, on_new_message))

    async def _click(self, value: str, title: str, owner: str, message: dict[str, Any], conversation: Conversation,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        if owner and owner != conversation.user:
            try:
                await self.client.chat_postEphemeral(channel=conversation.channel, user=conversation.user,
                                                     thread_ts=conversation.reply_ts, text=NOT_YOURS)
            except (SlackApiError, SlackClientError, OSError, asyncio.TimeoutError) as e:
                logger.error("Could not post a Slack message (%s).", _why(e))
            return
        blocks = message.get("blocks")
        if isinstance(blocks, list):
            try:
                await self.client.chat_update(channel=conversation.channel, ts=message["ts"],
                                              text=str(message.get("text") or ""), blocks=block_kit.chosen(blocks, title))
            except (SlackApiError, SlackClientError, OSError, asyncio.TimeoutError, KeyError) as e:
                logger.error("Could not update a Slack message (%s).", _why(e) if not isinstance(e, KeyError) else "no ts")
        await self._handle(value, conversation, on_new_message)

    async def _handle(self, text: str, conversation: Conversation,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        output = SlackOutput(self.client, conversation)
        sender = conversation.sender_id
        try:
            refusal, text, metadata = guard.gate(text, {})
        except guard.InputRefused:
            refusal, metadata = guard.NOTHING_TO_SAY, {}
        if refusal or not text:
            await output.send_text_message(sender, refusal or guard.NOTHING_TO_SAY)
            return
        try:
            await on_new_message(UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata))
        except Exception as e:
            logger.error("A Slack message failed (%s).", type(e).__name__)
            await output.send_text_message(sender, guard.CANNOT_WORK_OUT)

    # ---- routes ---------------------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        channel = self

        class _Blueprint(Blueprint):
            def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
                super().register(app, options)
                record_link.install(app)

        webhook = _Blueprint("custom_webhook_SlackInput", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.text("too large", status=413)
            if not channel.signed(request):
                logger.info("Refused a Slack request without a valid, recent signature.")
                return response.text("invalid signature", status=401)
            if request.headers.get("x-slack-retry-num"):
                return response.text("", headers={"X-Slack-No-Retry": "1"})
            try:
                if (request.content_type or "").split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
                    payload = limits.parse_json(parse_qs(request.body.decode("utf-8")).get("payload", ["{}"])[0])
                    if isinstance(payload, dict):
                        channel.interaction(payload, on_new_message)
                    return response.text("")
                body = limits.parse_json(request.body or b"")
            except ValueError:
                return response.text("not JSON", status=400)
            if not isinstance(body, dict):
                return response.text("not a Slack event", status=400)
            if body.get("type") == "url_verification":
                return response.json({"challenge": str(body.get("challenge") or "")})
            if body.get("type") == "event_callback":
                channel.event(body, on_new_message)
            return response.text("")

        return webhook
