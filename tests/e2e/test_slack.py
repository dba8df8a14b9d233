"""Slack end to end: the real Rasa and action servers on loopback with the Slack channel on, and a loopback
fake of Slack's Web API (tests/fakes/slack_api.py) that records chat.postMessage and chat.update. Requests
are signed as Slack signs them. Answers are compared with the engine run here on a case written out by hand
from what the officer said (as in test_conversations.py), so Slack cannot disagree with the other channels.

One assistant for this module (it starts its own, with the Slack channel added to credentials.yml).
A screenshot of the answer, drawn from its Block Kit JSON, is saved as artifacts/screenshots/slack-answer.png.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest
import requests
from playwright.sync_api import Browser

from bot.ltr import Case, assess
from bot.server import supervisor
from tests.fakes import block_kit_html
from tests.fakes import slack_api as fake
from tests.fakes.slack_api import Call, FakeSlack, signed_headers

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
SECRET = "e2e-signing-secret-0123456789abcdef"


@dataclass
class Slack:
    api: FakeSlack
    assistant: supervisor.Assistant

    @property
    def webhook(self) -> str:
        return f"{self.assistant.url}/webhooks/slack/webhook"

    def send(self, envelope: dict[str, Any], secret: str = SECRET, timestamp: Optional[int] = None,
             retry: Optional[int] = None, headers: Optional[dict[str, str]] = None) -> requests.Response:
        body = json.dumps(envelope).encode()
        return requests.post(self.webhook, data=body, timeout=30,
                             headers=headers if headers is not None else signed_headers(body, secret, timestamp, retry=retry))

    def click_and_wait(self, posted: Call, title: str, user: str, until: Callable[[Call], bool]) -> Call:
        n = len(self.api.calls)
        body = fake.form(fake.click(posted, title, user))
        r = requests.post(self.webhook, data=body, timeout=30,
                          headers=signed_headers(body, SECRET, content_type="application/x-www-form-urlencoded"))
        assert r.status_code == 200
        return self.wait_after(n, until)

    def say_and_wait(self, text: str, user: str, until: Callable[[Call], bool]) -> tuple[str, Call]:
        n = len(self.api.calls)
        envelope = fake.direct_message(text, user)
        assert self.send(envelope).status_code == 200
        return envelope["event"]["ts"], self.wait_after(n, until)

    def wait_after(self, n: int, until: Callable[[Call], bool]) -> Call:
        def found(calls: list[Call]) -> bool:
            return any(c.method == "chat.postMessage" and until(c) for c in calls[n:])

        self.api.wait(found, timeout=120)
        return next(c for c in self.api.since(n) if c.method == "chat.postMessage" and until(c))

    def user_texts(self, sender_id: str) -> list[str]:
        """What the officer said, as the tracker store keeps it."""
        with sqlite3.connect(self.assistant.workdir / "rasa.db") as db:
            rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender_id,))
            return [json.loads(data)["text"] for (data,) in rows]


@pytest.fixture(scope="module")
def slack(tmp_path_factory: pytest.TempPathFactory, today: date) -> Iterator[Slack]:
    api = FakeSlack().start()
    workdir = tmp_path_factory.mktemp("slack-assistant")
    credentials = workdir / "credentials.yml"
    credentials.write_text((ROOT / "credentials.yml").read_text() + "\nbot.server.channels.slack.SlackInput: {}\n")
    port = supervisor.free_port()
    env = {"LTR_TODAY": today.isoformat(), "SLACK_BOT_TOKEN": "xoxb-e2e-token", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": api.url, "LTA_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "LTA_SESSION_SECRET": uuid.uuid4().hex * 2}
    subprocess.run([str(ROOT / "scripts" / "train")], check=True, cwd=ROOT)
    running = supervisor.start(workdir, credentials=credentials, rasa_port=port, extra_env=env)
    try:
        yield Slack(api, running)
    finally:
        running.stop()
        api.stop()


def officer() -> str:
    return "U" + uuid.uuid4().hex[:10].upper()


def is_answer(c: Call) -> bool:
    return any(b.get("fields") for b in c.body.get("blocks") or [])


def has_text(words: str) -> Callable[[Call], bool]:
    return lambda c: words in c.body.get("text", "") or words in fake.block_text(c)


def figures(c: Call) -> dict[str, str]:
    block = next(b for b in c.body["blocks"] if b.get("fields"))
    return {f["text"].split("\n")[0].strip("*"): f["text"].split("\n", 1)[1] for f in block["fields"]}


def engine(case: dict[str, Any], today: date):
    return assess(Case.from_dict(case), as_of=today)


def money(x: Optional[float]) -> str:
    return "Not known" if x is None else f"£{x:,.0f}"


def same_answer(c: Call, a) -> None:
    """The blocks' headline, regime, value and threshold are the engine's for the same case."""
    assert f"*{a.answer}*" in c.body["blocks"][0]["text"]["text"].splitlines()  # after what changed, if anything
    f = figures(c)
    basis = {"inclusive": " (including VAT)", "net": " (excluding VAT)"}.get(a.vat_basis or "", "")
    assert f["Rules that apply"] == a.regime_name
    assert f["Estimated value"] == money(a.estimated_value_gbp)
    assert f["Threshold"] == (f"{money(a.threshold_gbp)}{basis}" if a.threshold_gbp is not None else "No threshold applies")
    if a.threshold_gbp is None:  # no "Not known" beside "No threshold applies"
        assert "Above the threshold" not in f
    else:
        assert f["Above the threshold"] == {True: "Yes", False: "No", None: "Not known"}[a.above_threshold]
    assert "Rules last updated " in fake.block_text(c) and a.rules_version not in fake.block_text(c)


# ---- answers ------------------------------------------------------------------------------------


def test_a_question_is_answered_in_its_thread_as_the_engine_says(slack, today, browser: Browser):
    user = officer()
    ts, answer = slack.say_and_wait("does LTR apply to a £700k home care contract? no VAT, tender notice 5 January 2027",
                                    user, is_answer)
    a = engine({"service": "home_care", "value": {"total_gbp": 700000}, "vat": "exempt", "commenced": "2027-01-05",
                "commencement_event": "tender_notice"}, today)
    assert (a.regime, a.light_touch, a.above_threshold, a.threshold_gbp) == ("PA2023", True, True, 663540)  # reference §4
    same_answer(answer, a)
    assert answer.body["thread_ts"] == ts and "as_user" not in answer.body
    assert answer.token == "Bearer xoxb-e2e-token"
    # The next turn is answered only after this one is over: the answer was one message, without its text copies.
    slack.say_and_wait("what must we still do?", user, has_text("What you must still do"))
    assert [c.body.get("thread_ts") for c in slack.api.posts()].count(ts) == 1

    # The record link opens the engine's record of this answer; a changed token opens nothing.
    link = next(b for b in answer.body["blocks"] if b["type"] == "context" and "records/" in b["elements"][0]["text"])
    url = link["elements"][0]["text"].split("<", 1)[1].split("|", 1)[0]
    record = requests.get(url, timeout=30)
    assert record.status_code == 200 and record.headers["Content-Type"].startswith("text/html")
    assert "£663,540" in record.text and "Procurement Act 2023" in record.text
    assert requests.get(url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB"), timeout=30).status_code == 404

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 800, "height": 900})
    page.set_content(block_kit_html.page(answer.body["blocks"]))
    assert page.get_by_text(a.answer).is_visible()
    page.screenshot(path=str(SCREENSHOTS / "slack-answer.png"), full_page=True)
    page.close()
    assert (SCREENSHOTS / "slack-answer.png").stat().st_size > 10_000


def test_the_guided_flow_by_buttons_only(slack, today):
    user = officer()
    _, question = slack.say_and_wait("I need to check a contract", user, has_text("What service"))
    home_care = next(b["text"]["text"] for b in fake.buttons(question) if "home care" in b["text"]["text"].lower())
    worth = slack.click_and_wait(question, home_care, user, has_text("worth"))
    (update,) = [c for c in slack.api.posts("chat.update") if c.body["ts"] == question.ts]
    assert not fake.buttons(update) and f"You chose: {home_care}" in fake.block_text(update)
    start = slack.click_and_wait(worth, "I don't know yet", user, has_text("procurement start"))
    answer = slack.click_and_wait(start, "I don't know yet", user, is_answer)
    same_answer(answer, engine({"service": "home_care", "value": {"unknown": True}, "commenced": today.isoformat()}, today))
    assert {c.body["thread_ts"] for c in (question, worth, start, answer)} == {question.body["thread_ts"]}


def test_a_correction_changes_the_answer_and_says_so(slack, today):
    user = officer()
    slack.say_and_wait("supported living for adults with autism, £500k over 3 years, no VAT, tender notice Feb 2027",
                       user, is_answer)
    _, answer = slack.say_and_wait("sorry, that £500k is per year", user, is_answer)
    same_answer(answer, engine({"service": "supported_living", "value": {"annual_gbp": 500000, "years": 3},
                                "vat": "exempt", "commenced": "2027-02-01"}, today))
    assert "the answer changed" in fake.block_text(answer)
    # The same by the answer's own "Change" button: it asks again, the officer replies in the direct message.
    slack.click_and_wait(answer, "Change value", user, has_text("worth"))
    _, answer = slack.say_and_wait("£150k in total", user, is_answer)
    below = engine({"service": "supported_living", "value": {"total_gbp": 150000}, "vat": "exempt",
                    "commenced": "2027-02-01"}, today)
    assert below.above_threshold is False  # £150,000 < £663,540 (reference §4)
    same_answer(answer, below)
    assert "the answer changed" in fake.block_text(answer)


def test_the_quiz_by_buttons(slack):
    user = officer()
    _, choice = slack.say_and_wait("quiz me", user, has_text("Choose a level"))
    question = slack.click_and_wait(choice, "Easy", user, has_text("Question 1 of 10 · 0 right"))  # started by a button
    assert fake.buttons(question)
    slack.say_and_wait("stop the quiz", user, has_text("Quiz stopped."))
    # "value, easy" is one scenario: home care, £180,000 a year for 3 years plus 2 one-year extensions, no VAT.
    # Its answers from the reference: whole-life value £180,000 x (3 + 2) = £900,000 (§3), at or above the
    # £663,540 light touch threshold (§2).
    _, first = slack.say_and_wait("quiz me on value, easy", user, has_text("Question 1 of 3 · 0 right"))
    second = slack.click_and_wait(first, "£900,000", user, has_text("Question 2 of 3 · 1 right"))
    assert any(has_text("Right: £900,000.")(c) for c in slack.api.posts() if c.body.get("thread_ts") == second.body["thread_ts"])
    slack.click_and_wait(second, "Below the £663,540 threshold (light touch)", user, has_text("Not quite. Hint:"))


def test_a_rules_question_by_mention_in_a_channel(slack):
    n = len(slack.api.calls)
    mention = fake.mention("what is the light touch threshold?", officer(), channel="C0PROCURE")
    assert slack.send(mention).status_code == 200
    reply = slack.wait_after(n, has_text("663,540"))  # the Act's light touch threshold (reference §4)
    assert reply.body["channel"] == "C0PROCURE" and reply.body["thread_ts"] == mention["event"]["ts"]


# ---- forged and repeated requests ---------------------------------------------------------------


def _nothing_from(slack: Slack, user: str) -> None:
    """The same officer then sends a genuine message, which is answered. Turns of one conversation run in
    order, so a forged message that had been taken would be in the conversation before it: the only
    message kept is the genuine one, and the only reply is to it."""
    n = len(slack.api.calls)
    genuine = fake.direct_message("hello", user, channel=f"D{user}")
    assert slack.send(genuine).status_code == 200
    slack.wait_after(n, lambda c: c.body.get("channel") == f"D{user}")
    deadline = time.monotonic() + 60
    while not slack.user_texts(f"slack-{fake.TEAM}-{user}") and time.monotonic() < deadline:
        time.sleep(0.2)  # the turn is saved after its replies are sent
    assert slack.user_texts(f"slack-{fake.TEAM}-{user}") == ["hello"]
    assert {c.body.get("thread_ts") for c in slack.api.posts() if c.body.get("channel") == f"D{user}"} == \
        {genuine["event"]["ts"]}


def _forged(user: str) -> dict[str, Any]:
    return fake.direct_message("home care £700k, tender notice May 2027", user, channel=f"D{user}")


def test_an_unsigned_request_is_refused(slack):
    user = officer()
    assert slack.send(_forged(user), headers={"Content-Type": "application/json"}).status_code == 401
    _nothing_from(slack, user)


def test_a_wrongly_signed_request_is_refused(slack):
    user = officer()
    assert slack.send(_forged(user), secret="someone-elses-secret").status_code == 401
    _nothing_from(slack, user)


def test_a_request_older_than_five_minutes_is_refused(slack):
    user = officer()
    assert slack.send(_forged(user), timestamp=int(time.time()) - 6 * 60).status_code == 401
    _nothing_from(slack, user)


def test_a_slack_retry_is_ignored(slack):
    user = officer()
    r = slack.send(_forged(user), retry=1)
    assert r.status_code == 200 and r.headers.get("X-Slack-No-Retry") == "1"
    _nothing_from(slack, user)
