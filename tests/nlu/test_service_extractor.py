import pytest
from rasa.shared.nlu.constants import ENTITIES

from bot.ltr.knowledge import load_knowledge
from bot.nlu.service_extractor import ServiceExtractor


@pytest.fixture(scope="module")
def services(make):
    return make(ServiceExtractor)


def _entry_for(term: str) -> str:
    """The catalogue entry that lists `term` (read from the knowledge base, not the matcher)."""
    (entry,) = [s for s in load_knowledge().services if term in s.terms]
    return entry.id


def test_service_id_from_the_catalogue(run, services, values):
    text = "Does LTR apply to a £700k domiciliary care contract?"
    msg = run(text, services)
    assert values(msg, "service") == [_entry_for("domiciliary care")]
    (e,) = msg.get(ENTITIES)
    assert (text[e["start"]:e["end"]], e["extractor"]) == ("domiciliary care", "ServiceExtractor")


def test_two_services_give_two_entities(run, services, values):
    msg = run("meals on wheels plus a day centre", services)
    assert values(msg, "service") == [_entry_for("meals on wheels"), _entry_for("day centre")]


def test_each_service_once(run, services, values):
    msg = run("home care, I mean homecare", services)
    assert values(msg, "service") == [_entry_for("home care")]


def test_cpv_codes(run, services, values):
    msg = run("CPV 85312000-8", services)
    assert values(msg, "cpv") == ["85312000"]
    assert values(msg, "service") == []


def test_nothing_named(run, services):
    assert run("what is the threshold?", services).get(ENTITIES, []) == []


def test_official_cpv_description_gives_its_code(run, services, values):
    msg = run("welfare services for the elderly, £400k", services)
    assert values(msg, "cpv") == ["85311100"]
    assert values(msg, "service") == []


def test_unknown_cpv_code_still_reaches_the_engine(run, services, values):
    # Given as `cpv` so the engine can refuse it with a clear message; it is not dropped silently.
    assert values(run("CPV 85399999", services), "cpv") == ["85399999"]
