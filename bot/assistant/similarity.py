"""Which of a few dozen known phrasings is closest to what the officer typed.

Built on scikit-learn's TF-IDF and rapidfuzz rather than hand-written scoring:
- words (lightly stemmed, with bigrams) carry the topic: "standstill", "open framework";
- character n-grams inside words (`char_wb`) forgive typos the word model cannot ("thresold");
- before scoring, a query word unknown to the index is replaced by its closest known word when it is
  clearly a misspelling of it (rapidfuzz ratio), so "standstil" counts as "standstill" for the word model too.
`PhraseClassifier` adds a logistic regression on the same features, for many items that share words (FAQ).
PhraseIndex scores are cosine similarities in [0, 1], so callers can set thresholds on them. An item's score is that
of its closest phrasing or, with `phrasing_weight` < 1, a blend of that and the similarity to all its
phrasings and `context` together: a long question then still finds the item whose words it shares overall,
not only the one short phrasing it happens to resemble. Deterministic; built once per set of phrasings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, Iterable, Optional, Sequence, TypeVar

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

T = TypeVar("T")

_WORD = re.compile(r"[a-z0-9£]+(?:\.\d+)?")
# Words that say nothing about the topic of a question.
STOPWORDS = frozenset(
    "a an the and or of to in on for with is are was were be been it its this that these those i we you our my me "
    "do does did can could would should will shall how what which who when why there their they them as at by "
    "from about if so any some please tell more us have has had need needs just than then into also many "
    "yes no not whats wat hows whos im ive dont id ok okay hi hello thanks still get got want know "
    "us am being going one".split()
)
# Share of the score given to the word model; the rest goes to character n-grams.
WORD_WEIGHT = 0.5
# How alike a misspelt word must be to a known word to be read as it (rapidfuzz ratio, 0-100).
TYPO_RATIO = 85
TYPO_MIN_LENGTH = 4
SWAP_MIN_LENGTH = 5


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """The topic words of a text, lower case, without stopwords."""
    low = text.lower().replace("'", "").replace("’", "")
    return [w for w in _WORD.findall(low) if w not in STOPWORDS]


def _analyse(tokens: list[str]) -> list[str]:
    stems = [_stem(w) for w in tokens]
    return stems + [f"{a}_{b}" for a, b in zip(stems, stems[1:])]


@dataclass(frozen=True)
class Hit(Generic[T]):
    item: T
    score: float


class _Space:
    """TF-IDF rows for some texts, words and character n-grams; `similarity` of a query to each row."""

    def __init__(self, docs: list[list[str]]):
        self._word = TfidfVectorizer(analyzer=_analyse, sublinear_tf=True)
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self._wm = self._word.fit_transform(docs)
        self._cm = self._char.fit_transform([" ".join(d) for d in docs])
        self._last: Optional[tuple] = None

    def _query(self, toks: list[str]):
        # similarity() and features() ask for the same query in one ranking: each transform costs about
        # 4 ms on 2 cores (bench/profile.py), so the last query's vectors are kept.
        key = tuple(toks)
        if self._last is None or self._last[0] != key:
            self._last = (key, self._word.transform([toks]), self._char.transform([" ".join(toks)]))
        return self._last[1], self._last[2]

    def features(self, toks: list[str]):
        return hstack(self._query(toks))

    def matrix(self):
        return hstack([self._wm, self._cm]).tocsr()

    def similarity(self, toks: list[str]):
        # Rows are L2-normalised by TfidfVectorizer, so the dot product is the cosine.
        w, c = self._query(toks)
        word = (self._wm @ w.T).toarray().ravel()
        char = (self._cm @ c.T).toarray().ravel()
        return WORD_WEIGHT * word + (1 - WORD_WEIGHT) * char


class PhraseIndex(Generic[T]):
    """Items, each with one or more phrasings; `rank(text)` scores each item by its closest phrasing,
    blended (when `phrasing_weight` < 1) with its similarity to all its phrasings plus its `context`."""

    def __init__(self, items: Iterable[tuple[T, Sequence[str]]], context: Sequence[str] = (),
                 phrasing_weight: float = 1.0, vocabulary: Iterable[str] = ()):
        self._items: list[T] = []
        self._owner: list[int] = []
        self._weight = phrasing_weight
        docs: list[list[str]] = []
        whole: list[list[str]] = []
        for n, (item, texts) in enumerate(items):
            self._items.append(item)
            whole.append(words(" ".join([*texts, context[n] if n < len(context) else ""])))
            for t in texts:
                toks = words(t)
                if toks:
                    docs.append(toks)
                    self._owner.append(n)
        # Misspellings are corrected towards the phrasings' words and any other words the caller knows.
        self._vocab = sorted({w for d in docs for w in d} | {w for t in vocabulary for w in words(t)})
        self._known = set(self._vocab)
        self._anagrams: dict[str, list[str]] = {}
        for w in self._vocab:
            self._anagrams.setdefault("".join(sorted(w)), []).append(w)
        self._phrasings = _Space(docs) if docs else None
        self._wholes = _Space(whole) if docs and phrasing_weight < 1 else None

    def correct(self, text: str) -> list[str]:
        """The query's topic words, each misspelling of a known word replaced by that word."""
        out = []
        for w in words(text):
            if w not in self._known and len(w) >= TYPO_MIN_LENGTH and not w.isdigit() and self._vocab:
                best = process.extractOne(w, self._vocab, scorer=fuzz.ratio, score_cutoff=TYPO_RATIO)
                if best is None and len(w) >= SWAP_MIN_LENGTH:
                    # Two letters swapped ("flolow") cost a short word more than TYPO_RATIO allows: one swap is one slip.
                    best = next(((k, 1) for k in self._anagrams.get("".join(sorted(w)), ()) if OSA.distance(w, k) == 1), None)
                if best is not None:
                    w = best[0]
            out.append(w)
        return out

    def _scores(self, toks: list[str]) -> list[float]:
        """Each item's score for the (corrected) query words, in item order."""
        best = [0.0] * len(self._items)
        for owner, s in zip(self._owner, self._phrasings.similarity(toks)):
            best[owner] = max(best[owner], float(s))
        if self._wholes is not None:
            whole = self._wholes.similarity(toks)
            best = [self._weight * b + (1 - self._weight) * float(w) for b, w in zip(best, whole)]
        return best

    def rank(self, text: str) -> list[Hit[T]]:
        toks = self.correct(text)
        if self._phrasings is None or not toks:
            return []
        order = sorted(enumerate(self._scores(toks)), key=lambda kv: (-kv[1], kv[0]))
        return [Hit(self._items[n], round(s, 4)) for n, s in order]


