"""Services named in free text, matched against the service catalogue (services.yml) and the official
CPV 2008 descriptions (cpv-2008.csv).

How loosely the catalogue's terms are read: case-insensitive, hyphens and slashes as spaces ("home-care"),
plurals and possessives folded ("care homes", "children's homes"), two-word terms also written as one
("homecare"), and typing slips ("domicilary care", "independant fostering") found with rapidfuzz.
Longest match wins; every match carries its character offsets, so a message naming two services yields
both. An official CPV description typed in full ("welfare services for the elderly") matches too, as
id "cpv:<code>". When nothing matches, `suggest` ranks the whole CPV list and the catalogue's terms by TF-IDF
(_Ranker) so the assistant can offer the nearest categories instead of asking again.
The engine (classification) and the NLU service extractor both use this module, so they always agree.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Optional

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from . import cpv_catalogue
from .knowledge import Knowledge

CPV_PREFIX = "cpv:"  # id of a match on an official CPV description: "cpv:85311100"
CLOSE = 0.5  # a suggestion this close shares the officer's telling words (_Ranker)
COVERS = 0.6  # ...and one that uses this share of them (weighed by rarity) says what the officer said


@dataclass(frozen=True)
class ServiceMatch:
    id: str  # catalogue entry id, or "cpv:<code>" for an official CPV description
    label: str
    cpv: Optional[str]
    start: int
    end: int
    text: str
    term: str  # the catalogue term (or official description) that matched


@dataclass(frozen=True)
class _Entry:
    id: str
    label: str
    cpv: Optional[str]
    terms: tuple[str, ...]
    ambiguous_with: tuple[str, ...] = ()


# ---- normalising words -----------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+(?:[&'][a-z0-9]+)*'?")
_IRREGULAR = {"children": "child", "childrens": "child", "women": "woman", "womens": "woman", "men": "man",
              "people": "person", "peoples": "person", "counseling": "counselling", "centers": "centre",
              "center": "centre", "programs": "programme", "program": "programme", "organizations": "organisation",
              "organization": "organisation"}


def _fold(word: str) -> str:
    """One form per word: lower case, no possessive, singular."""
    w = word.lower().strip("'")
    if w in ("it's", "its"):
        return "its"  # "it's support for carers" is not "IT support"
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


# Shortenings officers type, read as the word they stand for.
_ABBREVIATIONS = {"mgmt": "management", "mgt": "management", "accom": "accommodation", "accomm": "accommodation",
                  "svc": "service", "svcs": "service", "ppl": "person", "prog": "programme", "dev": "development"}
# Words that hold a service rather than name one: "a contract for X" is X, never "X contract".
_CONTAINERS = frozenset({"contract", "tender", "procurement", "framework", "lot", "agreement", "arrangement", "spec",
                         "specification", "budget", "cost", "price", "value"})
# Words that make what follows "for" a place or group served, not part of the service's name.
_OWNERS = frozenset({"our", "your", "their", "my", "its", "his", "her"})
# Joining words: "drug and alcohol", "drug & alcohol" and "drug/alcohol" are one phrase.
_JOINERS = frozenset({"and", "&", "n"})


def _plain(text: str) -> str:
    """Lower case, curly quotes straightened, accents dropped ("café" -> "cafe"); same length as `text`,
    so offsets into it are offsets into the original."""
    low = text.lower().replace("’", "'").replace("‘", "'")
    return "".join(unicodedata.normalize("NFKD", ch)[0] for ch in low)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) for each word; punctuation separates words and joining words are skipped."""
    out = []
    for m in _TOKEN.finditer(_plain(text)):
        w = m.group()
        if w in _JOINERS:
            continue
        out.append((_fold(_ABBREVIATIONS.get(w, w)), m.start(), m.end()))
    return out


def _words(text: str) -> tuple[str, ...]:
    return tuple(t for t, _, _ in _tokens(text))


def _term_keys(term: str) -> set[tuple[str, ...]]:
    words = _words(term)
    keys = {words} if words else set()
    if len(words) == 2 and words[0].isalpha() and words[1].isalpha():
        keys.add((_fold(words[0] + words[1]),))  # "home care" -> "homecare"
    return keys


# ---- official CPV descriptions ---------------------------------------------------------------


