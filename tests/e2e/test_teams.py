"""Microsoft Teams end to end: the real action server and Rasa (with bot.server.channels.teams.TeamsInput added to
a copy of credentials.yml), talking to loopback fakes of Microsoft's keys, login and connector
(tests/server/channels/microsoft_fake.py). Every request carries a token signed as the Bot Connector signs them;
every reply is what the fake connector received.

Answers are compared with the engine run here (bot.ltr.assess) on the case written out by hand from what the
officer said. The answer cards are drawn by Microsoft's own Adaptive Cards renderer (npm `adaptivecards`, from
web/node_modules, no network) in Chromium: it must read them without a warning, and the pictures are saved under
artifacts/teams/ (gitignored).
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
import requests

from bot.ltr import Case, assess
from bot.render.record import checked_assessment, result_rows
from bot.render.text import rules_updated
from bot.server import supervisor
from bot.server.channels.teams import sender_id
from tests.render.test_adaptive_card import elements
from tests.server.channels.microsoft_fake import BOT_ID, TENANT_ID, MicrosoftFake, new_key

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "teams"
RENDERER = ROOT / "web" / "node_modules" / "adaptivecards" / "dist"
CARD = "application/vnd.microsoft.card.adaptive"


# ---- the assistant with Teams on, and Microsoft faked on loopback ----


@pytest.fixture(scope="module")
def teams(tmp_path_factory: pytest.TempPathFactory, today) -> Iterator["Teams"]:
    subprocess.run([str(ROOT / "scripts" / "train")], check=True, cwd=ROOT)
    fake = MicrosoftFake().start_in_thread()
    workdir = tmp_path_factory.mktemp("teams")
    credentials = workdir / "credentials.yml"
    credentials.write_text((ROOT / "credentials.yml").read_text(encoding="utf-8")
                           + "\nbot.server.channels.teams.TeamsInput: {}\n", encoding="utf-8")
    port = supervisor.free_port()
    running = supervisor.start(workdir, credentials=credentials, rasa_port=port, extra_env={
        **fake.env(), "LTR_TODAY": today.isoformat(), "LTA_PUBLIC_URL": f"http://127.0.0.1:{port}"})
    try:
        yield Teams(running, fake)
    finally:
        running.stop()
        fake.stop_thread()


class Teams:
    def __init__(self, assistant: supervisor.Assistant, fake: MicrosoftFake) -> None:
        self.assistant, self.fake = assistant, fake
        self.webhook = f"{assistant.url}/webhooks/teams/webhook"
        self.db = assistant.workdir / "rasa.db"

    def post(self, activity: dict, token: Optional[str] = None) -> int:
        token = token or self.fake.sign()
        r = requests.post(self.webhook, json=activity, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        return r.status_code

    def events(self, conversation: str) -> list[tuple[str, Optional[str]]]:
        with sqlite3.connect(self.db) as db:
            rows = db.execute("SELECT type_name, action_name FROM events WHERE sender_id = ? ORDER BY id",
                              (sender_id(TENANT_ID, conversation),)).fetchall()
        return [(t, a) for t, a in rows]

    def chat(self) -> "Chat":
        return Chat(self, f"a:{uuid.uuid4().hex}")


class Chat:
    """One officer's personal chat with the bot."""

    def __init__(self, teams: Teams, conversation: str) -> None:
        self.teams, self.conversation = teams, conversation
        self.turns = 0
        self.last: list[dict] = []

    def activity(self, text: Optional[str], **extra: Any) -> dict:
        return self.teams.fake.activity(text, conversation=self.conversation, **extra)

    def send(self, activity: dict) -> list[dict]:
        """Posts an activity (200 at once), waits until Rasa has saved the turn, returns the replies it caused."""
        before = len(self.teams.fake.replies(self.conversation))
        assert self.teams.post(activity) == 200
        self.turns += 1
        self.wait_for_turns(self.turns)
        self.last = self.teams.fake.replies(self.conversation)[before:]
        assert self.last, "the officer must never get silence"
        return self.last

    def wait_for_turns(self, turns: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.teams.events(self.conversation)
            if sum(1 for t, _ in events if t == "user") >= turns and events[-1] == ("action", "action_listen"):
                return
            time.sleep(0.2)
        raise AssertionError(f"the turn was not saved within {timeout:.0f} s")

    def say(self, text: str) -> list[dict]:
        return self.send(self.activity(text))

    def click(self, title_contains: str) -> list[dict]:
        """Clicks a button of the last replies, as Teams sends an Action.Submit (messageBack) click."""
        action = next(a for a in self.actions() if title_contains.lower() in a["title"].lower())
        data = action["data"]
        return self.send(self.activity(data["msteams"]["text"], value=data))

    def actions(self) -> list[dict]:
        return [a for card in cards(self.last) for a in elements(card) if a["type"] == "Action.Submit"]

    @property
    def text(self) -> str:
        return "\n".join(r.get("text") or "" for r in self.last) + "\n" + "\n".join(
            run for card in cards(self.last) for run in runs(card))


def cards(replies: list[dict]) -> list[dict]:
    return [a["content"] for r in replies for a in r.get("attachments", []) if a["contentType"] == CARD]


def runs(card: dict) -> list[str]:
    return [e["text"] for e in elements(card) if e["type"] in ("TextRun", "TextBlock")]


def answer_card(replies: list[dict]) -> dict:
    found = [c for c in cards(replies) if any(e["type"] == "FactSet" for e in elements(c))]
    assert len(found) == 1, "one answer card per answer"
    return found[0]


def engine(case: dict, today) -> dict:
    return json.loads(json.dumps(assess(Case.from_dict(case), as_of=today).to_dict()))


def same_answer(card: dict, expected: dict) -> None:
    """The card's headline and figures are the engine's: answer, rules, value, threshold, rules version."""
    facts = {f["title"]: f["value"] for e in elements(card) if e["type"] == "FactSet" for f in e["facts"]}
    assert facts == dict(result_rows(checked_assessment(expected)))
    text = runs(card)
    assert expected["answer"] in text
    assert any(f"Rules last updated {rules_updated(expected['rules_version'])}" in t for t in text)


def no_plain_text_copies(replies: list[dict]) -> None:
    # The chat's plain-text copies of the answer (`ltr_answer_text`) are not sent: the card says it all.
    assert not any("What I understood:" in (r.get("text") or "") for r in replies)
    assert not any("What this means for you:" in (r.get("text") or "") for r in replies)


# ---- drawing cards with Microsoft's renderer ----


@pytest.fixture(scope="module")
def draw(browser):
    if not (RENDERER / "adaptivecards.min.js").exists():
        pytest.fail("web/node_modules/adaptivecards is missing: run `make setup` (npm ci --prefix web)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 520, "height": 900})
    page.route("**/*", lambda route: route.abort())  # nothing from the network: no CDN
    page.set_content('<!DOCTYPE html><html lang="en-GB"><body style="margin:0;background:#f5f5f5;'
                     'font-family:Segoe UI,Arial,sans-serif"><div id="host" style="width:500px;padding:10px">'
                     '</div></body></html>')
    page.add_script_tag(path=str(RENDERER / "adaptivecards.min.js"))
    page.add_style_tag(path=str(RENDERER / "adaptivecards.css"))

    def render(card: dict, name: str, open_routes: bool = False) -> dict:
        result = page.evaluate(
            """(card) => {
                 const host = document.getElementById('host');
                 host.innerHTML = '';
                 const ac = new AdaptiveCards.AdaptiveCard();
                 const context = new AdaptiveCards.SerializationContext();
                 ac.parse(card, context);
                 const events = [];
                 for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i).message);
                 const el = ac.render();
                 host.appendChild(el);
                 return {events, text: el.innerText, html: el.innerHTML};
               }""", card)
        if open_routes:  # Action.ToggleVisibility, as an officer would click it
            page.get_by_role("button", name="Show or hide the routes").click()
        page.locator("#host").screenshot(path=str(ARTIFACTS / f"{name}.png"))
        return result

    yield render
    page.close()


# ---- conversations ----


def test_a_one_shot_question_is_answered_with_a_card_the_engine_agrees_with(teams, today, draw):
    chat = teams.chat()
    replies = chat.say("does LTR apply to a £700k home care contract? no VAT, tender notice 5 January 2027")
    expected = engine({"service": "home_care", "value": {"total_gbp": 700000}, "vat": "exempt",
                       "commenced": "2027-01-05", "commencement_event": "tender_notice"}, today)
    assert expected["regime"] == "PA2023" and expected["above_threshold"] is True
    card = answer_card(replies)
    same_answer(card, expected)
    no_plain_text_copies(replies)
    drawn = draw(card, "one-shot-answer", open_routes=True)
    assert drawn["events"] == [], "Microsoft's renderer read the card without a warning"
    assert expected["answer"] in drawn["text"] and "£663,540" in drawn["text"]
    # the decision record behind the card's link
    [link] = [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert link.startswith(f"{teams.assistant.url}/records/")
    r = requests.get(link, timeout=30)
    assert r.status_code == 200 and "Decision record" in r.text and expected["rules_version"] in r.text


def test_the_bot_added_to_a_chat_says_hello(teams):
    from bot.assistant.questions import CONTROL

    chat = teams.chat()
    replies = chat.send(chat.activity(None, type="conversationUpdate", membersAdded=[{"id": BOT_ID}]))
    assert [r.get("text") for r in replies] == [CONTROL["greet"]]


def test_the_guided_flow_by_buttons_only(teams, today, draw):
    chat = teams.chat()
    chat.say("I need to check a contract")  # typed once; every question after it is answered by a button
    assert "What service" in chat.text
    chat.click("Home care")
    assert "worth" in chat.text
    assert draw(cards(chat.last)[0], "question-with-buttons")["events"] == []
    chat.click("I don't know yet")
    assert "procurement start" in chat.text
    chat.click("I don't know yet")
    card = answer_card(chat.last)
    same_answer(card, engine({"service": "home_care", "value": {"unknown": True}}, today))
    assert draw(card, "guided-flow-answer")["events"] == []


def test_a_correction_changes_the_answer_and_says_so(teams, today, draw):
    chat = teams.chat()
    chat.say("supported living for adults with autism, £500k over 3 years, no VAT, tender notice Feb 2027")
    replies = chat.say("sorry, that £500k is per year")
    card = answer_card(replies)
    same_answer(card, engine({"service": "supported_living", "value": {"annual_gbp": 500000, "years": 3},
                              "vat": "exempt", "commenced": "2027-02-01"}, today))
    assert any("the answer changed" in t for t in runs(card))
    assert draw(card, "correction")["events"] == []


def test_a_quiz_started_and_answered_with_buttons(teams, draw):
    chat = teams.chat()
    chat.say("quiz me")
    assert "Choose a level" in chat.text
    chat.click("Easy")  # started by a button
    assert "Question 1 of 10 · 0 right" in chat.text
    assert draw(cards(chat.last)[0], "quiz-question")["events"] == []
    chat.say("stop the quiz")
    assert chat.text.lstrip().startswith("Quiz stopped.")
    # "value, easy" is one scenario: home care, £180,000 a year for 3 years plus 2 one-year extensions, no VAT.
    # Its answers from the reference: whole-life value £180,000 x (3 + 2) = £900,000 (§3), at or above the
    # £663,540 light touch threshold (§2).
    chat.say("quiz me on value, easy")
    assert "Question 1 of 3 · 0 right" in chat.text
    chat.click("£900,000")
    assert chat.text.lstrip().startswith("Right: £900,000.") and "Question 2 of 3 · 1 right" in chat.text
    chat.click("Below the £663,540 threshold (light touch)")  # wrong: a hint first, not the answer
    assert chat.text.lstrip().startswith("Not quite. Hint:")


def test_a_retry_of_the_same_activity_is_answered_once(teams):
    chat = teams.chat()
    activity = chat.activity("home care £900k in total, tender notice April 2027")
    assert teams.post(activity) == 200
    assert teams.post(activity) == 200  # Teams' retry, while the first is still being answered
    chat.turns = 1
    chat.wait_for_turns(1)
    answered = len(teams.fake.replies(chat.conversation))
    chat.say("thanks")  # a later turn: by then a second copy would have been processed too
    events = teams.events(chat.conversation)
    assert sum(1 for t, _ in events if t == "user") == 2
    assert len(teams.fake.replies(chat.conversation)) == answered + len(chat.last)


def test_forged_requests_leave_nothing_in_the_tracker(teams):
    forged = teams.chat()
    f = teams.fake
    now = int(time.time())
    cases = {
        "another key": (forged.activity("hello"), f.sign(key=new_key())),
        "another audience": (forged.activity("hello"), f.sign(aud="another-app")),
        "another issuer": (forged.activity("hello"), f.sign(iss="https://login.microsoftonline.com/x/v2.0")),
        "expired": (forged.activity("hello"), f.sign(iat=now - 7200, nbf=now - 7200, exp=now - 3600)),
        "serviceUrl not the token's": (forged.activity("hello", serviceUrl=f"{f.url}/elsewhere/"), f.sign()),
        "key not endorsed for msteams": (forged.activity("hello"), f.sign(key=f.webchat_key, kid=f.webchat_kid)),
    }
    for why, (activity, token) in cases.items():
        assert teams.post(activity, token) in (401, 403), why
    teams.chat().say("hello")  # a real turn afterwards, so anything accepted would have been stored by now
    assert teams.events(forged.conversation) == []
    assert teams.fake.replies(forged.conversation) == []
