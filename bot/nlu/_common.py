"""What the extractor components share: building entity dicts, skipping button payloads, and a
fingerprint of the parser sources so Rasa's training cache notices when they change.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_BOT = Path(__file__).resolve().parent.parent


def entity(name: str, value: Any, start: int, end: int, text: str) -> dict[str, Any]:
    """A Rasa entity dict (the extractor name is added by `EntityExtractorMixin.add_extractor_name`)."""
    return {"entity": name, "value": value, "start": start, "end": end, "text": text[start:end] if end > start else ""}


def readable_text(message_text: Optional[str]) -> Optional[str]:
    """The text to read, or None for empty messages and button payloads ("/inform{...}"), which
    Rasa's RegexMessageHandler decodes itself."""
    if not message_text or message_text.lstrip().startswith("/"):
        return None
    return message_text


def source_fingerprint(*relative_paths: str, root: Path = _BOT) -> str:
    """A hash of the named files (relative to the `bot` package) and of every parser in `bot/text`.

    Rasa fingerprints a component by its class source only (not the module-level helpers it calls,
    nor data files), so each component adds this to `fingerprint_addon`.
    """
    paths: list[Path] = sorted((root / "text").glob("*.py")) + [root / "nlu" / "_common.py"]
    paths += [root / p for p in relative_paths]
    digest = hashlib.sha256()
    for path in _unique(paths):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for p in paths:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


class ParserExtractor(EntityExtractorMixin, GraphComponent):
    """The shared shape of the extractors: each wraps a pure `bot/text` parser.

    Subclasses set `SOURCES` (files, relative to `bot`, whose content must invalidate Rasa's cache),
    implement `extract(text)` (or `entities(text)`), and may override `get_default_config` and `from_config`.
    Registered by each subclass with `DefaultV1Recipe.register(ENTITY_EXTRACTOR, is_trainable=False,
    model_from="SpacyNLP")`: `model_from` is needed even though the spaCy doc is unused (field notes §2.10).
    """

    SOURCES: tuple[str, ...] = ()

    @classmethod
    def required_components(cls) -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return source_fingerprint(*cls.SOURCES)

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> "ParserExtractor":
        return cls()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ParserExtractor":
        return cls.from_config(config)

    def entities(self, text: str) -> List[Dict[str, Any]]:
        """The entities in one message; by default the subclass's `extract(text)`."""
        return self.extract(text)  # type: ignore[attr-defined]

    def process(self, messages: List[Message], model: Optional[SpacyModel] = None) -> List[Message]:
        for message in messages:
            text = readable_text(message.get(TEXT))
            if text is None:
                continue
            found = self.entities(text)
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData, model: Optional[SpacyModel] = None) -> TrainingData:
        return training_data
