"""`DurationExtractor`: the contract term and extensions, wrapping `bot.text.duration.parse_duration`.

Entity `duration`: a JSON-able dict for an `any` slot, {"years": 4.0, "extension_years": 2.0}
("4 years plus 2 one-year extensions", "4+1+1"); extension_years is 0.0 when none is said.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu._common import ParserExtractor, entity
from bot.text.duration import parse_duration


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class DurationExtractor(ParserExtractor):
    SOURCES = ("nlu/duration_extractor.py",)

    @staticmethod
    def extract(text: str) -> List[Dict[str, Any]]:
        d = parse_duration(text)
        if d is None:
            return []
        return [entity("duration", {"years": d.years, "extension_years": d.extension_years}, d.start, d.end, text)]