class PhraseClassifier(PhraseIndex[T]):
    """A PhraseIndex that also learns which words tell its items apart (logistic regression on the same
    features): `rank` adds PROBABILITY_WEIGHT x the item's probability to its similarity. Similarity alone
    rewards shared words ("threshold" is in a dozen topics); the classifier weighs the words that decide."""

    PROBABILITY_WEIGHT = 0.3

    def __init__(self, items: Iterable[tuple[T, Sequence[str]]], context: Sequence[str] = (),
                 phrasing_weight: float = 1.0, vocabulary: Iterable[str] = ()):
        super().__init__(items, context, phrasing_weight, vocabulary)
        self._model = None
        if self._phrasings is not None and len(set(self._owner)) > 1:
            # C=10: light regularisation, as the phrasings are few and each was chosen. lbfgs is deterministic.
            self._model = LogisticRegression(C=10, max_iter=3000).fit(self._phrasings.matrix(), self._owner)

    def _scores(self, toks: list[str]) -> list[float]:
        scores = super()._scores(toks)
        if self._model is None:
            return scores
        probability = dict(zip(self._model.classes_, self._model.predict_proba(self._phrasings.features(toks))[0]))
        return [s + self.PROBABILITY_WEIGHT * float(probability.get(n, 0.0)) for n, s in enumerate(scores)]
