"""A buyer in another UK nation is told which rules govern it instead, and that this assistant covers England
(reference §11), as the answer itself, never silence. Expected wording comes from §11:
Wales: the Act with the Procurement (Wales) Regulations 2024; Scotland: outside the Act (s.2(5)(a)), the Public
Contracts (Scotland) Regulations 2015; Northern Ireland: the Act with carve-outs. The English PSR is England only
(PSR reg 1(2)). Scottish LT thresholds and the Welsh health regime are UNVERIFIED, so they come as caveats."""
from __future__ import annotations

from datetime import date

import pytest

from bot.ltr import Case, CaseError, assess

TODAY = date(2026, 11, 26)
HOME_CARE = {"service": "home care", "value": {"total_gbp": 700000}, "vat": "exempt", "commenced": "2026-04-01"}


def assessed(**facts):
    return assess(Case.from_dict({**HOME_CARE, **facts}), as_of=TODAY)


@pytest.mark.parametrize("nation, governs", [
    ("wales", "Procurement (Wales) Regulations 2024"),
    ("scotland", "Public Contracts (Scotland) Regulations 2015"),
    ("northern_ireland", "carve-outs for transferred Northern Ireland authorities"),
])
def test_a_buyer_in_another_nation_is_told_which_rules_govern_it_and_that_this_covers_england(nation, governs):
    a = assessed(nation=nation)
    assert a.regime is None and a.light_touch is None and a.above_threshold is None
    assert a.out_of_scope is not None and a.out_of_scope.id == f"not_england_{nation}"
    assert governs in a.answer and "covers England" in a.answer and "legal team" in a.answer
    assert "Provider Selection Regime does not apply" in a.answer  # PSR reg 1(2): England only
    assert not a.routes and not a.obligations


def test_scotland_is_outside_the_act_under_s_2_5_a():
    a = assessed(nation="scotland")
    assert "outside the Procurement Act 2023" in a.answer and "s.2(5)(a)" in a.out_of_scope.ref


def test_the_unconfirmed_points_of_the_reference_come_as_caveats():
    scotland = assessed(nation="scotland")
    assert any("thresholds were not checked" in w.text and "legal team" in w.text for w in scotland.warnings)
    wales = assessed(nation="wales")
    assert any("health care" in w.text and not w.verified for w in wales.warnings)


def test_a_nation_means_the_buyer_is_not_in_england():
    assert Case.from_dict({**HOME_CARE, "nation": "wales"}).england is False
    with pytest.raises(CaseError) as e:
        Case.from_dict({**HOME_CARE, "nation": "wales", "england": True})
    assert e.value.field == "nation"
    with pytest.raises(CaseError):
        Case.from_dict({**HOME_CARE, "nation": "cornwall"})


def test_outside_england_without_the_nation_still_names_what_each_nation_follows():
    a = assessed(england=False)
    assert a.out_of_scope.id == "not_england"
    assert "Scotland" in a.answer and "Wales" in a.answer and "Northern Ireland" in a.answer


def test_the_nation_round_trips_through_the_json_contract():
    case = Case.from_dict({**HOME_CARE, "nation": "northern_ireland"})
    assert Case.from_dict(case.to_dict()) == case
