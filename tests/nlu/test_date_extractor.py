from datetime import date

import pytest
from rasa.shared.nlu.constants import ENTITIES

from bot.nlu.date_extractor import DateExtractor


@pytest.fixture(scope="module")
def dates(make):
    return make(DateExtractor, today="2026-11-26")


def test_relative_date_is_read_against_the_configured_today(run, dates, values):
    msg = run("home care starting next April", dates)
    assert values(msg, "commenced") == ["2027-04-01"]
    assert values(msg, "commencement") == [
        {"date": "2027-04-01", "past": False, "event": "start", "precision": "month", "notice": None}
    ]


def test_a_different_today_gives_a_different_date(run, make, values):
    march = make(DateExtractor, today="2026-03-10")
    assert values(run("next April", march), "commenced") == ["2026-04-01"]


def test_advertised_without_a_date(run, dates, values):
    msg = run("it already went out on FTS", dates)
    assert values(msg, "commencement") == [
        {"date": None, "past": True, "event": "advertised", "precision": None, "notice": "find_a_tender"}
    ]
    assert values(msg, "commenced") == []


def test_advertised_in_a_month(run, dates, values):
    msg = run("we advertised in January 2025", dates)
    (c,) = values(msg, "commencement")
    assert (c["date"], c["event"], c["past"]) == ("2025-01-01", "advertised", True)
    assert all(e["extractor"] == "DateExtractor" for e in msg.get(ENTITIES))


def test_environment_variable_fixes_today(monkeypatch, make):
    monkeypatch.setenv("LTR_TODAY", "2030-01-15")
    assert make(DateExtractor).today() == date(2030, 1, 15)


def test_without_a_fixed_date_it_uses_the_date_today(monkeypatch, make):
    monkeypatch.delenv("LTR_TODAY", raising=False)
    got = make(DateExtractor).today()
    assert abs((got - date.today()).days) <= 1  # London may be a day ahead of or behind this machine


@pytest.mark.parametrize("text", ["£1.2m", "4+1+1", "85312000", "how do I run a tender?"])
def test_no_date(run, dates, text):
    assert run(text, dates).get(ENTITIES, []) == []
