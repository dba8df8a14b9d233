"""Every route the case makes available is listed, whether or not the officer named it (issue 22).

Written from the legal reference, never from the engine: §7 (the route catalogue), §5.1 (PCR reg 77: only
contracts exclusively for the listed codes, 3 years at most, not NHS health care), §5.2 row 5 (Act s.33:
reservable (R) services, 5 years at most including extensions), §5.2 row 6 and §8 item 9 (user choice: light
touch services for a particular person, under the Act), §4.2 (which codes are reservable), §1 step 1 (R&D).

A route whose condition rests on a fact not given is open "only if" it holds; a route whose condition the case
fails in a way the officer can change is listed as "not open, because …" with the change; a route the case can
never use (a service that is not reservable) is not listed at all.
"""
from __future__ import annotations

from datetime import date

from bot.ltr import Case, assess
from bot.ltr.model import Assessment
from bot.render.text import render_answer, render_routes

TODAY = date(2026, 11, 26)
ACT = {"commenced": "2026-04-01", "commencement_event": "tender_notice"}
PCR = {"commenced": "2024-06-01", "commencement_event": "pcr_contract_notice"}


def assessed(**facts) -> Assessment:
    return assess(Case.from_dict(facts), as_of=TODAY)


def open_ids(a: Assessment) -> list[str]:
    return [r.id for r in a.routes]


def not_open(a: Assessment, rid: str) -> str:
    texts = [r.text for r in a.routes_not_open if r.id == rid]
    assert texts, f"{rid} is not listed as not open; not open were {[r.id for r in a.routes_not_open]}"
    return texts[0]


def listed(a: Assessment, rid: str) -> bool:
    return rid in open_ids(a) or any(r.id == rid for r in a.routes_not_open)


# ---- reservation to public service mutuals ------------------------------------------------------------------


def test_a_4_year_pcr_reservable_service_shows_reservation_not_open_with_the_3_year_fix():
    # Day care 85312100 is in 85000000-85323000, on the reg 77 list; reg 77 allows 3 years at most.
    a = assessed(service="day care", cpv=["85312100"], term_years=4, value={"total_gbp": 900000}, vat="exempt", **PCR)
    assert a.regime == "PCR2015" and "R-MUTUAL" not in open_ids(a)
    text = not_open(a, "R-MUTUAL")
    assert "not open, because" in text and "longer than the 3 years" in text
    assert "shorten the term" in text and "to 3 years" in text
    assert "reg 77" in next(r.ref for r in a.routes_not_open if r.id == "R-MUTUAL")


def test_a_3_year_pcr_reservable_service_can_be_reserved_without_being_asked():
    a = assessed(service="day care", cpv=["85312100"], term_years=3, value={"total_gbp": 900000}, vat="exempt", **PCR)
    assert "R-MUTUAL" in open_ids(a)
    assert "Open only if" not in next(r.text for r in a.routes if r.id == "R-MUTUAL")


def test_a_5_year_act_reservable_service_can_be_reserved_without_being_asked():
    # Home care 85312000 is marked R in PR24 Sch 1; s.33 allows 5 years at most.
    a = assessed(service="home care", cpv=["85312000"], value={"annual_gbp": 200000, "years": 5}, vat="exempt", **ACT)
    assert a.regime == "PA2023" and "R-MUTUAL" in open_ids(a)
    assert "s.33" in next(r.ref for r in a.routes if r.id == "R-MUTUAL")
    assert not any(r.id == "R-MUTUAL" for r in a.routes_not_open)


def test_an_act_reservable_service_for_4_plus_2_years_shows_reservation_not_open_with_the_5_year_fix():
    a = assessed(service="home care", cpv=["85312000"], value={"annual_gbp": 200000, "years": 4, "extension_years": 2},
                 vat="exempt", **ACT)
    text = not_open(a, "R-MUTUAL")
    assert "longer than the 5 years" in text and "to 5 years" in text


def test_an_act_reservable_service_with_no_term_is_open_only_if_the_term_is_5_years_or_less():
    a = assessed(service="home care", cpv=["85312000"], value={"total_gbp": 900000}, vat="exempt", **ACT)
    text = next(r.text for r in a.routes if r.id == "R-MUTUAL")
    assert "Open only if" in text and "5 years or less" in text
    assert any("maximum term" in m for m in a.missing)


