"""The widget on the page (issue 19, item 4), at desktop 1280 × 900 and phone 390 × 844, in headless Chromium
against the scripted stand-in of test_widget_states.py: the conversation grows with its content, a new answer
and a long list open at their top, the record buttons sit by the headline and Tab reaches them first, a message
over the limit is kept, and the decision record carries the details typed in. axe is clean in every state.
Screenshots go to artifacts/screenshots/."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
import test_widget_states as states  # the scripted server and helpers (as a module: its tests are not re-collected)
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SIZES = [pytest.param(1280, 900, id="desktop"), pytest.param(390, 844, id="phone")]
SHOTS = states.ROOT / "artifacts" / "screenshots"
WAIT = states.WAIT


@pytest.fixture
def server(tmp_path: Path) -> Iterator[states.ScriptedServer]:
    srv = states.ScriptedServer(tmp_path)
    srv.start()
    yield srv
    srv.kill()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def in_window(page: Page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const els = document.querySelectorAll(sel); const b = els[els.length - 1].getBoundingClientRect();
                     return b.top >= 0 && b.bottom <= window.innerHeight; }""",
        selector,
    )


def open_chat(browser: Browser, server: states.ScriptedServer, width: int, height: int) -> Page:
    return states.open_chat(browser, server, width, height, bypass_csp=True, accept_downloads=True)


