"""Dates and events, read against a fixed 'today' (the parser never reads the clock)."""
from datetime import date

import pytest

from bot.text.dates import find_dates, parse_date

TODAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    "text, expected, precision",
    [
        ("next April", date(2027, 4, 1), "month"),
        ("in April", date(2027, 4, 1), "month"),
        ("April 2026", date(2026, 4, 1), "month"),
        ("Feb 2025", date(2025, 2, 1), "month"),
        ("feb '25", date(2025, 2, 1), "month"),
        ("1 March 2025", date(2025, 3, 1), "day"),
        ("1st of March 2025", date(2025, 3, 1), "day"),
        ("March 1, 2025", date(2025, 3, 1), "day"),
        ("2025-03-01", date(2025, 3, 1), "day"),
        ("01/03/2025", date(2025, 3, 1), "day"),
        ("1/3/25", date(2025, 3, 1), "day"),
        ("starting next month", date(2026, 12, 1), "month"),
        ("last month", date(2026, 10, 1), "month"),
        ("last year", date(2025, 1, 1), "year"),
        ("next year", date(2027, 1, 1), "year"),
        ("in 2024", date(2024, 1, 1), "year"),
        ("Q2 2027", date(2027, 4, 1), "quarter"),
        ("next financial year", date(2027, 4, 1), "year"),
        ("in 3 months' time", date(2027, 2, 1), "month"),
        ("2 months ago", date(2026, 9, 1), "month"),
        ("tomorrow", date(2026, 11, 27), "day"),
        ("early 2027", date(2027, 1, 1), "month"),
        ("contract start date 1st April", date(2027, 4, 1), "day"),
        ("last April", date(2026, 4, 1), "month"),
        ("this November", date(2026, 11, 1), "month"),
        ("next summer", date(2027, 6, 1), "season"),
        ("in the spring", date(2027, 3, 1), "season"),
        ("last autumn", date(2026, 9, 1), "season"),
    ],
)
def test_reads_the_date(text, expected, precision):
    d = parse_date(text, TODAY)
    assert d is not None
    assert (d.date, d.precision) == (expected, precision)


@pytest.mark.parametrize(
    "text, expected, event",
    [
        ("we advertised in January 2025", date(2025, 1, 1), "advertised"),
        # said in November 2026, "in January" in the past tense is January 2026, not 2027
        ("we advertised in January", date(2026, 1, 1), "advertised"),
        ("the tender went out on FTS in Feb 2025", date(2025, 2, 1), "advertised"),
        ("contract was awarded in 2024", date(2024, 1, 1), "awarded"),
        ("we plan to go out to tender in March", date(2027, 3, 1), "advertised"),
        ("the procurement commenced on 24 February 2025", date(2025, 2, 24), "advertised"),
        ("home care starting next April", date(2027, 4, 1), "start"),
        ("go live April '27", date(2027, 4, 1), "start"),
        ("we published a PIN in Sept 2025", date(2025, 9, 1), "advertised"),
    ],
)
def test_reads_the_event(text, expected, event):
    d = parse_date(text, TODAY)
    assert d is not None
    assert (d.date, d.event) == (expected, event)


@pytest.mark.parametrize(
    "text, notice",
    [
        ("already went out on FTS", "find_a_tender"),
        ("It has already been published on Find a Tender", "find_a_tender"),
        ("it's been advertised on contracts finder", "contracts_finder"),
    ],
)
def test_an_event_without_a_date(text, notice):
    d = parse_date(text, TODAY)
    assert d is not None
    assert (d.date, d.event, d.past, d.notice) == (None, "advertised", True, notice)


@pytest.mark.parametrize(
    "text, past",
    [
        ("Feb 2025", True),
        ("next April", False),
        ("we advertised in November", True),  # this month, said in the past tense
        ("we'll advertise in November", False),
        ("2025-03-01", True),
        ("2026-11-27", False),
    ],
)
def test_knows_whether_it_is_past(text, past):
    d = parse_date(text, TODAY)
    assert d is not None and d.past is past


@pytest.mark.parametrize(
    "text",
    [
        "£1.2m",
        "4 years",
        "36 months",
        "85312000",
        "4+1+1",
        "we may need to extend",
        "home care worth £700k",
        "how do I tender a home care contract?",
        "march on",
        "does the Procurement Act 2023 apply?",
        "is it still under PCR 2015",
        "the 2023 Act",
        "SI 2024/692",
        "",
    ],
)
def test_no_date(text):
    assert parse_date(text, TODAY) is None


def test_today_is_an_argument_not_the_clock():
    assert parse_date("next April", date(2026, 3, 10)).date == date(2026, 4, 1)
    assert parse_date("next April", date(2026, 4, 10)).date == date(2027, 4, 1)


def test_picks_the_date_tied_to_an_event():
    text = "It's a 2024 budget line, but we advertised in March 2025."
    d = parse_date(text, TODAY)
    assert d is not None and (d.date, d.event) == (date(2025, 3, 1), "advertised")
    assert [m.date for m in find_dates(text, TODAY)] == [date(2024, 1, 1), date(2025, 3, 1)]


def test_to_dict_is_json_friendly():
    d = parse_date("we advertised in January 2025 on FTS", TODAY)
    assert d.to_dict() == {"date": "2025-01-01", "past": True, "event": "advertised", "precision": "month", "notice": "find_a_tender",
                           "latest": "2025-01-31"}
