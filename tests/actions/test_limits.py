"""The action server's own defences (issue 21): it reads no message longer than the channels' cap, and the
reader's time on adversarial inputs grows at most linearly with their length.

Finding: a message of 8,000-32,000 characters sent straight to the action server made the reader slow enough
for the supervisor to restart it; the reader's time grew faster than the text on repeated "a year for"."""
from __future__ import annotations

import time
from datetime import date

import pytest

from actions.converse import ActionConverse
from actions.quiz import ActionQuiz
from bot.server.limits import MAX_MESSAGE_CHARS
from bot.text.reader import read_message

TODAY = date(2026, 11, 26)


def _not_called(*_args, **_kwargs):
    raise AssertionError("a message over the cap reached the dialogue")


@pytest.mark.parametrize("action", [ActionConverse, ActionQuiz])
async def test_a_message_over_the_cap_is_refused_before_it_is_read(action, tracker, dispatcher, domain, monkeypatch):
    import actions.converse
    import actions.quiz

    monkeypatch.setattr(actions.converse, "turn", _not_called)
    monkeypatch.setattr(actions.quiz, "handle", _not_called)
    text = ("a year for " * 3000)[: 32_000]
    events = await action().run(dispatcher, tracker(text=text, intent="assess"), domain)
    assert events == []
    assert len(dispatcher.messages) == 1
    assert f"{MAX_MESSAGE_CHARS:,}" in dispatcher.messages[0]["text"]  # the officer is told the limit


async def test_a_message_at_the_cap_is_still_read(tracker, dispatcher, domain):
    start = "home care worth £700k starting next April. "
    text = start + "x" * (MAX_MESSAGE_CHARS - len(start))
    assert len(text) == MAX_MESSAGE_CHARS
    events = await ActionConverse().run(dispatcher, tracker(text=text, intent="assess"), domain)
    assert events and "too long" not in " ".join(m.get("text") or "" for m in dispatcher.messages)


# ---- the reader's time on adversarial inputs ------------------------------------------------------------

def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


ADVERSARIAL = {
    "repeated 'a year for'": lambda n: _repeat("a year for ", n),
    "repeated '£1m a year for'": lambda n: _repeat("£1m a year for ", n),
    "£1 £1 £1": lambda n: _repeat("£1 ", n),
    "a long digit run": lambda n: "9" * n,
    "digits and commas": lambda n: _repeat("1,000,", n),
    "nested brackets": lambda n: "(" * (n // 2) + ")" * (n // 2),
    "mixed nested brackets": lambda n: _repeat("([{", n // 2) + _repeat("}])", n // 2),
}
SHORT, LONG = 250, 2000  # 8 times as long; LONG is the cap
RUNS = 5
# Linear time: about 8 times as long on 8 times the text (less when fixed costs dominate); quadratic: 64.
# Allowed: twice linear, a margin for noise that still fails on growth like n^1.4 or faster.
MAX_RATIO = 8 * 2


def _cpu_seconds(text: str) -> float:
    """The least CPU time of several readings: CPU time, not wall time, so other processes do not count."""
    best = float("inf")
    for _ in range(RUNS):
        start = time.process_time()
        read_message(text, TODAY)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_the_readers_time_grows_at_most_linearly(name):
    make = ADVERSARIAL[name]
    read_message("warm up: home care £700k", TODAY)
    short, long = _cpu_seconds(make(SHORT)), _cpu_seconds(make(LONG))
    ratio = long / max(short, 1e-4)
    assert ratio <= MAX_RATIO, f"{name}: {short * 1000:.1f} ms at {SHORT} characters, {long * 1000:.1f} ms at {LONG}"
