"""Runs inside the Rasa server: the officer always gets a reply.

Stock Rasa 3.6 answers nothing when the action server is down or fails: `MessageProcessor` logs
"the actions events are lost" and carries on, and the REST channel returns `[]` (field notes §6).
`install()` wraps these methods, once per process:

- `RemoteAction.run`: a failed or timed-out call to the action server becomes one bot message,
  "I can't work that out right now, please try again." (once per turn, however many actions fail).
  A rejection (HTTP 400, `ActionExecutionRejection`) is a normal form event and passes through.
- `MessageProcessor.handle_message`: oversized or HTML messages get a polite reply before NLU runs;
  any other exception while handling a message becomes the same apology instead of silence; and a
  REST message that produced no reply at all gets a short prompt.
- `Agent.handle_message`: capacity with graceful degradation (`bot.server.capacity`). A conversation over its rate
  limit is told to slow down; turns are bounded (LTA_MAX_TURNS, default 300, in progress or waiting in this
  process, and 2 per conversation) and a message beyond a bound is told at once it was not read (`BUSY`,
  `STILL_ANSWERING`); the rest wait in order for one of LTA_CONCURRENT_TURNS places, a web chat being told "your
  message is queued" after 2 s, and one that waits LTA_QUEUE_WAIT_SECONDS (30) is told it was not answered.
  Nothing is dropped silently, and the action time limit counts only a turn that is running.
- `FailSafeTrackerStore`: for a store that fails loudly (`bot.server.store`), Rasa's fail-safe
  wrapper no longer swallows errors nor falls back to memory; the officer is told the turn was not
  saved (`NOT_SAVED`).

`gate()` is the one input gate every channel uses: caps on the text, on "/" payloads and on
metadata, before anything is stored or logged. Nothing here logs a sender id or the user's text.

`install()` is called by the REST channel (`bot.server.channels.rest.GuardedRestInput`) when Rasa builds
its channels from credentials.yml, so it is in force for every channel of that server.
"""
from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import re
from typing import Any, Callable, Optional

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.events import BotUttered, UserUttered

from . import capacity
from .capacity import BUSY, CANNOT_WORK_OUT, NOT_ANSWERED, QUEUED, SLOW_DOWN, STILL_ANSWERING
from .limits import MAX_MESSAGE_CHARS, TOO_LONG
from .store import SQLConversationStore, StorageError

logger = logging.getLogger(__name__)

