import pytest
from rasa.shared.nlu.constants import ENTITIES

from bot.nlu.duration_extractor import DurationExtractor


@pytest.fixture(scope="module")
def duration(make):
    return make(DurationExtractor)


@pytest.mark.parametrize(
    "text, years, extension",
    [
        ("it's 4 years plus 2 one-year extensions", 4.0, 2.0),
        ("4+1+1", 4.0, 2.0),
        ("36 months", 3.0, 0.0),
    ],
)
def test_duration(run, duration, values, text, years, extension):
    msg = run(text, duration)
    assert values(msg, "duration") == [{"years": years, "extension_years": extension}]
    (e,) = msg.get(ENTITIES)
    assert e["extractor"] == "DurationExtractor"


@pytest.mark.parametrize("text", ["£80k a year", "we signed it 2 years ago", "2026"])
def test_no_duration(run, duration, text):
    assert run(text, duration).get(ENTITIES, []) == []
