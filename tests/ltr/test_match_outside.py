"""Ordinary council services outside the catalogue (issue 18 item 4): the nearest CPV categories are offered with
their light touch status, the officer's words are kept, and the flow never stops or loops.

Light touch status is written from the statutory lists (reference §4.2, §4.3): 90xxxxxx cleaning and
sanitation, 77xxxxxx agricultural and forestry services, 98371000 funeral services and 70xxxxxx real estate
services are in neither list; 75242110 (in 75240000-75252000, public security, law and order), 79715000 (in
79700000-79721000, investigation and security) and 85312500 rehabilitation (in 85000000-85323000) are.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

import pytest

from bot.assistant.dialogue import Incoming, Outcome, turn
from bot.text.services import nearest_categories

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("words, code, light_touch", [
    ("graffiti removal", "90690000", False),
    ("bailiff services", "75242110", True),
    ("rehabilitation service", "85312500", True),
    ("school crossing patrols", "79715000", True),
])
def test_the_nearest_categories_include_the_official_one(words: str, code: str, light_touch: bool) -> None:
    got = nearest_categories(words, limit=3)
    hit = next((c for c in got if c.code == code), None)
    assert hit is not None, got
    assert hit.light_touch is light_touch
    assert hit.title.endswith("(light touch)" if light_touch else "(not light touch)")


@pytest.mark.parametrize("words", ["tree surgery", "allotment management", "mortuary services"])
def test_grounds_and_funeral_services_come_first_and_are_not_light_touch(words: str) -> None:
    first = nearest_categories(words, limit=3)[0]
    assert first.code[:2] in ("77", "98") and first.light_touch is False, first


@pytest.mark.parametrize("words", ["£3m", "1 April 2027", "hello", "what is the threshold?", "zorblatt provision"])
def test_nothing_is_offered_for_words_that_name_no_service(words: str) -> None:
    assert nearest_categories(words) == []


def test_a_service_category_comes_before_goods_of_the_same_name() -> None:
    # "mortuary" names goods (33970000 mortuary equipment) and a service; officers buy the service.
    first = nearest_categories("mortuary services")[0]
    assert int(first.code[:2]) > 48


class Chat:
    def __init__(self) -> None:
        self.state: Optional[dict[str, Any]] = None
        self.last: Optional[Outcome] = None

    def say(self, text: str, intent: Optional[str] = None, **entities: Any) -> Outcome:
        self.last = turn(self.state, Incoming(text, intent, entities), TODAY)
        self.state = self.last.state
        return self.last

    def press(self, title_start: str) -> Outcome:
        import json

        b = next(b for m in self.last.messages for b in m.buttons if b["title"].startswith(title_start))
        intent, _, body = b["payload"][1:].partition("{")
        return self.say(b["payload"], intent, **(json.loads("{" + body) if body else {}))

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.last.messages) if self.last else ""

    @property
    def titles(self) -> list[str]:
        return [b["title"] for m in self.last.messages for b in m.buttons]


SEVEN = ["graffiti removal", "bailiff services", "tree surgery", "school crossing patrols", "mortuary services",
         "allotment management", "rehabilitation service"]


@pytest.mark.parametrize("words", SEVEN)
def test_an_ordinary_council_service_never_stops_the_flow(words: str) -> None:
    chat = Chat()
    out = chat.say(f"{words}, £300k including VAT, tender notice May 2027")
    if out.assessment is None:
        # Not answered at once: the nearest categories are offered, each with its status, plus "Something else".
        offered = [t for t in chat.titles if t != "Something else"]
        assert offered and all(t.endswith("light touch)") for t in offered), chat.titles
        assert "Something else" in chat.titles
        out = chat.press(offered[0].rsplit(" (", 1)[0])
    assert out.assessment is not None and out.assessment.light_touch is not None, chat.text


def test_something_else_keeps_the_words_and_never_asks_again() -> None:
    chat = Chat()
    chat.say("school crossing patrols, £300k including VAT, tender notice May 2027")
    chat.press("Something else")
    assert "school crossing patrols" in chat.text and "CPV" in chat.text
    chat.say("thanks")
    assert "What service are you buying" not in chat.text and "is it one of these" not in chat.text.lower()
