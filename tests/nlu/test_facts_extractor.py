import pytest
from rasa.shared.nlu.constants import ENTITIES

from bot.nlu.facts_extractor import FactsExtractor


@pytest.fixture(scope="module")
def facts(make):
    return make(FactsExtractor)


@pytest.mark.parametrize(
    "text, buyer",
    [
        ("we are a London borough buying home care", "sub_central"),
        ("I'm at an NHS foundation trust", "nhs_foundation_trust"),
        ("the ICB is commissioning it", "icb"),
        ("a school", "school"),  # a short reply
    ],
)
def test_buyer(run, facts, values, text, buyer):
    assert values(run(text, facts), "buyer") == [buyer]


def test_school_meals_is_a_service_not_a_buyer(run, facts, values):
    assert values(run("school meals for 40 primaries", facts), "buyer") == []


@pytest.mark.parametrize(
    "text, value",
    [("no interest from abroad", "no"), ("EU suppliers might bid", "yes"), ("not sure about overseas interest", "unknown")],
)
def test_cross_border(run, facts, values, text, value):
    msg = run(text, facts)
    assert values(msg, "cross_border") == [value]
    assert all(e["extractor"] == "FactsExtractor" for e in msg.get(ENTITIES))


@pytest.mark.parametrize("text", ["no", "not sure", "yes"])
def test_bare_replies_are_left_to_intents(run, facts, values, text):
    assert values(run(text, facts), "cross_border") == []