# Official descriptions made only of these ("Other services") name nothing in particular.
_VAGUE_WORDS = frozenset({"other", "service", "various", "miscellaneous", "related", "of", "for", "the", "general",
                          "specific", "support", "product", "work", "item", "sundry"})


@lru_cache(maxsize=1)
def _cpv_descriptions() -> dict[tuple[str, ...], tuple[str, str]]:
    """Folded official description -> (code, description). One-word descriptions ("Fish", "Salt") are left
    out: alone they are everyday words, not a choice of CPV code. The first (broadest) code keeps a wording."""
    out: dict[tuple[str, ...], tuple[str, str]] = {}
    for code, text in cpv_catalogue.codes().items():
        key = _words(text)
        if len(key) >= 2 and key not in out and not set(key) <= _VAGUE_WORDS:
            out[key] = (code, text)
    return out


# ---- typing slips ------------------------------------------------------------------------------

# Words one or two letters from a catalogue word that mean something else; never read as slips (with every
# word of the official CPV descriptions, see _real_words).
_NOT_SLIPS_WORDS = frozenset({
    "clearing", "leaning", "hosing", "posting", "testing", "nursery", "nurse", "caring", "carer", "career",
    "training", "raining", "event", "even", "meal", "mean", "art", "part", "sport", "support", "report",
    "transport", "passport", "living", "giving", "learning", "earning", "planning", "planting", "waste", "paste",
    "taste", "housing", "homing", "rousing", "policy", "police", "school", "library", "literary", "device",
    "advice", "advise", "service", "cleaning", "meaning", "dental", "rental", "mental", "legal", "regal",
    "postal", "portal", "mail", "main", "social", "special", "spatial", "contract", "contact", "provider",
    "provided", "providing", "provision", "framework", "threshold", "procurement", "commissioning", "tender",
    "tendering", "extension", "extended", "existing", "resident", "residence", "resilient", "treatment",
    "treating", "trading", "catering", "creating", "counting", "consulting", "consultant",
    "consultation", "accommodation", "recommendation", "community", "communities", "commodity", "residential",
    "presidential", "personal", "personnel", "management", "manager", "managed", "placement", "replacement",
    "assessment", "assistant", "assistance", "insurance", "ensure", "licence", "licensed", "license", "agency",
    "agenda", "parking", "marking", "banking", "monitoring", "mentoring", "counselling", "councillor", "council",
    "advocacy", "adequacy", "families", "familiar", "outreach", "overreach", "physical", "physician", "housing",
    "nursing", "cursing", "pursuing", "hostel", "hostile", "respite", "despite", "recruiting", "recruitment",
    "interpreting", "interesting", "translation", "transition", "translating", "therapy", "theory", "visiting",
    "visitor", "daily", "dairy", "diary", "value", "venue", "annual", "manual", "general",
    "generally", "include", "included", "including", "exclude", "excluded", "excluding", "below", "above",
    "refugee", "hosting",
})
_NOT_SLIPS = frozenset(_fold(w) for w in _NOT_SLIPS_WORDS)


@lru_cache(maxsize=1)
def _real_words() -> frozenset[str]:
    """Words of the official CPV descriptions: real English words, so never a typing slip of another."""
    return frozenset(w for key in _cpv_descriptions() for w in key) | _NOT_SLIPS


def _max_slips(word: str) -> int:
    """Typing slips allowed in one word: none in short words (too many real words sit one letter apart)."""
    if len(word) < 5 or not word.isalpha() or word in _real_words():
        return 0
    return 2 if len(word) >= 10 else 1


# ---- the matcher ---------------------------------------------------------------------------------


