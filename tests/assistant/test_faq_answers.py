"""What faq_reply answers: the date asked, the officer's last case, the classifier and the engine, and the
reply when it is not sure. Expected figures and rules come from the reference (../shared/domain)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from bot.assistant.faq import NOT_SURE, faq_reply, topic_of

TODAY = date(2026, 11, 26)
PCR_CASE = {"service": "home care", "value": {"total_gbp": 900000}, "commenced": "2024-11-01",
            "commencement_event": "pcr_contract_notice"}
ACT_CASE = {"service": "home care", "value": {"total_gbp": 900000}, "commenced": "2026-06-01"}
ACT_BELOW_CASE = {"service": "home care", "value": {"total_gbp": 100000}, "commenced": "2026-06-01"}
ACT_IT_CASE = {"service": "IT support", "value": {"total_gbp": 900000}, "commenced": "2026-06-01"}
PSR_CASE = {"service": "substance misuse treatment", "value": {"total_gbp": 900000}, "commenced": "2026-06-01"}


def reply(question: str, **kw):
    return faq_reply(question, as_of=kw.pop("as_of", TODAY), **kw)


# ---- the date asked -------------------------------------------------------------------------------


def test_threshold_today_is_the_acts_light_touch_figure():
    r = reply("what's the light touch threshold?")
    assert r.confident and "£663,540" in r.text and "Procurement Act 2023" in r.text


def test_threshold_in_a_past_year_is_the_pcr_figure_of_that_year():
    # PCR reg 5(1)(d): £615,278 net of VAT for procurements commenced in 2018-2019 (reference §2.1).
    r = reply("what was the light touch threshold for a tender in 2019?")
    assert r.confident and "£615,278" in r.text and "excluding VAT" in r.text
    assert "PCR 2015" in r.text and "Procurement Act 2023 s." not in r.text


def test_the_threshold_for_a_procurement_commenced_in_a_named_year_is_that_years_figure():
    # "commenced" alone asks which date counts; with a year named, the officer wants the figure then:
    # the PCR 2015 light touch threshold for 2018-2019 was £615,278 (reference §2.1)
    r = reply("What was the light touch threshold for a procurement commenced in 2019 under the PCR?")
    assert r.confident and "£615,278" in r.text
    r = reply("does the threshold depend on when the procurement commenced?")
    assert topic_of(r.faq_id) == "threshold_commencement"


def test_the_2026_change_left_light_touch_alone_and_cut_the_standard_threshold():
    r = reply("did the light touch threshold fall in January 2026?")
    assert r.confident and "£663,540" in r.text
    assert "£214,904" in r.text and "£207,720" in r.text  # Act Sch 1 row 12, SI 2025/163 -> SI 2025/1200


def test_the_year_in_an_instruments_name_is_not_the_date_asked():
    r = reply("What is the light touch threshold under the Procurement Act 2023?")
    assert "2023," not in r.text and "26 November 2026" in r.text and "£663,540" in r.text


def test_a_pcr_figure_without_a_date_is_the_last_one_before_the_act():
    # Saved PCR procurements began before 24 February 2025: from 1 January 2024 the sub-central standard
    # threshold was £214,904 including VAT (reference §2.2), not the Act's 2026 figure.
    r = reply("what was the standard services threshold under PCR?")
    assert r.faq_id == "threshold_standard.pcr" and "£214,904 including VAT" in r.text and "£207,720" not in r.text


def test_is_x_light_touch_at_a_pcr_date_cites_pcr_schedule_3():
    r = reply("was home care light touch in 2019?")
    assert r.faq_id == "is_light_touch" and "PCR 2015 Schedule 3" in r.text and "2024/692" not in r.text


def test_a_pcr_question_gets_the_pcr_answer():
    r = reply("under PCR do light touch contracts need a standstill?")
    assert r.faq_id == "standstill.pcr" and "10-day" in r.text and "regs 86-87" in r.text


# ---- the officer's last case ------------------------------------------------------------------------


def test_after_a_pcr_case_the_standstill_answer_cites_pcr():
    r = reply("do we need a standstill?", context=PCR_CASE)
    assert r.confident and r.faq_id == "standstill.pcr"
    assert "reg" in r.text and "PCR 2015" in r.text and "s.51" not in r.text


def test_after_an_act_case_there_is_no_mandatory_standstill():
    r = reply("do we need a standstill?", context=ACT_CASE)
    assert r.faq_id == "standstill.pa" and "s.51" in r.text and "No mandatory standstill" in r.text


def test_after_a_below_threshold_case_there_is_no_standstill():
    r = reply("do we need a standstill?", context=ACT_BELOW_CASE)
    assert r.faq_id == "standstill.below"


def test_after_a_non_light_touch_case_the_standstill_is_mandatory():
    r = reply("do we need a standstill?", context=ACT_IT_CASE)
    assert r.faq_id == "standstill.pa_std" and "8 working days" in r.text


def test_after_a_psr_case_the_standstill_is_the_psr_one():
    r = reply("do we need a standstill?", context=PSR_CASE)
    assert r.faq_id == "standstill.psr" and "reg 12" in r.text


def test_notices_follow_the_case():
    assert reply("what notices do we need?", context=ACT_CASE).faq_id == "notices.pa"
    below = reply("what notices do we need?", context=ACT_BELOW_CASE)
    assert below.faq_id == "notices.pa_below" and "£30,000" in below.text  # s.87(4), sub-central
    assert reply("what notices do we need?", context=PCR_CASE).faq_id == "notices.pcr"


def test_the_threshold_for_a_case_is_the_engines():
    it = reply("what is the threshold?", context=ACT_IT_CASE)
    # IT services are not light touch: the sub-central standard threshold from 1 January 2026 applies.
    assert it.confident and "£207,720" in it.text and "£663,540" not in it.text
    pcr = reply("what is the threshold?", context=PCR_CASE)
    assert "Public Contracts Regulations 2015" in pcr.text and "PCR 2015 reg 5(1)(d)" in pcr.text


def test_is_it_light_touch_after_a_case_answers_for_that_case():
    r = reply("is it light touch?", context=ACT_IT_CASE)
    assert r.confident and "not a light touch contract" in r.text


# ---- answered by the classifier and by the engine ---------------------------------------------------------


def test_is_x_light_touch_is_answered_by_the_classifier():
    r = reply("is home care light touch?")
    assert r.confident and r.faq_id == "is_light_touch" and "85312000" in r.text and " is a light touch service" in r.text


def test_a_service_that_is_not_light_touch_says_so():
    r = reply("is home to school transport LT?")
    assert r.faq_id == "is_light_touch" and "not a light touch service" in r.text


def test_telecare_splits_monitoring_from_equipment():
    r = reply("is telecare light touch?")
    assert "79711000" in r.text and re.search(r"not (?:a )?light touch", r.text)


def test_a_psr_service_is_not_light_touch_but_psr():
    r = reply("is substance misuse treatment light touch?")
    assert "Provider Selection Regime" in r.text


def test_the_value_to_compare_is_worked_out_by_the_engine():
    # Act Sch 3 para 1: £150k a year for 3 years plus a 2-year extension is £750,000 whole-life.
    r = reply("day services at £150k a year including VAT for 3 years plus a 2 year extension - what value do we check against the threshold?")
    assert r.confident and topic_of(r.faq_id) == "estimate_value" and "£750,000" in r.text


# ---- not sure ---------------------------------------------------------------------------------------------


def test_not_sure_says_so_offers_at_most_three_topics_and_names_the_legal_team():
    r = reply("what colour is the procurement portal")
    assert not r.confident and r.faq_id is None and r.text == NOT_SURE
    assert "legal team" in r.text
    assert 1 <= len(r.buttons) <= 3
    assert all(re.fullmatch(r'/faq\{"faq_id": "[a-z_.]+"\}', b["payload"]) for b in r.buttons)


def test_a_button_answers_its_entry():
    r = faq_reply("", faq_id="mutuals.pcr", as_of=TODAY)
    assert r.confident and r.faq_id == "mutuals.pcr" and "3 years" in r.text and "reg 77" in r.text


@pytest.mark.parametrize("faq_id", ["threshold.pa", "notifiable", "kpis"])
def test_figures_in_answers_are_filled(faq_id):
    assert "{" not in faq_reply("", faq_id=faq_id, as_of=TODAY).text
