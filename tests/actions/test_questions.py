"""The form asks only what is missing and could change the answer."""
from datetime import date

import pytest

from bot.assistant.questions import QUESTIONS, question_for, slots_to_ask

TODAY = date(2026, 11, 26)
UNDER_THE_ACT = {"date": "2026-04-01", "past": False, "event": "advertised"}


def first_missing(slots):
    return next((s for s in slots_to_ask(slots, TODAY) if slots.get(s) is None), None)


def test_nothing_known_asks_for_the_service_first():
    assert first_missing({}) == "service"


def test_then_the_value_then_the_start_date():
    assert first_missing({"service": "home_care"}) == "money"
    assert first_missing({"service": "home_care", "money": {"amount_gbp": 900000.0}}) == "commencement"


def test_a_fully_specified_case_needs_no_more_questions():
    slots = {"service": "home_care", "money": {"amount_gbp": 900000.0}, "commencement": UNDER_THE_ACT}
    assert first_missing(slots) is None


def test_a_yearly_figure_asks_for_the_term():
    assert first_missing({"service": "home_care", "money": {"amount_gbp": 180000.0, "period": "year"}}) == "duration"


def test_vat_is_asked_only_when_it_can_move_the_value_across_the_threshold():
    # £600k: below the £663,540 light touch threshold with VAT included, above with 20% VAT added.
    near = {"service": "home_care", "money": {"amount_gbp": 600000.0}, "commencement": UNDER_THE_ACT}
    far = {"service": "home_care", "money": {"amount_gbp": 2000000.0}, "commencement": UNDER_THE_ACT}
    assert first_missing(near) == "vat"
    assert "vat" not in slots_to_ask(far, TODAY)


def test_the_buyer_is_asked_when_it_decides_the_regime():
    # A health care service: the Provider Selection Regime depends on who buys it.
    health = {"service": "substance_misuse", "money": {"amount_gbp": 900000.0}, "commencement": UNDER_THE_ACT}
    social_care = {"service": "home_care", "money": {"amount_gbp": 900000.0}, "commencement": UNDER_THE_ACT}
    assert first_missing(health) == "buyer"
    assert "buyer" not in slots_to_ask(social_care, TODAY)


def test_cross_border_interest_is_asked_only_where_it_was_a_test():
    before_2021 = {"service": "home_care", "money": {"amount_gbp": 100000.0}, "commencement": {"date": "2019-03-01"}}
    under_the_act = {"service": "home_care", "money": {"amount_gbp": 100000.0}, "commencement": UNDER_THE_ACT}
    assert first_missing(before_2021) == "cross_border"
    assert "cross_border" not in slots_to_ask(under_the_act, TODAY)


def test_a_cpv_code_stands_in_for_the_service():
    assert first_missing({"cpv": ["85312000"]}) == "money"


def test_unknown_answers_count_as_answered():
    slots = {"service": "home_care", "money": "unknown", "commencement": "unknown"}
    assert first_missing(slots) is None


def test_raw_unvalidated_values_do_not_break_the_choice():
    # The SDK asks for the required slots before validating them.
    odd = {"service": 42, "money": {"amount_gbp": "x"}, "duration": [], "vat": "maybe", "buyer": 7, "commencement": 2026}
    asked = slots_to_ask(odd, TODAY)
    assert asked[:2] == ["service", "money"]


def test_the_term_question_repeats_the_yearly_figure():
    q = question_for("duration", {"money": {"amount_gbp": 180000.0, "period": "year"}})
    assert q.text.startswith("You said £180,000 a year.")


@pytest.mark.parametrize("slot", ["vat", "buyer", "cross_border"])
def test_closed_questions_have_buttons(slot):
    assert QUESTIONS[slot].buttons