class ServiceMatcher:
    """Longest-match lookup of catalogue terms and official CPV descriptions in free text."""

    def __init__(self, entries: Iterable[Any]):
        self._entries: dict[str, _Entry] = {}
        self._index: dict[tuple[str, ...], list[tuple[str, str]]] = {}  # key -> [(service id, term)]
        for e in entries:
            cpv = getattr(e, "cpv", None)
            if isinstance(cpv, (list, tuple)):
                cpv = cpv[0] if cpv else None
            entry = _Entry(str(e.id), str(getattr(e, "label", e.id)), cpv, tuple(str(t).lower() for t in e.terms),
                           tuple(getattr(e, "ambiguous_with", None) or ()))
            self._entries[entry.id] = entry
            for term in entry.terms:
                for key in _term_keys(term):
                    hits = self._index.setdefault(key, [])
                    if all(sid != entry.id for sid, _ in hits):
                        hits.append((entry.id, term))
        self._max_len = max((len(k) for k in self._index), default=0)
        self._vocab = sorted({w for k in self._index for w in k if w.isalpha()})
        self._vocab_set = frozenset(self._vocab)
        # The same words as typed in the catalogue ("lives", not "live"): a slip in an inflected word is found
        # before folding mangles it ("lvies" folds to "lvy", too far from "live").
        self._typed = {m.group(): _fold(m.group()) for e in self._entries.values() for t in e.terms
                       for m in _TOKEN.finditer(_plain(t)) if m.group().isalpha()}
        self._typed_vocab = sorted(self._typed)
        self._official = _cpv_descriptions()
        self._official_max = max((len(k) for k in self._official), default=0)
        self._slips: dict[tuple[str, int], Optional[str]] = {}

    @property
    def ids(self) -> list[str]:
        return list(self._entries)

    def label(self, service_id: str) -> Optional[str]:
        e = self._entries.get(service_id)
        if e:
            return e.label
        if service_id.startswith(CPV_PREFIX):
            return cpv_catalogue.describe(service_id[len(CPV_PREFIX):])
        return None

    def _slip(self, word: str, typed: str = "") -> Optional[str]:
        """The one catalogue word `word` is a typing slip of (same first letter), or None. `typed` is the word as
        typed, before folding: tried against the catalogue's typed words when the folded form finds nothing."""
        found = self._nearest(word, self._vocab, self._vocab_set)
        if found is None and typed and typed != word and typed not in self._typed:
            near = self._nearest(typed, self._typed_vocab, self._typed)
            found = self._typed[near] if near else None
        return found

    def _nearest(self, word: str, vocab: list[str], known: Any) -> Optional[str]:
        key = (word, id(vocab))
        if key in self._slips:
            return self._slips[key]
        found: Optional[str] = None
        limit = _max_slips(word)
        if limit and word not in known:
            near = [(v, d) for v, d, _ in process.extract(word, vocab, scorer=OSA.distance, score_cutoff=limit,
                                                           limit=None) if v[0] == word[0]]
            if near:
                # Fewest slips first, then the closest spelling: "traning" is "training" (a letter left out)
                # rather than "tracing" (a letter changed).
                ranked = sorted(near, key=lambda vd: (vd[1], -fuzz.ratio(word, vd[0])))
                best = ranked[0]
                tied = len(ranked) > 1 and ranked[1][1] == best[1] and fuzz.ratio(word, ranked[1][0]) == fuzz.ratio(word, best[0])
                found = None if tied else best[0]
        if len(self._slips) > 20_000:  # a long-running server sees endless new words; keep memory flat
            self._slips.clear()
        self._slips[key] = found
        return found

    def match(self, text: str) -> list[ServiceMatch]:
        """Every service named in `text`, left to right (a phrase two catalogue entries share yields both)."""
        toks = _tokens(text)
        words = [t for t, _, _ in toks]
        plain = _plain(text)
        typed = [plain[a:b] for _, a, b in toks]
        # A phrase never runs across a break (_PART_BREAK): "care + tech" is two parts, not "care tech".
        runs = [len(toks) - i for i in range(len(toks))]
        for i in range(len(toks) - 2, -1, -1):
            if not _PART_BREAK.search(text, toks[i][2], toks[i + 1][1]):
                runs[i] = runs[i + 1] + 1
            else:
                runs[i] = 1
        out: list[ServiceMatch] = []
        i = 0
        while i < len(toks):
            span = words[:i + runs[i]]
            hit = self._longest_at(span, i, typed)
            inverted = self._inverted_at(span, i)
            if inverted and (hit is None or inverted[0] > hit[0]):
                hit = inverted
            official = self._official_at(span, i)
            if official and self._official_wins(official, hit):
                length, code, desc = official
                named = [(CPV_PREFIX + code, desc, code, desc)]
            elif hit:
                length, key = hit
                named = [(sid, self._entries[sid].label, self._entries[sid].cpv, term) for sid, term in self._index[key]]
            else:
                i += 1
                continue
            s, e = toks[i][1], toks[i + length - 1][2]
            if not _guarded(text, s, e) and not (out and self._is_setting(text, out[-1], s, [n[0] for n in named])):
                out += [ServiceMatch(sid, label, cpv, s, e, text[s:e], term) for sid, label, cpv, term in named]
            i += length
        return self._settle(out)

    def _is_setting(self, text: str, previous: ServiceMatch, s: int, ids: list[str]) -> bool:
        """Do the words since the previous service name a place or group it serves ("cleaning for our care
        homes")? Not when this service says what a vague previous one meant ("solicitors for conveyancing")."""
        vague = self._entries[previous.id].ambiguous_with if previous.id in self._entries else ()
        if any(sid in vague for sid in ids):
            return False
        between = text[previous.end:s]
        clause = _CLAUSE_BREAK.split(between)[-1]
        return bool(_SETTING.search(clause)) and not _NEW_PART.search(between)

    def _settle(self, found: list[ServiceMatch]) -> list[ServiceMatch]:
        """Drop a vague mention ("telecare", "solicitors") when the message also names one of the services it
        could mean ("alarm monitoring", "judicial review"): the specific words settle it."""
        named = {m.id for m in found}
        keep = []
        for m in found:
            entry = self._entries.get(m.id)
            if entry and entry.ambiguous_with and named.intersection(entry.ambiguous_with):
                continue
            keep.append(m)
        return keep

    def _longest_at(self, words: list[str], i: int, typed: list[str]) -> Optional[tuple[int, tuple[str, ...]]]:
        for length in range(min(self._max_len, len(words) - i), 0, -1):
            span = words[i:i + length]
            key = tuple(span)
            if key in self._index:
                return length, key
            # One slipped word per term: in a longer term the other words match exactly; alone, the word
            # must be long (a short word near a catalogue word is usually another real word).
            for j, w in enumerate(span):
                if length == 1 and len(w) < 7:
                    continue
                fixed = self._slip(w, typed[i + j])
                if fixed is None:
                    continue
                key = tuple(span[:j] + [fixed] + span[j + 1:])
                if key in self._index:
                    return length, key
        return None

    def _inverted_at(self, words: list[str], i: int) -> Optional[tuple[int, tuple[str, ...]]]:
        """A term said the other way round, as English allows: "support for unpaid carers" is "carers support",
        "services for young carers" is "young carers service" (head noun, "for" or "of", up to two words, then the
        rest of the term). Not across "our", "your" or "their": "cleaning for our care homes" names the place
        the cleaning is for, not "home cleaning"."""
        if i + 2 >= len(words) or words[i + 1] not in ("for", "of") or words[i] in _CONTAINERS:
            return None
        best = None
        for j in range(i + 2, min(i + 5, len(words))):
            if words[j] in _OWNERS:
                return best
            if any(tuple(words[k:j + 1]) in self._index for k in range(i + 2, j)):
                return best  # the words after "for" name a service themselves ("a contract for home care")
            for k in range(j, i + 1, -1):  # the term's words before the head: words[k..j]
                key = tuple(words[k:j + 1]) + (words[i],)
                if len(key) >= 2 and key in self._index:
                    best = (j - i + 1, key)
        return best

    def _official_wins(self, official: tuple[int, str, str], hit: Optional[tuple[int, tuple[str, ...]]]) -> bool:
        """A full official description beats a catalogue term only when it says clearly more ("welfare services
        for the elderly" over "welfare services"); the catalogue entry, with its label and caveats, is more use
        than a near-synonym ("museum services") or the same code ("crisis management services")."""
        if hit is None:
            return True
        length, key = hit
        return official[0] >= length + 2 and all(self._entries[sid].cpv != official[1] for sid, _ in self._index[key])

    def _official_at(self, words: list[str], i: int) -> Optional[tuple[int, str, str]]:
        """The longest official CPV description starting at word i, typed exactly (no slips: 9,000 wordings
        are too many to guess between)."""
        for length in range(min(self._official_max, len(words) - i), 1, -1):
            hit = self._official.get(tuple(words[i:i + length]))
            if hit:
                return length, hit[0], hit[1]
        return None

    def suggest(self, text: str, limit: int = 3, min_score: Optional[float] = None,
                min_coverage: float = 0.0) -> list[tuple[str, str]]:
        """The categories closest to `text`, best first, as (id, label): a catalogue entry, or "cpv:<code>" for a
        CPV 2008 code the catalogue does not cover. For buttons when `match` finds nothing; empty if nothing is
        close. Ranked by TF-IDF over the whole CPV list and the catalogue's terms (see _Ranker)."""
        return [(sid, self.label(sid) or sid) for sid, _ in self._ranker().rank(text, limit, min_score, min_coverage)]

    @lru_cache(maxsize=1)
    def _ranker(self) -> "_Ranker":
        return _Ranker(self._entries.values())


