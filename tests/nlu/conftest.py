"""Builds the components the way Rasa does (create with a model storage, a resource and an
execution context) and runs real `Message`s through a real SpacyNLP model loaded from the blank
pipeline that `bot.nlu.build_spacy` saves, then SpacyTokenizer, then the component under test."""
from typing import Any, Callable, Dict, List, Optional

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.build_spacy import build


@pytest.fixture(scope="session")
def storage(tmp_path_factory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("model_storage"))


@pytest.fixture(scope="session")
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), model_id="nlu-tests")


@pytest.fixture(scope="session")
def make(storage, context) -> Callable[..., Any]:
    def _make(cls, **config):
        return cls.create({**cls.get_default_config(), **config}, storage, Resource(cls.__name__), context)

    return _make


@pytest.fixture(scope="session")
def spacy_nlp(tmp_path_factory, make) -> SpacyNLP:
    path = build(tmp_path_factory.mktemp("spacy") / "spacy_blank_en")
    return make(SpacyNLP, model=str(path))


@pytest.fixture(scope="session")
def run(spacy_nlp, make) -> Callable[..., Message]:
    """run(text, component, *more) -> the processed Message."""
    model = spacy_nlp.provide()
    tokenizer = make(SpacyTokenizer)

    def _run(text: str, *components, entities: Optional[List[Dict[str, Any]]] = None) -> Message:
        message = Message(data={TEXT: text})
        if entities is not None:
            message.set(ENTITIES, entities)
        spacy_nlp.process([message], model)
        tokenizer.process([message])
        for component in components:
            component.process([message], model)
        return message

    return _run


@pytest.fixture(scope="session")
def values() -> Callable[[Message, str], list]:
    """values(message, entity_name) -> the values of that entity, in order."""

    def _values(message: Message, name: str) -> list:
        return [e["value"] for e in message.get(ENTITIES, []) if e["entity"] == name]

    return _values
