"""What is bought decides, not whom it is for (issue 18 item 1).

Expected values come from the reference: §4.3 (design and architecture 71xxxxxx, software 48xxxxxx, IT 72xxxxxx,
cleaning 90xxxxxx, maintenance 50xxxxxx, marketing, telecoms and equipment are not light touch whatever the
client group) and §4.2 (supply of personnel, 79600000-79635000, is light touch only in defence and security
contracts, Table 2; supply of nursing staff 79624000 and medical staff 79625000 are in Table 1).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

import pytest

from bot.assistant.dialogue import Incoming, Outcome, turn
from bot.text.reader import read_message
from bot.text.services import purchase

TODAY = date(2026, 11, 26)


def head(text: str) -> Optional[str]:
    h = purchase(text).head
    return h.id if h else None


@pytest.mark.parametrize("text, bought", [
    # "Y – X": the project or client group first, what is bought after the dash
    ("Youth centre rebuild – multidisciplinary design team (architect + QS), £170k + VAT", "architecture"),
    ("Children's social care staffing – agency social workers through a managed service provider, £2.6m pa",
     "recruitment"),
    # "Y: X"
    ("Adult social care: case management system replacement, £900k", "software"),
    ("Family hubs: advertising campaign to reach new parents", "marketing"),
    # "X to support Y", "X for Y"
    ("Software to support children's social care, £900k", "software"),
    ("we need architects for the family hub refurbishment", "architecture"),
    ("laptops for the adult social care team", "it_equipment"),
    # "Y X": in a compound the last noun is the head
    ("care home cleaning contract", "cleaning"),
    ("we need to decide the route for a social care IT system", "software"),  # §4.3: IT is not LT for any client
    ("a digital platform for home care providers", "software"),
    ("social care staffing, 2 years", "recruitment"),
    ("day centre maintenance", "repair_maintenance"),
])
def test_the_head_of_the_purchase_is_what_is_bought(text: str, bought: str) -> None:
    assert head(text) == bought


def test_the_client_group_that_points_another_way_is_named() -> None:
    # Social work (85310000) is light touch; software is not (§4.3): the reading says which one decided.
    reading = purchase("Adult social care: case management system replacement")
    assert reading.head.id == "software"
    assert reading.client is not None and reading.client.text == "Adult social care"


def test_no_client_is_named_when_both_are_treated_alike() -> None:
    # Arts (92xxxxxx) and artistic services (92312000) are both light touch: nothing to explain.
    assert purchase("Cultural programme for our borough - artistic services").client is None


def test_nursing_staff_supply_is_the_exception_whatever_the_setting() -> None:
    # 79624000 supply of nursing staff is in PR24 Sch 1 Table 1 (§4.2): light touch.
    assert head("Care home staffing – agency nurses for night shifts") == "agency_nurses"


@pytest.mark.parametrize("text, bought", [
    # Both words name care services; the second says how it is delivered. Only a purchase that §4.3 treats the
    # same whatever the client (design, software, staff, cleaning...) takes the head from a care service.
    ("sexual health outreach", "sexual_health"),  # PSR Sch 1 (85312330), not community welfare
    ("Sexual health – outreach and prevention", "sexual_health"),
    ("substance misuse outreach service", "substance_misuse"),
])
def test_a_care_field_keeps_the_head_over_how_it_is_delivered(text: str, bought: str) -> None:
    assert head(text) == bought


def test_one_service_is_read_as_itself() -> None:
    assert head("home care for older people, £700k") == "home_care"
    assert purchase("home care for older people").client is None


def test_a_heading_dash_ends_a_phrase_but_a_range_does_not() -> None:
    # "staffing – agency" is not "staffing agency"; "0–19 service" is one service.
    r = read_message("Children's social care staffing – agency social workers", TODAY)
    assert "staffing – agency" not in [m.text for m in r.services]
    assert head("0–19 service recommission") == "health_visiting"


class Chat:
    def __init__(self) -> None:
        self.state: Optional[dict[str, Any]] = None
        self.last: Optional[Outcome] = None

    def say(self, text: str) -> Outcome:
        self.last = turn(self.state, Incoming(text, None, {}), TODAY)
        self.state = self.last.state
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.last.messages) if self.last else ""


def test_a_design_team_for_a_youth_centre_is_not_light_touch() -> None:
    chat = Chat()
    a = chat.say("Youth centre rebuild – multidisciplinary design team (architect + QS), £170k + VAT, "
                 "tender notice May 2027").assessment
    assert a is not None
    # Architectural services (71200000) are not light touch (§4.3); £170k + 20% VAT = £204k under the Act.
    assert (a.regime, a.light_touch, a.estimated_value_gbp) == ("PA2023", False, 204_000)
    assert "although it is for youth centre" in chat.text.lower()


def test_agency_social_workers_for_childrens_social_care_are_not_light_touch() -> None:
    a = Chat().say("Children's social care staffing – agency social workers through a managed service provider, "
                   "£2.6m pa, 3 years, VAT on top, tender notice May 2027").assessment
    assert a is not None
    # Supply of personnel other than nursing and medical staff is Table 2 only (defence and security, §4.2).
    assert a.light_touch is False
    assert a.threshold_gbp != 663_540  # the light touch threshold does not apply


def test_the_understood_service_says_the_head_decided() -> None:
    chat = Chat()
    chat.say("Adult social care: case management system replacement, £900k inc VAT, tender notice May 2027")
    assert "I read this as Software" in chat.text
    assert "not a light touch service, although it is for adult social care — change?" in chat.text


def test_a_department_named_by_its_remit_is_the_buyer_not_the_purchase() -> None:
    # "Department for Education" and "Department of Health and Social Care" name who buys (or receives),
    # so they say nothing about whether the purchase is light touch.
    assert head("The supply of SRMA to the Department for Education") is None
    assert head("Department of Health and Social Care: case management software") == "software"
