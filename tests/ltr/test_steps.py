"""Each step module on its own (reference section named per test); figures typed from the reference."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.ltr import Assessment, Case, load_knowledge
from bot.ltr.classification import classify
from bot.ltr.conditions import Context
from bot.ltr.cross_border import cross_border
from bot.ltr.mixed import light_touch
from bot.ltr.psr import psr_applies
from bot.ltr.regime import regime_for
from bot.ltr.run import Run, Subject
from bot.ltr.threshold import pick, standard_kind

KB = load_knowledge()
AS_OF = date(2026, 11, 26)


def _run(**case: Any) -> Run:
    return Run(Case.from_dict(case), AS_OF, KB)


def _subject(run: Run) -> Subject:
    s = classify(run)
    assert isinstance(s, Subject), s
    return s


# ---- threshold (§2) --------------------------------------------------------------------------------------


@pytest.mark.parametrize("on, row, amount, basis", [
    (date(2021, 12, 31), "PCR-LT-2020", 663_540, "net"),
    (date(2022, 1, 1), "PCR-LT-2022", 663_540, "inclusive"),
    (date(2017, 6, 1), "PCR-LT-2016", 589_148, "net"),
])
def test_pcr_light_touch_row_by_commencement(on, row, amount, basis):
    t = pick(KB, "PCR2015", "light_touch", on)
    assert t is not None and (t.id, t.amount_gbp, t.vat_basis) == (row, amount, basis)


def test_foundation_trusts_are_central_under_the_act_but_sub_central_under_pcr():
    assert standard_kind(KB, "nhs_foundation_trust", "PA2023", False, False) == "standard_central"  # PR24 Sch 2
    assert standard_kind(KB, "nhs_foundation_trust", "PCR2015", False, False) == "standard_sub_central"  # [S]
    assert standard_kind(KB, "sub_central", "PA2023", False, False) == "standard_sub_central"  # London boroughs


# ---- regime (§1.1) -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("commenced, event, regime", [
    (date(2025, 2, 23), "pcr_contract_notice", "PCR2015"),  # the day before the Act: saved
    (date(2025, 2, 24), "pcr_contract_notice", "PA2023"),  # on the Act's first day: not saved
    (date(2024, 10, 1), "pcr_pin", "PA2023"),  # a light touch PIN (reg 75(1)(b)) is not a saving event
    (date(2024, 10, 1), "contract_awarded", "PCR2015"),
])
def test_regime_by_saving_event(commenced, event, regime):
    run = _run(service="home care", commenced=commenced.isoformat(), commencement_event=event)
    assert regime_for(run, commenced, True) == regime


def test_the_literal_pin_gap_is_caveated():
    run = _run(service="home care", commenced="2024-10-01", commencement_event="pcr_pin")
    regime_for(run, date(2024, 10, 1), True)
    assert any(w.id == "W-PIN-GAP" for w in run.warnings)


# ---- PSR (§1.3) --------------------------------------------------------------------------------------------


def test_psr_needs_a_relevant_authority_and_a_start_on_or_after_2024():
    run = _run(service="substance misuse", buyer="school")
    assert not psr_applies(run, _subject(run), date(2026, 4, 1))
    run = _run(service="substance misuse")
    assert not psr_applies(run, _subject(run), date(2023, 12, 31))
    run = _run(service="substance misuse")
    assert psr_applies(run, _subject(run), date(2024, 1, 1))


# ---- mixed contracts (§4.4) ----------------------------------------------------------------------------------


def _mixed(lt_value: float, it_value: float) -> Run:
    return _run(parts=[{"cpv": ["85312000"], "value_gbp": lt_value}, {"cpv": ["72200000"], "value_gbp": it_value}])


def test_pcr_the_higher_value_decides():
    run = _mixed(400_000, 300_000)
    assert light_touch(run, _subject(run), "PCR2015") is True
    run = _mixed(300_000, 400_000)
    assert light_touch(run, _subject(run), "PCR2015") is False


def test_act_mainly_light_touch_by_value_with_the_caveat_that_mainly_is_undefined():
    run = _mixed(300_000, 400_000)
    assert light_touch(run, _subject(run), "PA2023") is False
    assert any(w.id == "W-MAINLY" for w in run.warnings)


# ---- cross-border interest (§6.3) ------------------------------------------------------------------------------


def test_cross_border_interest_is_a_test_only_for_pcr_before_2021():
    assert cross_border(_run(service="home care"), "PCR2015", date(2020, 6, 1)) == "assess"
    assert cross_border(_run(service="home care"), "PCR2015", date(2021, 1, 1)) == "not_a_test"
    assert cross_border(_run(service="home care"), "PA2023", date(2026, 4, 1)) == "not_a_test"


# ---- classification (§4, §8 item 10) -----------------------------------------------------------------------------


def test_a_code_that_cannot_decide_alone_asks():
    assert isinstance(classify(_run(cpv=["79112000"])), Assessment)
    # the officer's words decide it: non-contentious advice is light touch
    s = classify(_run(cpv=["79112000"], service="legal advice"))
    assert isinstance(s, Subject) and s.main is not None


def test_home_care_is_a_light_touch_service():
    s = _subject(_run(service="home care"))
    assert s.main is not None and s.main.light_touch and s.main.cpv == "85312000"


# ---- conditions (one registry for obligations and routes) --------------------------------------------------------


def _ctx(regime: str, value_gbp: float | None = None, **case: Any) -> Context:
    run = _run(**{"service": "home care", **case})
    s = _subject(run)
    return Context(case=run.case, kb=KB, regime=regime, light_touch=True, above=True, value_gbp=value_gbp,
                   commenced=date(2026, 4, 1), profiles=[s.main], codes=s.codes, individual=True, rnd=False,
                   need=run.need)


@pytest.mark.parametrize("regime, years, ext, ok", [
    ("PA2023", 5, 0, True), ("PA2023", 3, 2, True), ("PA2023", 4, 2, False),  # s.33: 5 years incl. extensions
    ("PCR2015", 3, 0, True), ("PCR2015", 4, 0, False),  # reg 77: 3 years
])
def test_mutual_term_limits(regime, years, ext, ok):
    ctx = _ctx(regime, value={"annual_gbp": 100_000, "years": years, "extension_years": ext})
    assert ctx.check("term_within_mutual_limit").ok is ok


@pytest.mark.parametrize("value, buyer, ok", [
    (29_999, "sub_central", False), (30_000, "sub_central", True),  # s.87(4): £30,000 for boroughs
    (11_999, "central", False), (12_000, "central", True), (12_000, "nhs_trust", True),  # £12,000 central incl. NHS trusts
])
def test_notifiable_below_threshold_contracts(value, buyer, ok):
    assert _ctx("PA2023", value_gbp=value, buyer=buyer).check("notifiable").ok is ok


def test_part6_is_off_for_schools_concessions_and_utilities():
    assert _ctx("PA2023").check("part6").ok
    assert not _ctx("PA2023", buyer="school").check("part6").ok
    assert not _ctx("PA2023", concession=True).check("part6").ok
    assert not _ctx("PA2023", utilities=True).check("part6").ok


@pytest.mark.parametrize("value, ok", [(5_000_000, False), (5_000_001, True)])
def test_kpi_and_contract_copy_duties_start_over_five_million(value, ok):
    # s.52(1) and s.53(3): contracts with a value over £5 million
    assert _ctx("PA2023", value_gbp=value).check("over_5m").ok is ok
