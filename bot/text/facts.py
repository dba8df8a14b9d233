"""Short facts about the buyer and the market: buyer type, cross-border interest, VAT status,
yes/no, whether a service user chose the provider, and whether the contract is an exempted one.

Every parser takes `answer`: False (default) reads any message and wants clear wording ("we are a
school", "no interest from abroad"); True is for a reply to the matching question, where "a
school", "no" or "not sure" are enough. Values are the Case's field values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from bot.text.vat import find_vat


@dataclass(frozen=True)
class Fact:
    value: str
    start: int = 0
    end: int = 0
    text: str = ""


def _fact(value: str, m: re.Match[str], text: str) -> Fact:
    return Fact(value, m.start(), m.end(), text[m.start():m.end()])


# ---- buyer -----------------------------------------------------------------------------------

_CENTRAL_DEPTS = (
    r"department\s+(?:of|for)\s+(?:health|education|work|transport|levelling|business|culture|environment|science|energy|"
    r"international|digital|trade|housing)"
)
_BUYERS: list[tuple[str, str, bool]] = [  # (value, pattern, needs a self-description cue when not answering)
    ("school", r"multi[\s-]?academy\s+trusts?|academy\s+trusts?|\bmats?\b", False),
    ("nhs_foundation_trust", r"(?:nhs\s+)?foundation\s+trusts?|\bnhs\s+ft\b|\bnhs\s+fts\b", False),
    ("nhs_england", r"nhs\s+england(?:\s+and\s+improvement)?|\bnhse\b|\bnhsei\b", False),
    ("icb", r"\bicbs?\b|integrated\s+care\s+boards?|\bccgs?\b|clinical\s+commissioning\s+groups?", False),
    ("nhs_trust", r"nhs\s+trusts?|(?:hospital|mental\s+health|ambulance|community(?:\s+health)?|acute|health\s*care|health)\s+trusts?"
                  r"|\bnhs\s+(?:hospital|provider)s?\b", False),
    ("central", r"(?:uk\s+|central\s+)?government\s+departments?|central\s+gov(?:ernment|t)?\b|whitehall|\bdhsc\b|home\s+office"
                r"|cabinet\s+office|hm\s+treasury|\bmod\b|ministry\s+of\s+\w+|\bdwp\b|\bdfe\b|\bmhclg\b|\bdluhc\b"
                r"|executive\s+agency|non[\s-]departmental\s+public\s+body|\bndpb\b|arm'?s[\s-]length\s+body|" + _CENTRAL_DEPTS, False),
    ("utility", r"\butility\s+(?:company|provider|buyer)|\butilities\s+(?:company|provider|buyer)|water\s+company|energy\s+network", False),
    ("sub_central", r"london\s+borough|royal\s+borough|borough\s+council|(?:county|district|city|town|parish|unitary|metropolitan|local)"
                    r"\s+council|\bcouncils?\b|local\s+authorit(?:y|ies)|\bla\b|combined\s+authority|greater\s+london\s+authority|\bgla\b"
                    r"|city\s+of\s+london(?:\s+corporation)?|local\s+gov(?:ernment|t)?\b|fire\s+(?:and\s+rescue\s+)?authority"
                    r"|police\s+and\s+crime\s+commissioner|\bborough\b", False),
    ("school", r"academ(?:y|ies)|(?:primary|secondary|special|maintained|free|infant|junior|nursery|community|faith|grammar)\s+schools?"
               r"|\bschools?\b|sixth[\s-]form(?:\s+college)?|\bfe\s+college|further\s+education\s+college", True),
    ("nhs_trust", r"\btrusts?\b", True),
]
_BUYER_RX = [(v, re.compile(p, re.I), strict) for v, p, strict in _BUYERS]
_SELF = re.compile(
    r"(?:\bwe(?:'re|\s+are)|\bi(?:'m|\s+am)\s+(?:at|with|from|in|for)|\bi\s+work\s+(?:at|for|in)|\bas\s+an?|\bon\s+behalf\s+of|"
    r"\bbuyer\s+is|\bbuying\s+(?:body|organisation)\s+is|\bthis\s+is\s+(?:for\s+)?an?|\bit'?s\s+(?:for\s+)?an?|\bwe\s+work\s+for|"
    r"\bauthority\s+is|\bwe're\s+part\s+of|\bpart\s+of\s+an?)\s+(?:[\w'-]+\s+){0,3}$", re.I)
_SCHOOL_SERVICE_AFTER = re.compile(
    r"\s*(?:meals?|catering|dinners?|lunch(?:es)?|transport|crossings?|cleaning|uniforms?|nurs(?:e|es|ing)|holidays?|improvement|places?|"
    r"admissions?|trips?|escorts?|counsell\w*|support|services?|swimming|sports?|music|library|run|age|leavers?|readiness|"
    r"based|exclusions?|attendance|food|milk|photograph\w*|term|years?|buses?|travel)\b", re.I)


def parse_buyer(text: str, answer: bool = False) -> Optional[Fact]:
    """The buyer type: 'sub_central' (council, London borough), 'central', 'school', 'utility',
    'nhs_trust', 'nhs_foundation_trust', 'icb', 'nhs_england'."""
    hits: list[tuple[int, int, Fact]] = []  # (self-described? 0 : 1, position, fact)
    for value, rx, strict in _BUYER_RX:
        for m in rx.finditer(text):
            if any(h[2].start <= m.start() < h[2].end or m.start() <= h[2].start < m.end() for h in hits):
                continue
            described = bool(_SELF.search(text[max(0, m.start() - 80):m.start()]))
            if value == "school" and _SCHOOL_SERVICE_AFTER.match(text, m.end()):
                continue
            if strict and not (described or answer):
                continue
            hits.append((0 if described else 1, m.start(), _fact(value, m, text)))
    if not hits:
        return None
    return min(hits, key=lambda h: (h[0], h[1]))[2]


# ---- cross-border interest ---------------------------------------------------------------------

_UNKNOWN = re.compile(
    r"\b(?:not\s+(?:sure|certain|known)|unsure|(?:i\s+)?don'?t\s+know|do\s+not\s+know|dont\s+know|no\s+idea|can'?t\s+(?:say|tell)|"
    r"cannot\s+(?:say|tell)|unclear|unknown|no\s+clue|hard\s+to\s+say|difficult\s+to\s+say|dunno|idk|uncertain|not\s+clear|"
    r"haven'?t\s+(?:checked|looked)|no\s+way\s+of\s+knowing|maybe|possibly|perhaps|tbc|to\s+be\s+confirmed)\b", re.I)
_ABROAD = re.compile(
    r"\b(?:abroad|overseas|foreign|international(?:ly)?|outside\s+(?:of\s+)?(?:the\s+)?(?:uk|united\s+kingdom|britain|gb|england|country)|"
    r"other\s+countries|another\s+country|cross[\s-]?border|eu|e\.u\.|european|europe|non[\s-]?uk|french|german|irish|dutch|"
    r"spanish|italian|polish|belgian|from\s+(?:ireland|france|germany|spain|the\s+netherlands))\b", re.I)
_ONLY_LOCAL = re.compile(
    r"\b(?:only\s+(?:from\s+)?(?:the\s+)?(?:uk|local|london|british|domestic|national|english)|(?:purely|just|all|entirely|very|"
    r"mostly|mainly|only)\s+local|local\s+(?:only|providers\s+only|market)|uk[\s-]only|uk[\s-]based\s+only|domestic\s+only|"
    r"(?:purely|entirely)\s+(?:uk|domestic|national))\b", re.I)
_NEGATION = re.compile(
    r"\b(?:no|not|none|nobody|no\s*one|noone|unlikely|doubt\w*|never|zero|nil|won'?t|wouldn'?t|isn'?t|aren'?t|wasn'?t|"
    r"weren'?t|don'?t|doesn'?t|didn'?t|haven'?t|hasn'?t|hardly|nah|nope|without)\b", re.I)
_YES = re.compile(r"^\s*(?:yes|yeah|yep|yup|y|definitely|certainly|likely|probably|there\s+is|there's|some)\b", re.I)
_NO = re.compile(r"^\s*(?:no|nope|nah|n|none|nil|not\s+really|unlikely|never)\b", re.I)
_QUESTION = re.compile(r"\?\s*$|^\s*(?:what|is|are|does|do|how|why|should|can|could|would|will|which|who|when)\b", re.I)


def parse_cross_border(text: str, answer: bool = False) -> Optional[Fact]:
    """Whether suppliers outside the UK are likely to be interested: 'yes', 'no' or 'unknown'."""
    topic = _statement(text, _ABROAD)
    local = _statement(text, _ONLY_LOCAL)
    unknown = _statement(text, _UNKNOWN)
    if unknown and (topic or local or answer):
        return _fact("unknown", unknown, text)
    if local:
        return _fact("no", local, text)
    if topic:
        clause = _clause_around(text, topic.start(), topic.end())
        neg = _NEGATION.search(clause[0])
        if neg:
            return Fact("no", topic.start(), topic.end(), text[topic.start():topic.end()])
        return _fact("yes", topic, text)
    if answer and not _QUESTION.search(text):
        if (m := _NO.search(text) or _NEGATION.search(text)):
            return _fact("no", m, text)
        if (m := _YES.search(text)):
            return _fact("yes", m, text)
    return None


def _statement(text: str, rx: re.Pattern[str]) -> Optional[re.Match[str]]:
    """The first match of `rx` in a sentence that is not a question ("is there cross-border interest?")."""
    for m in rx.finditer(text):
        left = max(text.rfind(c, 0, m.start()) for c in ".;!?\n") + 1
        ends = [i for i in (text.find(c, m.end()) for c in ".;!?\n") if i != -1]
        right = min(ends) if ends else len(text)
        if not _QUESTION.search(text[left:right + 1]):
            return m
    return None


def _clause_around(text: str, s: int, e: int) -> tuple[str, int]:
    bounds = [i for i in (text.rfind(c, 0, s) for c in ".;!?") if i != -1]
    left = max(bounds) + 1 if bounds else 0
    rights = [i for i in (text.find(c, e) for c in ".;!?") if i != -1]
    right = min(rights) if rights else len(text)
    # "but" starts a new thought: "not much local interest but EU firms might bid"
    chunk = text[left:right]
    rel_s = s - left
    buts = [m.end() for m in re.finditer(r"\bbut\b|\bhowever\b|\balthough\b", chunk, re.I) if m.end() <= rel_s]
    if buts:
        left += buts[-1]
    nxt = re.search(r"\bbut\b|\bhowever\b", text[e:right], re.I)
    if nxt:
        right = e + nxt.start()
    return text[left:right], left


# ---- VAT, yes/no, user choice -------------------------------------------------------------------

_VAT_WORD = re.compile(r"\bv\.?a\.?t\b", re.I)
_BARE_VAT_ANSWERS = [
    ("excluded", re.compile(r"^\s*(?:ex|exc|excl|exclusive|excluding|excluded|net|without|before|no,?\s+it\s+doesn'?t|it\s+doesn'?t)\b\.?\s*$", re.I)),
    ("included", re.compile(r"^\s*(?:inc|incl|inclusive|including|included|gross|with|after|yes,?\s+it\s+does|it\s+does)\b\.?\s*$", re.I)),
    ("exempt", re.compile(r"^\s*(?:exempt|vat[\s-]+exempt|none|no\s+vat|not\s+applicable|n/?a)\b\.?\s*$", re.I)),
]


_NONE_CHARGED = re.compile(r"\b(?:none|no\s+vat|nothing)\s+(?:is\s+|will\s+be\s+|gets\s+)?(?:charged|added|payable)\b", re.I)


def parse_vat_status(text: str, answer: bool = False) -> Optional[Fact]:
    """'included', 'excluded', 'exempt' or 'unknown' ("not sure about VAT")."""
    found = find_vat(text)
    if found:
        # "the figures don't include VAT and none is charged": no VAT at all is the status, not VAT on top.
        charged = _NONE_CHARGED.search(text)
        if charged and _VAT_WORD.search(text):
            return _fact("exempt", charged, text)
        status, s, e = found[0]
        return Fact(status, s, e, text[s:e])
    unknown = _UNKNOWN.search(text)
    if unknown and (_VAT_WORD.search(text) or answer):
        return _fact("unknown", unknown, text)
    if answer:
        for status, rx in _BARE_VAT_ANSWERS:
            if (m := rx.search(text)):
                return _fact(status, m, text)
    return None


_YES_ANSWER = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|yea|ya|y|yess+|sure|correct|that'?s\s+(?:right|correct)|right|affirmative|absolutely|definitely|"
    r"indeed|of\s+course|ok|okay|it\s+is|they\s+do|they\s+have|we\s+do|it\s+does|true|certainly|i\s+think\s+so|i\s+believe\s+so)\b", re.I)
_NO_ANSWER = re.compile(
    r"^\s*(?:no|nope|nah|n|not\s+really|negative|never|it\s+isn'?t|it\s+is\s+not|false|they\s+don'?t|they\s+haven'?t|"
    r"we\s+don'?t|it\s+doesn'?t|none|not\s+at\s+all|i\s+don'?t\s+think\s+so|definitely\s+not|absolutely\s+not|certainly\s+not)\b", re.I)


def parse_yes_no(text: str) -> Optional[bool]:
    """True for "yes"/"yep"/"that's right", False for "no"/"nope"/"not really", None otherwise (incl. "not sure")."""
    if _UNKNOWN.search(text):
        return None
    if _NO_ANSWER.search(text):
        return False
    if _YES_ANSWER.search(text):
        return True
    return None


_CHOOSER = r"(?:person|individual|resident|service\s+user|user|client|family|families|carer|parent|patient|young\s+person|child|" \
           r"they|she|he|mum|dad|son|daughter|relatives?)"
_USER_CHOSE = re.compile(
    rf"\b{_CHOOSER}\b[^.?!]{{0,40}}\b(?:chose|chosen|choose|chooses|picked|prefers?|preferred|want(?:s|ed)?\s+to\s+(?:stay|use|keep|go)|"
    rf"asked\s+for|requested|has\s+expressed\s+a\s+preference|expressed\s+a\s+preference)\b"
    rf"|\b(?:their|his|her|own)\s+(?:choice|preference|preferred)\b|\buser\s+choice\b|\bpersonal\s+(?:choice|preference)\b", re.I)
_NO_CHOICE = re.compile(
    r"\b(?:no\s+(?:particular\s+)?preference|(?:hasn'?t|haven'?t|has\s+not|have\s+not|didn'?t|did\s+not)\s+(?:expressed|stated|said|given|"
    r"chosen|picked)|not\s+(?:a\s+)?user\s+choice|no\s+(?:user\s+)?choice)\b", re.I)


def parse_user_choice(text: str, answer: bool = False) -> Optional[bool]:
    """Whether the service user (or carer) has chosen or prefers a particular provider."""
    if _NO_CHOICE.search(text):
        return False
    if _USER_CHOSE.search(text):
        return True
    return parse_yes_no(text) if answer else None


# ---- exemptions (reference §1 step 1) -------------------------------------------------------------

@dataclass(frozen=True)
class ExemptionMention:
    """An exempted contract named in a message: `clear` when the words settle it ("as a council employee", "legal
    has confirmed it is a vertical arrangement"), else a hint to ask about ("our wholly owned company")."""

    id: str
    clear: bool
    start: int
    end: int
    text: str


_NEGATORS = frozenset({"not", "n't", "no", "never", "nor", "without"})
_OURS = frozenset({"we", "our", "us", "i", "my", "'re"})


@lru_cache(maxsize=2)
def _exemption_matcher(rules_version: str) -> tuple[Any, Any, dict[str, Any], Any]:
    """A PhraseMatcher over the words in knowledge/exemptions.yml (cues and hints), on spaCy's blank English
    tokenizer: "wholly-owned" and "Wholly Owned" are the same tokens however they are typed."""
    from bot.ltr import load_knowledge
    from bot.text.nlp import blank_english
    from spacy.matcher import PhraseMatcher  # after bot.text.nlp, which imports spaCy without TensorFlow
    from spacy.pipeline import Sentencizer

    kb = load_knowledge()
    nlp = blank_english()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    entries = {}
    for e in kb.exemptions:
        entries[e.id] = e
        if e.cues:
            matcher.add(f"cue:{e.id}", [nlp.make_doc(t) for t in e.cues])
        if e.hints:
            matcher.add(f"hint:{e.id}", [nlp.make_doc(t) for t in e.hints])
    matcher.add("not_for_profit", [nlp.make_doc(t) for t in kb.not_for_profit_words])
    return nlp, matcher, entries, Sentencizer()


def parse_exemption(text: str) -> Optional[ExemptionMention]:
    """The exemption a message names, clear mentions first; None when it names none (or only denies one:
    "it is not a vertical arrangement")."""
    from bot.ltr import load_knowledge

    nlp, matcher, entries, sentencizer = _exemption_matcher(load_knowledge().rules_version)
    doc = sentencizer(nlp.make_doc(text))  # questions about the rules are told apart sentence by sentence
    found: list[tuple[str, str, Any]] = []
    not_for_profit = False
    for match_id, s, e in matcher(doc):
        label = nlp.vocab.strings[match_id]
        if label == "not_for_profit":
            not_for_profit = True
            continue
        if any(t.lower_ in _NEGATORS for t in doc[max(0, s - 3):s]):
            continue  # "not a vertical arrangement", "isn't a council employee"
        sentence = doc[s].sent if doc.has_annotation("SENT_START") else None
        if sentence is not None and _QUESTION.search(sentence.text.strip()) and not any(t.lower_ in _OURS for t in sentence):
            continue  # "are employment contracts exempt?" asks about the rules; "can we employ her on ...?" is a plan
        kind, eid = label.split(":", 1)
        found.append((kind, eid, doc[s:e]))
    mentions = []
    for kind, eid, span in found:
        clear = kind == "cue" or (entries[eid].not_for_profit and not_for_profit)
        if entries[eid].not_for_profit and not not_for_profit:
            clear = False  # the exemption needs a provider not run for profit, and the message doesn't say so
        mentions.append(ExemptionMention(eid, clear, span.start_char, span.end_char, span.text))
    if not mentions:
        return None
    return min(mentions, key=lambda m: (not m.clear, m.start))


# ---- a part added to, or taken out of, a contract described earlier ----------------------------------

_ADDING = ("adding", "we're adding", "we are adding", "add in", "also adding", "add an", "add a", "bolt on", "bolting on",
           "an additional", "additional element", "extra element", "an extra", "also include", "also includes",
           "will also include", "now includes", "now include", "on top of that", "plus an element", "plus a element")
_REMOVING = ("dropping", "drop the", "removing", "remove the", "taking out", "take out the", "taken out", "no longer",
             "scrapping", "scrap the", "cutting the", "cut the", "leaving out", "leave out the")


@lru_cache(maxsize=1)
def _part_change_matcher() -> tuple[Any, Any]:
    from bot.text.nlp import blank_english
    from spacy.matcher import PhraseMatcher

    nlp = blank_english()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("add", [nlp.make_doc(t) for t in _ADDING])
    matcher.add("remove", [nlp.make_doc(t) for t in _REMOVING])
    return nlp, matcher


def parse_part_change(text: str) -> Optional[str]:
    """"we're adding a handyperson element": 'add'; "we're dropping the befriending part": 'remove'; else None.
    Whether a part is really added is for the dialogue to decide (the message must name another service)."""
    nlp, matcher = _part_change_matcher()
    doc = nlp.make_doc(text)
    hits = sorted((s, nlp.vocab.strings[m]) for m, s, _ in matcher(doc))
    return hits[0][1] if hits else None


# ---- extension options said on their own ("no extension", "plus a year's option") -----------------------

_COUNT = {"a": 1.0, "an": 1.0, "one": 1.0, "1": 1.0, "two": 2.0, "2": 2.0, "three": 3.0, "3": 3.0, "four": 4.0, "4": 4.0}
_OPTION = ["option", "options", "extension", "extensions", "optional", "ext", "extn"]


@lru_cache(maxsize=1)
def _extension_matcher() -> tuple[Any, Any]:
    from bot.text.nlp import blank_english
    from spacy.matcher import Matcher

    nlp = blank_english()
    matcher = Matcher(nlp.vocab)
    plus = {"LOWER": {"IN": ["plus", "+", "and", "with"]}}
    count = {"LOWER": {"IN": list(_COUNT)}}
    year = {"LOWER": {"IN": ["year", "years", "yr", "yrs"]}}
    matcher.add("none", [
        [{"LOWER": {"IN": ["no", "without"]}}, {"LOWER": {"IN": ["an", "any"]}, "OP": "?"}, {"LOWER": {"IN": _OPTION}}],
        [{"LOWER": "no"}, {"LOWER": {"IN": ["option", "options"]}}, {"LOWER": "to"}, {"LOWER": "extend"}],
    ])
    matcher.add("some", [
        [plus, count, {"LOWER": "-", "OP": "?"}, year, {"LOWER": {"IN": ["'s", "’s", "'", "’"]}, "OP": "?"}, {"LOWER": {"IN": _OPTION}}],
        [plus, {"LOWER": {"IN": ["an", "one", "a"]}}, {"LOWER": {"IN": ["optional", "extra", "further"]}}, year],
    ])
    return nlp, matcher


def parse_extension(text: str) -> Optional[float]:
    """Extension years said on their own: "no extension" -> 0.0, "plus a year's option" -> 1.0; else None."""
    nlp, matcher = _extension_matcher()
    doc = nlp.make_doc(text)
    for match_id, s, e in sorted(matcher(doc), key=lambda m: m[1]):
        if nlp.vocab.strings[match_id] == "none":
            return 0.0
        return next(_COUNT[t.lower_] for t in doc[s + 1:e] if t.lower_ in _COUNT)
    return None


# ---- a buyer in another UK nation ------------------------------------------------------------------


_COUNCIL = r"(?:county\s+borough\s+|county\s+|city\s+and\s+county\s+|city\s+|borough\s+|district\s+|islands\s+)?council"
_BOARD = r"(?:(?:university|teaching)\s+)?health\s+board|health\s+and\s+social\s+care\s+trust"
_BUYER_WORDS = (r"government|ministers|council|councils|local\s+authority|local\s+authorities|authority|authorities|"
                r"public\s+body|public\s+bodies|health\s+board|nhs\s+body|nhs\s+trust|local\s+government")


def _words(phrases: list[str]) -> str:
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in sorted(phrases, key=len, reverse=True))


