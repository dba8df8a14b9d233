import json

import pytest
from rasa.shared.nlu.constants import ENTITIES

from bot.nlu.money_extractor import MoneyExtractor


@pytest.fixture(scope="module")
def money(make):
    return make(MoneyExtractor)


def test_amount_period_and_vat(run, money, values):
    text = "does LTR apply to home care at £250k pa ex VAT?"
    msg = run(text, money)
    assert values(msg, "money") == [{"amount_gbp": 250_000.0, "period": "year", "vat": "excluded"}]
    assert values(msg, "amount") == [250_000.0]
    assert values(msg, "period") == ["year"]
    assert values(msg, "vat") == ["excluded"]
    for e in msg.get(ENTITIES):
        assert e["extractor"] == "MoneyExtractor"
        assert text[e["start"]:e["end"]] == "£250k pa ex VAT"


def test_over_n_years(run, money, values):
    msg = run("3m over 5 yrs", money)
    assert values(msg, "money") == [{"amount_gbp": 3_000_000.0, "period": "total", "years": 5.0}]


@pytest.mark.parametrize(
    "text, vat", [("sorry, that figure was ex VAT", "excluded"), ("it includes VAT", "included"), ("not sure about the VAT", "unknown")]
)
def test_vat_said_without_an_amount(run, money, values, text, vat):
    msg = run(text, money)
    assert values(msg, "amount") == []
    assert values(msg, "vat") == [vat]


@pytest.mark.parametrize("text", ["a 4 year contract starting April 2026", "CPV 85312000", "4+1+1", "36 months"])
def test_nothing_that_is_not_money(run, money, text):
    assert run(text, money).get(ENTITIES, []) == []


def test_keeps_entities_from_earlier_extractors(run, money, values):
    earlier = [{"entity": "service", "value": "home_care", "start": 0, "end": 9, "extractor": "ServiceExtractor"}]
    msg = run("home care £700k", money, entities=earlier)
    assert values(msg, "service") == ["home_care"]
    assert values(msg, "amount") == [700_000.0]


def test_button_payloads_are_left_to_rasa(run, money):
    msg = run('/inform{"amount": 5}', money)
    assert msg.get(ENTITIES, []) == []


def test_entities_survive_json(run, money):
    msg = run("£1.2m whole life, inc VAT", money)
    assert json.loads(json.dumps(msg.get(ENTITIES))) == msg.get(ENTITIES)


def test_entities_are_in_the_output(run, money):
    msg = run("£650k", money)
    assert ENTITIES in msg.output_properties
