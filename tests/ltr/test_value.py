"""The value step (reference §3): the contract value object, its arithmetic and its working in words.

Expected figures are worked out by hand from the law: whole-life value including options, extensions and
one-off costs; lots aggregated; monthly × 12, weekly × 52; PCR reg 6(19) only with no computable total.
"""
from __future__ import annotations

from datetime import date

import pytest

from bot.ltr import Case, CaseError, assess, load_knowledge
from bot.ltr.price import working
from bot.ltr.value import raw_whole_life

KB = load_knowledge()


def _value(**v) -> Case:
    return Case.from_dict({"service": "home care", "value": v})


@pytest.mark.parametrize("value, whole_life", [
    ({"annual_gbp": 150_000, "years": 4, "extension_years": 2}, 900_000),
    ({"annual_gbp": 80_000, "years": 3, "extension_years": 2, "one_off_gbp": 90_000}, 490_000),
    ({"annual_gbp": 80_000, "years": 3, "extension_years": 2, "extension_gbp": 100_000}, 340_000),
    ({"total_gbp": 1_600_000, "years": 3, "extension_years": 1, "extension_gbp": 600_000}, 2_200_000),
    ({"total_gbp": 1_200_000, "years": 3, "extension_years": 1}, 1_600_000),  # pro rata
    ({"total_gbp": 700_000}, 700_000),
    ({"total_gbp": 700_000, "years": 2}, 700_000),
    ({"annual_gbp": 200_000, "years": 3, "lots": 3}, 1_800_000),
    ({"annual_gbp": 200_000, "years": 3, "lots": 3, "one_off_gbp": 50_000}, 1_850_000),
    ({"total_gbp": 150_000, "lots": 4}, 600_000),
    ({"monthly_gbp": 10_000, "years": 3}, 360_000),
    ({"weekly_gbp": 1_000, "years": 2, "extension_years": 1}, 156_000),
    ({"annual_gbp": 100_000, "years": 2.5}, 250_000),
])
def test_whole_life_arithmetic(value, whole_life):
    case = _value(**value)
    assert raw_whole_life(case, "PA2023", KB).value_gbp == pytest.approx(whole_life)
    assert raw_whole_life(case, "PCR2015", KB).value_gbp == pytest.approx(whole_life)


def test_the_working_is_shown_in_words():
    w = working(_value(annual_gbp=150_000, years=4, extension_years=2).value)
    assert w is not None and w.text == "£150,000 a year × (4 + 2) years = £900,000"
    w = working(_value(annual_gbp=80_000, years=3, extension_years=2, one_off_gbp=90_000).value)
    assert w is not None and w.text == "£80,000 a year × (3 + 2) years + £90,000 one-off = £490,000"


def test_monthly_and_weekly_prices_say_how_they_were_annualised():
    w = working(_value(monthly_gbp=10_000, years=3).value)
    assert w is not None and "× 12" in w.text and any("12 months" in a for a in w.assumptions)
    w = working(_value(weekly_gbp=1_000, years=1).value)
    assert w is not None and "× 52" in w.text and any("52 weeks" in a for a in w.assumptions)


def test_a_pro_rata_extension_is_stated_as_an_assumption():
    est = raw_whole_life(_value(total_gbp=1_200_000, years=3, extension_years=1), "PA2023", KB)
    assert any("pro rata" in a and "£400,000 a year" in a for a in est.assumptions)


def test_pcr_yearly_price_for_a_stated_term_is_never_capped_at_48_months():
    est = raw_whole_life(_value(annual_gbp=150_000, years=6), "PCR2015", KB)
    assert est.value_gbp == pytest.approx(900_000)
    assert all("reg 6(19)" not in ref for *_, ref in est.steps)


