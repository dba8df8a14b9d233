"""Issue 21 against the real servers (the `assistant` fixture: the action server and Rasa on loopback, started
as `make run` starts them): records bound to their conversation, request limits, the input gate, the action
server's own cap and error answers, no version banner, forwarded headers."""
from __future__ import annotations

import json
import socket
import time
import uuid
from typing import Any, Iterator

import pytest
import requests
import socketio

from bot.server.guard import NOTHING_TO_SAY

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
REPLY_TIMEOUT = 60


class Widget:
    """A web chat as the widget holds one: a socket.io session (polling) and its signed token."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.Client(reconnection=False)
        self.replies: list[dict] = []
        self.tokens: list[str] = []
        self.sio.on("bot_uttered", self.replies.append)
        self.sio.on("session_confirm", self.tokens.append)
        self.sio.connect(url, transports=["polling"], socketio_path="/socket.io", wait_timeout=REPLY_TIMEOUT)

    def _wait(self, what: list, n: int) -> None:
        deadline = time.monotonic() + REPLY_TIMEOUT
        while len(what) < n:
            assert time.monotonic() < deadline, f"waited {REPLY_TIMEOUT} s for the server"
            time.sleep(0.05)

    def session(self, token: str | None = None, new: bool = False) -> str:
        n = len(self.tokens)
        self.sio.emit("session_request", {"session_id": token, "new": new})
        self._wait(self.tokens, n + 1)
        return self.tokens[-1]

    def answer(self, text: str) -> dict:
        """Says `text` and returns the answer card's custom payload (assessment and understood facts)."""
        n = len(self.replies)
        self.sio.emit("user_uttered", {"message": text})
        deadline = time.monotonic() + REPLY_TIMEOUT
        while True:
            cards = [r["custom"] for r in self.replies[n:] if isinstance(r.get("custom"), dict)
                     and r["custom"].get("type") == "ltr_assessment"]
            if cards:
                return cards[-1]
            assert time.monotonic() < deadline, f"no answer card; replies: {self.replies[n:]}"
            time.sleep(0.05)

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture
def widgets(assistant: Any) -> Iterator[Any]:
    made: list[Widget] = []

    def make() -> Widget:
        w = Widget(assistant.url)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


def record(assistant: Any, body: Any, fmt: str = "md") -> requests.Response:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return requests.post(f"{assistant.url}/widget/record?format={fmt}", data=data, timeout=30)


def rest(assistant: Any, body: Any, token: str | None = None) -> requests.Response:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return requests.post(f"{assistant.url}/webhooks/rest/webhook", data=data, timeout=60, headers={
        "Authorization": f"Bearer {token or assistant.rest_token}", "Content-Type": "application/json"})


ONE_SHOT = "Does the light touch regime apply to a £700k home care contract starting in April 2026? We are a London borough."
# The same facts in other words: the same assessment, other words in "What I understood" ("domiciliary care").
SAME_FACTS = "Does LTR apply to domiciliary care worth 700 thousand pounds, starting April 2026? We are a London borough."


def test_a_decision_record_shows_only_its_own_conversations_words(assistant, widgets):
    first, second, stranger = widgets(), widgets(), widgets()
    t1, t2, t3 = first.session(), second.session(), stranger.session()
    a1, a2 = first.answer(ONE_SHOT), second.answer(SAME_FACTS)
    assert a1["assessment"] == a2["assessment"], "the two officers should reach the same answer"
    assert a1["understood"] != a2["understood"], "in their own words"
    for token, shown in ((t1, a1), (t2, a2)):
        r = record(assistant, {"session_id": token, "assessment": a1["assessment"]})
        assert r.status_code == 200, r.text
        for fact in shown.get("understood") or []:  # each officer's own words, as shown with their answer
            assert fact["text"] in r.text
        other = a2 if shown is a1 else a1
        for fact in other.get("understood") or []:
            if fact not in (shown.get("understood") or []):
                assert fact["text"] not in r.text
    # a live session that never got this answer learns nothing; no session, a forged one: refused
    assert record(assistant, {"session_id": t3, "assessment": a1["assessment"]}).status_code == 400
    assert record(assistant, {"assessment": a1["assessment"]}).status_code == 403
    assert record(assistant, {"session_id": t1 + "\n", "assessment": a1["assessment"]}).status_code == 403


