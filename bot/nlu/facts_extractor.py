"""`FactsExtractor`: buyer type and cross-border interest, wrapping `bot.text.facts`.

Entities:
- `buyer`: sub_central | central | school | utility | nhs_trust | nhs_foundation_trust | icb | nhs_england.
  Clear wording anywhere ("we are a London borough", "NHS foundation trust"); a short reply
  (at most `short_reply_words` words, e.g. "a school", "the trust") is read as an answer.
- `cross_border`: yes | no | unknown, only when the message talks about suppliers abroad
  ("no interest from abroad", "EU suppliers might bid", "not sure about overseas interest").
  A bare "no" or "not sure" is left to the affirm/deny/dont_know intents, because the extractor
  does not know which question it answers.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu._common import ParserExtractor, entity
from bot.text.facts import parse_buyer, parse_cross_border


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class FactsExtractor(ParserExtractor):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"short_reply_words": 4}

    SOURCES = ("nlu/facts_extractor.py",)

    def __init__(self, short_reply_words: int = 4) -> None:
        self._short = short_reply_words

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> "FactsExtractor":
        return cls(int(config.get("short_reply_words", 4)))

    def extract(self, text: str) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        buyer = parse_buyer(text, answer=len(text.split()) <= self._short)
        if buyer is not None:
            out.append(entity("buyer", buyer.value, buyer.start, buyer.end, text))
        cross = parse_cross_border(text)
        if cross is not None:
            out.append(entity("cross_border", cross.value, cross.start, cross.end, text))
        return out
