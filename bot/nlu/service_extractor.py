"""`ServiceExtractor`: services from the knowledge base's catalogue and CPV codes, wrapping
`bot.text.services`.

Entities:
- `service`: the catalogue entry id ("home_care"), once per entry named; a message naming two
  services gives two `service` entities (the engine then asks which, or treats it as mixed).
- `cpv`: an 8-digit CPV code, without its check digit ("85312000"): typed as a code, or named by its
  official CPV description ("welfare services for the elderly" -> "85311100"). A code that is not in the
  CPV 2008 list is still given as `cpv`, so the engine refuses it with a clear message instead of
  ignoring it.

The catalogue is read when the component is created (not at import), from `bot/ltr/knowledge/`.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu._common import ParserExtractor, entity
from bot.text.services import CPV_PREFIX, ServiceMatcher, default_matcher, find_cpv


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class ServiceExtractor(ParserExtractor):
    SOURCES = ("nlu/service_extractor.py", "text/services.py", "ltr/match.py", "ltr/cpv_catalogue.py",
               "ltr/knowledge.py", "ltr/knowledge/services.yml", "ltr/knowledge/cpv-2008.csv")

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
                if m.id.startswith(CPV_PREFIX):
                    out.append(entity("cpv", m.cpv, m.start, m.end, text))
                else:
                    out.append(entity("service", m.id, m.start, m.end, text))
        for c in find_cpv(text):
            if CPV_PREFIX + c.code not in seen:
                seen.add(CPV_PREFIX + c.code)
                out.append(entity("cpv", c.code, c.start, c.end, text))
        return out
