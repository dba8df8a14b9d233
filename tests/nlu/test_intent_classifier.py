"""bot.server.intents.LinearIntentClassifier, the model's intent classifier (config.yml), trained and loaded
through Rasa's own model storage. Its quick run-time path (sum the weights of the n-grams found, softmax) must
give what scikit-learn's LogisticRegression gives on the same count vectors, computed here independently."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from bot.server.intents import LinearIntentClassifier

EXAMPLES = {
    "greet": ["hello", "hi there", "good morning", "hiya", "hey"],
    "thanks": ["thanks", "thank you very much", "cheers", "many thanks", "ta"],
    "assess": ["does ltr apply to a home care contract", "is a £500k supported living service light touch",
               "check a refuge contract worth 300k", "which rules apply to our day centre contract",
               "is reablement light touch"],
    "dont_know": ["no idea", "I don't know", "not sure yet", "we don't know", "unsure"],
}
CONFIG = {"C": 10.0, "char_ngrams": [3, 4], "random_seed": 2026, "max_iter": 2000}
PROBES = ["hello, is a homecare contract light touch?", "thnaks", "no idea at all", "", "£2m", "xyzzy", "HELLO"]


def _training_data() -> TrainingData:
    return TrainingData([Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts])


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    (tmp_path / "storage").mkdir()
    return LocalModelStorage(tmp_path / "storage")


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model")


@pytest.fixture
def trained(storage: LocalModelStorage, context: ExecutionContext) -> tuple[LinearIntentClassifier, Resource]:
    resource = Resource("intents")
    classifier = LinearIntentClassifier.create({**LinearIntentClassifier.get_default_config(), **CONFIG}, storage,
                                               resource, context)
    classifier.train(_training_data())
    return classifier, resource


def _reference_probabilities(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """scikit-learn end to end, as the component's docstring says it computes: counts, then predict_proba."""
    train_texts = [t for ts in EXAMPLES.values() for t in ts]
    labels = [i for i, ts in EXAMPLES.items() for _ in ts]
    vectorizers = [CountVectorizer(analyzer="word", token_pattern=r"(?u)\b\w+\b"),
                   CountVectorizer(analyzer="char_wb", ngram_range=(3, 4))]
    x = hstack([v.fit_transform(train_texts) for v in vectorizers]).tocsr()
    model = LogisticRegression(C=CONFIG["C"], class_weight="balanced", max_iter=2000, random_state=2026).fit(x, labels)
    probe = hstack([v.transform(texts) for v in vectorizers]).tocsr()
    return list(model.classes_), model.predict_proba(probe)


def _parse(classifier: LinearIntentClassifier, text: str) -> Message:
    return classifier.process([Message(data={"text": text})])[0]


def test_probabilities_are_logistic_regressions(trained: tuple[LinearIntentClassifier, Resource]) -> None:
    classifier, _ = trained
    classes, expected = _reference_probabilities(PROBES)
    assert classifier.classes == classes
    for text, row in zip(PROBES, expected):
        np.testing.assert_allclose(classifier.probabilities(text), row, rtol=1e-6, atol=1e-9)


def test_intent_and_ranking_as_rasa_sets_them(trained: tuple[LinearIntentClassifier, Resource]) -> None:
    classifier, _ = trained
    m = _parse(classifier, "hello there")
    ranking = m.get("intent_ranking")
    assert m.get("intent")["name"] == "greet" and m.get("intent") == ranking[0]
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert {r["name"] for r in ranking} == set(EXAMPLES)
    assert sum(confidences) == pytest.approx(1.0)
    assert {"intent", "intent_ranking"} <= set(m.output_properties)  # in Rasa's parse result


def test_a_message_without_text_is_left_alone(trained: tuple[LinearIntentClassifier, Resource]) -> None:
    classifier, _ = trained
    assert _parse(classifier, "").get("intent") is None


def test_ranking_length(storage: LocalModelStorage, context: ExecutionContext) -> None:
    classifier = LinearIntentClassifier.create({**LinearIntentClassifier.get_default_config(), **CONFIG,
                                                "ranking_length": 2}, storage, Resource("short"), context)
    classifier.train(_training_data())
    assert len(_parse(classifier, "thank you").get("intent_ranking")) == 2


def test_saved_and_loaded_as_data_not_pickles(trained: tuple[LinearIntentClassifier, Resource],
                                              storage: LocalModelStorage, context: ExecutionContext) -> None:
    classifier, resource = trained
    with storage.read_from(resource) as directory:
        assert sorted(p.name for p in Path(directory).iterdir()) == ["bias.npy", "model.json", "weights.npy"]
    loaded = LinearIntentClassifier.load({**LinearIntentClassifier.get_default_config(), **CONFIG}, storage, resource,
                                         context)
    for text in PROBES[:-1]:
        np.testing.assert_array_equal(loaded.probabilities(text), classifier.probabilities(text))
    assert _parse(loaded, "cheers").get("intent")["name"] == "thanks"


def test_an_untrained_resource_loads_and_classifies_nothing(storage: LocalModelStorage,
                                                            context: ExecutionContext) -> None:
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, Resource("missing"),
                                         context)
    assert _parse(loaded, "hello").get("intent") is None
