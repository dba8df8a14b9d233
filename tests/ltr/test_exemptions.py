"""Exemptions as facts of the case (reference §1 step 1): an exempt contract is under no procurement regime, the
Act's below-threshold Part 6 included (s.84(1)(a)), and the answer names the paragraph of PA 2023 Sch 2 the
reference lists (paras 2-3, 8, 14, 18, 20, 22) or, for a procurement begun before the Act, the PCR provision."""
from __future__ import annotations

from datetime import date

import pytest

from bot.ltr import CaseError, assess, load_knowledge
from bot.ltr.model import EXEMPTIONS, Case

ON = date(2026, 11, 26)
# Reference §1 step 1, with the paragraph each exemption has in PA 2023 Sch 2.
ACT_PARAGRAPH = {"vertical_arrangement": "para 2", "horizontal_arrangement": "para 3", "land": "para 8", "legal_litigation": "para 14",
                 "employment": "para 18", "emergency_services": "para 20", "research_and_development": "para 22"}


def run(case: dict, on: date = ON):
    return assess(Case.from_dict(case), as_of=on)


def test_the_case_field_and_the_knowledge_list_the_same_exemptions() -> None:
    assert set(EXEMPTIONS) == {e.id for e in load_knowledge().exemptions} == set(ACT_PARAGRAPH)


@pytest.mark.parametrize("exemption, paragraph", sorted(ACT_PARAGRAPH.items()))
def test_each_exemption_is_answered_no_regime_with_its_schedule_2_paragraph(exemption: str, paragraph: str) -> None:
    # £2m is far above every threshold: an exempt contract is still under no regime.
    a = run({"exemption": exemption, "value": {"total_gbp": 2_000_000}, "commenced": "2027-03-01",
             "commencement_event": "tender_notice"})
    assert (a.status, a.regime, a.light_touch, a.above_threshold, a.threshold_gbp) == ("complete", "none", False, None, None)
    assert "No procurement regime applies" in a.answer and f"PA 2023 Sch 2 {paragraph}" in a.answer
    assert any(t.id == "T-EXEMPT" and t.ref == f"PA 2023 Sch 2 {paragraph}" for t in a.trace)
    # s.84(1)(a): an exempted contract is not a regulated below-threshold contract either.
    assert [o.id for o in a.obligations] == ["NONE-EXEMPT"]


def test_an_exemption_needs_no_service_and_no_threshold_test() -> None:
    a = run({"exemption": "employment", "value": {"annual_gbp": 60_000, "years": 2}})
    assert a.regime == "none" and not any(t.id in ("T-ABOVE", "T-BELOW") for t in a.trace)
    assert not a.missing  # nothing else can change the answer


def test_the_exemption_comes_before_the_psr_and_the_light_touch_test() -> None:
    # Reference §1: step 1 (exempt) stops before step 2 (PSR) and the light touch classification.
    psr = run({"service": "substance misuse treatment", "exemption": "vertical_arrangement", "value": {"total_gbp": 3_000_000},
               "commenced": "2027-03-01"})
    lt = run({"service": "day care", "exemption": "vertical_arrangement", "value": {"total_gbp": 400_000}, "commenced": "2027-03-01"})
    for a in (psr, lt):
        assert a.regime == "none"
        assert not any(t.id in ("T-PSR-APPLIES", "T-LIGHT-TOUCH") for t in a.trace)


def test_before_the_act_the_pcr_provision_is_cited() -> None:
    a = run({"exemption": "legal_litigation", "value": {"total_gbp": 300_000}, "commenced": "2024-06-01",
             "commencement_event": "pcr_contract_notice"})
    assert a.regime == "none" and "PCR 2015 reg 10(1)(d)" in a.answer  # reference §1 step 1 and §8 item 10


def test_a_pcr_provision_the_reference_has_not_confirmed_reaches_the_officer_as_a_caveat() -> None:
    # Reference §7 R-RD-EXEMPT: "PCR reg 14 (not re-read) UNVERIFIED".
    a = run({"exemption": "research_and_development", "value": {"total_gbp": 300_000}, "commenced": "2024-06-01"})
    assert any("reg 14" in w.ref and w.text.endswith("Check with your legal team.") for w in a.warnings)


def test_an_exemption_the_law_does_not_list_is_refused_naming_the_field() -> None:
    with pytest.raises(CaseError) as e:
        Case.from_dict({"exemption": "friendly supplier"})
    assert e.value.field == "exemption"


def test_a_service_that_is_always_exempt_carries_its_paragraph_too() -> None:
    a = run({"service": "care proceedings", "value": {"total_gbp": 150_000}, "commenced": "2026-04-01"})
    assert a.regime == "none" and "PA 2023 Sch 2 para 14" in a.answer
