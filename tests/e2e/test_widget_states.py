"""The widget's connection states (connecting, disconnected with retry, server error) and resuming
after a server restart, in headless Chromium.

These need a server we can stop, restart and make fail on purpose, so they run the real
`SecureSocketIOInput` channel and widget files in a small Sanic process with a scripted stand-in
for the Rasa agent (a real SQLite tracker store, so conversations survive the restart, as with
`make run`). The widget talking to the real assistant is covered in test_widget.py.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30_000  # ms
# Answers the scripted stand-in gives, from the real engine and renderer: above and below the threshold.
CASES = {
    "answer": {"service": "home care", "value": {"annual_gbp": 150000, "years": 4, "extension_years": 2},
               "commenced": "2027-04-01", "vat": "exempt"},
    "second answer": {"service": "home care", "value": {"total_gbp": 300000}, "commenced": "2026-04-01", "vat": "included"},
    # the Provider Selection Regime: no threshold, and not a light touch question
    "psr answer": {"service": "community nursing", "value": {"total_gbp": 3000000}, "buyer": "icb", "commenced": "2026-04-01",
                   "health_service_purpose": True},
}
# "What I understood" as the assistant's actions send it with an answer (the payload contract).
UNDERSTOOD = [
    {"id": "service", "label": "Service", "text": "Home care (domiciliary care)", "source": "you said",
     "change": '/change_fact{"fact": "service"}'},
    {"id": "value", "label": "Value", "text": "£150,000 a year × (4 + 2) years = £900,000", "source": "you said",
     "change": '/change_fact{"fact": "value"}'},
    {"id": "vat", "label": "VAT", "text": "Exempt (care services)", "source": "assumed", "change": '/change_fact{"fact": "vat"}'},
]

SERVER = r"""
import json
import sys
from datetime import date
from rasa.core.channels.channel import register
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic
from bot.server.channels.socketio import SecureSocketIOInput
from bot.ltr import Case, assess
from bot.render.text import render_answer

CASES = json.loads(sys.argv[3])
UNDERSTOOD = json.loads(sys.argv[4])
DISCLAIMER = "Closing note from the scripted stand-in."

def answer(case):
    # An answer as the assistant's actions send it: the card with its first plain-text message, the
    # further plain-text messages marked as part of it, then the disclaimer.
    a = assess(Case.from_dict(case), as_of=date(2026, 11, 26))
    texts = render_answer(a, UNDERSTOOD, None)
    card = {"type": "ltr_assessment", "assessment": a.to_dict(), "understood": UNDERSTOOD, "changed": None}
    return [BotUttered(texts[0], {"custom": card})] + [
        BotUttered(t, {"custom": {"type": "ltr_answer_text"}}) for t in texts[1:]] + [BotUttered(DISCLAIMER)]

def reply(text):
    if text in CASES:
        return answer(CASES[text])
    if text.startswith("question"):  # "question" is question 1 of 3; "question 2 of 3" says which
        step, of = (int(x) for x in text.split()[1::2]) if " of " in text else (1, 3)
        buttons = [{"title": "Under £100k", "payload": "/inform"}, {"title": "I don't know", "payload": "/dont_know"}]
        return [BotUttered("What is the contract worth?", {"custom": {"progress": {"step": step, "of": of}}, "buttons": buttons})]
    if text == "quiz":  # a quiz question answered with buttons, then its feedback and the next question
        return [BotUttered("Question 1 of 10 · 0 right\nWhat is the whole-life value to compare with the threshold?",
                           {"buttons": [{"title": "£900,000", "payload": "/quiz_pick"}, {"title": "£540,000", "payload": "/quiz_pick"}]})]
    if text == "/quiz_pick":
        return [BotUttered("Right: £900,000.\nWorking: £180,000 a year × (3 + 2) years = £900,000.\nDeciding rule: PA 2023 "
                           "Sch 3 para 3\nWhat this teaches: Extension options count towards the whole-life value."),
                BotUttered("Question 2 of 10 · 1 right\nScenario: Meals on wheels (easy)\nThe council is buying a meals on "
                           "wheels service for older people, £120,000 a year for 2 years.\nIs it a light touch contract?",
                           {"buttons": [{"title": "Yes", "payload": "/quiz_yes"}, {"title": "No", "payload": "/quiz_no"}]})]
    if text == "long list":  # a follow-up reply longer than the window
        return [BotUttered("What you must still do:\n" + "\n".join(f"- Duty number {n} of a long list." for n in range(1, 41)))]
    return [BotUttered("Hello from the scripted stand-in." if text == "/greet" else "echo: " + text)]

