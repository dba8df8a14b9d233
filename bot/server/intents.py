"""The intent classifier (config.yml): words and character n-grams counted, then a logistic regression.

The assistant asks Rasa's NLU for one thing, the intent, as a hint to the dialogue (the facts are read by
bot/text in the action server). DIET did that with TensorFlow: a second or more of every start-up, hundreds
of MB of memory, and the larger share of a turn's NLU time. This component does it with scikit-learn at
training time and NumPy at run time, in one graph node:

- training: the same features the pipeline had (word counts, and char_wb 3-4 grams for officers' typos),
  by scikit-learn's CountVectorizer, and a multinomial LogisticRegression with balanced class weights;
- the model is stored as plain data (vocabularies in JSON, weights in .npy, loaded with allow_pickle=False),
  so loading a model runs no code from it;
- a message's intent: its n-grams looked up in the vocabularies, the weights of those found summed, softmax.
  That is exactly LogisticRegression.predict_proba on the count vector (tests/nlu/test_intent_classifier.py
  checks it), in tens of microseconds instead of a few milliseconds through Rasa's featurizers and SciPy.

It sets `intent` and `intent_ranking` as Rasa's classifiers do, so FallbackClassifier and `rasa test nlu`
work unchanged. Payloads ("/inform{...}") are still given their intent by Rasa's RegexMessageHandler.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

WORD_TOKENS = r"(?u)\b\w+\b"  # single-letter words too ("a", "i"): they separate "I don't know" from "don't"


def _vectorizers(config: Dict[Text, Any]) -> list:
    from sklearn.feature_extraction.text import CountVectorizer

    char = config["char_ngrams"]
    return [
        CountVectorizer(analyzer="word", token_pattern=WORD_TOKENS, lowercase=True),
        CountVectorizer(analyzer="char_wb", ngram_range=(int(char[0]), int(char[1])), lowercase=True),
    ]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Intent from word and character n-gram counts by logistic regression; needs no tokenizer or featurizer."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "char_ngrams": [3, 4],
            "C": 1.0,  # inverse regularisation strength (scikit-learn's LogisticRegression)
            "max_iter": 2000,
            "random_seed": 2026,
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.classes: List[Text] = []
        self.vocabularies: List[Dict[Text, int]] = [{}, {}]
        self.weights = np.zeros((0, 0))  # (features, classes): rows of the word vocabulary, then the char one
        self.bias = np.zeros(0)
        self._analyzers = [v.build_analyzer() for v in _vectorizers(self.config)]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    # ---- training ------------------------------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        from scipy.sparse import hstack
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples: %s is not trained.", self.__class__.__name__)
            return self._resource
        texts = [e.get(TEXT) for e in examples]
        labels = [e.get(INTENT) for e in examples]
        vectorizers = _vectorizers(self.config)
        x = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
        model = LogisticRegression(C=float(self.config["C"]), class_weight="balanced", max_iter=int(self.config["max_iter"]),
                                   random_state=int(self.config["random_seed"]), solver="lbfgs", multi_class="multinomial")
        model.fit(x, labels)
        self.classes = [str(c) for c in model.classes_]
        self.vocabularies = [{str(k): int(i) for k, i in v.vocabulary_.items()} for v in vectorizers]
        self.weights = np.ascontiguousarray(model.coef_.T)
        self.bias = np.asarray(model.intercept_, dtype=float)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._storage.write_to(self._resource) as directory:
            (directory / "model.json").write_text(
                json.dumps({"classes": self.classes, "vocabularies": self.vocabularies}), encoding="utf-8")
            np.save(directory / "weights.npy", self.weights, allow_pickle=False)
            np.save(directory / "bias.npy", self.bias, allow_pickle=False)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                saved = json.loads((directory / "model.json").read_text(encoding="utf-8"))
                component.weights = np.load(directory / "weights.npy", allow_pickle=False)
                component.bias = np.load(directory / "bias.npy", allow_pickle=False)
        except (ValueError, FileNotFoundError):
            logger.debug("%s: no trained model in resource '%s'.", cls.__name__, resource.name)
            return component
        component.classes = saved["classes"]
        component.vocabularies = saved["vocabularies"]
        return component

    # ---- inference -----------------------------------------------------------------------------------
    def feature_rows(self, text: Text) -> List[int]:
        """The rows of `weights` for the n-grams of `text` found in training, once per occurrence (counts)."""
        rows: List[int] = []
        offset = 0
        for analyze, vocabulary in zip(self._analyzers, self.vocabularies):
            rows.extend(offset + vocabulary[g] for g in analyze(text) if g in vocabulary)
            offset += len(vocabulary)
        return rows

    def probabilities(self, text: Text) -> np.ndarray:
        rows = self.feature_rows(text)
        z = self.weights[rows].sum(axis=0) + self.bias if rows else self.bias.copy()
        z = np.exp(z - z.max())
        return z / z.sum()

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.classes:
            return messages
        for message in messages:
            text: Optional[Text] = message.get(TEXT)
            if not text:
                continue
            p = self.probabilities(text)
            order = np.argsort(-p, kind="stable")
            ranking = [{INTENT_NAME_KEY: self.classes[i], PREDICTED_CONFIDENCE_KEY: float(p[i])} for i in order]
            length = int(self.config["ranking_length"])
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)
        return messages
