"""Which of a few dozen known phrasings is closest to what the officer typed.

Built on scikit-learn's TF-IDF and rapidfuzz rather than hand-written scoring:
- words (lightly stemmed, with bigrams) carry the topic: "standstill", "open framework";
- character n-grams inside words (`char_wb`) forgive typos the word model cannot ("thresold");
- before scoring, a query word unknown to the index is replaced by the known word it is most likely a slip of
  (`correct`: a noisy-channel choice, rapidfuzz's OSA edit distance for the slip, how often the word is used for the
  prior), so "standstil" counts as "standstill" and "contarct" as "contract", not "contact", for the word model too.
  Words the caller knows to be right as typed (`known`: a domain dictionary) are never changed.
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

from rapidfuzz import process
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
) | frozenset(
    # The courtesies of an email ("Good afternoon, I would be grateful if you could advise ..., please"): they say
    # nothing about the question and only dilute its words.
    "good morning afternoon evening dear grateful advise kindly please confirm wondering wonder wondered regarding "
    "appreciate appreciated assist assistance cheers colleague colleagues sorry wanted wish like quick query".split()
)
# Share of the score given to the word model; the rest goes to character n-grams.
WORD_WEIGHT = 0.5
# Words shorter than this are never corrected ("ict", "sme": too many real words are one slip apart).
TYPO_MIN_LENGTH = 4
# Slips forgiven (OSA edits: a dropped, added, changed or two swapped letters): one in a word of up to
# LONG_WORD letters, two in a longer one ("procuremnet", "thresholg" are one; "comencment" two).
LONG_WORD = 7
# A slip on the first letter is rarer than one inside the word: it costs this much more.
FIRST_LETTER_COST = 0.5


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
                 phrasing_weight: float = 1.0, vocabulary: Iterable[str] = (), known: Iterable[str] = ()):
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
        # Misspellings are corrected towards the phrasings' words, the context's and any other words the caller
        # gives; how often each is used is the prior that breaks a tie ("contarct": contract, not contact).
        self._frequency: dict[str, int] = {}
        for toks in [*docs, *(words(c) for c in context), *(words(t) for t in vocabulary)]:
            for w in toks:
                self._frequency[w] = self._frequency.get(w, 0) + 1
        self._vocab = sorted(self._frequency)
        self._known = set(self._vocab) | {w for t in known for w in words(t)}
        self._phrasings = _Space(docs) if docs else None
        self._wholes = _Space(whole) if docs and phrasing_weight < 1 else None

    def correct(self, text: str) -> list[str]:
        """The query's topic words, each misspelling of a known word replaced by that word."""
        return [self.correct_word(w) for w in words(text)]

    def correct_word(self, w: str) -> str:
        """The word, or the known word it is most likely a slip of: fewest edits (OSA distance, a slip on the first
        letter costing FIRST_LETTER_COST more), then the word used most often, then the first alphabetically.
        A word known as typed, a number, or a word too short to tell is kept."""
        if w in self._known or len(w) < TYPO_MIN_LENGTH or not w.isalpha() or not self._vocab:
            return w
        typed, found = w, self._near(w)
        if not found:
            # A slip in an inflected word the index knows only in another form ("abandooning": abandon).
            stem = _stem(w.removesuffix("ed") if w.endswith("ed") and len(w) > 6 else w)
            if stem != w and len(stem) >= TYPO_MIN_LENGTH and stem not in self._known:
                w, found = stem, self._near(stem)
        if not found:
            return typed
        budget = 1 if len(w) <= LONG_WORD else 2

        def cost(candidate: tuple) -> tuple:
            k, d = candidate[0], candidate[1]
            return (d + (FIRST_LETTER_COST if k[0] != w[0] else 0), -self._frequency[k], k)

        best = min(found, key=cost)
        return best[0] if cost(best)[0] <= budget else typed

    def _near(self, w: str) -> list:
        budget = 1 if len(w) <= LONG_WORD else 2
        return process.extract(w, self._vocab, scorer=OSA.distance, score_cutoff=budget, limit=None)

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
                 phrasing_weight: float = 1.0, vocabulary: Iterable[str] = (), known: Iterable[str] = ()):
        super().__init__(items, context, phrasing_weight, vocabulary, known)
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
