"""Runs inside the Rasa server: the officer always gets a reply.

Stock Rasa 3.6 answers nothing when the action server is down or fails: `MessageProcessor` logs
"the actions events are lost" and carries on, and the REST channel returns `[]` (field notes §6).
`install()` wraps two methods, once per process:

- `RemoteAction.run`: a failed or timed-out call to the action server becomes one bot message,
  "I can't work that out right now, please try again." (once per turn, however many actions fail).
  A rejection (HTTP 400, `ActionExecutionRejection`) is a normal form event and passes through.
- `MessageProcessor.handle_message`: oversized or HTML messages get a polite reply before NLU runs;
  any other exception while handling a message becomes the same apology instead of silence; and a
  REST message that produced no reply at all gets a short prompt.

`install()` is called by the REST channel (`bot.assistant.rest.GuardedRestInput`) when Rasa builds
its channels from credentials.yml, so it is in force for every channel of that server.
"""
from __future__ import annotations

import asyncio
import html
import logging
import os
import re
from typing import Any, Callable, Optional

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUttered

logger = logging.getLogger(__name__)

CANNOT_WORK_OUT = "I can't work that out right now, please try again."
MAX_MESSAGE_CHARS = 2000
TOO_LONG = (
    "Sorry, that message is too long for me ({n:,} characters). Please keep it under {max:,} characters: "
    "the service, its value and when the procurement starts are enough."
)
NOT_PLAIN_TEXT = (
    "Sorry, I can only read plain text. Please type your question without HTML or code, for example: "
    "\"does the light touch regime apply to a £700k home care contract?\""
)
NOTHING_TO_SAY = (
    "OK. Tell me about a contract (the service, its value and when the procurement starts), ask a question "
    "about the rules, or say \"help\"."
)
DEFAULT_ACTION_TIMEOUT_S = 10.0

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?\s*>")
_ACTIVE_CONTENT = re.compile(r"<\s*(script|style|iframe|object|embed|svg|img)\b", re.I)
_ERROR_MARK = {"lta_error": "action_server"}


def check_input(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> tuple[Optional[str], str]:
    """(polite reply, None) for input we will not process; otherwise (None, the text to process).

    Formatting tags are dropped when plain words remain ("<b>home care</b> for £700k")."""
    if len(text) > max_chars:
        return TOO_LONG.format(n=len(text), max=max_chars), text
    if not _TAG.search(text):
        return None, text
    if _ACTIVE_CONTENT.search(text):
        return NOT_PLAIN_TEXT, text
    plain = " ".join(html.unescape(_TAG.sub(" ", text)).split())
    if not re.search(r"[A-Za-z0-9£]", plain):
        return NOT_PLAIN_TEXT, text
    return None, plain


def _apologised_this_turn(tracker: Any) -> bool:
    for event in reversed(list(getattr(tracker, "events", []))):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and event.text == CANNOT_WORK_OUT:
            return True
    return False


def _action_timeout() -> float:
    try:
        return float(os.environ.get("LTA_ACTION_TIMEOUT_SECONDS", DEFAULT_ACTION_TIMEOUT_S))
    except ValueError:
        return DEFAULT_ACTION_TIMEOUT_S


def _wrap_remote_action_run(original: Callable) -> Callable:
    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        try:
            return await asyncio.wait_for(original(self, output_channel, nlg, tracker, domain), _action_timeout())
        except ActionExecutionRejection:
            raise
        except Exception as e:  # connection refused, HTTP 5xx, timeout, malformed reply
            logger.error("Custom action '%s' failed (%s: %s); telling the user to try again.", self.name(),
                         type(e).__name__, e)
            if _apologised_this_turn(tracker):
                return []
            return [BotUttered(CANNOT_WORK_OUT, metadata=dict(_ERROR_MARK))]

    run.__lta_guard__ = True  # type: ignore[attr-defined]
    return run


async def _reply(message: UserMessage, text: str) -> Optional[list]:
    channel = message.output_channel
    await channel.send_text_message(message.sender_id, text)
    return channel.messages if isinstance(channel, CollectingOutputChannel) else None


def _wrap_handle_message(original: Callable) -> Callable:
    async def handle_message(self: MessageProcessor, message: UserMessage) -> Optional[list]:
        text = message.text
        if isinstance(text, str) and not text.lstrip().startswith("/"):
            refusal, cleaned = check_input(text)
            if refusal:
                logger.info("Refused a message from %s: %d characters, not processed.", message.sender_id, len(text))
                return await _reply(message, refusal)
            message.text = cleaned
        try:
            replies = await original(self, message)
        except Exception:
            logger.exception("Handling a message from %s failed; telling the user to try again.", message.sender_id)
            return await _reply(message, CANNOT_WORK_OUT)
        if isinstance(message.output_channel, CollectingOutputChannel) and not message.output_channel.messages:
            # Nothing was said (e.g. a typed "/restart" runs Rasa's silent default action).
            return await _reply(message, NOTHING_TO_SAY)
        return replies

    handle_message.__lta_guard__ = True  # type: ignore[attr-defined]
    return handle_message


def install() -> None:
    """Wrap the two methods (once; calling again does nothing)."""
    if not getattr(RemoteAction.run, "__lta_guard__", False):
        RemoteAction.run = _wrap_remote_action_run(RemoteAction.run)  # type: ignore[method-assign]
    if not getattr(MessageProcessor.handle_message, "__lta_guard__", False):
        MessageProcessor.handle_message = _wrap_handle_message(MessageProcessor.handle_message)  # type: ignore[method-assign]
