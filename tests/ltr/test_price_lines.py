"""The price model: a value built from lines (rate × quantities × periods × years), contingency, lots.

Expected figures are multiplied out by hand here from the officer's own numbers and the calendar
(52 weeks, 12 months, 365 nights a year), never taken from the engine.
"""
from datetime import date

import pytest

from bot.ltr import assess
from bot.ltr.model import Case, CaseError
from bot.ltr.price import working

TODAY = date(2026, 12, 7)


def _value(value: dict) -> Case:
    return Case.from_dict({"service": "home care", "vat": "exempt", "commenced": "2027-04-01", "value": value})


@pytest.mark.parametrize("line, term, expected", [
    # £26.40 an hour, 3,100 hours a week, 4 years: 26.40 × 3100 × 52 × 4
    ({"amount_gbp": 26.40, "per": ["hour"], "quantities": [{"count": 3100, "unit": "hour", "per": "week"}]}, 4, 17_022_720),
    # £118 a night for 14 rooms, every night for a year: 118 × 14 × 365
    ({"amount_gbp": 118, "per": ["night"], "quantities": [{"count": 14, "unit": "room"}]}, 1, 602_980),
    # £1,650 per placement per week, 4 placements, 2 years: 1650 × 4 × 52 × 2
    ({"amount_gbp": 1650, "per": ["placement", "week"], "quantities": [{"count": 4, "unit": "placement"}]}, 2, 686_400),
    # £42 a session, 90 sessions a week, term time only (39 weeks), 3 years: 42 × 90 × 39 × 3
    ({"amount_gbp": 42, "per": ["session"], "quantities": [{"count": 90, "unit": "session", "per": "week"},
                                                        {"count": 39, "unit": "week", "per": "year"}]}, 3, 442_260),
    # £9.50 a meal, 400 meals a day, 5 years: 9.5 × 400 × 365 × 5
    ({"amount_gbp": 9.5, "per": ["meal"], "quantities": [{"count": 400, "unit": "meal", "per": "day"}]}, 5, 6_935_000),
    # £6,000 a month for 18 months written as 1.5 years: 6000 × 12 × 1.5
    ({"amount_gbp": 6000, "per": ["month"]}, 1.5, 108_000),
    # a lump sum: what it says
    ({"amount_gbp": 250_000, "label": "Year 1"}, None, 250_000),
])
def test_a_line_is_the_rate_times_every_quantity_and_the_term(line, term, expected):
    case = _value({"lines": [line], **({"years": term} if term else {})})
    assert working(case.value).total_gbp == pytest.approx(expected)
    assert assess(case, TODAY).estimated_value_gbp == pytest.approx(expected)


def test_the_working_shows_every_factor_in_words():
    case = _value({"lines": [{"amount_gbp": 26.40, "per": ["hour"],
                              "quantities": [{"count": 3100, "unit": "hour", "per": "week"}]}], "years": 4})
    text = working(case.value).text
    for piece in ("£26.40 an hour", "3,100 hours a week", "52 weeks a year", "4 years", "£17,022,720"):
        assert piece in text


def test_year_lines_add_up_and_a_contingency_percentage_is_added_on_top():
    # Y1 1,200 / Y2 1,260 / Y3 1,320 (£k), 7.5% contingency: 3,780,000 × 1.075 = 4,063,500
    case = _value({"lines": [{"amount_gbp": 1_200_000, "label": "Year 1"}, {"amount_gbp": 1_260_000, "label": "Year 2"},
                             {"amount_gbp": 1_320_000, "label": "Year 3"}], "contingency_pct": 7.5})
    w = working(case.value)
    assert w.total_gbp == pytest.approx(4_063_500)
    assert "7.5% contingency" in w.text and "£283,500" in w.text


def test_a_contingency_amount_adds_exactly_that_amount_to_a_total():
    base = working(_value({"total_gbp": 3_600_000, "years": 6}).value).total_gbp
    more = working(_value({"total_gbp": 3_600_000, "years": 6, "contingency_gbp": 250_000}).value).total_gbp
    assert more - base == pytest.approx(250_000)


def test_extension_years_extend_every_yearly_line():
    # £240k a year, 4 (+1): 240,000 × 5
    case = _value({"lines": [{"amount_gbp": 240_000, "per": ["year"]}], "years": 4, "extension_years": 1})
    assert working(case.value).total_gbp == pytest.approx(1_200_000)


def test_lots_multiply_the_lines_and_a_one_off_is_added_once():
    # 3 lots of £10 an hour × 1,000 hours a month for 2 years, + £50k set-up: 3 × 10 × 1000 × 12 × 2 + 50,000
    case = _value({"lines": [{"amount_gbp": 10, "per": ["hour"], "quantities": [{"count": 1000, "unit": "hour", "per": "month"}]}],
                   "years": 2, "lots": 3, "one_off_gbp": 50_000})
    assert working(case.value).total_gbp == pytest.approx(770_000)


def test_an_hourly_rate_with_no_volume_is_not_a_value_and_says_what_is_missing():
    case = _value({"lines": [{"amount_gbp": 26.40, "per": ["hour"]}], "years": 3})
    a = assess(case, TODAY)
    assert a.estimated_value_gbp is None
    assert any("hours" in m for m in a.missing)


@pytest.mark.parametrize("value, field", [
    ({"lines": [{"per": ["hour"]}], "years": 1}, "value.lines[0].amount_gbp"),
    ({"lines": [{"amount_gbp": 10, "colour": "red"}]}, "value.lines[0].colour"),
    ({"lines": [{"amount_gbp": 10, "quantities": [{"count": 0, "unit": "hour"}]}]}, "value.lines[0].quantities[0].count"),
    ({"lines": [{"amount_gbp": 10, "quantities": [{"count": 3, "unit": "hour", "per": "fortnight"}]}]}, "value.lines[0].quantities[0].per"),
    ({"lines": [{"amount_gbp": 10}], "total_gbp": 5}, "value.total_gbp"),
    ({"total_gbp": 5, "contingency_pct": 250}, "value.contingency_pct"),
    ({"total_gbp": 5, "contingency_pct": 5, "contingency_gbp": 10}, "value.contingency_gbp"),
])
def test_malformed_lines_are_refused_naming_the_field(value, field):
    with pytest.raises(CaseError) as e:
        _value(value)
    assert e.value.field == field


def test_lines_round_trip_through_json():
    value = {"lines": [{"amount_gbp": 42.0, "per": ["session"], "quantities": [{"count": 90, "unit": "session", "per": "week"}],
                        "label": "Lot 1"}], "years": 3, "contingency_pct": 5.0}
    case = _value(value)
    again = Case.from_dict(case.to_dict())
    assert again == case
