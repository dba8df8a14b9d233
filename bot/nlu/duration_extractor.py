"""`DurationExtractor`: the contract term and extensions, wrapping `bot.text.duration.parse_duration`.

Entity `duration`: a JSON-able dict for an `any` slot, {"years": 4.0, "extension_years": 2.0}
("4 years plus 2 one-year extensions", "4+1+1"); extension_years is 0.0 when none is said.
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
from bot.text.duration import parse_duration


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class DurationExtractor(EntityExtractorMixin, GraphComponent):
    @classmethod
    def required_components(cls) -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return source_fingerprint("nlu/duration_extractor.py")

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DurationExtractor":
        return cls()

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

    @staticmethod
    def extract(text: str) -> List[Dict[str, Any]]:
        d = parse_duration(text)
        if d is None:
            return []
        return [entity("duration", {"years": d.years, "extension_years": d.extension_years}, d.start, d.end, text)]