class ScriptedAgent:
    def __init__(self, db):
        self.tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=db)

    async def handle_message(self, message):
        if message.text == "boom":
            raise RuntimeError("scripted failure")
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text))
        for event in reply(message.text):
            await message.output_channel.send_response(message.sender_id, event.message())
            tracker.update(event)
        await self.tracker_store.save(tracker)

port, db = int(sys.argv[1]), sys.argv[2]
app = Sanic("scripted_widget_server")
app.ctx.agent = ScriptedAgent(db)
register([SecureSocketIOInput.from_credentials({})], app, route="/webhooks/")
app.run(host="127.0.0.1", port=port, access_log=False, motd=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScriptedServer:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = str(tmp / "trackers.db")
        self.log = tmp / "server.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(os.environ, LTA_SESSION_SECRET="scripted-widget-test-secret-0123456789", RASA_TELEMETRY_ENABLED="false")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", SERVER, str(self.port), self.db, json.dumps(CASES), json.dumps(UNDERSTOOD)],
                cwd=ROOT, env=env, stdout=log, stderr=log,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the scripted server exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/webhooks/socketio/", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the scripted server did not start within 60 s")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # abrupt, like a crash: the browser's connection just drops
            self.proc.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ScriptedServer]:
    srv = ScriptedServer(tmp_path)
    srv.start()
    yield srv
    srv.kill()


