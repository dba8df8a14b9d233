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


# Officers' shorthand in front of a figure, split off so the figure is a number token of its own:
# "~1,100", "c.£8.20", "@£1,400", "x3,100", "≈£2m".
_PREFIXES = [r"~", r"≈", r"c\.(?=[£\d])", r"@", r"£", r"[x×](?=\d)"]
# Inside a token: "£640–690k", "2x12", "£1,400/bed/wk".
_INFIXES = [r"(?<=\d)[–—-](?=[\d£])", r"(?<=\d)[x×](?=\d)", r"/"]


@lru_cache(maxsize=1)
def blank_english() -> Any:
    """spaCy's blank English pipeline: its tokenizer (with the shorthand above) and vocabulary, shared by every
    Matcher."""
    nlp = spacy.blank("en")
    util = spacy.util
    nlp.tokenizer.prefix_search = util.compile_prefix_regex(list(nlp.Defaults.prefixes) + _PREFIXES).search
    nlp.tokenizer.infix_finditer = util.compile_infix_regex(list(nlp.Defaults.infixes) + _INFIXES).finditer
    return nlp


__all__ = ["blank_english", "spacy"]