NOT_PLAIN_TEXT = (
    "Sorry, I can only read plain text. Please type your question without HTML or code, for example: "
    "\"does the light touch regime apply to a £700k home care contract?\""
)
NOTHING_TO_SAY = (
    "OK. Tell me about a contract (the service, its value and when the procurement starts), ask a question "
    "about the rules, or say \"help\"."
)
NOT_SAVED = (
    "Sorry, I could not save that message, so I have not kept it. Please send it again in a minute; "
    "what you told me before is safe."
)
TURNS_PER_CONVERSATION = 2
# Within 2 s of an action server that does not answer, the officer hears so (LTA_ACTION_TIMEOUT_SECONDS).
DEFAULT_ACTION_TIMEOUT_S = 1.5
MAX_PAYLOAD_CHARS = 600        # a button payload, e.g. /inform{"buyer": "sub_central"}
MAX_METADATA_BYTES = 2048      # JSON-encoded metadata kept with a message
# fullmatch; no control characters or line breaks of any kind (Unicode's included) in a payload
_PAYLOAD = re.compile(r"/([A-Za-z0-9_]{1,64})(\{[^\x00-\x1f\x7f\x85\u2028\u2029]*\})?(@[0-9.]{1,6})?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

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


class InputRefused(ValueError):
    """A message body no channel should process; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _json_object(text: str) -> Optional[dict]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _payload_accepted(text: str, domain: Any) -> bool:
    """A "/intent{...}" payload Rasa would take as it is: well formed and, given the domain, naming only its
    intents and entities (Rasa warns about any other, quoting it in its log)."""
    match = _PAYLOAD.fullmatch(text) if len(text) <= MAX_PAYLOAD_CHARS else None
    if match is None:
        return False
    entities = _json_object(match.group(2)) if match.group(2) else {}
    if entities is None:
        return False
    if domain is None:
        return True
    return match.group(1) in set(domain.intents) and set(entities) <= set(domain.entities)


def gate(text: Any, metadata: Any = None, max_chars: int = MAX_MESSAGE_CHARS,
         domain: Any = None) -> tuple[Optional[str], str, dict]:
    """The one input gate for every channel, before anything is stored or logged.

    Returns (polite reply, text, metadata): a reply means "answer this and do not process the
    message". Raises InputRefused for bodies that are not a message at all (a number, a list,
    metadata that is not a small JSON object). With Rasa's `domain` (the message processor has it),
    a "/" payload must name an intent and entities of the domain."""
    if not isinstance(text, str):
        raise InputRefused("message must be a string")
    if metadata is None or metadata == "":
        metadata = {}
    if isinstance(metadata, str):
        if len(metadata) > MAX_METADATA_BYTES:
            raise InputRefused(f"metadata must be at most {MAX_METADATA_BYTES} bytes", 413)
        try:
            metadata = json.loads(metadata)
        except ValueError:
            raise InputRefused("metadata must be a JSON object") from None
    if not isinstance(metadata, dict):
        raise InputRefused("metadata must be a JSON object")
    try:
        size = len(json.dumps(metadata, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        raise InputRefused("metadata must be a JSON object") from None
    if size > MAX_METADATA_BYTES:
        raise InputRefused(f"metadata must be at most {MAX_METADATA_BYTES} bytes", 413)
    text = _CONTROL.sub(" ", text).strip()
    if text.startswith("/"):
        if not _payload_accepted(text, domain):
            return NOTHING_TO_SAY, text, metadata  # never processed, so never logged by Rasa's parser
        return None, text, metadata
    refusal, cleaned = check_input(text, max_chars)
    return refusal, cleaned, metadata


def _apologised_this_turn(tracker: Any) -> bool:
    for event in reversed(list(getattr(tracker, "events", []))):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and event.text == CANNOT_WORK_OUT:
            return True
    return False


BUSY_ACTION_TIMEOUT_S = 5.0


def _action_timeout() -> float:
    """LTA_ACTION_TIMEOUT_SECONDS (1.5 s): a frozen action server is told apart from a slow one within 2 s. While
    other turns run or wait the machine is busy, and a running call may take longer without the action server being
    frozen: then at least 5 s (the supervisor's pings find a frozen one within 6 s either way)."""
    try:
        limit = float(os.environ.get("LTA_ACTION_TIMEOUT_SECONDS", DEFAULT_ACTION_TIMEOUT_S))
    except ValueError:
        limit = DEFAULT_ACTION_TIMEOUT_S
    return max(limit, BUSY_ACTION_TIMEOUT_S) if ADMISSION.waiting or ADMISSION.running > 1 else limit


def _wrap_remote_action_run(original: Callable) -> Callable:
    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        try:
            return await asyncio.wait_for(original(self, output_channel, nlg, tracker, domain), _action_timeout())
        except ActionExecutionRejection:
            raise
        except Exception as e:  # connection refused, HTTP 5xx, timeout, malformed reply
            logger.error("Custom action '%s' failed (%s); telling the user to try again.", self.name(),
                         type(e).__name__)
            if _apologised_this_turn(tracker):
                return []
            return [BotUttered(CANNOT_WORK_OUT, metadata=dict(_ERROR_MARK))]

    run.__lta_guard__ = True  # type: ignore[attr-defined]
    return run


async def _reply(message: UserMessage, text: str) -> Optional[list]:
    channel = message.output_channel
    await channel.send_text_message(message.sender_id, text)
    return channel.messages if isinstance(channel, CollectingOutputChannel) else None


class TurnLimits:
    """Counts the turns in progress or waiting (for their conversation's lock, the action server, the store),
    in this process and per conversation. The event loop is single-threaded, so plain counters suffice."""

    def __init__(self) -> None:
        self.total = 0
        self.by_sender: dict[str, int] = {}

    def refusal(self, sender_id: str) -> Optional[str]:
        """The reply for a turn over a bound, else None (and the turn is counted until `done`)."""
        if self.by_sender.get(sender_id, 0) >= TURNS_PER_CONVERSATION:
            return STILL_ANSWERING
        if self.total >= capacity.max_turns():
            return BUSY
        self.total += 1
        self.by_sender[sender_id] = self.by_sender.get(sender_id, 0) + 1
        return None

    def done(self, sender_id: str) -> None:
        self.total -= 1
        left = self.by_sender.get(sender_id, 1) - 1
        if left > 0:
            self.by_sender[sender_id] = left
        else:
            self.by_sender.pop(sender_id, None)


TURNS = TurnLimits()


ADMISSION = capacity.Admission()


async def _tell_queued(message: UserMessage) -> None:
    """The queued notice, where the officer sees replies as they come (a web chat): a REST caller gets its
    answer, or the "not answered" reply, in the one response anyway."""
    if not isinstance(message.output_channel, CollectingOutputChannel):
        try:
            await message.output_channel.send_text_message(message.sender_id, QUEUED)
        except Exception as e:  # the officer has gone: the turn still runs
            logger.info("Could not send the queued notice (%s).", type(e).__name__)


def _wrap_agent_handle_message(original: Callable) -> Callable:
    """Agent.handle_message (what every channel calls) waits for the conversation's lock, then runs the turn:
    the bounds count from before that wait. In order: the conversation's rate limit (`SLOW_DOWN`), the bounds on
    turns waiting (`STILL_ANSWERING`, `BUSY`), then the queue (`ADMISSION`): a turn that waits more than
    LTA_QUEUED_NOTICE_SECONDS is told it is queued; one that waits LTA_QUEUE_WAIT_SECONDS is not processed and
    the officer is told so (`NOT_ANSWERED`). Every message gets its answer or one of these replies."""
    async def handle_message(self: Any, message: UserMessage) -> Optional[list]:
        if not capacity.RATES.conversation.allow(message.sender_id):
            logger.warning("A message was not processed: its conversation is over its rate limit.")
            return await _reply(message, SLOW_DOWN)
        busy = TURNS.refusal(message.sender_id)
        if busy:
            logger.warning("A message was not processed: %s.", "its conversation already has a turn waiting"
                           if busy == STILL_ANSWERING else "the server has too many turns waiting")
            return await _reply(message, busy)
        try:
            admitted = await ADMISSION.enter(capacity.queue_wait(), lambda: _tell_queued(message),
                                             capacity.queued_notice_after())
            if not admitted:
                logger.warning("A message was not processed: it waited %.0f s in the queue.", capacity.queue_wait())
                return await _reply(message, NOT_ANSWERED)
            try:
                return await original(self, message)
            finally:
                ADMISSION.leave()
        finally:
            TURNS.done(message.sender_id)

    handle_message.__lta_guard__ = True  # type: ignore[attr-defined]
    return handle_message


def _wrap_handle_message(original: Callable) -> Callable:
    async def handle_message(self: MessageProcessor, message: UserMessage) -> Optional[list]:
        try:
            refusal, message.text, message.metadata = gate(message.text, message.metadata,
                                                           domain=getattr(self, "domain", None))
        except InputRefused as e:
            logger.info("Refused a message (%s).", e)
            return await _reply(message, NOTHING_TO_SAY)
        if refusal:
            logger.info("Refused a message of %d characters; not processed.", len(message.text))
            return await _reply(message, refusal)
        try:
            replies = await original(self, message)
        except StorageError:
            # Already logged by the store. The turn is not kept: say so rather than pretend.
            if isinstance(message.output_channel, CollectingOutputChannel):
                message.output_channel.messages.clear()
            return await _reply(message, NOT_SAVED)
        except Exception as e:
            logger.error("Handling a message failed (%s); telling the user to try again.", type(e).__name__,
                         exc_info=logger.isEnabledFor(logging.DEBUG))
            return await _reply(message, CANNOT_WORK_OUT)
        if isinstance(message.output_channel, CollectingOutputChannel) and not message.output_channel.messages:
            # Nothing was said (e.g. a typed "/restart" runs Rasa's silent default action).
            return await _reply(message, NOTHING_TO_SAY)
        return replies

    handle_message.__lta_guard__ = True  # type: ignore[attr-defined]
    return handle_message


def _loud(store: Any) -> bool:
    return isinstance(getattr(store, "_tracker_store", None), SQLConversationStore)


def _wrap_fail_safe(name: str, original: Callable) -> Callable:
    async def method(self: FailSafeTrackerStore, *args: Any) -> Any:
        if _loud(self):  # errors reach the turn (NOT_SAVED) instead of a silent in-memory copy
            return await getattr(self._tracker_store, name)(*args)
        return await original(self, *args)

    method.__lta_guard__ = True  # type: ignore[attr-defined]
    return method


def install() -> None:
    """Wrap the methods (once; calling again does nothing)."""
    for name in ("retrieve", "save", "retrieve_full_tracker", "keys"):
        original = getattr(FailSafeTrackerStore, name)
        if not getattr(original, "__lta_guard__", False):
            setattr(FailSafeTrackerStore, name, _wrap_fail_safe(name, original))
    if not getattr(RemoteAction.run, "__lta_guard__", False):
        RemoteAction.run = _wrap_remote_action_run(RemoteAction.run)  # type: ignore[method-assign]
    from rasa.core.agent import Agent

    if not getattr(Agent.handle_message, "__lta_guard__", False):
        Agent.handle_message = _wrap_agent_handle_message(Agent.handle_message)  # type: ignore[method-assign]
    if not getattr(MessageProcessor.handle_message, "__lta_guard__", False):
        MessageProcessor.handle_message = _wrap_handle_message(MessageProcessor.handle_message)  # type: ignore[method-assign]
