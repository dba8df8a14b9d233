"""What is bought, after the buying words, when no catalogue entry names it (bot.text.purchase.bought_words).

A corpus in Duckling's way: each message with the words it should give, and messages that must give nothing.
"""
from __future__ import annotations

import pytest

from bot.text.purchase import bought_words

SAID = {
    "Hi, I've been asked to find a company to clear graffiti from our estates. Do I have to run a tender?":
        "clear graffiti from our estates",
    "We need to commission someone to cut the grass in our parks. Can I just pick one?": "cut the grass in our parks",
    "we want to buy new road signs, what rules apply?": "new road signs",
    "My manager wants me to appoint a contractor who can repaint the town hall": "can repaint the town hall",
    "we need a provider for pest control in council housing": "pest control in council housing",
}
NOTHING = [
    "Do I have to run a tender?",
    "What is the threshold for light touch?",
    "we need to buy it now",
    "Can we buy this through a framework?",
    "£400k a year, no VAT, 3 + 2 years, tender notice in March",
]


@pytest.mark.parametrize("text,words", SAID.items())
def test_the_words_after_the_buying_words(text: str, words: str) -> None:
    assert bought_words(text) == words


@pytest.mark.parametrize("text", NOTHING)
def test_no_buying_words_no_purchase(text: str) -> None:
    assert bought_words(text) == ""
