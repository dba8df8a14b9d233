"""Dates as London borough officers write them, generated from facts (a period of the calendar) × phrasings.

The expected day is worked out here from the calendar (UK financial year 1 April-31 March, quarters Q1
April-June ... Q4 January-March, meteorological seasons), by a small oracle that does not import bot.text.
A period stands for its first day; its last day is checked too. `today` is passed in: nothing reads the clock.
"""
from __future__ import annotations

import calendar
from datetime import date

import pytest

from bot.text.dates import find_dates, parse_date

TODAY = date(2026, 11, 26)  # a Thursday in Q3 of the financial year 2026/27

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]
MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"]

# ---- the oracle: calendar facts, written out -------------------------------------------------------------
# Financial quarter -> (years after the financial year's start year, first month, last month)
FQ = {1: (0, 4, 6), 2: (0, 7, 9), 3: (0, 10, 12), 4: (1, 1, 3)}
# Season -> (first month, last month, whether the last month falls in the next calendar year)
SEASON = {"spring": (3, 5, False), "summer": (6, 8, False), "autumn": (9, 11, False), "winter": (12, 2, True)}
EVENT_WORDS = ["TN", "tender notice", "ITT", "go to market", "out to tender", "advert", "PIN"]


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter(q: int, fy: int) -> tuple[date, date]:
    off, first, last = FQ[q]
    return date(fy + off, first, 1), last_day(fy + off, last)


def yy(y: int) -> str:
    return f"{y % 100:02d}"


# ---- facts × phrasings --------------------------------------------------------------------------------------

def _financial_quarters() -> list[tuple[str, date, date]]:
    out = []
    for fy in range(2024, 2029):
        for q in (1, 2, 3, 4):
            first, last = quarter(q, fy)
            for form in (f"Q{q} {yy(fy)}/{yy(fy + 1)}", f"Q{q} {fy}/{yy(fy + 1)}", f"Q{q} FY{yy(fy)}/{yy(fy + 1)}",
                         f"q{q} FY {fy}-{yy(fy + 1)}", f"Q{q} {fy}-{fy + 1}", f"Q{q} of {fy}/{yy(fy + 1)}"):
                out.append((form, first, last))
    return out


def _financial_years() -> list[tuple[str, date, date]]:
    out = []
    for fy in range(2023, 2030):
        first, last = date(fy, 4, 1), date(fy + 1, 3, 31)
        forms = [f"FY{yy(fy)}/{yy(fy + 1)}", f"FY {fy}-{yy(fy + 1)}", f"{fy}/{yy(fy + 1)}", f"{fy}/{fy + 1}",
                 f"financial year {fy}/{yy(fy + 1)}", f"FY{fy}/{yy(fy + 1)}"]
        if 2021 <= fy <= 2029:  # a bare two-digit pair only within five years before, three after, today
            forms.append(f"in {yy(fy)}/{yy(fy + 1)}")
        out += [(f, first, last) for f in forms]
    return out


def _month_years() -> list[tuple[str, date, date]]:
    out = []
    for year in (2025, 2026, 2027, 2028):
        for m in range(1, 13):
            first, last = date(year, m, 1), last_day(year, m)
            for form in (f"{MONTH_ABBR[m - 1]} {yy(year)}", f"{MONTH_NAMES[m - 1]} '{yy(year)}",
                         f"{MONTH_ABBR[m - 1]}-{yy(year)}", f"{m:02d}/{yy(year)}", f"{year}-{m:02d}",
                         f"{MONTH_NAMES[m - 1]} {year}", f"{m}/{year}"):
                out.append((form, first, last))
    return out


def _days() -> list[tuple[str, date, None]]:
    out = []
    for d in (date(2025, 2, 24), date(2025, 12, 31), date(2026, 1, 1), date(2026, 4, 13), date(2027, 4, 1),
              date(2027, 7, 30), date(2027, 11, 5), date(2028, 3, 31)):
        day, m, y = d.day, d.month, d.year
        for form in (f"{day:02d}/{m:02d}/{y}", f"{day}/{m}/{yy(y)}", f"{day}.{m}.{yy(y)}", f"{day:02d}.{m:02d}.{y}",
                     f"{day} {MONTH_NAMES[m - 1]} {y}", f"{day} {MONTH_ABBR[m - 1]} {y}", f"{y}-{m:02d}-{day:02d}"):
            out.append((form, d, None))
    return out


def _seasons() -> list[tuple[str, date, date]]:
    out = []
    for year in (2025, 2026, 2027, 2028):
        for name, (first_m, last_m, wraps) in SEASON.items():
            first, last = date(year, first_m, 1), last_day(year + (1 if wraps else 0), last_m)
            for form in (f"{name} {year}", f"{name.capitalize()} '{yy(year)}", f"the {name} of {year}"):
                out.append((form, first, last))
    return out


