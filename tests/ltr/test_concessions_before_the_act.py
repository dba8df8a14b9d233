"""A concession begun before 24 February 2025 is not answered under PCR 2015, which does not govern concessions
(issue 22). The reference covers concessions only under the Act (§2.3 row 7: the light touch concession threshold;
§8 item 12 and s.84(1)(b): no Part 6 below-threshold rules for concessions); the Concession Contracts Regulations
2016 are not in it, so the answer says what it can and cannot answer, as a point to check with the legal team."""
from __future__ import annotations

from datetime import date

import pytest

from bot.ltr import Case, assess
from bot.render.text import render_answer

TODAY = date(2026, 11, 26)
LEISURE = {"service": "leisure centre operation", "cpv": ["92610000"], "concession": True,
           "value": {"total_gbp": 6000000}, "vat": "included"}


def assessed(**facts):
    return assess(Case.from_dict({**LEISURE, **facts}), as_of=TODAY)


@pytest.mark.parametrize("event", ["pcr_contract_notice", "contracts_finder_advert", None])
def test_a_light_touch_concession_advertised_in_2024_is_not_answered_under_pcr(event):
    facts = {"commenced": "2024-06-01"} | ({"commencement_event": event} if event else {})
    a = assessed(**facts)
    assert a.regime is None and a.light_touch is None and a.threshold_gbp is None
    assert a.out_of_scope is not None and a.out_of_scope.id == "pcr_concession"
    assert "Concession Contracts Regulations 2016" in a.answer
    assert "do not cover concessions" in a.answer


def test_the_answer_says_what_the_reference_can_and_cannot_answer():
    a = assessed(commenced="2024-06-01", commencement_event="pcr_contract_notice")
    assert "cannot answer" in a.answer  # the 2016 Regulations' thresholds, procedures and saving rules
    assert "on or after 24 February 2025" in a.answer and "Procurement Act 2023" in a.answer  # what it can answer
    assert "s.84(1)(b)" in a.answer
    assert a.out_of_scope.verified is False  # the 2016 Regulations are not in the reference: a legal-team point
    assert "legal team" in render_answer(a, [], None)[0]


def test_a_concession_begun_under_the_act_is_answered_with_the_light_touch_concession_threshold():
    a = assessed(commenced="2026-04-01", commencement_event="tender_notice")
    assert a.regime == "PA2023" and a.light_touch is True
    assert a.threshold_gbp == pytest.approx(5372609)  # Sch 1 row 7, unchanged in 2026 (reference §2.3)
    assert a.above_threshold is True


def test_a_2024_concession_with_only_a_light_touch_pin_gets_the_act_with_a_caveat_about_the_2016_regulations():
    # A reg 75(1)(b) PIN is not a PCR saving event (reference §0 item 6), so the Act is applied; whether the
    # Concession Contracts Regulations 2016 kept the concession is not in the reference.
    a = assessed(commenced="2024-06-01", commencement_event="pcr_pin")
    assert a.regime == "PA2023"
    caveat = next(w for w in a.warnings if w.id == "W-CONCESSION-BEFORE-ACT")
    assert "Concession Contracts Regulations 2016" in caveat.text and "legal team" in caveat.text
