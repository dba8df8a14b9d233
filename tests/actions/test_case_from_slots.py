"""Slots, as the extractors fill them, read into the Case the engine takes."""
import pytest

from bot.assistant.case_from_slots import case_from_slots, commencement_event, is_unit_rate, needs_term, value_from
from bot.ltr import Case

ACT_START = "2025-02-24"


def test_a_one_shot_question_reads_into_a_case_the_engine_accepts():
    slots = {
        "service": "home_care",
        "money": {"amount_gbp": 700000.0},
        "commencement": {"date": "2027-04-01", "past": False, "event": "advertised", "precision": "month", "notice": None},
    }
    reading = case_from_slots(slots, ACT_START)
    assert reading.case == {"service": "home_care", "value": {"total_gbp": 700000.0}, "commenced": "2027-04-01"}
    Case.from_dict(reading.case)  # raises CaseError if the adapter built something the engine rejects


@pytest.mark.parametrize(
    "money, duration, expected",
    [
        ({"amount_gbp": 900000.0, "period": "total"}, None, {"total_gbp": 900000.0}),
        ({"amount_gbp": 180000.0, "period": "year"}, {"years": 3.0, "extension_years": 2.0},
         {"annual_gbp": 180000.0, "years": 3.0, "extension_years": 2.0}),
        ({"amount_gbp": 15000.0, "period": "month"}, {"years": 2.0, "extension_years": 0.0},
         {"annual_gbp": 15000.0 * 12, "years": 2.0}),
        # "£3m over 5 years": the years said with the amount win over a separate duration
        ({"amount_gbp": 250000.0, "period": "year", "years": 4.0}, {"years": 2.0, "extension_years": 1.0},
         {"annual_gbp": 250000.0, "years": 4.0, "extension_years": 1.0}),
        # a yearly figure with no known term: the engine decides what an unknown term means
        ({"amount_gbp": 80000.0, "period": "year"}, "unknown", {"annual_gbp": 80000.0}),
        ("unknown", None, {"unknown": True}),
    ],
)
def test_value_from_money_and_duration(money, duration, expected):
    assert value_from(money, duration) == expected


@pytest.mark.parametrize("money", [None, "lots", {"amount_gbp": "700k"}, {"amount_gbp": -5.0}, {"amount_gbp": True},
                                   {"amount_gbp": 300.0, "period": "week"}])
def test_values_that_are_not_a_contract_value_are_ignored(money):
    assert value_from(money, None) is None
    assert "value" not in case_from_slots({"money": money}).case


def test_unit_rates_are_recognised():
    assert is_unit_rate({"amount_gbp": 21.5, "period": "hour"})
    assert not is_unit_rate({"amount_gbp": 21.5, "period": "year"})


def test_a_yearly_figure_needs_a_term_unless_one_was_said():
    assert needs_term({"amount_gbp": 1.0, "period": "year"}, None)
    assert not needs_term({"amount_gbp": 1.0, "period": "year", "years": 3.0}, None)
    assert not needs_term({"amount_gbp": 1.0, "period": "year"}, "unknown")
    assert not needs_term({"amount_gbp": 1.0}, None)


def test_vat_said_with_the_amount_is_used_when_the_vat_slot_is_empty():
    assert case_from_slots({"money": {"amount_gbp": 1.0, "vat": "excluded"}}).case["vat"] == "excluded"
    assert case_from_slots({"money": {"amount_gbp": 1.0, "vat": "excluded"}, "vat": "exempt"}).case["vat"] == "exempt"


@pytest.mark.parametrize(
    "commencement, expected",
    [
        ({"date": "2024-12-01", "past": True, "event": "advertised", "notice": "find_a_tender"}, "pcr_contract_notice"),
        ({"date": "2025-06-01", "past": True, "event": "advertised", "notice": "find_a_tender"}, "tender_notice"),
        ({"date": "2023-05-01", "past": True, "event": "advertised", "notice": "contracts_finder"}, "contracts_finder_advert"),
        ({"date": "2022-05-01", "past": True, "event": "advertised", "notice": "pin"}, "pcr_pin"),
        ({"date": "2024-05-01", "past": True, "event": "awarded", "notice": None}, "contract_awarded"),
        # where it was advertised is not said: the engine states its own assumption
        ({"date": "2024-05-01", "past": True, "event": "advertised", "notice": None}, None),
        ({"date": "2027-04-01", "past": False, "event": "start", "notice": None}, None),
    ],
)
def test_commencement_events(commencement, expected):
    assert commencement_event(commencement, ACT_START) == expected


def test_a_contract_start_date_is_used_with_a_note_saying_so():
    reading = case_from_slots({"commencement": {"date": "2027-04-01", "past": False, "event": "start"}}, ACT_START)
    assert reading.case["commenced"] == "2027-04-01"
    assert any("contract starts" in n for n in reading.notes)


def test_a_date_less_commencement_is_not_a_date():
    assert "commenced" not in case_from_slots({"commencement": {"date": None, "past": True, "event": "advertised"}}).case


def test_unknown_buyer_is_left_to_the_engine_default_with_a_note():
    reading = case_from_slots({"buyer": "unknown"})
    assert "buyer" not in reading.case
    assert reading.notes == ["I've assumed the buyer is a London borough."]


def test_unknown_values_are_never_passed_as_facts():
    case = case_from_slots({"vat": "unknown", "cross_border": "unknown", "commencement": "unknown", "duration": "unknown"}).case
    assert case == {"vat": "unknown", "cross_border_interest": "unknown"}