class _Ranker:
    """The whole CPV 2008 list, and each catalogue entry (its label and terms), as a corpus of short documents,
    ranked for an officer's words by TF-IDF cosine similarity (scikit-learn).

    Why TF-IDF rather than fuzzy string scores: the officer's words and the official wordings share few words
    ("tree surgery" / "tree-cutting services"), and the rare word that names the service ("graffiti", "bailiff",
    "tree") must outweigh the words every description has ("services", "management"); inverse document frequency
    over 9,000 descriptions weighs exactly that. Words are folded as the matcher folds them (plurals, possessives,
    abbreviations); character 3-5-grams inside words add the near forms ("surgery" / "surgical", "patrols" /
    "patrol services") that folding misses. A catalogue entry's code takes the entry's label and caveats."""

    MIN_SCORE = 0.2  # below this the nearest wording shares too little with the officer's words
    GOODS_WEIGHT = 0.6

    def __init__(self, entries: Iterable[_Entry]):
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        ids: list[str] = []
        docs: list[str] = []
        weights: list[float] = []
        for e in entries:
            if e.cpv and not e.ambiguous_with:
                for term in (e.label,) + e.terms:  # each wording its own document: a long list dilutes none
                    ids.append(e.id)
                    docs.append(term)
                    weights.append(1.0)
        for code, desc in cpv_catalogue.codes().items():
            ids.append(CPV_PREFIX + code)
            docs.append(desc)
            # When the officer says "service", a goods or works wording ("Mortuary packs") comes after a service
            # that fits as well.
            weights.append(1.0 if int(code[:2]) > 48 and code[:2] != "45" else self.GOODS_WEIGHT)
        self._ids = ids
        self._words = TfidfVectorizer(analyzer=_telling_words, sublinear_tf=True)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                      preprocessor=lambda t: " ".join(_telling_words(t)))
        self._weights = np.array(weights)
        self._w = self._words.fit_transform(docs)
        self._c = self._chars.fit_transform(docs)

    def rank(self, text: str, limit: int, min_score: Optional[float] = None,
             min_coverage: float = 0.0) -> list[tuple[str, float]]:
        """Up to `limit` (id, score), best first. `min_coverage`: the share of the officer's telling words (each
        weighed by its rarity; a word no wording uses weighs most) that the wording also uses."""
        floor = self.MIN_SCORE if min_score is None else min_score
        said = list(dict.fromkeys(_telling_words(text)))
        if not said:
            return []
        words = (self._w @ self._words.transform([text]).T).toarray().ravel()
        chars = (self._c @ self._chars.transform([text]).T).toarray().ravel()
        # A wording must share a whole word with the officer's ("April" is not "Apricots"); near forms then help.
        col = (words > 0) * (0.6 * words + 0.4 * chars)
        if "service" in _words(text):
            col = col * self._weights
        vocab, idf = self._words.vocabulary_, self._words.idf_
        weight = {w: idf[vocab[w]] if w in vocab else idf.max() for w in said}
        out: list[tuple[str, float]] = []
        for i in col.argsort()[::-1]:
            if col[i] < floor or len(out) == limit:
                break
            if min_coverage:
                used = set(self._w[i].indices)
                if sum(weight[w] for w in said if vocab.get(w) in used) < min_coverage * sum(weight.values()):
                    continue
            if all(sid != self._ids[i] for sid, _ in out):
                out.append((self._ids[i], float(col[i])))
        return out