def test_start_a_new_conversation_revokes_the_old_token(assistant, widgets):
    w = widgets()
    old = w.session()
    card = w.answer(ONE_SHOT)
    new = w.session(old, new=True)
    assert new != old
    thief = widgets()
    assert thief.session(old).split(".")[0] != old.split(".")[0]
    assert record(assistant, {"session_id": old, "assessment": card["assessment"]}).status_code == 403
    r = requests.post(f"{assistant.url}/widget/quiz-report", data=json.dumps({"session_id": old}), timeout=30)
    assert r.status_code == 403


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/widget/record", "/widget/quiz-report"])
def test_nested_json_gets_a_4xx_without_a_traceback(assistant, path):
    for body in ("[" * 1000 + "]" * 1000, '{"session_id": ' + "[" * 1000 + "]" * 1000 + "}", b"\xff\xfe{"):
        r = requests.post(assistant.url + path, data=body, timeout=30, headers={
            "Authorization": f"Bearer {assistant.rest_token}", "Content-Type": "application/json"})
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:200])
        assert "Traceback" not in r.text and 'File "' not in r.text


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/widget/record", "/widget/quiz-report"])
def test_a_large_body_is_refused_before_it_is_read(assistant, path):
    port = int(assistant.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {90 * 1024 * 1024}\r\n\r\n".encode())
        assert s.recv(64).startswith(b"HTTP/1.1 413")  # answered without waiting for the 90 MB


def test_slash_payloads_outside_the_domain_never_reach_rasa_or_its_log(assistant):
    marker = f"Mrs Marker {uuid.uuid4().hex[:8]}"
    sender = f"abuse-{uuid.uuid4().hex[:8]}"
    for payload in (f'/inform{{"note": "{marker}"}}', f"/no_such_intent_{marker.split()[-1]}",
                    f'/inform{{"buyer": "{marker}\u2028x"}}'):
        r = rest(assistant, {"sender": sender, "message": payload})
        assert r.status_code == 200 and [m.get("text") for m in r.json()] == [NOTHING_TO_SAY], r.text
    ok = rest(assistant, {"sender": sender, "message": '/inform{"buyer": "sub_central"}'})
    assert ok.status_code == 200 and ok.json() and ok.json()[0].get("text") != NOTHING_TO_SAY
    time.sleep(1)  # let the logs be written
    for log in ("rasa.log", "actions.log"):
        text = (assistant.workdir / log).read_text(encoding="utf-8", errors="replace")
        assert marker.split()[-1] not in text, log


def test_ids_with_a_trailing_newline_are_refused(assistant):
    assert rest(assistant, {"sender": "officer\n", "message": "hello"}).status_code == 400


def test_no_version_banner_and_no_store_detail(assistant):
    import rasa

    r = requests.get(assistant.url + "/", timeout=10)
    assert r.status_code == 200 and rasa.__version__ not in r.text and "Rasa" not in r.text
    health = requests.get(assistant.url + "/health", timeout=10).json()
    assert health == {"status": "ok", "store": "ok"}


def test_the_action_server_caps_messages_itself(assistant):
    """Finding: 8,000-32,000 characters sent straight to the action server made the reader slow enough for the
    supervisor to restart it. Now it answers at once that the message is too long, and stays up."""
    text = ("£1m a year for " * 2200)[:32_000]
    call = {"next_action": "action_converse", "sender_id": "abuse-direct", "version": "3.6.21",
            "tracker": {"sender_id": "abuse-direct", "slots": {}, "latest_message": {
                "text": text, "intent": {"name": "assess", "confidence": 1.0}, "entities": []},
                "events": [], "paused": False, "followup_action": None, "active_loop": {},
                "latest_action_name": "action_listen"},
            "domain": {}}
    start = time.monotonic()
    r = requests.post(f"{assistant.actions_url}/webhook", json=call, timeout=60)
    assert r.status_code == 200, r.text[:300]
    assert "too long" in r.json()["responses"][0]["text"]
    assert time.monotonic() - start < 30  # a wait bound, not a measurement: the reader never ran
    assert assistant.actions_respond()


def test_the_action_servers_errors_carry_an_id_not_the_request(assistant):
    secret = f"secret-{uuid.uuid4().hex[:8]}"
    bad_calls = ({"next_action": "action_converse", "tracker": secret, "domain": {}},  # the SDK fails on it
                 "[" * 1000 + "]" * 1000)
    for call in bad_calls:
        data = call if isinstance(call, str) else json.dumps(call)
        r = requests.post(f"{assistant.actions_url}/webhook", data=data, timeout=30,
                          headers={"Content-Type": "application/json"})
        assert r.status_code >= 400, r.text[:200]
        assert secret not in r.text and "request_body" not in r.text and "Traceback" not in r.text
        if r.status_code >= 500:
            assert set(r.json()) == {"error", "error_id"}


def test_a_forwarded_scheme_from_a_client_is_not_believed(assistant):
    host = assistant.url.split("://", 1)[1]
    r = requests.get(f"{assistant.url}/socket.io/?EIO=4&transport=polling", timeout=10,
                     headers={"Origin": f"https://{host}", "X-Forwarded-Proto": "https"})
    assert r.status_code == 400  # engine.io refuses the origin
    r = requests.get(f"{assistant.url}/socket.io/?EIO=4&transport=polling", timeout=10,
                     headers={"Origin": f"http://{host}"})
    assert r.status_code == 200
