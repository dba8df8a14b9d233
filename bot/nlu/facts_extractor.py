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

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu._common import entity, readable_text, source_fingerprint
from bot.text.facts import parse_buyer, parse_cross_border


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class FactsExtractor(EntityExtractorMixin, GraphComponent):
    @classmethod
    def required_components(cls) -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"short_reply_words": 4}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return source_fingerprint("nlu/facts_extractor.py")

    def __init__(self, short_reply_words: int = 4) -> None:
        self._short = short_reply_words

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FactsExtractor":
        return cls(int(config.get("short_reply_words", 4)))

    def process(self, messages: List[Message], model: Optional[SpacyModel] = None) -> List[Message]:
        for message in messages:
            text = readable_text(message.get(TEXT))
            if text is None:
                continue
            found = self.extract(text)
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData, model: Optional[SpacyModel] = None) -> TrainingData:
        return training_data

    def extract(self, text: str) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        buyer = parse_buyer(text, answer=len(text.split()) <= self._short)
        if buyer is not None:
            out.append(entity("buyer", buyer.value, buyer.start, buyer.end, text))
        cross = parse_cross_border(text)
        if cross is not None:
            out.append(entity("cross_border", cross.value, cross.start, cross.end, text))
        return out
