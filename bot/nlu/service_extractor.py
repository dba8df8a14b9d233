"""`ServiceExtractor`: services from the knowledge base's catalogue and bare CPV codes, wrapping
`bot.text.services`.

Entities:
- `service`: the catalogue entry id ("home_care"), once per entry named; a message naming two
  services gives two `service` entities (the engine then asks which, or treats it as mixed).
- `cpv`: an 8-digit CPV code typed in the message, without its check digit ("85312000").

The catalogue is read when the component is created (not at import), from `bot/ltr/knowledge/`.
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
from bot.text.services import ServiceMatcher, default_matcher, find_cpv


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class ServiceExtractor(EntityExtractorMixin, GraphComponent):
    @classmethod
    def required_components(cls) -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # The catalogue is data the graph does not see: its content is part of the fingerprint.
        return source_fingerprint("nlu/service_extractor.py", "ltr/knowledge.py", "ltr/knowledge/services.yml")

    def __init__(self, matcher: ServiceMatcher) -> None:
        self._matcher = matcher

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ServiceExtractor":
        return cls(default_matcher())

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