def _telling_words(text: str) -> list[str]:
    """The folded words that could name a service: no figures, no generic words ("service", "contract")."""
    return [w for w in _words(text) if w.isalpha() and len(w) > 2 and w not in _GENERIC
            and (w not in _VAGUE_WORDS or w == "work")]  # "works" says what kind of contract it is


# Words that say nothing about which service it is; they must not drive a suggestion.
_GENERIC = frozenset({
    "service", "contract", "the", "and", "for", "our", "we", "need", "want", "buy", "buying", "procure",
    "procurement", "tender", "provider", "light", "touch", "ltr", "year", "month", "week", "total", "vat", "incl",
    "exc", "plus", "with", "from", "into", "about", "approx", "est", "ish", "new", "some", "this", "that", "what",
    "which", "is", "it", "are", "do", "does", "apply", "above", "below", "threshold", "under", "over", "rule",
    "regime", "council", "borough", "framework", "lot", "yr", "pa", "per", "annum", "support", "care", "provision",
    # the rest of a contract's description: its dates, notices and VAT
    "yrs", "notice", "tn", "including", "excluding", "inclusive", "exclusive", "gross", "net", "start", "starting",
    "option", "extension", "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec",
})


# Phrases in which a catalogue word does not name a service.
_GUARDS = re.compile(
    r"\b(?:in\s+the\s+event|at\s+any\s+event|in\s+any\s+event|waste\s+of\s+time|the\s+app(?:lication)?\s+form"
    r"|(?:market|supplier|provider|bidder|engagement)s?\s+(?:engagement\s+)?events?"  # procurement events, not events bought
    r"|advertis(?:e|ed|ing)\s+(?:it\s+)?(?:in|on|from|next|this|last|by)\b"  # advertising the tender, not advertising bought
    r"|(?:central|the)\s+digital\s+platf\w*|\bcdp\b|procurement\s+platf\w*|e-?tendering\s+platf\w*"  # where notices go
    r"|health\s+care\s+services\s*\(provider\s+selection|relevant\s+health\s+care\s+services"  # the PSR's own words
    r"|health\s+service\s+purposes|purposes\s+of\s+the\s+health\s+service"
    r"|(?-i:\bit\s+supports\b))",  # "if it supports social care": the pronoun, not IT support
    re.I)
