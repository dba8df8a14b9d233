"""Prices as officers build them: rates × quantities, year tables, contingency, ranges, option years.

Each expected figure is multiplied out by hand from the message's own numbers and the calendar
(52 weeks, 12 months, 365 nights a year); none is taken from the code.
"""
from __future__ import annotations

from datetime import date

import pytest

from bot.assistant.dialogue import Incoming, new_state, turn
from bot.ltr.model import Case
from bot.ltr.price import working
from bot.text.value_reader import parse_value_phrase, read_value

TODAY = date(2026, 12, 7)


def whole_life(text: str) -> float:
    reading = read_value(text)
    assert reading.value is not None, f"no value read from {text!r} (choices {reading.choices})"
    return working(Case.from_dict({"value": reading.value}).value).total_gbp


@pytest.mark.parametrize("text, expected", [
    ("£118 a night for 14 rooms, every night for a year", 118 * 14 * 365),
    ("£1,650 per placement per week for 4 placements, 2 years", 1650 * 4 * 52 * 2),
    ("£26.40/hr x 3,100 hrs/wk, 4 years", 26.40 * 3100 * 52 * 4),
    ("£26.40 an hour, 3,100 hours a week, 4 years", 26.40 * 3100 * 52 * 4),
    ("£42 per session, 90 sessions a week, term time only (39 weeks), 3 years", 42 * 90 * 39 * 3),
    ("£1,200 per bed per week, 30 beds, 3+1 years", 1200 * 30 * 52 * 4),
    ("£9.50 per meal, 400 meals a day, 5 years", 9.5 * 400 * 365 * 5),
    ("Day opportunities: £65 per session, 120 sessions per week, 2 years", 65 * 120 * 52 * 2),
    ("£18/hr for 500 hours a month over 3 years", 18 * 500 * 12 * 3),
])
def test_a_rate_with_its_volume_is_multiplied_out(text, expected):
    assert whole_life(text) == pytest.approx(expected)


@pytest.mark.parametrize("text, expected", [
    ("Y1 1,200 / Y2 1,260 / Y3 1,320 (£k)", 3_780_000),
    ("Year 1: £1.2m, Year 2: £1.3m, Year 3 £1.4m", 3_900_000),
    ("yr1 400 yr2 420 yr3 441 (£000s)", 1_261_000),
])
def test_a_year_by_year_list_adds_up(text, expected):
    assert whole_life(text) == pytest.approx(expected)


@pytest.mark.parametrize("text, expected", [
    ("£3.6m over 6 years with a 7.5% contingency the contract lets us call on", 3_600_000 * 1.075),
    ("£1m plus £200k contingency", 1_200_000),
    ("£1m, contingency of £150k", 1_150_000),
    ("£500k a year for 3 years, 10% contingency", 1_650_000),
])
def test_a_contingency_is_part_of_the_value(text, expected):
    assert whole_life(text) == pytest.approx(expected)


def test_no_contingency_means_none_is_added():
    assert whole_life("£1m for 3 years, no contingency") == pytest.approx(1_000_000)


@pytest.mark.parametrize("text, expected", [
    ("£240k pa, 4 (+1)", 240_000 * 5),
    ("£240k pa, 4 (+1) (+1)", 240_000 * 6),
    ("£100k a year, 3+1+1", 100_000 * 5),
])
def test_option_years_in_brackets_are_extensions(text, expected):
    assert whole_life(text) == pytest.approx(expected)


def test_a_week_count_that_is_the_term_is_not_a_quantity():
    # "£950 a week for 52 weeks" runs a year: 950 × 52
    assert whole_life("£950 a week for 52 weeks") == pytest.approx(950 * 52)


def test_an_hourly_rate_without_hours_is_not_a_value():
    reading = read_value("£22 an hour, 3 years")
    assert reading.value is None


def test_the_command_line_value_accepts_price_lines():
    value = parse_value_phrase("£26.40 an hour, 3,100 hours a week, 4 years")
    assert working(Case.from_dict({"value": value}).value).total_gbp == pytest.approx(26.40 * 3100 * 52 * 4)


def _say(text: str):
    return turn(new_state(), Incoming(text=text), TODAY)


def test_a_range_on_one_side_of_the_threshold_is_answered_on_its_upper_end():
    # £840k–£890k, VAT exempt, under the Act from 2027: both ends above the £663,540 threshold (reference §2).
    out = _say("Supported living for adults with learning disabilities, £840–890k whole life, VAT exempt, "
               "tender notice March 2027")
    assert out.assessment is not None and out.assessment.above_threshold is True
    assert out.assessment.estimated_value_gbp == pytest.approx(890_000)
    assert any("range" in m.text for m in out.messages)


def test_a_range_across_the_threshold_is_asked_with_both_ends_as_buttons():
    # £640k–£690k: the £663,540 threshold falls between the ends, so either answer could be wrong.
    out = _say("Supported living for adults with learning disabilities, £640–690k whole life, VAT exempt, "
               "tender notice March 2027")
    assert out.assessment is None
    question = out.messages[-1]
    assert "£663,540" in question.text
    assert [b["title"] for b in question.buttons] == ["Nearer £640,000", "Nearer £690,000"]
    picked = turn(out.state, Incoming(text='/inform{"choice": 0}', intent="inform", entities={"choice": 0}), TODAY)
    assert picked.assessment is not None and picked.assessment.above_threshold is False
    assert picked.assessment.estimated_value_gbp == pytest.approx(640_000)


def test_a_rate_times_volume_message_is_answered_with_the_working():
    # £26.40 × 3,100 × 52 × 4 = £17,022,720, VAT exempt: far above the threshold.
    out = _say("Home care framework, £26.40 an hour, about 3,100 hours a week, 4 years, VAT exempt, tender notice May 2027")
    assert out.assessment is not None
    assert out.assessment.estimated_value_gbp == pytest.approx(17_022_720)
    steps = [t.text for t in out.assessment.trace if t.id == "T-VALUE"]
    assert steps and "3,100 hours a week" in steps[0] and "£17,022,720" in steps[0]
