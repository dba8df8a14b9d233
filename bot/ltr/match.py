"""Services named in free text, matched against the service catalogue (services.yml).

This module decides how loosely to read the catalogue's terms: case-insensitive, hyphens and slashes as
spaces ("home-care"), plurals and possessives folded ("care homes", "children's homes"), two-word terms
also written as one ("homecare"), and one typing slip per term ("domicilary care"). Longest match wins;
every match is returned with its character offsets, so a message naming two services yields both.
The engine (classification) and the NLU service extractor both use it, so they always agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from .knowledge import Knowledge

@dataclass(frozen=True)
class ServiceMatch:
    id: str
    label: str
    cpv: Optional[str]
    start: int
    end: int
    text: str
    term: str  # the catalogue term that matched


@dataclass(frozen=True)
class _Entry:
    id: str
    label: str
    cpv: Optional[str]
    terms: tuple[str, ...]


# ---- normalising words -----------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+(?:[&'][a-z0-9]+)*'?")
_IRREGULAR = {"children": "child", "childrens": "child", "women": "woman", "womens": "woman", "men": "man",
              "people": "person", "peoples": "person", "counseling": "counselling", "centers": "centre",
              "center": "centre", "programs": "programme", "program": "programme", "organizations": "organisation",
              "organization": "organisation"}


def _fold(word: str) -> str:
    """One form per word: lower case, no possessive, singular."""
    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) < 4 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "ches", "shes", "xes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) for each word; hyphens, slashes and other punctuation separate words."""
    low = text.lower().replace("’", "'").replace("‘", "'")
    return [(_fold(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(low)]


def _term_keys(term: str) -> set[tuple[str, ...]]:
    words = tuple(t for t, _, _ in _tokens(term))
    keys = {words} if words else set()
    if len(words) == 2:
        keys.add((_fold(words[0] + words[1]),))  # "home care" -> "homecare"
    return keys


# ---- typing slips ------------------------------------------------------------------------------


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    """Levenshtein distance <= 1, counting a swap of two neighbouring letters as one slip."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [k for k in range(la) if a[k] != b[k]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    if la > lb:
        a, b = b, a
    k = 0
    while k < len(a) and a[k] == b[k]:
        k += 1
    return a[k:] == b[k + 1:]


class ServiceMatcher:
    """Longest-match lookup of catalogue terms in free text."""

    # Words that sit one slip away from a catalogue word but mean something else.
    _NOT_SLIPS = frozenset({"clearing", "leaning", "hosing", "posting", "testing", "nursery", "nurses", "caring", "cares",
                            "carer", "career", "careers", "training", "raining", "event", "even", "meal", "mean", "arts",
                            "art", "parts", "part", "sport", "support", "report", "transport", "passport", "living", "giving",
                            "learning", "earning", "planning", "planting", "waste", "paste", "taste", "housing", "homing",
                            "rousing", "policy", "police", "schools", "school", "library", "literary", "devices", "advice",
                            "advise", "services", "service", "cleaning", "leaning", "meaning", "dental", "rental", "mental",
                            "legal", "regal", "postal", "portal", "mail", "main", "social", "special", "spatial"})

    def __init__(self, entries: Iterable[Any]):
        self._entries: dict[str, _Entry] = {}
        self._index: dict[tuple[str, ...], list[tuple[str, str]]] = {}  # key -> [(service id, term)]
        for e in entries:
            cpv = getattr(e, "cpv", None)
            if isinstance(cpv, (list, tuple)):
                cpv = cpv[0] if cpv else None
            entry = _Entry(str(e.id), str(getattr(e, "label", e.id)), cpv, tuple(str(t).lower() for t in e.terms))
            self._entries[entry.id] = entry
            for term in entry.terms:
                for key in _term_keys(term):
                    hits = self._index.setdefault(key, [])
                    if all(sid != entry.id for sid, _ in hits):
                        hits.append((entry.id, term))
        self._max_len = max((len(k) for k in self._index), default=0)
        self._vocab = {w for k in self._index for w in k}
        self._slips: dict[str, Optional[str]] = {}

    @property
    def ids(self) -> list[str]:
        return list(self._entries)

    def label(self, service_id: str) -> Optional[str]:
        e = self._entries.get(service_id)
        return e.label if e else None

    def _slip(self, word: str) -> Optional[str]:
        """The catalogue word `word` is one slip away from, if exactly one."""
        if word in self._slips:
            return self._slips[word]
        found: Optional[str] = None
        if len(word) >= 5 and word.isalpha() and word not in self._vocab and word not in self._NOT_SLIPS:
            near = [v for v in self._vocab if v[0] == word[0] and _edit_distance_at_most_one(word, v)]
            found = near[0] if len(near) == 1 else None
        if len(self._slips) > 20_000:  # a long-running server sees endless new words; keep memory flat
            self._slips.clear()
        self._slips[word] = found
        return found

    def match(self, text: str) -> list[ServiceMatch]:
        """Every catalogue service named in `text`, left to right (a phrase two services share yields both)."""
        toks = _tokens(text)
        words = [t for t, _, _ in toks]
        out: list[ServiceMatch] = []
        i = 0
        while i < len(toks):
            hit = self._longest_at(words, i)
            if hit is None:
                i += 1
                continue
            length, key = hit
            s, e = toks[i][1], toks[i + length - 1][2]
            if not _guarded(text, s, e):
                for sid, term in self._index[key]:
                    entry = self._entries[sid]
                    out.append(ServiceMatch(sid, entry.label, entry.cpv, s, e, text[s:e], term))
            i += length
        return out

    def _longest_at(self, words: list[str], i: int) -> Optional[tuple[int, tuple[str, ...]]]:
        for length in range(min(self._max_len, len(words) - i), 0, -1):
            span = words[i:i + length]
            key = tuple(span)
            if key in self._index:
                return length, key
            # One slip per term: in a longer term another word must match exactly; alone, the word must be long.
            for j, w in enumerate(span):
                fixed = self._slip(w)
                if fixed is None or (length == 1 and len(w) < 8):
                    continue
                key = tuple(span[:j] + [fixed] + span[j + 1:])
                if key in self._index:
                    return length, key
        return None


# Phrases in which a catalogue word does not name a service.
_GUARDS = re.compile(r"\b(?:in\s+the\s+event|at\s+any\s+event|in\s+any\s+event|waste\s+of\s+time|the\s+app(?:lication)?\s+form)\b", re.I)


def _guarded(text: str, s: int, e: int) -> bool:
    for m in _GUARDS.finditer(text):
        if m.start() <= s and e <= m.end():
            return True
    return False



_MATCHERS: dict[str, ServiceMatcher] = {}


def matcher_for(kb: Knowledge) -> ServiceMatcher:
    """The matcher over a knowledge base's catalogue, built once per rules version."""
    if kb.rules_version not in _MATCHERS:
        _MATCHERS[kb.rules_version] = ServiceMatcher(kb.services)
    return _MATCHERS[kb.rules_version]