@lru_cache(maxsize=2)
def _nation_patterns(rules_version: str) -> list[tuple[str, re.Pattern[str]]]:
    """One pattern per nation in knowledge/nations.yml: its bodies by name; its council areas only with a council or
    health board word ("Cardiff Council", never "a placement in Cardiff"); "<adjective> council" ("a Welsh council",
    never "Welsh language"); or a buyer "in <nation>"."""
    from bot.ltr import load_knowledge

    out = []
    for n in load_knowledge().nations:
        name = _words([n.name])
        alternatives = [
            rf"\b(?:{_words(n.bodies)})\b" if n.bodies else "",
            rf"\b(?:city\s+of\s+)?(?:{_words(n.places)})\s+(?:{_COUNCIL}|{_BOARD})\b" if n.places else "",
            rf"\bcouncil\s+of\s+the\s+city\s+of\s+(?:{_words(n.places)})\b" if n.places else "",
            rf"\b{_words([n.adjective])}\s+(?:{_BUYER_WORDS})\b",
            rf"\b(?:{_BUYER_WORDS}|we(?:'re|\s+are)|i(?:'m|\s+am)\s+at\s+a\s+\w+)\s+(?:based\s+)?in\s+{name}\b",
            rf"\bnhs\s+{name}\b",
        ]
        out.append((n.id, re.compile("|".join(a for a in alternatives if a), re.I)))
    return out


def parse_nation(text: str) -> Optional[Fact]:
    """The UK nation other than England a message places the buyer in (knowledge/nations.yml ids), or None.
    Only the buyer counts: "Cardiff Council", "NHS Scotland", "a Welsh local authority", "we are based in Wales";
    not a place the service is delivered ("a placement in Cardiff") nor "Welsh language interpreting"."""
    from bot.ltr import load_knowledge

    found = []
    for nation_id, pattern in _nation_patterns(load_knowledge().rules_version):
        m = pattern.search(text)
        if m:
            found.append(_fact(nation_id, m, text))
    return min(found, key=lambda f: f.start) if found else None
