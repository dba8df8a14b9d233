"""Money as officers type it: each row is a phrase and what a procurement officer means by it."""
import pytest

from bot.text.money import parse_money

M = 1_000_000
K = 1_000


@pytest.mark.parametrize(
    "text, amount",
    [
        ("£1.2m", 1.2 * M),
        ("1.2 mil", 1.2 * M),
        ("£650k", 650 * K),
        ("£650K", 650 * K),
        ("650,000", 650 * K),
        ("half a million", 0.5 * M),
        ("GBP 700000", 700 * K),
        ("700,000 GBP", 700 * K),
        ("£1.5 million", 1.5 * M),
        ("£2bn", 2_000 * M),
        ("700 thousand", 700 * K),
        ("a quarter of a million", 250 * K),
        ("three quarters of a million", 750 * K),
        ("£700,000.00", 700 * K),
        ("£ 500k", 500 * K),
        ("£0.5m", 0.5 * M),
        ("1.2 million pounds", 1.2 * M),
        ("two hundred and fifty thousand pounds", 250 * K),
        ("one and a half million", 1.5 * M),
        ("a million and a half", 1.5 * M),
        ("a million quid", 1 * M),
        ("one point two million", 1.2 * M),
        ("250 grand", 250 * K),
        ("£1m 200k", 1.2 * M),
        ("£1.2mn", 1.2 * M),
        ("£3.5 milion", 3.5 * M),
        ("the budget is 700000", 700 * K),
        ("£85", 85),
        ("it's a 700k home care contract", 700 * K),  # "home" here is not a count of homes
        ("a 700k package of care", 700 * K),
    ],
)
def test_reads_the_amount(text, amount):
    found = parse_money(text)
    assert [m.amount_gbp for m in found] == [pytest.approx(amount)]


@pytest.mark.parametrize(
    "text, period",
    [
        ("£250k pa", "year"),
        ("£250k p.a.", "year"),
        ("£80k a year", "year"),
        ("£80k per annum", "year"),
        ("£80k per anum", "year"),
        ("£80k/yr", "year"),
        ("£80k annually", "year"),
        ("annual value is about £250k", "year"),
        ("£12k/month", "month"),
        ("£12k per month", "month"),
        ("£15k pcm", "month"),
        ("monthly cost around £12k", "month"),
        ("£1.2m total", "total"),
        ("£1.2m in total", "total"),
        ("£1.2m over the life of the contract", "total"),
        ("whole life value £1.2m", "total"),
        ("£650 per week per placement", "week"),
        ("£22 an hour", "hour"),
        ("£700k", None),
    ],
)
def test_reads_the_period(text, period):
    (m,) = parse_money(text)
    assert m.period == period


@pytest.mark.parametrize(
    "text, years",
    [
        ("3m over 5 yrs", 5),
        ("£3m over five years", 5),
        ("£1m over 18 months", 1.5),
        ("£2m across the 4 years", 4),
    ],
)
def test_over_n_years_is_a_total_for_that_term(text, years):
    (m,) = parse_money(text)
    assert (m.period, m.years) == ("total", years)


def test_yearly_amount_keeps_its_period_when_a_term_follows():
    (m,) = parse_money("£180k pa for 3 years plus 2 one-year extensions")
    assert (m.amount_gbp, m.period, m.years) == (180_000, "year", 3)


@pytest.mark.parametrize(
    "text, vat",
    [
        ("£700k ex VAT", "excluded"),
        ("£700k exc VAT", "excluded"),
        ("£700k excl. VAT", "excluded"),
        ("£700k excluding VAT", "excluded"),
        ("£700k + VAT", "excluded"),
        ("700k+VAT", "excluded"),
        ("£700k plus VAT", "excluded"),
        ("£700k net of VAT", "excluded"),
        ("£700k, not including VAT", "excluded"),
        ("£700k inc. VAT", "included"),
        ("£700k inc VAT", "included"),
        ("£700k incl VAT", "included"),
        ("£700k including VAT", "included"),
        ("£700k (inclusive of VAT)", "included"),
        ("£700k VAT exempt", "exempt"),
        ("£250k pa ex VAT", "excluded"),
        ("£250k ex VAT per year", "excluded"),
        ("It's £700k. That figure excludes VAT.", "excluded"),
        ("£700k", None),
    ],
)
def test_reads_the_vat_status(text, vat):
    (m,) = parse_money(text)
    assert m.vat == vat


def test_period_and_vat_in_either_order():
    a = parse_money("£250k ex VAT per year")[0]
    b = parse_money("£250k per year ex VAT")[0]
    assert (a.period, a.vat) == (b.period, b.vat) == ("year", "excluded")


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("£600k-£700k", 600 * K, 700 * K),
        ("£600-700k", 600 * K, 700 * K),
        ("600-700k", 600 * K, 700 * K),
        ("between £600k and £700k", 600 * K, 700 * K),
        ("between 600 and 700 thousand", 600 * K, 700 * K),
        ("£1.2m to £1.5m", 1.2 * M, 1.5 * M),
    ],
)
def test_a_range_is_read_as_its_top(text, low, high):
    (m,) = parse_money(text)
    assert (m.low_gbp, m.amount_gbp) == (pytest.approx(low), pytest.approx(high))


@pytest.mark.parametrize(
    "text",
    [
        "4 years",
        "2026",
        "in April 2026",
        "85312000",
        "CPV 85312000-8",
        "36 months",
        "4+1+1",
        "2025-03-01",
        "01/04/2026",
        "we have 2,000 service users",
        "about 15,000 residents",
        "5k residents",
        "2m people live in the area",
        "10% of the score",
        "lot 3 of 5",
        "call 020 7946 0000",
        "€750,000",
        "$2m",
        "a 3 year contract",
        "plan B",
        "",
    ],
)
def test_not_money(text):
    assert parse_money(text) == []


def test_several_amounts_left_to_right_with_offsets():
    text = "budget is £500k now but could rise to £700k"
    found = parse_money(text)
    assert [m.amount_gbp for m in found] == [500_000, 700_000]
    assert [text[m.start:m.end] for m in found] == ["£500k", "£700k"]


def test_offsets_cover_the_period_and_vat():
    text = "It is £250k p.a. ex VAT, roughly"
    (m,) = parse_money(text)
    assert text[m.start:m.end] == "£250k p.a. ex VAT"
    assert m.text == "£250k p.a. ex VAT"


def test_to_dict_is_json_friendly_and_omits_what_was_not_said():
    import json

    (m,) = parse_money("£3m over 5 yrs ex VAT")
    d = m.to_dict()
    assert d == {"amount_gbp": 3_000_000.0, "period": "total", "vat": "excluded", "years": 5.0}
    assert json.loads(json.dumps(d)) == d


def test_decimal_millions_are_exact():
    # 1.2 * 10**6 in binary floating point is not 1200000.0000000002 here
    assert parse_money("£1.2m")[0].amount_gbp == 1_200_000.0
    assert parse_money("£0.7m")[0].amount_gbp == 700_000.0
