"""The one spaCy pipeline the readers share: blank English (tokenizer, Matcher, PhraseMatcher), no model.

spaCy's thinc imports TensorFlow when it is installed (Rasa installs it), which costs seconds and hundreds of
megabytes in the action server and the `ltr` command, and prints warnings. Nothing here uses TensorFlow, so
it is hidden from thinc while spaCy is first imported; a later `import tensorflow` (Rasa's own) still works.
"""
from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any


def _import_spacy() -> Any:
    hidden = "tensorflow" not in sys.modules
    if hidden:
        sys.modules["tensorflow"] = None  # type: ignore[assignment]  # makes `import tensorflow` fail in thinc.compat
    try:
        import spacy
    finally:
        if hidden and sys.modules.get("tensorflow", 0) is None:
            del sys.modules["tensorflow"]
    return spacy


spacy = _import_spacy()


@lru_cache(maxsize=1)
def blank_english() -> Any:
    """spaCy's blank English pipeline: its tokenizer and vocabulary, shared by every Matcher."""
    return spacy.blank("en")


__all__ = ["blank_english", "spacy"]
