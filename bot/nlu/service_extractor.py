"""`ServiceExtractor`: services from the knowledge base's catalogue and bare CPV codes, wrapping
`bot.text.services`.

Entities:
- `service`: the catalogue entry id ("home_care"), once per entry named; a message naming two
  services gives two `service` entities (the engine then asks which, or treats it as mixed).
- `cpv`: an 8-digit CPV code typed in the message, without its check digit ("85312000").

The catalogue is read when the component is created (not at import), from `bot/ltr/knowledge/`.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu._common import ParserExtractor, entity
from bot.text.services import ServiceMatcher, default_matcher, find_cpv


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class ServiceExtractor(ParserExtractor):
    SOURCES = ("nlu/service_extractor.py", "ltr/knowledge.py", "ltr/knowledge/services.yml")

    def __init__(self, matcher: ServiceMatcher) -> None:
        self._matcher = matcher

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> "ServiceExtractor":
        return cls(default_matcher())

    def extract(self, text: str) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        seen: set[str] = set()
        for m in self._matcher.match(text):
            if m.id not in seen:
                seen.add(m.id)
                out.append(entity("service", m.id, m.start, m.end, text))
        for c in find_cpv(text):
            if c.code not in seen:
                seen.add(c.code)
                out.append(entity("cpv", c.code, c.start, c.end, text))
        return out