def _parts_of_periods() -> list[tuple[str, date, date]]:
    # "early" = the first month, "mid" = the seventh month of a year, "late" = the start of its last
    # quarter, "end of" = the last month (the module's documented choice, worked out here by hand).
    out = []
    for year in (2025, 2026, 2027):
        for words, month in (("early", 1), ("start of", 1), ("beginning of", 1), ("mid", 7), ("mid-", 7),
                             ("late", 10), ("end of", 12), ("the end of", 12)):
            sep = "" if words.endswith("-") else " "
            out.append((f"{words}{sep}{year}", date(year, month, 1), last_day(year, month)))
    for fy in (2025, 2026, 2027):
        out.append((f"end of FY{yy(fy)}/{yy(fy + 1)}", date(fy + 1, 3, 1), date(fy + 1, 3, 31)))
        out.append((f"start of FY {fy}/{yy(fy + 1)}", date(fy, 4, 1), date(fy, 4, 30)))
        for q in (1, 2, 3, 4):
            first, last = quarter(q, fy)
            out.append((f"end of Q{q} {yy(fy)}/{yy(fy + 1)}", date(last.year, last.month, 1), last))
    return out


def _relative() -> list[tuple[str, date, date]]:
    # Said on Thursday 26 November 2026: financial year 2026/27, its Q3 (October-December 2026) running.
    return [
        ("next FY", date(2027, 4, 1), date(2028, 3, 31)),
        ("next financial year", date(2027, 4, 1), date(2028, 3, 31)),
        ("this financial year", date(2026, 4, 1), date(2027, 3, 31)),
        ("this FY", date(2026, 4, 1), date(2027, 3, 31)),
        ("current FY", date(2026, 4, 1), date(2027, 3, 31)),
        ("last financial year", date(2025, 4, 1), date(2026, 3, 31)),
        ("Q1", date(2027, 4, 1), date(2027, 6, 30)),
        ("Q2", date(2027, 7, 1), date(2027, 9, 30)),
        ("Q3", date(2026, 10, 1), date(2026, 12, 31)),
        ("Q4", date(2027, 1, 1), date(2027, 3, 31)),
        ("Q2 next FY", date(2027, 7, 1), date(2027, 9, 30)),
        ("Q4 this FY", date(2027, 1, 1), date(2027, 3, 31)),
        ("Q1 next financial year", date(2027, 4, 1), date(2027, 6, 30)),
        ("end of Q3", date(2026, 12, 1), date(2026, 12, 31)),
        ("end of Q4", date(2027, 3, 1), date(2027, 3, 31)),
        ("early next year", date(2027, 1, 1), date(2027, 1, 31)),
        ("late next year", date(2027, 10, 1), date(2027, 10, 31)),
        ("mid next year", date(2027, 7, 1), date(2027, 7, 31)),
        ("end of next year", date(2027, 12, 1), date(2027, 12, 31)),
        ("by the end of the year", date(2026, 12, 1), date(2026, 12, 31)),
        ("end of the financial year", date(2027, 3, 1), date(2027, 3, 31)),
        ("early next FY", date(2027, 4, 1), date(2027, 4, 30)),
        ("summer", date(2027, 6, 1), date(2027, 8, 31)),
        ("in the spring", date(2027, 3, 1), date(2027, 5, 31)),
        ("next winter", date(2026, 12, 1), date(2027, 2, 28)),
        ("next autumn", date(2027, 9, 1), date(2027, 11, 30)),
    ]


PERIODS = (_financial_quarters() + _financial_years() + _month_years() + _seasons() + _parts_of_periods()
           + _relative())
DAYS = _days()


def test_the_table_is_big_enough():
    assert len(PERIODS) + len(DAYS) >= 300


@pytest.mark.parametrize("text, first, last", PERIODS + DAYS, ids=[t for t, *_ in PERIODS + DAYS])
def test_reads_the_period_and_its_first_day(text, first, last):
    d = parse_date(text, TODAY)
    assert d is not None, text
    assert (d.date, d.latest) == (first, last)
    assert text.lower().endswith(d.text.lower().strip())  # the whole phrase was read, not a piece of it


@pytest.mark.parametrize("k", range(0, len(PERIODS), 3))
def test_an_event_word_before_the_date_is_attached(k):
    text, first, _ = PERIODS[k]
    word = EVENT_WORDS[k % len(EVENT_WORDS)]
    d = parse_date(f"Supported living, £450k pa, 3+1+1, {word} {text} – above LTR?", TODAY)
    assert d is not None and (d.date, d.event) == (first, "advertised")


@pytest.mark.parametrize("text, expected", [
    # "Apr 27" after a month name is a year when 20NN is 2021-2029 (said in 2026); otherwise a day.
    ("TN Apr 27", date(2027, 4, 1)),
    ("TN 27 Apr", date(2027, 4, 27)),
    ("go live April 9", date(2027, 4, 9)),
    ("tender notice March 2nd", date(2027, 3, 2)),
    ("advert Jan 30", date(2027, 1, 30)),   # 2030 is outside the window: 30 January
    ("advert Jan 29", date(2029, 1, 1)),    # 2029 is inside it: January 2029
    ("we advertised Feb 25", date(2025, 2, 1)),
    ("13/04/2027", date(2027, 4, 13)),      # day first, always
    ("1.4.27", date(2027, 4, 1)),
    ("04/27", date(2027, 4, 1)),
    ("2027-04", date(2027, 4, 1)),
])
def test_month_shorthand_and_day_first(text, expected):
    d = parse_date(text, TODAY)
    assert d is not None and d.date == expected


