"""Training mode end to end: REST and the widget in Chromium, against the real Rasa and action servers.

The quiz on "value, easy" has one scenario (bot/quiz/scenarios.yml: home care, £180,000 a year for 3 years with
2 one-year extensions, VAT-exempt) and three questions. Its answers are written here from the reference, not
read from the code: the whole-life value is £180,000 × (3 + 2) = £900,000 (§3); that is at or above the
£663,540 light touch threshold (§2); home care (CPV 85312000) is a light touch service (§4).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_conversations import Chat
from tests.e2e.test_widget import AXE, REPLY_TIMEOUT, ask, open_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

VALUE = "£900,000"
THRESHOLD = "Above the £663,540 threshold (light touch)"


def answer_payload(reply, label: str) -> str:
    found = [b["payload"] for b in reply.buttons if b["title"] == label]
    assert found, f"no button {label!r} in {[b['title'] for b in reply.buttons]}"
    assert found[0].startswith('/quiz{"quiz_answer":')
    return found[0]


@pytest.fixture
def chat(assistant) -> Chat:
    return Chat(assistant.url, assistant.rest_token)


def test_a_whole_quiz_over_rest(chat: Chat) -> None:
    r = chat.say("quiz me")
    assert "Choose a level" in r.text
    assert '/quiz{"quiz_level":"hard"}' in [b["payload"] for b in r.buttons]

    r = chat.say("quiz me on value, easy")
    assert "Question 1 of 3 · 0 right" in r.text and "£180,000 a year for 3 years" in r.text
    r = chat.say(answer_payload(r, VALUE))  # right, by button
    assert r.text.startswith(f"Right: {VALUE}.") and "£180,000 a year × (3 + 2) years = £900,000" in r.text
    assert "Question 2 of 3 · 1 right" in r.text and "which threshold" in r.text

    r = chat.say(answer_payload(r, "Below the £663,540 threshold (light touch)"))  # wrong: a hint, not the answer
    assert r.text.startswith("Not quite. Hint:") and THRESHOLD not in r.text.split("Question 2")[0]
    r = chat.say("Below the £663,540 threshold (light touch)")  # typed, wrong again: now the answer and the working
    assert r.text.startswith(f"Not quite: the answer is {THRESHOLD}.")
    assert "£900,000 is at or above the £663,540 threshold" in r.text and "Sch 1" in r.text
    assert "§" not in r.text and "reference §" not in r.text

    r = chat.say("what's my score?")
    assert r.text.startswith("You have 1 right out of 2 answered") and "Question 3 of 3 · 1 right" in r.text
    r = chat.say("why?")  # about the question being asked (the last one's working came with its feedback)
    assert r.text.startswith("This question is about") and "85312000" in r.text and "In a mix" not in r.text
    r = chat.say("skip this one")  # the last question: the quiz ends with the score and the topics to revisit
    assert "Skipped. The answer was Yes." in r.text
    assert "That's the end of the quiz. You scored 1 out of 3." in r.text
    # Each question's topic is what it tests: the threshold question was missed, the light touch one skipped.
    assert "Topics to revisit: Light touch services and the CPV schedule; Thresholds." in r.text
    report = [m["custom"] for m in r.messages if isinstance(m.get("custom"), dict)]
    assert {"type": "quiz_report", "formats": ["html", "csv"]} in report

    # a second quiz, stopped part-way: the score and the topics to revisit, never a restart
    r = chat.say("start a quiz on exemptions")
    assert "Question 1 of" in r.text
    r = chat.say("skip")
    assert "Question 2 of" in r.text
    r = chat.say("stop the quiz")
    assert r.text.startswith("Quiz stopped. You scored 0 out of 1. Topics to revisit: Exempt contracts.")
    assert "Question" not in r.text

    # the ordinary assistant works again after the quiz
    r = chat.say("Does the light touch regime apply to a £700k home care contract starting in April 2027?")
    assert r.assessment is not None and r.assessment["light_touch"] is True


def test_start_again_during_a_quiz_ends_it_with_the_score(chat: Chat) -> None:
    r = chat.say("quiz me on value, easy")
    chat.say(answer_payload(r, VALUE))
    r = chat.say("start again")
    assert "Quiz stopped. You scored 1 out of 1." in r.text
    assert chat.say("what's my score?").text.startswith("You have 1 right out of 1 answered")


def test_the_widget_resumes_a_quiz_after_a_reload_and_downloads_the_report(browser: Browser, assistant: Any) -> None:
    # bypass_csp: the demo page forbids inline scripts, and axe is injected by the test
    watched = open_page(browser, assistant.url.rstrip("/") + "/demo/", bypass_csp=True)
    page = watched.page
    try:
        ask(page, "quiz me on value, easy")
        answers = page.get_by_role("group", name="Suggested answers").last
        expect(answers.get_by_role("button", name=VALUE)).to_be_visible(timeout=REPLY_TIMEOUT)
        answers.get_by_role("button", name=VALUE).click()
        expect(page.locator(".lta-msg--bot").last).to_contain_text("Question 2 of 3 · 1 right", timeout=REPLY_TIMEOUT)

        page.reload()
        expect(page.locator(".lta")).to_have_attribute("data-state", "ready", timeout=REPLY_TIMEOUT)
        expect(page.locator(".lta__messages").get_by_text("Welcome back. You are on question 2 of 3 · 1 right.")).to_be_visible(
            timeout=REPLY_TIMEOUT)
        # the question is asked again, and its buttons work (keyboard: focus and Enter)
        again = page.get_by_role("group", name="Suggested answers").last
        button = again.get_by_role("button", name=THRESHOLD)
        button.focus()
        page.keyboard.press("Enter")
        expect(page.locator(".lta-msg--bot").last).to_contain_text("Question 3 of 3 · 2 right", timeout=REPLY_TIMEOUT)

        ask(page, "what's my score?")
        results = page.get_by_role("group", name="Your quiz results").last
        expect(results).to_be_visible(timeout=REPLY_TIMEOUT)
        with page.expect_download() as download:
            results.get_by_role("button", name="Download your results (CSV)").click()
        assert download.value.suggested_filename.endswith(".csv")
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        assert [(r["Right answer"], r["Result"]) for r in rows] == [(VALUE, "right"), (THRESHOLD, "right")]
        assert [r["Topic"] for r in rows] == ["Working out the whole-life value", "Thresholds"]  # what each tests
        with page.expect_download() as download:
            results.get_by_role("button", name="Download your results (HTML)").click()
        html = Path(download.value.path()).read_text(encoding="utf-8")
        assert "Quiz 1: 2 right out of 2 answered" in html and "in progress (2 of 3 questions)" in html
        # WCAG 2.2 AA, as for the rest of the widget: the quiz's buttons and the downloads included
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})).violations")
        assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
        assert watched.errors == [] and watched.dialogs == []
    finally:
        page.context.close()


def test_the_report_route_needs_a_signed_session(assistant: Any) -> None:
    import requests

    url = assistant.url.rstrip("/") + "/widget/quiz-report?format=csv"
    assert requests.post(url, data=json.dumps({"session_id": "web-forged.1.x"}), timeout=30).status_code == 403
    assert requests.post(url, data="not json", timeout=30).status_code == 400
    assert requests.post(url.replace("csv", "exe"), data="{}", timeout=30).status_code == 400
