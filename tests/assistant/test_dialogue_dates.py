"""The dialogue's date: the question takes every form officers use, "TN May 2027" in a first message is
the date (issue 18), a period that runs across a change in the rules is asked about, and the answer says
the date it used in words with the officer's own words for its event.

Expected days are worked from the calendar (financial year from 1 April; Q2 is July-September).
"""
from __future__ import annotations

from datetime import date

import pytest

from tests.assistant.test_dialogue import Chat

FIRST = "Home care for older people, £180k a year for 4 years plus VAT"


def _date_question(chat: Chat) -> bool:
    return "When does (or did) the procurement start" in chat.text


def test_the_date_question_is_asked_when_no_date_is_given():
    chat = Chat()
    chat.say(FIRST)
    assert _date_question(chat)


@pytest.mark.parametrize("reply, expected", [
    ("Q2 26/27", "2026-07-01"),
    ("Q4 25/26", "2026-01-01"),
    ("FY27/28", "2027-04-01"),
    ("FY 2027-28", "2027-04-01"),
    ("2027/28", "2027-04-01"),
    ("next FY", "2027-04-01"),
    ("Jan 27", "2027-01-01"),
    ("TN Apr 27", "2027-04-01"),
    ("April '27", "2027-04-01"),
    ("04/27", "2027-04-01"),
    ("2027-04", "2027-04-01"),
    ("01/04/2027", "2027-04-01"),
    ("1.4.27", "2027-04-01"),
    ("spring 2027", "2027-03-01"),
    ("early next year", "2027-01-01"),
    ("late 2027", "2027-10-01"),
    ("end of Q4", "2027-03-01"),
    ("ITT goes out end of Q1 27/28", "2027-06-01"),
    ("go to market Q1", "2027-04-01"),
    ("out to tender after the elections", "2030-05-03"),
])
def test_the_date_question_takes_every_form(reply, expected):
    chat = Chat()
    chat.say(FIRST)
    assert _date_question(chat)
    chat.say(reply)
    assert chat.state["facts"].get("commenced") == expected
    assert not _date_question(chat)


@pytest.mark.parametrize("message, expected", [
    ("Home care for older people, £900k over 3 years, TN May 2027. LTR?", "2027-05-01"),
    ("Home care for older people, £900k over 3 years, TN March 2027", "2027-03-01"),
    ("Home care for older people, £900k over 3 years, TN Feb 2027", "2027-02-01"),
    ("Supported accom for care leavers 16-21, c. £450k p.a. + VAT, 3+1+1, TN Apr 27 – above LTR?", "2027-04-01"),
])
def test_a_tender_notice_date_in_the_first_message_is_not_asked_for(message, expected):
    chat = Chat()
    out = chat.say(message)
    assert not _date_question(chat)
    assert chat.state["facts"].get("commenced") == expected
    assert out.assessment is not None


def test_the_answer_says_the_date_in_words_with_the_officers_event():
    chat = Chat()
    chat.say("Home care for older people, £900k over 3 years, TN May 2027. LTR?")
    line = next(x for x in chat.text.splitlines() if x.startswith("- Date:"))
    assert "1 May 2027" in line and "TN May 2027" in line


def test_a_period_says_which_day_was_used():
    chat = Chat()
    chat.say(FIRST)
    chat.say("Q2 26/27")
    line = next(x for x in chat.text.splitlines() if x.startswith("- Date:"))
    assert "1 July 2026" in line and "30 September 2026" in line


def test_a_financial_year_across_the_acts_start_is_asked_about():
    # April 2024-March 2025 runs across 24 February 2025: before it PCR 2015, from it the Procurement Act.
    chat = Chat()
    chat.say(FIRST)
    chat.say("it went out in FY24/25")
    titles = [b["title"] for b in chat.buttons]
    assert titles == ["Before 24 February 2025", "24 February 2025 or later"]
    out = chat.press(chat.buttons[1])
    assert chat.state["facts"]["commenced"] == "2025-02-24"
    assert out.assessment is not None and out.assessment.regime == "PA2023"


def test_a_quarter_after_a_change_is_not_asked_about():
    chat = Chat()
    chat.say(FIRST)
    out = chat.say("Q4 25/26")  # January-March 2026: on and after the 1 January 2026 change
    assert out.assessment is not None and chat.state["facts"]["commenced"] == date(2026, 1, 1).isoformat()


def test_a_period_given_before_the_service_is_asked_about_before_the_answer():
    # "TN FY24/25" comes first; only with the service can the tool tell that the side of 24 February 2025 matters.
    chat = Chat()
    chat.say("£180k a year for 4 years plus VAT, TN FY24/25")
    assert "What service are you buying" in chat.text
    chat.say("home care for older people")
    assert [b["title"] for b in chat.buttons] == ["Before 24 February 2025", "24 February 2025 or later"]
    out = chat.press(chat.buttons[0])
    assert chat.state["facts"]["commenced"] == "2024-04-01"
    assert out.assessment is not None and out.assessment.regime == "PCR2015"


def test_a_two_digit_year_after_a_notice_is_not_asked_again():
    # "Jan 26" names January 2026 (after 24 February 2025: the Act); January 2025 would be PCR 2015, so a
    # year that was only inferred would be asked about. This one was written.
    chat = Chat()
    chat.say("Home care for older people, £180k a year for 4 years plus VAT, we advertised it on Contracts Finder")
    out = chat.say("Jan 26")
    assert "Which year do you mean" not in chat.text
    assert chat.state["facts"]["commenced"] == "2026-01-01"
    assert out.assessment is not None and out.assessment.regime == "PA2023"
