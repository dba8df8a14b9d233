"""The reader places the buyer in another UK nation only when the buyer is named as such (reference §11): a
council, health board or government of that nation, or "we are based in Wales". A place a London borough buys
in ("a placement in Cardiff") or a service named after a nation ("Welsh language interpreting") is not a buyer."""
from __future__ import annotations

from datetime import date

import pytest

from bot.text.facts import parse_nation
from bot.text.reader import read_message

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("text, nation", [
    ("Cardiff Council is buying home care for £900k", "wales"),
    ("Welsh Government wants a framework for advocacy", "wales"),
    ("Betsi Cadwaladr University Health Board, community support", "wales"),
    ("Conwy County Borough Council day opportunities", "wales"),
    ("we are a Welsh local authority buying respite", "wales"),
    ("Glasgow City Council, supported living, £2m", "scotland"),
    ("NHS Scotland needs a care service", "scotland"),
    ("The Highland Council is tendering home care", "scotland"),
    ("City of Edinburgh Council", "scotland"),
    ("we're based in Scotland", "scotland"),
    ("Belfast City Council leisure services", "northern_ireland"),
    ("Southern Health and Social Care Trust domiciliary care", "northern_ireland"),
])
def test_a_buyer_named_as_in_another_nation_is_read_as_such(text, nation):
    found = parse_nation(text)
    assert found is not None and found.value == nation
    r = read_message(text, TODAY)
    assert r.flags.get("england") is False and r.flags.get("nation") == nation


@pytest.mark.parametrize("text", [
    "Welsh language interpreting for Camden",
    "a residential placement in Cardiff for a looked-after child",
    "Scottish dancing classes at our day centre",
    "Hackney Council is buying home care",
    "NHS England commissioning support",
])
def test_a_place_or_a_word_that_is_not_the_buyer_does_not_take_the_case_out_of_england(text):
    assert parse_nation(text) is None
    assert read_message(text, TODAY).flags.get("england") is None