@pytest.mark.parametrize("today, expected", [
    (date(2026, 2, 10), date(2026, 5, 8)),    # polling day Thursday 7 May 2026
    (date(2026, 5, 7), date(2026, 5, 8)),     # on polling day itself
    (date(2026, 11, 26), date(2030, 5, 3)),   # next: Thursday 2 May 2030
    (date(2022, 1, 4), date(2022, 5, 6)),     # Thursday 5 May 2022
])
@pytest.mark.parametrize("words", ["after the elections", "after the May elections", "after the local elections",
                                   "after the borough elections"])
def test_after_the_elections(today, expected, words):
    d = parse_date(f"we'll go out to tender {words}", today)
    assert d is not None and d.date == expected and d.event == "advertised"
    assert d.assumption and "first Thursday in May" in d.assumption


@pytest.mark.parametrize("today, text, expected", [
    (date(2026, 2, 10), "next FY", date(2026, 4, 1)),
    (date(2026, 2, 10), "this financial year", date(2025, 4, 1)),
    (date(2026, 2, 10), "Q4", date(2026, 1, 1)),   # the quarter running now
    (date(2026, 2, 10), "Q1", date(2026, 4, 1)),
    (date(2026, 4, 1), "this FY", date(2026, 4, 1)),
    (date(2026, 3, 31), "this FY", date(2025, 4, 1)),
])
def test_relative_financial_periods_depend_on_today(today, text, expected):
    assert parse_date(text, today).date == expected


@pytest.mark.parametrize("text, boundary, across", [
    ("FY25/26", date(2026, 1, 1), True),        # April 2025-March 2026 runs across the 2026 thresholds
    ("Q4 25/26", date(2026, 1, 1), False),      # January-March 2026 starts on the change
    ("Q3 25/26", date(2026, 1, 1), False),      # October-December 2025 ends before it
    ("Q4 24/25", date(2025, 2, 24), True),      # January-March 2025 runs across the Act's start
    ("FY 2024-25", date(2025, 2, 24), True),
    ("winter 2025", date(2026, 1, 1), True),    # December 2025-February 2026
    ("Feb 25", date(2025, 2, 24), True),
    ("24/02/2025", date(2025, 2, 24), False),   # a day runs across nothing
])
def test_a_period_knows_whether_it_runs_across_a_change(text, boundary, across):
    assert parse_date(text, TODAY).runs_across(boundary) is across


@pytest.mark.parametrize("text", [
    "£27k", "£27,000", "aged 16-21", "young people aged 16/17", "3+1+1", "4 (+1)", "CPV 85311200", "85311200-2",
    "24 months", "2x12m", "2 x 12 months", "25-26 hours a week", "14 rooms", "£118 a night", "12/14 beds",
    "£1,650 per placement per week", "90 sessions", "7.5% contingency", "Y1 1,200 / Y2 1,260", "£640-690k",
    "04/13/2027",  # month first (US order) is not read
    "Q&A session", "£26.40 an hour", "ref 2027/0412", "£3.6m over 6 years", "open 24/7", "52/53 weeks",
    "16/17 year olds", "ages 25/26", "score 21/25", "3/4 of the budget", "we may 26", "spring clean",
    "winter pressures funding", "summer holiday scheme",
])
def test_numbers_that_are_not_dates(text):
    assert find_dates(text, TODAY) == []


@pytest.mark.parametrize("text", ["HCC08/24 - Emergency Residential Placements", "Pre-2022 PCR values are net",
                                  "contracts-finder-2025q1", "threshold_2026"])
def test_reference_numbers_and_names_are_not_dates(text):
    assert find_dates(text, TODAY) == []


NOISE = [
    "Hi all – quick one. Supported living, £450k pa, 3+1+1, TN {d}. Thanks, Sam",
    "Subject: RE: retender\n\nHi,\n• value c. £1.2m\n• {word}: {d} 🙂\nKind regards",
    "re the young people's service (aged 16-21, 24 months, CPV 85311200) - {word} {d}?",
]


@pytest.mark.parametrize("k", range(0, len(PERIODS + DAYS), 4))
@pytest.mark.parametrize("template", NOISE)
def test_noise_never_changes_the_date(k, template):
    text, first, last = (PERIODS + DAYS)[k]
    word = EVENT_WORDS[k % len(EVENT_WORDS)]
    d = parse_date(template.format(d=text, word=word), TODAY)
    assert d is not None and (d.date, d.latest, d.event) == (first, last, "advertised")


@pytest.mark.parametrize("text, said", [
    ("TN April 27th", "TN April 27th"),
    ("tender notice - 01/04/2027", "tender notice - 01/04/2027"),
    ("we'll go to market in FY27/28", "go to market in FY27/28"),
])
def test_the_words_for_the_date_and_its_event_are_kept(text, said):
    assert parse_date(text, TODAY).said == said