# A phrase never runs across a comma, bracket, "+" or a heading dash ("Children's social care staffing – agency
# social workers"); but "16+ accommodation" and "0–19 service" are one phrase.
_PART_BREAK = re.compile(r"[,;:()\[\]]|(?<!\d)[–—]|\s-+\s|(?<!\d)\+|\+(?=\s*\d)")


# A service word right after a negation is what the officer is NOT buying: "no litigation",
# "not representation at tribunals", "instead of buying consultancy", "actually supported living not home care".
_NEGATED = re.compile(r"\b(?:no|not|non|without|excluding|except|nor|instead\s+of|rather\s+than)"
                      r"(?:\s+(?:a|an|the|any|just|buying|using|including|really|for))*[\s(-]*$", re.I)
# A service word after "for/at/in/to (our) ..." once a service has been named says where or for whom the first
# service is delivered, not a second purchase: "cleaning for our care homes", "IT support for the social care
# team", "transport to our day centres", "a café in the central library".
_SETTING = re.compile(r"(?:\b(?:for|at|in|across|within|via)\b|\bto\s+(?:our|the|their|its)\b)", re.I)
_CLAUSE_BREAK = re.compile(r"[.;:!?()\n/–—]|\s-\s")


def _guarded(text: str, s: int, e: int) -> bool:
    if _NEGATED.search(text, 0, s):
        return True
    return any(m.start() <= s and e <= m.end() for m in _GUARDS.finditer(text))


# ...unless an amount or "plus" in between starts a new part: "day care (£300k) + transport to the centres".
_NEW_PART = re.compile(r"[£$€]|\d\s*[km]\b|\bplus\b|\band\s+(?:a|an|the)\b", re.I)


_MATCHERS: dict[str, ServiceMatcher] = {}


def matcher_for(kb: Knowledge) -> ServiceMatcher:
    """The matcher over a knowledge base's catalogue, built once per rules version."""
    if kb.rules_version not in _MATCHERS:
        _MATCHERS[kb.rules_version] = ServiceMatcher(kb.services)
    return _MATCHERS[kb.rules_version]
