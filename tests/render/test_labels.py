"""Figures and labels that reconcile (issue 19, item 3): the Value row walks every step to the headline
figure, the labels say only what is true of the case, and each fact's source is exact.

Expected figures are worked from the reference (§3: whole-life value with options; under the Act values
include VAT at 20%), not read from the code.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from bot.assistant.dialogue import Incoming, turn
from bot.ltr import Case, assess
from bot.assistant.understood import understood_facts
from bot.render.record import checked_assessment, result_rows
from bot.render.text import footer, rules_updated

TODAY = date(2026, 11, 26)


class Chat:
    def __init__(self) -> None:
        self.state: Optional[dict[str, Any]] = None

    def say(self, text: str, intent: Optional[str] = None, **entities: Any):
        out = turn(self.state, Incoming(text, intent, entities), TODAY)
        self.state = out.state
        return out


def test_the_value_row_walks_to_the_headline_figure_vat_included() -> None:
    chat = Chat()
    out = chat.say("Home care, £450k a year for 3 years plus 2, plus VAT, tender notice 1 February 2027")
    a = out.assessment
    assert a is not None
    # 450,000 x (3 + 2) = 2,250,000 net; the Act counts VAT: x 1.2 = 2,700,000
    assert a.estimated_value_gbp == 2_700_000
    value = next(f for f in understood_facts(out.state, a) if f["id"] == "value")
    assert "£2,250,000" in value["text"]
    assert value["text"].rstrip(".").endswith("£2,700,000")  # the row ends on the figure in the headline
    assert "VAT" in value["text"]


def test_an_assumed_date_is_not_quoted_and_i_dont_know_is_not_you_said() -> None:
    chat = Chat()
    chat.say("Home care, £450k a year for 3 years plus 2, plus VAT")
    out = chat.say("I don't know", "dont_know")
    if out.assessment is None:  # a further question (VAT or the like): answer it too
        out = chat.say("I don't know", "dont_know")
    a = out.assessment
    assert a is not None
    facts = {f["id"]: f for f in understood_facts(out.state, a)}
    date_fact = facts["date"]
    assert date_fact["source"] == "assumed"
    assert '"' not in date_fact["text"]  # nothing is quoted as if the officer had said it
    assert "assumed" in date_fact["text"]


def test_a_value_the_officer_did_not_know_is_not_labelled_you_said() -> None:
    chat = Chat()
    chat.say("Home care starting with a tender notice on 1 February 2027")
    out = chat.say("I don't know", "dont_know")
    while out.assessment is None and out.state.get("pending"):
        out = chat.say("I don't know", "dont_know")
    facts = {f["id"]: f for f in understood_facts(out.state, out.assessment)}
    assert facts["value"]["source"] == "you didn't know"
    assert all(f["source"] != "you said" for f in facts.values() if "not known" in f["text"])


def test_a_psr_answer_has_no_light_touch_row_and_no_threshold_row_says_not_known() -> None:
    psr = assess(Case.from_dict({"service": "community nursing", "value": {"total_gbp": 3000000}, "buyer": "icb",
                                 "commenced": "2026-04-01", "health_service_purpose": True}), as_of=TODAY).to_dict()
    assert psr["regime"] == "PSR" and psr["threshold_gbp"] is None
    rows = dict(result_rows(checked_assessment(psr)))
    assert rows["Threshold"] == "No threshold applies"
    assert "Above the threshold" not in rows  # not "Not known" beside "No threshold applies"
    assert "Light touch service" not in rows  # the PSR applies instead: "No" would mislead


def test_a_light_touch_answer_keeps_its_rows() -> None:
    a = assess(Case.from_dict({"service": "home care", "value": {"total_gbp": 700000}, "vat": "exempt",
                               "commenced": "2027-01-05", "commencement_event": "tender_notice"}), as_of=TODAY).to_dict()
    rows = dict(result_rows(checked_assessment(a)))
    # Reference §4: £663,540 including VAT; £700,000 is above it.
    assert rows["Light touch service"] == "Yes" and rows["Above the threshold"] == "Yes"
    assert rows["Threshold"] == "£663,540 (including VAT)"


def test_officers_see_the_date_the_rules_were_updated_not_a_hash() -> None:
    assert rules_updated("2026-12-03+41d9bf9b") == "3 December 2026"
    assert rules_updated("") == "not stated"
    a = assess(Case.from_dict({"service": "home care", "value": {"total_gbp": 700000}, "commenced": "2027-01-05"}),
               as_of=TODAY)
    line = footer(a)
    assert line.startswith("Rules last updated ") and "+" not in line and "applied on 26 November 2026" in line
