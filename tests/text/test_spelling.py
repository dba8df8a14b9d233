"""Typing slips in the words that carry the facts are put right before reading (bot/text/spelling.py)."""
from datetime import date

import pytest

from bot.text.reader import read_message
from bot.text.spelling import fix_slips


@pytest.mark.parametrize("typed, meant", [
    ("3 yeras", "3 years"), ("£345k per yaer", "£345k per year"), ("1 year extention", "1 year extension"),
    ("tender notcie in Arpil 2027", "tender notice in April 2027"), ("Marhc 2027", "March 2027"),
    ("totla £400k", "total £400k"), ("an option to extnd by 1", "an option to extend by 1"), ("£50k per anum", "£50k per annum"),
])
def test_slips_in_the_readers_words_are_put_right(typed: str, meant: str) -> None:
    assert fix_slips(typed) == meant


@pytest.mark.parametrize("text", ["a weak contract", "a novice provider", "the render farm", "home care", "£400k", "our contact is Jo", "match funding", "to the extent", "it does not include VAT", "one contract", "we extend it"])
def test_real_words_and_other_words_are_left_alone(text: str) -> None:
    assert fix_slips(text) == text


def test_a_slip_in_a_unit_no_longer_changes_the_value() -> None:
    # "£345k per yaer for 4 years": £345k a year x 4 = £1,380,000, not £345k in total.
    r = read_message("£345k per yaer for 4 years", date(2026, 11, 26))
    assert r.value.value == {"annual_gbp": 345_000, "years": 4}
    r = read_message("about £135,000 per year 3 yeras + 1 year extention", date(2026, 11, 26))
    assert r.value.value == {"annual_gbp": 135_000, "years": 3, "extension_years": 1}