def test_a_service_that_is_not_reservable_does_not_list_reservation_at_all():
    # School meals 55523100: light touch (hotel and restaurant) but not marked R, and not on the reg 77 list.
    for timing in (ACT, PCR):
        a = assessed(service="school meals", cpv=["55523100"], term_years=3, value={"total_gbp": 900000}, vat="included",
                     **timing)
        assert a.light_touch and not listed(a, "R-MUTUAL"), a.regime


def test_no_question_about_the_term_for_a_mutual_when_the_service_cannot_be_reserved():
    a = assessed(service="school meals", cpv=["55523100"], value={"total_gbp": 900000}, vat="included", **ACT)
    assert not any("mutual" in m for m in a.missing)


def test_pcr_reg_77_does_not_cover_nhs_health_care_so_reservation_is_not_listed():
    # 85100000 health services, 2023 (before the PSR): PCR; reg 77 excludes NHS health care services.
    a = assessed(cpv=["85100000"], term_years=3, value={"total_gbp": 900000}, vat="exempt", commenced="2023-06-01",
                 commencement_event="pcr_contract_notice")
    assert a.regime == "PCR2015" and not listed(a, "R-MUTUAL")


def test_reservation_is_not_listed_below_the_threshold():
    # Reserved contracts (reg 77, s.33) are above-threshold tools.
    a = assessed(service="home care", cpv=["85312000"], term_years=3, value={"total_gbp": 300000}, vat="exempt", **ACT)
    assert a.above_threshold is False and not listed(a, "R-MUTUAL")


# ---- user choice ------------------------------------------------------------------------------------------------


def test_user_choice_is_listed_for_individual_care_under_the_act_only_if_a_person_has_chosen():
    a = assessed(service="home care", value={"total_gbp": 900000}, vat="exempt", **ACT)
    text = next(r.text for r in a.routes if r.id == "R-USERCHOICE")
    assert "Open only if" in text and "chosen" in text
    assert "Sch 5" in next(r.ref for r in a.routes if r.id == "R-USERCHOICE")


def test_user_choice_is_not_listed_when_no_one_has_chosen():
    a = assessed(service="home care", user_choice=False, value={"total_gbp": 900000}, vat="exempt", **ACT)
    assert not listed(a, "R-USERCHOICE")


def test_user_choice_is_not_listed_for_a_service_not_provided_to_a_particular_person():
    # CCTV monitoring (92222000) is light touch but is not a service to a particular person.
    a = assessed(cpv=["92222000"], value={"total_gbp": 900000}, vat="included", **ACT)
    assert a.light_touch and not listed(a, "R-USERCHOICE")


def test_user_choice_is_not_listed_under_pcr_which_has_no_such_award():
    a = assessed(service="home care", value={"total_gbp": 900000}, vat="exempt", **PCR)
    assert a.regime == "PCR2015" and not listed(a, "R-USERCHOICE")


# ---- routes open to every case of their kind, named or not -------------------------------------------------------


def test_co_design_with_users_is_listed_unasked_for_light_touch_above_the_threshold_under_both_regimes():
    for timing in (ACT, PCR):
        a = assessed(service="supported living", value={"total_gbp": 2000000}, vat="exempt", **timing)
        assert "R-COPRODUCE" in open_ids(a), a.regime


def test_open_frameworks_and_dynamic_markets_are_listed_unasked_under_the_act_above_the_threshold():
    a = assessed(service="home care", value={"total_gbp": 2000000}, vat="exempt", **ACT)
    assert {"R-OPEN-FW", "R-DYN-MKT", "R-LT-FRAMEWORK"} <= set(open_ids(a))


def test_open_frameworks_and_dynamic_markets_are_not_listed_unasked_under_pcr():
    a = assessed(service="home care", value={"total_gbp": 2000000}, vat="exempt", **PCR)
    assert not listed(a, "R-OPEN-FW") and not listed(a, "R-DYN-MKT")


def test_lots_are_listed_unasked_above_and_below_the_threshold_under_the_act():
    for total in (2000000, 300000):
        a = assessed(service="home care", value={"total_gbp": total}, vat="exempt", **ACT)
        assert "R-LOTS" in open_ids(a), total


