"""How much the assistant takes on at once, and what an officer hears when it is full. No Rasa import: the action
server, the channels and the benchmark share it.

- `action_workers()`: processes of the action server that run actions side by side (LTA_ACTION_WORKERS; default
  the machine's cores). The action server is one process (one pid for the supervisor) that forks them once warm.
- `max_turns()`: turns in progress or waiting in one Rasa process (LTA_MAX_TURNS, default 300). A message beyond it
  is not read and the officer is told at once (`BUSY`).
- `queue_wait()`: the longest a turn waits for a free action worker (LTA_QUEUE_WAIT_SECONDS, default 30); then
  the officer is told the message was not answered (`NOT_ANSWERED`), never silence.
- `queued_notice_after()`: a web chat whose turn has waited this long (LTA_QUEUED_NOTICE_SECONDS, default 2) is told
  "your message is queued" (`QUEUED`); its answer follows.
- `RateLimits`: token buckets per conversation and per client (a web socket, a client address), with a polite
  reply (`SLOW_DOWN`) when one is empty.
"""
from __future__ import annotations

import asyncio
import os
import time
from collections import OrderedDict, deque
from typing import Awaitable, Callable, Optional

CANNOT_WORK_OUT = "I can't work that out right now, please try again."
BUSY = ("Sorry, a lot of people are asking me things right now, so I have not read that message. "
        "Please send it again in a few seconds.")
STILL_ANSWERING = "I'm still answering your last message. Please send this one again once that answer has arrived."
QUEUED = ("A lot of people are asking me things right now: your message is queued and I will answer it "
          "in a few seconds.")
NOT_ANSWERED = ("Sorry, I could not get to that message in time, so I have not answered it. "
                "Please send it again in a few seconds.")
SLOW_DOWN = ("You are sending messages faster than I can answer them, so I have not read that one. "
             "Please wait a few seconds and send it again.")

DEFAULT_MAX_TURNS = 300
DEFAULT_QUEUE_WAIT_S = 30.0
DEFAULT_QUEUED_NOTICE_S = 2.0

_RETRY = (BUSY, STILL_ANSWERING, NOT_ANSWERED, SLOW_DOWN)
_APOLOGY_STARTS = ("I can't work that out right now", "Sorry, something went wrong on our side",
                   "Sorry, I could not save that message")


def reply_kind(text: str) -> str:
    """"queued" (the notice), "retry" (the message was not processed: send it again), "apology" (it was, and failed)
    or "answer"."""
    if text == QUEUED:
        return "queued"
    if text in _RETRY:
        return "retry"
    if text.startswith(_APOLOGY_STARTS):
        return "apology"
    return "answer"


def _env(name: str, default: float, minimum: float = 0.0) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > minimum else default


def action_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, int(_env("LTA_ACTION_WORKERS", min(cores, 4))))


def max_turns() -> int:
    return max(1, int(_env("LTA_MAX_TURNS", DEFAULT_MAX_TURNS)))


def queue_wait() -> float:
    return _env("LTA_QUEUE_WAIT_SECONDS", DEFAULT_QUEUE_WAIT_S)


def queued_notice_after() -> float:
    return _env("LTA_QUEUED_NOTICE_SECONDS", DEFAULT_QUEUED_NOTICE_S)


def concurrent_turns() -> int:
    """Turns Rasa works on at once (LTA_CONCURRENT_TURNS; default one more than the action workers). The others
    wait their turn in order: Rasa's reading and predicting run on its one event loop, so more at once only
    lengthens every turn (and made the action calls of all of them run into their time limit)."""
    return max(1, int(_env("LTA_CONCURRENT_TURNS", action_workers() + 1)))


class Admission:
    """A first-come, first-served queue in front of the turns: at most `concurrent_turns()` run at once. No lock is
    needed: it lives on one event loop."""

    def __init__(self, limit: Optional[Callable[[], int]] = None) -> None:
        self._limit = limit or concurrent_turns
        self.running = 0
        self._waiting: "deque[asyncio.Future]" = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for f in self._waiting if not f.done())

    async def enter(self, timeout: float, on_queued: Optional[Callable[[], Awaitable[None]]] = None,
                    notice_after: float = 0.0) -> bool:
        """True once the turn may run (call `leave` after it); False when it waited `timeout` seconds in vain.
        `on_queued` is awaited once if the turn is still waiting after `notice_after` seconds."""
        if self.running < self._limit() and not self.waiting:
            self.running += 1
            return True
        slot = asyncio.get_running_loop().create_future()
        self._waiting.append(slot)
        started = time.monotonic()
        try:
            if on_queued is not None and notice_after < timeout:
                await asyncio.wait({slot}, timeout=notice_after)
                if not slot.done():
                    await on_queued()
            left = timeout - (time.monotonic() - started)
            if not slot.done():
                await asyncio.wait({slot}, timeout=max(0.0, left))
            if slot.done():
                return True
            slot.cancel()
            return False
        except BaseException:  # cancelled while waiting: a slot handed over meanwhile is passed on
            if slot.done() and not slot.cancelled():
                self.leave()
            else:
                slot.cancel()
            raise

    def leave(self) -> None:
        """A turn is over: its slot goes to the longest-waiting turn, else is freed."""
        while self._waiting:
            slot = self._waiting.popleft()
            if not slot.done():
                slot.set_result(True)
                return
        self.running -= 1


class TokenBuckets:
    """Rate limits: per key, `burst` messages at once, then one every `every` seconds. The least recently used keys
    are forgotten beyond `max_keys` (a forgotten key starts full again), so memory stays bounded."""

    def __init__(self, burst: float, every: float, max_keys: int = 20_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.every, self.max_keys, self._clock = float(burst), float(every), max_keys, clock
        self._buckets: "OrderedDict[str, tuple[float, float]]" = OrderedDict()

    def allow(self, key: str) -> bool:
        now = self._clock()
        tokens, then = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) / self.every)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return allowed


def _bucket(name: str, burst: float, every: float) -> TokenBuckets:
    """LTA_RATE_<NAME>="<burst>/<seconds>", e.g. "6/2": six messages at once, then one every two seconds."""
    value = os.environ.get(f"LTA_RATE_{name}", "")
    try:
        b, _, e = value.partition("/")
        burst, every = (float(b), float(e)) if value else (burst, every)
    except ValueError:
        pass
    return TokenBuckets(max(1.0, burst), every if every > 0 else 1.0)


class RateLimits:
    """Per conversation (every channel: LTA_RATE_CONVERSATION, default 20 at once then one a second), per client
    connection (a web chat's socket, whichever conversation it holds: LTA_RATE_SOCKET, 30 then one a second) and per
    client address (after LTA_TRUSTED_PROXIES: LTA_RATE_ADDRESS, 600 then 50 a second, as one office behind one
    address is many officers). Generous: an officer reads between messages, and at most 2 turns of a conversation
    are ever in progress (guard.TURNS_PER_CONVERSATION); they stop a script flooding the queue."""

    def __init__(self) -> None:
        self.conversation = _bucket("CONVERSATION", 20, 1.0)
        self.socket = _bucket("SOCKET", 30, 1.0)
        self.address = _bucket("ADDRESS", 600, 0.02)


RATES = RateLimits()