@pytest.mark.parametrize("width, height", SIZES)
def test_an_answer_opens_in_place_at_its_headline_with_the_record_buttons_beside_it(
        browser: Browser, server: states.ScriptedServer, width: int, height: int) -> None:
    """Findings: a fixed 478 px window; record buttons 1,600-4,750 px down inside it; six Tabs to reach them."""
    page = open_chat(browser, server, width, height)
    try:
        for n in range(4):  # enough conversation to scroll
            states.ask(page, f"our contract is for supported living ({n})")
            expect(page.locator(".lta-msg--bot").last).to_contain_text(f"({n})", timeout=WAIT)
        card = states.answer(page)
        # No scroll box inside the page: the conversation is as tall as what it holds.
        log = page.evaluate("() => { const l = document.querySelector('.lta__log'); return [l.scrollHeight, l.clientHeight]; }")
        assert log[0] <= log[1] + 1, log
        headline = card.locator(".lta-card__headline")
        expect(headline).to_be_focused()
        top = headline.evaluate("el => el.getBoundingClientRect().top")
        assert 0 <= top <= height / 4, top  # the answer opens at its top, not its end
        assert in_window(page, ".lta-card__actions [data-format='html']")
        assert in_window(page, ".lta-card__actions [data-format='md']")
        shot(page, f"answer-opens-at-headline-{width}x{height}")
        # From the headline, the next Tab reaches the answer's own buttons.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Download decision record (HTML)"
        assert states.serious_violations(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize("width, height", SIZES)
def test_a_long_follow_up_list_opens_at_its_top(browser: Browser, server: states.ScriptedServer, width: int, height: int) -> None:
    """Finding: follow-up lists landed scrolled to their last bullet."""
    page = open_chat(browser, server, width, height)
    try:
        states.ask(page, "long list")
        reply = page.locator(".lta-msg--bot").last
        expect(reply).to_contain_text("Duty number 40", timeout=WAIT)
        first = reply.locator("li").first
        box = first.bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, box
        expect(first).to_have_text("Duty number 1 of a long list.")
        shot(page, f"long-list-opens-at-top-{width}x{height}")
        assert states.serious_violations(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize("width, height", SIZES)
def test_a_message_over_the_limit_is_not_sent_and_stays_in_the_box(
        browser: Browser, server: states.ScriptedServer, width: int, height: int) -> None:
    """Finding: a 2,001-character message was sent and the box cleared."""
    page = open_chat(browser, server, width, height)
    try:
        text = "a" * 2001
        box = page.get_by_label("Your message")
        box.fill(text)
        box.press("Enter")
        expect(page.locator(".govuk-error-message")).to_contain_text("2,000 characters or fewer")
        expect(page.locator(".lta-msg--user")).to_have_count(0)
        assert box.input_value() == text
        expect(box).to_be_focused()
        shot(page, f"over-the-limit-kept-{width}x{height}")
        assert states.serious_violations(page) == []
        box.fill("a" * 2000)  # at the limit it goes
        box.press("Enter")
        expect(page.locator(".lta-msg--user")).to_have_count(1)
    finally:
        page.context.close()


@pytest.mark.parametrize("width, height", SIZES)
def test_the_decision_record_carries_the_details_typed_before_download(
        browser: Browser, server: states.ScriptedServer, width: int, height: int) -> None:
    page = open_chat(browser, server, width, height)
    try:
        card = states.answer(page)
        card.locator(".lta-card__record-details summary").click()
        card.get_by_label("Contract name").fill("Home care for older people 2027")
        card.get_by_label("Officer").fill("Sam Patel")
        card.get_by_label("Approved by").fill("Head of Commissioning")
        shot(page, f"record-details-{width}x{height}")
        assert states.serious_violations(page) == []
        with page.expect_download() as download:
            card.get_by_role("button", name="Download decision record (HTML)").click()
        html = Path(download.value.path()).read_text(encoding="utf-8")
        assert "<h1>Decision record: Home care for older people 2027</h1>" in html
        assert '<th scope="row">Officer</th><td>Sam Patel</td>' in html
        assert '<th scope="row">Contract reference</th><td class="blank">' in html  # left empty: a labelled blank
        with page.expect_download() as download:
            card.get_by_role("button", name="Download decision record (Markdown)").click()
        md = Path(download.value.path()).read_text(encoding="utf-8")
        assert "- Approved by: Head of Commissioning" in md
    finally:
        page.context.close()


@pytest.mark.parametrize("width, height", SIZES)
def test_quiz_feedback_stays_in_view_and_is_read_before_the_next_question(
        browser: Browser, server: states.ScriptedServer, width: int, height: int) -> None:
    """Finding: "Right / Not quite" was scrolled away by the next question, and focus moved straight past it."""
    page = open_chat(browser, server, width, height)
    try:
        states.ask(page, "quiz")
        page.get_by_role("button", name="£900,000").click(timeout=WAIT)
        expect(page.locator(".lta-msg--bot").last).to_contain_text("Is it a light touch contract?", timeout=WAIT)
        feedback = page.locator(".lta-msg--bot").filter(has_text="Right: £900,000.")
        expect(feedback).to_be_focused()  # read out first, before the next question
        box = feedback.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, box
        shot(page, f"quiz-feedback-in-view-{width}x{height}")
        assert states.serious_violations(page) == []
        page.keyboard.press("Tab")  # then the next question's answers
        assert page.evaluate("document.activeElement.textContent") == "Yes"
    finally:
        page.context.close()


@pytest.mark.parametrize("width, height", SIZES)
def test_labels_say_only_what_is_true_and_dates_are_for_officers(
        browser: Browser, server: states.ScriptedServer, width: int, height: int) -> None:
    """Findings: "Light touch service: No" and "Above the threshold: Not known" on a PSR answer with no threshold;
    "Rules version 2026-12-03+41d9bf9b"; an example starting "in April 2026", a date in the past."""
    page = open_chat(browser, server, width, height)
    try:
        example = page.locator(".lta__form .govuk-hint").first.inner_text()
        year = int(re.search(r"April (\d{4})", example).group(1))
        now = page.evaluate("() => [new Date().getFullYear(), new Date().getMonth()]")
        assert year > now[0] or (year == now[0] and now[1] < 2)  # next April, always ahead
        card = states.answer(page, "psr answer")
        figures = card.locator(".lta-card__figures")
        expect(figures).to_contain_text("Health Care Services (Provider Selection Regime) Regulations 2023")
        expect(figures).to_contain_text("No threshold applies")
        expect(figures).not_to_contain_text("Light touch service")
        expect(figures).not_to_contain_text("Above the threshold")
        meta = card.locator(".lta-card__meta")
        expect(meta).to_contain_text("Rules last updated")
        assert "+" not in meta.inner_text()
        shot(page, f"psr-answer-labels-{width}x{height}")
        assert states.serious_violations(page) == []
    finally:
        page.context.close()