# ---- pilots and the R&D exemption ------------------------------------------------------------------------------


def test_a_pilot_lists_the_prototype_direct_award_and_the_r_and_d_exemption_only_if_it_is_r_and_d():
    a = assessed(service="software development", aims=["pilot"], value={"total_gbp": 900000}, vat="included", **ACT)
    assert "R-PILOT-DA" in open_ids(a)
    text = next(r.text for r in a.routes if r.id == "R-RD-EXEMPT")
    assert "Open only if" in text and "research and development" in text.lower()
    assert "Sch 2 para 22" in next(r.ref for r in a.routes if r.id == "R-RD-EXEMPT")
    assert "open only if" in a.answer


def test_without_a_pilot_the_r_and_d_exemption_is_not_listed_for_ordinary_services():
    a = assessed(service="software development", value={"total_gbp": 900000}, vat="included", **ACT)
    assert not listed(a, "R-RD-EXEMPT")


def test_research_and_development_itself_is_exempt_and_the_route_is_open_outright():
    a = assessed(service="research and development", value={"total_gbp": 300000}, **ACT)
    assert a.regime == "none" and "R-RD-EXEMPT" in open_ids(a)
    assert "Open only if" not in next(r.text for r in a.routes if r.id == "R-RD-EXEMPT")


def test_a_small_pilot_below_the_threshold_is_listed_unasked():
    a = assessed(service="home care", value={"total_gbp": 100000}, vat="exempt", **ACT)
    assert {"R-PILOT-BELOW", "R-BELOW-PROPORTIONATE"} <= set(open_ids(a))


# ---- what the officer sees -----------------------------------------------------------------------------------------


def test_a_route_asked_about_that_is_open_only_if_says_so_in_the_answer():
    a = assessed(service="home care", cpv=["85312000"], aims=["mutual"], value={"total_gbp": 900000}, vat="exempt", **ACT)
    assert "public service mutuals: open only if" in a.answer and "5 years or less" in a.answer


def test_an_unasked_route_not_open_waits_behind_the_options_question_and_is_shown_there_with_its_fix():
    a = assessed(service="day care", cpv=["85312100"], term_years=4, value={"total_gbp": 900000}, vat="exempt", **PCR)
    chat = "\n".join(render_answer(a, [], None))
    assert "shorten the term" not in chat and "what are our options?" in chat
    options = render_routes(a)
    assert "Not open to you:" in options and "shorten the term, extensions included, to 3 years" in options


def test_an_asked_route_not_open_is_shown_first_in_chat():
    a = assessed(service="day care", cpv=["85312100"], aims=["mutual"], term_years=4, value={"total_gbp": 900000},
                 vat="exempt", **PCR)
    tail = render_answer(a, [], None)[-1]
    first = tail.splitlines()[1]
    assert "public service mutuals: not open, because" in first and "to 3 years" in first


def test_a_route_open_only_if_shows_its_condition_wherever_its_title_is_shown_and_ranks_after_routes_open_outright():
    from bot.render.text import ranked_routes, render_assessment, route_title

    a = assessed(service="home care", value={"total_gbp": 900000}, vat="exempt", **ACT)
    mutual = next(r for r in a.routes if r.id == "R-MUTUAL")
    assert mutual.condition and "5 years or less" in route_title(mutual)
    assert "5 years or less" in render_assessment(a)
    ranked = ranked_routes(a)
    first_conditional = min(i for i, r in enumerate(ranked) if r.condition)
    assert all(not r.condition for r in ranked[:first_conditional]) and all(r.condition for r in ranked[first_conditional:])
    chat = "\n".join(render_answer(a, [], None))
    assert "public service mutuals" not in chat or "only if" in chat


def test_research_services_by_their_code_list_the_r_and_d_exemption_only_if_for_the_public_benefit():
    # CPV 73110000 research services: exempt only as R&D for public benefit with no goods or works (Sch 2 para 22).
    a = assessed(cpv=["73110000"], value={"total_gbp": 300000}, vat="included", **ACT)
    assert a.regime == "PA2023"  # not known to be for the public benefit, so not assumed exempt
    route = next(r for r in a.routes if r.id == "R-RD-EXEMPT")
    assert "public benefit" in route.condition
