"""Properties that must hold for any case the engine accepts (hypothesis)."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ltr import Case, assess

AS_OF = date(2026, 11, 26)

LT_CPV = ["85312000", "85311000", "80420000", "92222000", "55523100", "79711000", "64110000", "75310000", "79140000"]
NOT_LT_CPV = ["72250000", "48000000", "90910000", "64212000", "30213100", "79411000"]
PSR_CPV = ["85323000", "85312500", "85110000"]
EVENTS = ["tender_notice", "transparency_notice", "below_threshold_tender_notice", "pcr_contract_notice", "pcr_pin",
          "pcr_negotiated_contact", "contracts_finder_advert", "psr_notice", "contract_awarded"]
BUYERS = ["sub_central", "central", "school", "utility", "nhs_trust", "nhs_foundation_trust", "icb", "nhs_england"]
SERVICE_TEXTS = ["home care", "supported living", "e-learning", "school meals", "CCTV monitoring", "IT support",
                 "software licence", "day care for older people", "meals on wheels", "office cleaning"]

money = st.integers(min_value=0, max_value=30_000_000)


@st.composite
def values(draw) -> dict[str, Any]:
    shape = draw(st.sampled_from(["total", "annual", "open", "unknown"]))
    if shape == "total":
        return {"total_gbp": draw(money)}
    if shape == "annual":
        return {"annual_gbp": draw(st.integers(0, 5_000_000)), "years": draw(st.integers(1, 10)),
                "extension_years": draw(st.integers(0, 3))}
    if shape == "open":
        return {"annual_gbp": draw(st.integers(0, 5_000_000))}
    return {"unknown": True}


@st.composite
def single_service_cases(draw) -> dict[str, Any]:
    """A case with one service and a known value (total, or annual × years with extensions)."""
    case: dict[str, Any] = {
        "cpv": [draw(st.sampled_from(LT_CPV + NOT_LT_CPV + PSR_CPV))],
        "vat": draw(st.sampled_from(["included", "excluded", "exempt", "unknown"])),
        "commenced": draw(st.dates(date(2015, 3, 1), date(2027, 12, 31))).isoformat(),
        "buyer": draw(st.sampled_from(BUYERS)),
        "concession": draw(st.booleans()),
        "utilities": draw(st.booleans()),
    }
    if draw(st.booleans()):
        case["commencement_event"] = draw(st.sampled_from(EVENTS))
    if draw(st.booleans()):
        case["service"] = draw(st.sampled_from(SERVICE_TEXTS))
    if draw(st.booleans()):
        case["health_service_purpose"] = draw(st.booleans())
    if draw(st.booleans()):
        case["term_years"] = draw(st.integers(1, 10))
    if draw(st.booleans()):
        case["user_choice"] = draw(st.booleans())
    if draw(st.booleans()):
        case["value"] = {"total_gbp": draw(money)}
    else:
        case["value"] = {"annual_gbp": draw(st.integers(0, 5_000_000)), "years": draw(st.integers(1, 10)),
                         "extension_years": draw(st.integers(0, 3))}
    return case


@st.composite
def any_cases(draw) -> dict[str, Any]:
    """Anything the Case contract allows, including mixed contracts and unknown values."""
    case = draw(single_service_cases())
    case["value"] = draw(values())
    if draw(st.booleans()):
        n = draw(st.integers(2, 3))
        case.pop("value")
        case.pop("cpv")
        case["parts"] = [
            {"cpv": [draw(st.sampled_from(LT_CPV + NOT_LT_CPV + PSR_CPV))], "value_gbp": draw(money),
             "separable": draw(st.booleans())}
            for _ in range(n)
        ]
    if draw(st.booleans()):
        case["framework"] = draw(st.booleans())
    if draw(st.booleans()):
        case["cross_border_interest"] = draw(st.sampled_from(["yes", "no", "unknown"]))
    return case


def _raise(case: dict[str, Any], delta: int) -> dict[str, Any]:
    bigger = json.loads(json.dumps(case))
    v = bigger["value"]
    if "total_gbp" in v:
        v["total_gbp"] += delta
    else:
        v["annual_gbp"] += delta
    return bigger


@settings(max_examples=200, deadline=None)
@given(case=single_service_cases(), delta=st.integers(1, 20_000_000))
def test_raising_the_value_never_turns_above_into_below(case, delta):
    lower = assess(Case.from_dict(case), as_of=AS_OF)
    higher = assess(Case.from_dict(_raise(case, delta)), as_of=AS_OF)
    assert higher.regime == lower.regime, f"the value changed the regime: {lower.regime} -> {higher.regime}"
    if lower.above_threshold is True:
        assert higher.above_threshold is True, (
            f"above at £{lower.estimated_value_gbp} but not at £{higher.estimated_value_gbp} "
            f"(thresholds {lower.threshold_gbp} / {higher.threshold_gbp})")


@settings(max_examples=200, deadline=None)
@given(case=any_cases())
def test_the_same_case_always_gives_the_same_answer(case):
    first = assess(Case.from_dict(case), as_of=AS_OF).to_dict()
    second = assess(Case.from_dict(json.loads(json.dumps(case))), as_of=AS_OF).to_dict()
    assert first == second


@settings(max_examples=200, deadline=None)
@given(case=any_cases())
def test_every_item_has_an_id_and_a_ref(case):
    result = assess(Case.from_dict(case), as_of=AS_OF).to_dict()
    for key in ("obligations", "routes", "warnings", "trace"):
        for item in result[key]:
            assert str(item.get("id") or "").strip(), f"{key} item without id: {item}"
            assert str(item.get("ref") or "").strip(), f"{key} item {item.get('id')} has no ref"
    assert result["trace"], "no rule fired at all"


@settings(max_examples=200, deadline=None)
@given(case=any_cases())
def test_estimated_value_is_never_negative(case):
    a = assess(Case.from_dict(case), as_of=AS_OF)
    assert a.estimated_value_gbp is None or a.estimated_value_gbp >= 0


@settings(max_examples=200, deadline=None)
@given(case=any_cases())
def test_to_dict_is_json(case):
    d = assess(Case.from_dict(case), as_of=AS_OF).to_dict()
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text) == d
