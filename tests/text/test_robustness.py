"""Whatever an officer types, the parsers return an answer or nothing: never an exception, and
offsets always point inside the message."""
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text.dates import find_dates
from bot.text.duration import parse_duration
from bot.text.facts import parse_buyer, parse_cross_border, parse_user_choice, parse_vat_status, parse_yes_no
from bot.text.money import parse_money
from bot.text.services import find_cpv, match_services
from bot.text.value_reader import parse_value_phrase

# Text built from the pieces these parsers care about, plus arbitrary characters.
PIECES = st.sampled_from([
    "£", "k", "m", "mil", "million", "half", "a", "quarter", "of", "and", "per", "year", "pa", "p.a.", "month", "/",
    "ex", "inc", "VAT", "+", "-", "to", "between", "over", "yrs", "years", "months", "plus", "extension", "extend",
    "for", "next", "last", "April", "May", "2025", "2026", "01/04/2026", "2025-03-01", "Q2", "85312000", "8",
    "home", "care", "care homes", "domicilary", "we", "are", "a", "school", "trust", "no", "interest", "abroad",
    "EU", "not", "sure", "?", ".", ",", "1.2", "650,000", "4", "1", "0", "36", "twenty", "five", "hundred",
])
TEXT = st.one_of(st.text(max_size=80), st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=25).map(" ".join))
TODAY = date(2026, 11, 26)


def _inside(text, start, end):
    return 0 <= start <= end <= len(text)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_parsers_never_raise_and_offsets_are_inside(text):
    for m in parse_money(text):
        assert m.amount_gbp > 0 and _inside(text, m.start, m.end) and text[m.start:m.end] == m.text
        assert m.low_gbp is None or m.low_gbp <= m.amount_gbp
    d = parse_duration(text)
    if d is not None:
        assert d.years > 0 and d.extension_years >= 0 and _inside(text, d.start, d.end)
    for mention in find_dates(text, TODAY):
        assert _inside(text, mention.start, mention.end)
    for fact in (parse_buyer(text), parse_buyer(text, True), parse_cross_border(text), parse_cross_border(text, True),
                 parse_vat_status(text), parse_vat_status(text, True)):
        assert fact is None or _inside(text, fact.start, fact.end)
    assert parse_yes_no(text) in (True, False, None)
    assert parse_user_choice(text, True) in (True, False, None)
    for s in match_services(text):
        assert _inside(text, s.start, s.end)
    for c in find_cpv(text):
        assert len(c.code) == 8 and _inside(text, c.start, c.end)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_value_phrase_returns_a_value_or_a_plain_value_error(text):
    try:
        value = parse_value_phrase(text)
    except ValueError as e:
        assert str(e) and "Traceback" not in str(e)
    else:
        prices = [value.get(k, 0) for k in ("total_gbp", "annual_gbp", "monthly_gbp", "weekly_gbp")]
        prices += [line["amount_gbp"] for line in value.get("lines", [])]
        assert value.get("unknown") or any(p > 0 for p in prices)