@pytest.mark.parametrize("value, expected", [
    ({"annual_gbp": 200_000, "open_ended": True}, 800_000),
    ({"monthly_gbp": 10_000, "open_ended": True, "one_off_gbp": 20_000}, 500_000),
    ({"annual_gbp": 100_000}, 400_000),  # a rate with no term
])
def test_pcr_no_total_price_is_monthly_value_times_48(value, expected):
    est = raw_whole_life(_value(**value), "PCR2015", KB)
    assert est.value_gbp == pytest.approx(expected)
    assert any("reg 6(19)" in ref for *_, ref in est.steps)


def test_act_open_ended_is_treated_as_above_with_no_value():
    est = raw_whole_life(_value(annual_gbp=200_000, open_ended=True), "PA2023", KB)
    assert est.value_gbp is None and est.unknown_treated_as_above
    assert any("Sch 3 para 5" in ref for *_, ref in est.steps)


def test_pcr_valuation_cites_pcr_reg_6_not_the_act():
    case = Case.from_dict({"service": "e-learning", "cpv": ["80420000"], "value": {"annual_gbp": 100_000, "years": 3},
                           "vat": "excluded", "commenced": "2023-03-01", "commencement_event": "pcr_contract_notice"})
    a = assess(case, date(2026, 11, 26))
    value_refs = [t.ref for t in a.trace if t.id.startswith(("T-VALUE", "T-VAT-"))]
    assert value_refs and all("PA 2023" not in r for r in value_refs)
    assert any("SI 2021/1221" in r for r in value_refs)


@pytest.mark.parametrize("value, field", [
    ({"unknown": True, "total_gbp": 5}, "value.unknown"),
    ({"unknown": True, "annual_gbp": 5, "years": 2}, "value.unknown"),
    ({"annual_gbp": 5, "monthly_gbp": 1, "years": 2}, "value.monthly_gbp"),
    ({"total_gbp": 5, "annual_gbp": 1}, "value.annual_gbp"),
    ({"total_gbp": -5}, "value.total_gbp"),
    ({"annual_gbp": float("nan"), "years": 2}, "value.annual_gbp"),
    ({"total_gbp": 100, "lots": 0}, "value.lots"),
    ({"total_gbp": 100, "lots": 1.5}, "value.lots"),
    ({"annual_gbp": 100, "years": 3, "extension_gbp": 50}, "value.extension_gbp"),
    ({"total_gbp": 100, "extension_years": 1}, "value.years"),
    ({"total_gbp": 100, "open_ended": True}, "value.total_gbp"),
    ({"annual_gbp": 100, "years": 3, "open_ended": True}, "value.years"),
    ({"one_off_gbp": 100}, "value.one_off_gbp"),
    ({"annual_gbp": 100, "years": 0}, "value.years"),
    ({"total_gbp": 1e30}, "value.total_gbp"),
    ({"annual_gbp": 1e10, "years": 20, "lots": 100}, "value"),
    ({"total_gbp": 100, "per_lot": True}, "value.per_lot"),
])
def test_contradictory_or_impossible_values_are_refused_naming_the_field(value, field):
    with pytest.raises(CaseError) as err:
        Case.from_dict({"service": "home care", "value": value})
    assert err.value.field == field


def test_the_value_round_trips_through_json():
    raw = {"annual_gbp": 80_000.0, "years": 3.0, "extension_years": 2.0, "one_off_gbp": 90_000.0, "lots": 2}
    case = Case.from_dict({"service": "home care", "value": raw})
    assert Case.from_dict(case.to_dict()).value == case.value
    assert case.to_dict()["value"] == raw


def test_aims_are_a_list_of_known_routes_and_framework_is_one_of_them():
    case = Case.from_dict({"service": "home care", "aims": ["mutual", "co_design"]})
    assert case.aims == ("mutual", "co_design") and not case.framework
    assert Case.from_dict({"service": "home care", "framework": True}).aims == ("framework",)
    assert Case.from_dict({"service": "home care", "aims": ["framework"]}).framework is True
    with pytest.raises(CaseError) as err:
        Case.from_dict({"service": "home care", "aims": ["spot_purchase"]})
    assert err.value.field == "aims"