@pytest.fixture
def page(browser: Browser, server: ScriptedServer) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    p = ctx.new_page()
    p.goto(server.url + "/demo/")
    expect(p.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
    expect(p.locator(".lta-msg--bot")).to_contain_text(["Hello from the scripted stand-in."], timeout=WAIT)
    yield p
    ctx.close()


def ask(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")


def test_a_server_error_is_shown_with_a_way_to_try_again(page: Page) -> None:
    ask(page, "boom")
    status = page.get_by_role("status")
    expect(status).to_contain_text("something went wrong on our side", ignore_case=True, timeout=WAIT)
    expect(page.locator(".lta")).to_have_attribute("data-state", "error")
    expect(page.locator(".lta-msg--bot").last).to_contain_text("Your conversation is saved")
    # "Send my last message again" resends it; here it fails again, and the chat still works after.
    page.get_by_role("button", name="Send my last message again").click()
    expect(page.locator(".lta-msg--user")).to_have_count(2)
    ask(page, "hello again")
    expect(page.locator(".lta-msg--bot").last).to_contain_text("echo: hello again", timeout=WAIT)
    expect(page.locator(".lta")).to_have_attribute("data-state", "ready")


def test_disconnected_then_retry_then_resumed_after_a_restart(page: Page, server: ScriptedServer) -> None:
    ask(page, "our contract is for supported living")
    expect(page.locator(".lta-msg--bot").last).to_contain_text("echo: our contract is for supported living", timeout=WAIT)
    before = page.locator(".lta-msg").all_text_contents()

    server.kill()
    status = page.get_by_role("status")
    expect(page.locator(".lta")).to_have_attribute("data-state", "disconnected", timeout=WAIT)
    expect(status).to_contain_text("You are not connected to the assistant")
    # Sending while disconnected keeps the text and says why.
    ask(page, "are you there?")
    expect(page.locator(".govuk-error-message")).to_contain_text("not connected")
    assert page.get_by_label("Your message").input_value() == "are you there?"
    # Retry while the server is still down: connecting, then disconnected again.
    page.get_by_role("button", name="Try again now").click()
    expect(page.locator(".lta")).to_have_attribute("data-state", "disconnected", timeout=WAIT)

    server.start()
    retry = page.get_by_role("button", name="Try again now")
    if retry.count():  # the widget may already have reconnected by itself
        retry.click()
    expect(page.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
    expect(page.locator(".lta-msg")).to_have_count(len(before), timeout=WAIT)
    assert page.locator(".lta-msg").all_text_contents() == before
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".lta-msg--bot").last).to_contain_text("echo: are you there?", timeout=WAIT)


def test_the_connecting_state_is_shown_until_the_session_is_confirmed(browser: Browser, server: ScriptedServer) -> None:
    ctx = browser.new_context()
    p = ctx.new_page()
    try:
        # Hold back the socket.io handshake so the first state can be seen.
        held: list = []
        p.route("**/socket.io/**", lambda route: held.append(route))
        p.goto(server.url + "/demo/")
        expect(p.locator(".lta")).to_have_attribute("data-state", "connecting", timeout=WAIT)
        expect(p.get_by_role("status")).to_have_text("Connecting to the assistant…")
        assert held, "the widget made no socket.io request"
        p.unroute("**/socket.io/**")  # held requests go on to the server
        expect(p.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
        expect(p.locator(".lta__status")).to_be_empty()
    finally:
        ctx.close()


def test_starting_a_new_conversation_clears_it_and_gets_a_new_session(page: Page) -> None:
    ask(page, "first conversation")
    expect(page.locator(".lta-msg--bot").last).to_contain_text("echo: first conversation", timeout=WAIT)
    key = "() => Object.entries(sessionStorage).find(([k]) => k.startsWith('lta-session:'))[1]"
    old_token = page.evaluate(key)
    page.get_by_role("button", name="Start a new conversation").click()
    expect(page.locator(".lta-msg--user")).to_have_count(0)
    expect(page.locator(".lta-msg--bot")).to_contain_text(["Hello from the scripted stand-in."], timeout=WAIT)
    assert page.evaluate(key) != old_token
    page.reload()
    expect(page.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
    expect(page.locator(".lta-msg")).to_have_count(1, timeout=WAIT)  # the new conversation's greeting only


AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})).violations")
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def test_the_error_and_disconnected_states_are_accessible(browser: Browser, server: ScriptedServer) -> None:
    ctx = browser.new_context(bypass_csp=True)  # to inject axe-core into the page
    p = ctx.new_page()
    try:
        p.goto(server.url + "/demo/")
        expect(p.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
        ask(p, "boom")
        expect(p.locator(".lta")).to_have_attribute("data-state", "error", timeout=WAIT)
        assert serious_violations(p) == []
        server.kill()
        expect(p.locator(".lta")).to_have_attribute("data-state", "disconnected", timeout=WAIT)
        assert serious_violations(p) == []
    finally:
        ctx.close()


# ---- an answer: what the officer sees first, and what they can do with it ---------------------------

def open_chat(browser: Browser, server: ScriptedServer, width: int, height: int, **context) -> Page:
    ctx = browser.new_context(viewport={"width": width, "height": height}, **context)
    p = ctx.new_page()
    p.goto(server.url + "/demo/")
    expect(p.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
    expect(p.locator(".lta-msg--bot")).to_contain_text(["Hello from the scripted stand-in."], timeout=WAIT)
    return p


def answer(page: Page, text: str = "answer", count: int = 1):
    ask(page, text)
    # The answer is complete when the closing note that follows it has arrived.
    expect(page.locator(".lta-msg--bot").last).to_contain_text("Closing note from the scripted stand-in.", timeout=WAIT)
    expect(page.locator(".lta-card")).to_have_count(count)
    return page.locator(".lta-card").nth(count - 1)


@pytest.mark.parametrize("width, height", [(1280, 900), (375, 812)])
def test_a_new_answer_shows_and_focuses_its_headline_not_its_end(browser: Browser, server: ScriptedServer, width: int, height: int,
                                                                 headline_seen) -> None:
    page = open_chat(browser, server, width, height)
    try:
        for n in range(3):  # a conversation long enough to scroll
            ask(page, f"our contract is for supported living ({n})")
            expect(page.locator(".lta-msg--bot").last).to_contain_text(f"echo: our contract is for supported living ({n})", timeout=WAIT)
        card = answer(page)
        assert headline_seen(page) == {"focused": True, "inWindow": True, "inConversation": True}
        expect(card.locator(".lta-card__answer")).to_contain_text("Procurement Act 2023")
        # The routes and the decision path start collapsed.
        expect(card.locator("details.lta-card__routes")).not_to_have_attribute("open", "")
        expect(card.locator("details.lta-card__trace")).not_to_have_attribute("open", "")
        # The answer's further plain-text messages stay with the card, not as bubbles after it.
        expect(page.locator(".lta-msg__body").filter(has_text="What I understood:")).to_have_count(1)
        expect(card.locator("xpath=..").locator(".lta-card__plain")).to_contain_text("What this means for you:")
        expect(page.locator(".lta-msg--bot").last).not_to_contain_text("What this means for you:")
    finally:
        page.context.close()


def test_change_sends_the_facts_own_request_shown_as_change_label(page: Page) -> None:
    card = answer(page)
    rows = card.locator(".lta-card__understood .govuk-summary-list__row")
    expect(rows).to_have_count(len(UNDERSTOOD))
    expect(rows.nth(2)).to_contain_text("Exempt (care services)")
    expect(rows.nth(2)).to_contain_text("assumed")
    card.get_by_role("button", name="Change Value").click()
    expect(page.locator(".lta-msg--user").last).to_have_text(re.compile("Change value$"))
    expect(page.locator(".lta-msg--bot").last).to_contain_text('echo: /change_fact{"fact": "value"}', timeout=WAIT)


def test_only_the_latest_answer_can_be_changed(page: Page) -> None:
    first = answer(page)
    expect(first.locator(".lta-card__change")).to_have_count(len(UNDERSTOOD))
    second = answer(page, "second answer", count=2)
    expect(first.locator(".lta-card__change")).to_have_count(0)
    expect(second.locator(".lta-card__change")).to_have_count(len(UNDERSTOOD))


def test_copy_answer_copies_the_plain_text_answer(browser: Browser, server: ScriptedServer) -> None:
    page = open_chat(browser, server, 1280, 900, permissions=["clipboard-read", "clipboard-write"])
    try:
        card = answer(page)
        card.get_by_role("button", name="Copy answer").click()
        expect(card.get_by_role("status")).to_have_text("Answer copied.")
        copied = page.evaluate("navigator.clipboard.readText()")
        paragraphs = copied.split("\n\n")
        assert len(paragraphs) == 3, copied  # the three chat messages of the answer
        assert paragraphs[0].startswith(card.locator(".lta-card__answer").inner_text())
        assert paragraphs[1].startswith("What I understood:") and "- VAT: Exempt (care services) (assumed)" in paragraphs[1]
        assert "Rules last updated" in paragraphs[2] and "+" not in paragraphs[2]  # a date, not a build hash
    finally:
        page.context.close()


def test_print_prints_this_answer_with_everything_open_then_puts_it_back(page: Page) -> None:
    card = answer(page)
    page.evaluate(
        """() => { window.print = () => {
             const card = document.querySelector('.lta-card--printing');
             window.printed = {page: document.documentElement.classList.contains('lta-printing'),
                               allOpen: !!card && [...card.querySelectorAll('details')].every(d => d.open)}; }; }"""
    )
    card.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") == {"page": True, "allOpen": True}
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    expect(card.locator("details.lta-card__routes")).not_to_have_attribute("open", "")
    expect(page.locator(".lta-card--printing")).to_have_count(0)


def test_a_question_of_the_guided_flow_says_how_far_along_it_is(page: Page) -> None:
    ask(page, "question")
    question = page.locator(".lta-msg--bot").last
    expect(question).to_contain_text("What is the contract worth?", timeout=WAIT)
    expect(question.locator(".lta-msg__progress")).to_have_text("Question 1 of 3")
    ask(page, "question 2 of 3")
    expect(page.locator(".lta-msg--bot").last.locator(".lta-msg__progress")).to_have_text("Question 2 of 3", timeout=WAIT)


def test_progress_is_shown_in_order_or_not_at_all(page: Page) -> None:
    """Finding: "Question 2 of up to 2" with no question 1, and "Question 1 of up to 1"."""
    ask(page, "question 2 of 2")
    expect(page.locator(".lta-msg--bot").last).to_contain_text("What is the contract worth?", timeout=WAIT)
    expect(page.locator(".lta-msg__progress")).to_have_count(0)
    ask(page, "question 1 of 1")
    expect(page.locator(".lta-msg--bot")).to_have_count(3, timeout=WAIT)
    expect(page.locator(".lta-msg__progress")).to_have_count(0)


def test_an_answer_is_accessible(browser: Browser, server: ScriptedServer) -> None:
    page = open_chat(browser, server, 1280, 900, bypass_csp=True)
    try:
        card = answer(page)
        for summary in card.locator("summary").all():
            summary.click()
        assert serious_violations(page) == []
        card.locator(".lta-card__headline").focus()
        page.keyboard.press("Tab")  # from the headline to the answer's own buttons, next to it
        assert page.evaluate("document.activeElement.textContent") == "Download decision record (HTML)"
        assert page.evaluate("getComputedStyle(document.activeElement).backgroundColor") == "rgb(255, 221, 0)"
        for _ in range(20):  # then on to the facts, each with its Change button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "Change Service":
                break
        assert page.evaluate("document.activeElement.textContent") == "Change Service"
    finally:
        page.context.close()
