"""Issue 21, many officers at once, against the real servers (the action server and Rasa on loopback, started as
`make run` starts them, with small bounds so that a handful of web chats fill them): a message beyond the bound is
told at once to send it again; a queued one is told it is queued and then answered, or told it was not answered;
every message gets exactly one outcome; rate limits per conversation, per socket and per address answer politely.

The action server is frozen (SIGSTOP) while the first turn runs, so the queue fills the same way on any machine.
Timings are measured by `make bench` (bench.load); the waits here only catch a hang."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import socketio

from bot.server import supervisor
from bot.server.capacity import BUSY, NOT_ANSWERED, QUEUED, SLOW_DOWN, reply_kind

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
ROOT = Path(__file__).resolve().parents[2]
WAIT = 60
MAX_TURNS = 6          # in progress or waiting, in the Rasa process
QUEUE_WAIT = 8         # seconds a turn waits for its place before "not answered"
QUESTION = "what is the light touch threshold?"


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[supervisor.Assistant]:
    subprocess.run([str(ROOT / "scripts" / "train")], check=True, cwd=ROOT)
    env = {"LTR_TODAY": "2026-11-26", "LTA_MAX_TURNS": str(MAX_TURNS), "LTA_CONCURRENT_TURNS": "1",
           "LTA_QUEUED_NOTICE_SECONDS": "0.5", "LTA_QUEUE_WAIT_SECONDS": str(QUEUE_WAIT),
           "LTA_ACTION_TIMEOUT_SECONDS": "20",  # the frozen action server is a full queue here, not a failure
           "LTA_RATE_CONVERSATION": "4/600", "LTA_RATE_SOCKET": "6/600", "LTA_RATE_ADDRESS": "80/600"}
    running = supervisor.start(tmp_path_factory.mktemp("crowded"), extra_env=env)
    try:
        yield running
    finally:
        running.stop()


class Officer:
    """A web chat as the widget holds one: a socket.io session and the texts of the replies it has had."""

    def __init__(self, url: str) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.replies: list[str] = []
        self.tokens: list[str] = []
        self.sio.on("bot_uttered", lambda m: self.replies.append(str((m or {}).get("text") or "")))
        self.sio.on("session_confirm", self.tokens.append)
        self.sio.connect(url, transports=["polling"], socketio_path="/socket.io", wait_timeout=WAIT)
        self.new_session()

    def new_session(self) -> None:
        n = len(self.tokens)
        self.sio.emit("session_request", {"session_id": self.tokens[-1] if self.tokens else None, "new": bool(n)})
        until(lambda: len(self.tokens) > n)

    def say(self, text: str = QUESTION) -> None:
        self.sio.emit("user_uttered", {"message": text})

    def ask(self, text: str = QUESTION) -> str:
        """Sends `text` and returns the first reply to it."""
        n = len(self.replies)
        self.say(text)
        until(lambda: len(self.replies) > n)
        return self.replies[n]

    def outcome(self) -> str:
        """What became of the one message this officer sent: "answered", "queued, answered", "busy", "queued, not
        answered". Fails on anything else: no reply, two outcomes, an apology, a notice after the answer."""
        kinds = [reply_kind(t) for t in self.replies]
        assert kinds, "no reply at all"
        queued = kinds[0] == "queued"
        rest, texts = (kinds[1:], self.replies[1:]) if queued else (kinds, self.replies)
        assert "queued" not in rest, self.replies  # one notice, before anything else
        assert rest, f"queued and then nothing: {self.replies}"
        if rest[0] == "retry":
            assert len(rest) == 1, f"more than one outcome: {self.replies}"
            return ("queued, " if queued else "") + {BUSY: "busy", NOT_ANSWERED: "not answered"}[texts[0]]
        assert set(rest) == {"answer"}, f"an apology or a mixed outcome: {self.replies}"
        return "queued, answered" if queued else "answered"

    def close(self) -> None:
        self.sio.disconnect()


def until(condition: Any, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s"
        time.sleep(0.05)


@contextmanager
def officers(url: str, n: int) -> Iterator[list[Officer]]:
    made = [Officer(url) for _ in range(n)]
    try:
        yield made
    finally:  # side by side: a polling client's disconnect waits for its long poll to return
        threads = [threading.Thread(target=o.close) for o in made]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=WAIT)


