"""A small TF-IDF index: which of a few dozen known phrasings is closest to what the officer typed.

Words (with a light plural/verb-ending trim) and character 4-grams inside words, so "thresold" still
finds "threshold". Deterministic, pure Python, built once per knowledge base.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Generic, Iterable, Sequence, TypeVar

T = TypeVar("T")

_WORD = re.compile(r"[a-z0-9£]+")
# Words that say nothing about the topic of a question.
STOPWORDS = frozenset(
    "a an the and or of to in on for with is are was were be been it its this that these those i we you our my me "
    "do does did can could would should will shall how what which who when where why there their they them as at by "
    "from about if so any some please tell more me us have has had need needs just than then into also much many "
    "yes no not whats wat hows whos im ive dont id ok okay hi hello thanks".split()
)


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def features(text: str) -> Counter[str]:
    words = [_stem(w) for w in _WORD.findall(text.lower().replace("'", "")) if w not in STOPWORDS]
    out: Counter[str] = Counter()
    for w in words:
        out["w:" + w] += 1.0
        # Character 4-grams carry a typo-tolerant share of the word's weight, not more than the word.
        padded = f"<{w}>"
        grams = [padded[i : i + 4] for i in range(len(padded) - 3)]
        for g in grams:
            out["c:" + g] += 1.0 / len(grams)
    for a, b in zip(words, words[1:]):
        out[f"b:{a}_{b}"] += 0.5
    return out


@dataclass(frozen=True)
class Hit(Generic[T]):
    item: T
    score: float


class PhraseIndex(Generic[T]):
    """Items, each with one or more phrasings; `rank(text)` scores each item by its closest phrasing."""

    def __init__(self, items: Iterable[tuple[T, Sequence[str]]]):
        self._items: list[T] = []
        phrasings: list[tuple[int, Counter[str]]] = []
        for n, (item, texts) in enumerate(items):
            self._items.append(item)
            for t in texts:
                f = features(t)
                if f:
                    phrasings.append((n, f))
        df: Counter[str] = Counter()
        for _, f in phrasings:
            df.update(f.keys())
        total = max(len(phrasings), 1)
        self._idf = {k: math.log((1 + total) / (1 + v)) + 1.0 for k, v in df.items()}
        # Words no phrasing uses are the rarest of all: they still count against a match.
        self._unseen_idf = math.log(1 + total) + 1.0
        self._vectors = [(n, self._weigh(f)) for n, f in phrasings]

    def _weigh(self, f: Counter[str]) -> dict[str, float]:
        v = {k: c * self._idf.get(k, self._unseen_idf) for k, c in f.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {k: x / norm for k, x in v.items()}

    def rank(self, text: str) -> list[Hit[T]]:
        q = self._weigh(features(text))
        best: dict[int, float] = {}
        for n, v in self._vectors:
            s = sum(x * v.get(k, 0.0) for k, x in q.items())
            if s > best.get(n, -1.0):
                best[n] = s
        order = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Hit(self._items[n], round(s, 4)) for n, s in order]