@contextmanager
def frozen_actions(a: supervisor.Assistant) -> Iterator[None]:
    os.killpg(a.pids["actions"], signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(a.pids["actions"], signal.SIGCONT)


def settled(people: list[Officer], quiet: float = 1.5) -> None:
    """Waits until every officer has an outcome and no reply has come for `quiet` seconds (a late second one
    would show)."""
    def done(o: Officer) -> bool:
        kinds = [reply_kind(t) for t in o.replies]
        return any(k != "queued" for k in kinds)

    until(lambda: all(done(o) for o in people))
    while True:
        before = sum(len(o.replies) for o in people)
        time.sleep(quiet)
        if sum(len(o.replies) for o in people) == before:
            return


def test_a_burst_beyond_the_bound_is_told_to_retry_and_the_queue_is_answered(crowded):
    with officers(crowded.url, 12) as people:
        first, others = people[0], people[1:]
        with frozen_actions(crowded):
            first.say()  # admitted; its action call waits on the frozen action server, so the others queue
            time.sleep(1)
            for o in others:
                o.say()
            until(lambda: sum(o.replies[:1] == [BUSY] for o in others) >= len(others) - (MAX_TURNS - 1), 30)
            time.sleep(1)  # the queued notices (after 0.5 s)
        settled(people)
        outcomes = [o.outcome() for o in people]
    assert outcomes[0] in ("answered", "queued, answered")
    # the bound: the first turn and MAX_TURNS - 1 waiting; every later message told at once to send it again
    assert outcomes[1:].count("queued, answered") == MAX_TURNS - 1, outcomes
    assert outcomes[1:].count("busy") == len(others) - (MAX_TURNS - 1), outcomes


def test_a_queued_message_that_waits_too_long_is_told_it_was_not_answered_and_nothing_is_lost(crowded):
    with officers(crowded.url, 4) as people:
        first, queued = people[0], people[1:]
        with frozen_actions(crowded):
            first.say()
            time.sleep(1)
            for o in queued:
                o.say()
            until(lambda: all(len(o.replies) >= 2 for o in queued), QUEUE_WAIT + 30)
        settled(people)
        assert first.outcome() in ("answered", "queued, answered")
        assert [o.outcome() for o in queued] == ["queued, not answered"] * len(queued)
        # not processed, so not kept: sent again, it is answered as if for the first time
        for o in queued:
            n = len(o.replies)
            assert reply_kind(o.ask()) == "answer", o.replies[n:]


def test_rate_limits_per_conversation_and_per_socket_reply_politely(crowded):
    with officers(crowded.url, 1) as (me,):
        replies = [me.ask() for _ in range(5)]  # LTA_RATE_CONVERSATION 4 at once: the fifth is refused
        assert [reply_kind(r) for r in replies[:4]] == ["answer"] * 4, replies
        assert replies[4] == SLOW_DOWN
        me.new_session()  # a new conversation on the same socket: its own 4, but the socket's 6 are spent at 6
        assert reply_kind(me.ask()) == "answer"
        assert me.ask() == SLOW_DOWN
    with officers(crowded.url, 1) as (other,):  # another officer is not held up
        assert reply_kind(other.ask()) == "answer"


def test_rate_limit_per_address_on_rest_is_a_429_with_the_polite_reply(crowded):
    url, headers = f"{crowded.url}/webhooks/rest/webhook", {"Authorization": f"Bearer {crowded.rest_token}"}
    statuses = []
    for n in range(120):  # "/restart" is cheap: no NLU; every request counts against the address
        r = requests.post(url, json={"sender": f"rate-{uuid.uuid4().hex[:8]}", "message": "/restart"},
                          headers=headers, timeout=30)
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert json.loads(r.text) == {"error": SLOW_DOWN} and r.headers.get("Retry-After")
            break
    assert 429 in statuses and statuses[0] == 200, statuses


def test_load_benchmark_runs(tmp_path: Path) -> None:
    """`make bench` runs bench.load; at toy size (3 and 5 officers) every officer is answered."""
    from bench import load

    out = tmp_path / "load.json"
    assert load.main(["--smoke", "--json", str(out)]) == 0
    for run in json.loads(out.read_text())["runs"]:
        assert run["answered"] + run["queued_then_answered"] == run["officers"], run
        assert run["lost"] == 0 and run["apology"] == 0, run
