"""FAQ answers from `bot/ltr/knowledge/faq.yml`, for the date asked and, when given, the officer's last case.

`faq_reply(question, faq_id, as_of, context)`:
1. ranks the topics against the question (`similarity.PhraseClassifier`: TF-IDF words + character n-grams,
   rapidfuzz typo correction, plus a logistic regression on the same features), the whole message blended with the
   clause that asks; an entry `standstill.pcr` is topic `standstill`, variant `pcr`;
2. confident when the best topic scores high, or fairly high and well ahead of the next: then it answers;
   otherwise it says so, offers at most three close topics as buttons and names the legal team;
3. picks the topic's variant for the regime in play: the one the question names, else the last case's
   (assessed by the engine), else the one in force on the date asked;
4. fills the figures from the knowledge files for that date; "is X light touch?" is answered by the
   classifier;
5. applies the facts the question states (read by `bot.text.reader`), answer first: the threshold table for the
   date named, the whole-life value for the price given, the notices for the contract described (the engine);
   and then offers to check the whole contract, naming what a check still needs (`FaqReply.offer`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Optional

from bot.ltr import Assessment, Case, CaseError, Knowledge, assess, cpv_catalogue, load_knowledge
from bot.ltr.classification import match_services
from bot.ltr.knowledge import Faq, Threshold
from bot.ltr.price import gbp
from bot.ltr.value import estimate
from bot.text.dates import find_dates
from bot.text.reader import read_message

from .similarity import PhraseClassifier, PhraseIndex, words

# A topic's score is its similarity (cosine, 0-1) plus 0.3 x the classifier's probability for it
# (similarity.PhraseClassifier). Set on the held-out paraphrases in tests/assistant/faq_heldout.yml, counting
# a wrong answer or an answered off-topic question as three unanswered ones, and checked on the generated
# questions of tests/assistant/faq_generalise.py: the best topic answers when it scores WEAK_SCORE or more and
# leads the next topic by REL_MARGIN of its score, however high it scores (two neighbours both scoring high,
# "events that saved a procurement under the 2015 regulations": saving triggers or which rules, are for the
# officer to choose). Otherwise it is a guess and the officer chooses.
WEAK_SCORE = 0.40
REL_MARGIN = 0.10
SUGGESTIONS = 3

NOT_SURE = ("I'm not sure which question you mean. Is it one of these? "
            "If none fits, ask your procurement or legal team.")
NO_SERVICE = "I could not tell which service you mean, so here is how to check it."

REGIME_OF_VARIANT = {"pa": "PA2023", "pcr": "PCR2015", "psr": "PSR"}
# Words by which an officer names a regime. Only an unambiguous mention (one regime) picks the variant.
_NAMED = {
    "PCR2015": re.compile(r"\b(?:pcr|public contracts regulations|(?:2015|old) (?:regs|regulations)|reg(?:ulation)? 7[2-7])\b", re.I),
    "PA2023": re.compile(r"\b(?:pa ?(?:20)?23|procurement act|the act|new act|act's|new rules)\b", re.I),
    "PSR": re.compile(r"\b(?:psr|provider selection)\b", re.I),
}
_YEAR = re.compile(r"\b(20[0-4]\d)\b")
_INSTRUMENT_YEAR = re.compile(r"\b(?:act|regulations|regs|pcr|pa|psr|si|directive)\s*(?:19|20)\d\d(?:/\d+)?\b", re.I)
# "Is X light touch?": once the service and these words are set aside, at most CLASSIFY_RESIDUE words are left.
_CLASSIFY_WORDS = frozenset(
    "light touch ltr lt service services contract contracts rule rules regime count counts counted covered cover "
    "covers under come comes treat treated classed considered class apply applies list listed act pcr psr year "
    "procurement regulations schedule really still".split())
CLASSIFY_RESIDUE = 1
# Topics that say more about a service than its classification alone; kept when they are the confident answer.
SERVICE_TOPICS = {"technology", "telecare", "legal_services", "psr_social_care", "psr_public_health", "mixed_contracts"}
# With a case known, "what's the threshold?" has one answer, the engine's, whichever of these topics it matched.
ENGINE_THRESHOLD_TOPICS = {"threshold", "threshold_standard", "threshold_buyer", "threshold_concession", "threshold_utilities",
                          "psr_threshold"}


@dataclass
class FaqReply:
    text: str
    faq_id: Optional[str] = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    score: float = 0.0
    confident: bool = False
    offer: Optional[str] = None  # "Want me to check this contract? I'd need …", when the question described one


def topic_of(faq_id: str) -> str:
    return faq_id.split(".", 1)[0]


def variant_of(faq_id: str) -> str:
    return faq_id.split(".", 1)[1] if "." in faq_id else ""


def regime_of(faq_id: str) -> Optional[str]:
    return REGIME_OF_VARIANT.get(variant_of(faq_id).split("_")[0])


# ---- placeholders -------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(gbp|vat|date|param):([^}@]+)(?:@(\d{4}-\d{2}-\d{2}))?\}|\{when\}")


class PlaceholderError(KeyError):
    pass


def long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _threshold(kb: Knowledge, key: str, on: date) -> Threshold:
    regime, _, kind = key.partition("/")
    rows = sorted((t for t in kb.thresholds if t.regime == regime and t.kind == kind), key=lambda t: t.from_)
    if not rows:
        raise PlaceholderError(f"no threshold {key}")
    for t in rows:
        if t.from_ <= on and (t.to is None or on <= t.to):
            return t
    # Before the first figure (or after the last), the nearest one is the one that applies.
    return rows[0] if on < rows[0].from_ else rows[-1]


def fill(text: str, kb: Knowledge, on: date, when: str) -> str:
    """The text with every placeholder replaced by its figure or date for `on`. Raises PlaceholderError."""

    def one(m: re.Match[str]) -> str:
        if m.group(0) == "{when}":
            return when
        kind, key, pinned = m.group(1), m.group(2), m.group(3)
        day = date.fromisoformat(pinned) if pinned else on
        if kind == "param":
            if key not in kb.parameters or not isinstance(kb.parameters[key].value, (int, float)):
                raise PlaceholderError(f"no figure {key}")
            value = kb.parameters[key].value
            return gbp(value) if key.endswith("_gbp") else f"{value:g}"
        if kind == "date":
            if key not in kb.dates:
                raise PlaceholderError(f"no date {key}")
            return long_date(kb.dates[key].date)
        t = _threshold(kb, key, day)
        if kind == "gbp":
            return gbp(t.amount_gbp)
        return "including VAT" if t.vat_basis == "inclusive" else "excluding VAT"

    return _PLACEHOLDER.sub(one, text)


# ---- retrieval ----------------------------------------------------------------------------------


# How officers shorten things, spelt out (and regime names brought to one word each) so that "CAN for LT?"
# and "contract award notice for light touch" share their words. CAN only in capitals: "can" is a stopword.
_ABBREVIATIONS = [
    (re.compile(r"\bCANs?\b"), "contract award notice"),
    (re.compile(r"\bCDNs?\b", re.I), "contract details notice"),
    (re.compile(r"\bBTTNs?\b", re.I), "below threshold tender notice"),
    (re.compile(r"\bTNs?\b"), "tender notice"),
    (re.compile(r"\bVTNs?\b", re.I), "voluntary transparency notice"),
    (re.compile(r"\bCCNs?\b", re.I), "contract change notice"),
    (re.compile(r"\bPINs?\b"), "prior information notice"),
    (re.compile(r"\bPME\b", re.I), "preliminary market engagement"),
    (re.compile(r"\bCFP\b", re.I), "competitive flexible procedure"),
    (re.compile(r"\bNOI\b", re.I), "notice of intention"),
    (re.compile(r"\bMSP\b", re.I), "most suitable provider"),
    (re.compile(r"\bCDP\b", re.I), "central digital platform"),
    (re.compile(r"\bFTS\b", re.I), "find a tender"),
    (re.compile(r"\bDA(?=\s*[ABC]?\b)"), "direct award"),
    # "Not light touch" is one thing, the opposite of "light touch": kept apart from it whatever the words around it.
    (re.compile(r"\b(?:not|non|isn'?t|aren'?t)[\s-]+(?:an?\s+)?(?:LTR?|light[\s-]touch)\b", re.I), "nonlighttouch"),
    (re.compile(r"\bLTR?\b|\bLTC\b", re.I), "light touch"),
    (re.compile(r"\b(?:PQQ|SQ)s?\b", re.I), "pqq shortlisting"),
    (re.compile(r"\bDPS\b", re.I), "dynamic purchasing system"),
    (re.compile(r"\bDMS?\b"), "dynamic market"),
    (re.compile(r"\bVEATs?(?:\s+notices?)?\b", re.I), "transparency notice"),
    (re.compile(r"\bPTNs?\b"), "procurement termination notice"),
    (re.compile(r"\bKPIs?\b", re.I), "key performance indicators"),
    (re.compile(r"\bPSVA\b|\bSV\s+act\b", re.I), "social value act"),
    (re.compile(r"\bSV\b"), "social value"),
    (re.compile(r"\bPSMs?\b"), "public service mutual"),
    (re.compile(r"\bNPPS\b", re.I), "national procurement policy statement"),
    (re.compile(r"\bPPNs?\b", re.I), "procurement policy note"),
    (re.compile(r"\bICBs?\b", re.I), "integrated care board"),
    (re.compile(r"\bTUPE\b", re.I), "staff transfer"),
    (re.compile(r"\bCF\b"), "contracts finder"),
    (re.compile(r"\bBT\b"), "below threshold"),
    (re.compile(r"\bLAs?\b"), "local authority"),
    (re.compile(r"\bDAP\b"), "direct award process"),
    (re.compile(r"\b(?:the )?(?:PA ?(?:20)?23|procurement act(?: 2023)?)\b", re.I), "act"),
    (re.compile(r"\b(?:the )?(?:public contracts regulations(?: 2015)?|pcr ?(?:20)?15)\b", re.I), "pcr"),
    (re.compile(r"\b(?:the )?(?:2015|old) (?:regs|regulations)\b", re.I), "pcr"),
    (re.compile(r"\b(?:the )?(?:nhs )?provider selection regime\b", re.I), "psr"),
    # "Under the threshold" is "below threshold", "over" is "above", however "threshold" is spelt.
    (re.compile(r"\b(?:under|beneath|less than)\s+(?:the\s+)?(?=thr)", re.I), "below "),
    (re.compile(r"\b(?:over|more than|exceeds?|exceeding)\s+(?:the\s+)?(?=thr)", re.I), "above "),
    # A year says "at a past date", whichever year it is: "threshold in 2018" is asked like "threshold in 2019".
    (re.compile(r"\b(?:19|20)\d\d\b"), "year"),
]
# The names the abbreviations stand for, known to the typo correction so a misspelt name is still that name.
FULL_NAMES = ("provider selection regime", "procurement act", "public contracts regulations", "contract details notice",
              "contract award notice", "below threshold tender notice", "transparency notice", "contract change notice",
              "prior information notice", "preliminary market engagement", "competitive flexible procedure",
              "most suitable provider", "central digital platform", "direct award", "dynamic market",
              "key performance indicators", "social value act", "public service mutual",
              "national procurement policy statement", "procurement policy note", "integrated care board",
              "staff transfer", "contracts finder", "local authority", "procurement termination notice")
# A topic's score: 30% from its closest phrasing, 70% from all its phrasings and answers together
# (chosen on the held-out paraphrases: long questions match the whole topic better than one phrasing).
PHRASING_WEIGHT = 0.3


def spell_out(text: str) -> str:
    for rx, full in _ABBREVIATIONS:
        text = rx.sub(full, text)
    return text


def _phrasings(f: Faq) -> list[str]:
    return [spell_out(t) for t in [f.question, *f.examples]]


@lru_cache(maxsize=4)
def _indexes(rules_version: str) -> tuple[PhraseClassifier[str], PhraseIndex[Faq]]:
    """Topics (all their variants' phrasings and answers), and entries (their own phrasings only)."""
    faq = load_knowledge().faq
    topics = list(dict.fromkeys(topic_of(f.id) for f in faq))
    by_topic = {t: [f for f in faq if topic_of(f.id) == t] for t in topics}
    # Service names are known words too, so "traning" is read as "training" before the classifier sees it.
    services = [t for svc in load_knowledge().services for t in [svc.label, *svc.terms]] + list(FULL_NAMES)
    topic_index = PhraseClassifier(
        ((t, [p for f in by_topic[t] for p in _phrasings(f)]) for t in topics),
        # Answers without their placeholders: "{gbp:PA2023/light_touch}" is not something an officer types.
        context=[" ".join(spell_out(_PLACEHOLDER.sub(" ", f.answer)) for f in by_topic[t]) for t in topics],
        phrasing_weight=PHRASING_WEIGHT, vocabulary=services, known=_dictionary(),
    )
    return topic_index, PhraseIndex((f, _phrasings(f)) for f in faq)


def _dictionary() -> list[str]:
    """Words right as typed though no topic uses them, so never "corrected" into a topic word: the CPV catalogue's
    descriptions (the services officers buy: "cleaning" stays cleaning, not "learning") and English stop words."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return [*cpv_catalogue.codes().values(), *STOP_WORDS]


def prepare() -> None:
    """Build the indexes and train the classifier now (a few seconds), e.g. when the action server starts,
    so the first officer to ask a question does not wait for it."""
    _indexes(load_knowledge().rules_version)


# A message that states a contract and then asks ("£30k advocacy, direct award - do we publish anything?") is
# ranked on the clause that asks; its facts are applied to the answer (`read_facts`), not matched against topics.
_CLAUSES = re.compile(r"(?<=[.;:!?])\s+|\s+[-–—]+\s+|,\s+(?=(?:so\s+)?(?:what|which|how|when|why|do|does|is|are|can|must|should)\b)", re.I)
_ASKS = re.compile(r"^\s*(?:so\s+|and\s+|but\s+)?(?:what|which|how|when|why|who|where|do|does|did|is|are|can|could|should|"
                   r"must|will|would|have|has)\b|\?\s*$", re.I)
ASKED_MIN_WORDS = 2
ASKED_WEIGHT = 0.4
# A question in a sentence of its own after sentences that only tell ("It's a £90k substance misuse contract for
# the council. Is social care under the PSR?"): the telling sentences are background, the question decides.
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z\d£])")
ASKED_SENTENCE_WEIGHT = 0.75


def asked_part(question: str) -> str:
    """The last clause of the message that asks something, when it says enough to rank on; else the message."""
    clauses = [c for c in _CLAUSES.split(question) if c and c.strip()]
    asking = [c for c in clauses if _ASKS.search(c)]
    if len(clauses) < 2 or not asking or len(words(asking[-1])) < ASKED_MIN_WORDS:
        return question
    return asking[-1]


# A question inside a request ("we are reviewing our approach and would like to check whether ...", "can you tell
# me ...", "I would be grateful if you could advise ..."): what follows the verb is the question, what comes before
# it frames the request.
_EMBEDDED = re.compile(r"\b(?:check|know|confirm|tell (?:me|us)|advise(?: us| me)?(?: on)?|ask(?: you)?|understand|"
                       r"clarify|find out|your (?:view|guidance|advice) on)\b(?:\s+(?:whether|if))?[\s:,]+", re.I)
EMBEDDED_MIN_WORDS = 3


def embedded_question(text: str) -> Optional[str]:
    """The question a request wraps, after its last asking verb, when something frames it and it says enough."""
    found = None
    for m in _EMBEDDED.finditer(text):
        rest = text[m.end():]
        if words(text[: m.start()]) and len(words(rest)) >= EMBEDDED_MIN_WORDS:
            found = rest
    return found


def rank_topics(question: str, kb: Knowledge) -> list[tuple[Faq, float]]:
    """Each topic once, best first, with its score and the entry of that topic closest to the question."""
    topic_index, entry_index = _indexes(kb.rules_version)
    # Spelt out, corrected, then spelt out again: "Proviedr Selection Regime" is the PSR once its typo is mended.
    q = _normalised(question, topic_index)
    closest: dict[str, Faq] = {}
    for hit in entry_index.rank(q):
        closest.setdefault(topic_of(hit.item.id), hit.item)
    scores = {h.item: h.score for h in topic_index.rank(q)}
    asked = asked_part(question)
    if asked == question and embedded_question(question) is not None:
        asked = embedded_question(question)
    if asked != question:
        # The clause that asks (40%) and the whole message (60%): the facts around a question still say
        # something about it ("rolling placements, no end date - how do we value that?"). A question that is a
        # sentence of its own, after sentences that only tell, weighs ASKED_SENTENCE_WEIGHT.
        sentences = [x for x in _SENTENCES.split(question.strip()) if x.strip()]
        told = len(sentences) > 1 and sentences[-1].strip() == asked.strip() and not any(
            _ASKS.search(x) for x in sentences[:-1])
        weight = ASKED_SENTENCE_WEIGHT if told else ASKED_WEIGHT
        inner = embedded_question(asked)
        if inner is not None:
            asked, weight = inner, ASKED_SENTENCE_WEIGHT
        for h in topic_index.rank(_normalised(asked, topic_index)):
            scores[h.item] = round(weight * h.score + (1 - weight) * scores.get(h.item, 0.0), 4)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    return [(closest[t], sc) for t, sc in ranked]


def _normalised(text: str, topic_index: PhraseClassifier[str]) -> str:
    return spell_out(" ".join(topic_index.correct(spell_out(text))))


def is_confident(best: float, runner_up: float) -> bool:
    return best >= WEAK_SCORE and best - runner_up >= REL_MARGIN * best


# ---- the regime in play -------------------------------------------------------------------------


def _named_regime(question: str) -> Optional[str]:
    named = [r for r, rx in _NAMED.items() if rx.search(question)]
    return named[0] if len(named) == 1 else None


def _date_asked(question: str, as_of: date) -> tuple[date, Optional[str]]:
    """The date the question is about and how to say it ("in 2019"), or as_of. The year in the name of
    an instrument ("Procurement Act 2023", "PCR 2015", "SI 2024/716") is not a date asked."""
    question = _INSTRUMENT_YEAR.sub(" ", question)
    for m in find_dates(question, as_of):
        if m.date is not None:
            if m.precision == "year":
                return m.date, f"in {m.date.year}"
            if m.precision == "month":
                return m.date, f"in {m.date:%B %Y}"
            return m.date, f"on {long_date(m.date)}"
    y = _YEAR.search(question)
    if y:
        return date(int(y.group(1)), 1, 1), f"in {y.group(1)}"
    return as_of, None


def _variants(kb: Knowledge, topic: str) -> dict[str, Faq]:
    return {variant_of(f.id): f for f in kb.faq if topic_of(f.id) == topic}


def _for_case(kb: Knowledge, entry: Faq, a: Assessment) -> Optional[Faq]:
    """The variant of this topic for the assessed case, most specific first."""
    variants = _variants(kb, topic_of(entry.id))
    r = {v: k for k, v in REGIME_OF_VARIANT.items()}.get(a.regime or "")
    if r is None:
        return None
    keys = []
    if a.above_threshold is False:
        keys += [f"{r}_below", "below"]
    if r == "pa" and a.light_touch is False:
        keys.append("pa_std")
    keys.append(r)
    return next((variants[k] for k in keys if k in variants), None)


def _for_regime(kb: Knowledge, entry: Faq, regime: str) -> Faq:
    """The topic's variant for a regime. An entry already for that regime, or for no regime in particular
    (e.g. `standstill.below`), is kept; a topic without that variant keeps the entry found."""
    if regime_of(entry.id) == regime or (regime_of(entry.id) is None and variant_of(entry.id)):
        return entry
    key = {v: k for k, v in REGIME_OF_VARIANT.items()}[regime]
    return _variants(kb, topic_of(entry.id)).get(key, entry)


# ---- answers ------------------------------------------------------------------------------------


def render(entry: Faq, kb: Knowledge, on: date, when: Optional[str] = None) -> str:
    body = fill(entry.answer.strip(), kb, on, when or f"today ({long_date(on)})")
    ref = f"Reference: {entry.ref}."
    return f"{body}\n\n{ref} {entry.source}".rstrip()


def _instrument(on: date, kb: Knowledge) -> str:
    """The light touch list in force on that date, cited with its address."""
    if on < kb.dates["act_start"].date:
        return "PCR 2015 Schedule 3. https://www.legislation.gov.uk/uksi/2015/102/schedule/3"
    return ("Procurement Regulations 2024 Schedule 1 (Procurement Act 2023 s.9). "
            "https://www.legislation.gov.uk/uksi/2024/692/schedule/1")


def _corrected(question: str, kb: Knowledge) -> list[str]:
    return _indexes(kb.rules_version)[0].correct(spell_out(question))


def services_named(question: str, kb: Knowledge) -> list:
    """Catalogue services in the question, read as typed or with its misspellings corrected."""
    return match_services(question, kb) or match_services(" ".join(_corrected(question, kb)), kb)


# "Part care and part cleaning", "a mix of", "combined with": a contract of several things, which the mixed
# contracts topic answers, not the classifier of one service.
_MIXED = re.compile(r"\bpart\b.+\bpart\b|\bmix(?:ed|es|ing|ture)?\b|\bcombined?\b|\btogether\b|\bas well as\b|"
                    r"\bplus\b|\balongside\b|\bbundled?\b", re.I)


def asks_classification(question: str, kb: Knowledge) -> bool:
    """Is this "is <service> light touch?" and little else?"""
    toks = _corrected(question, kb)
    if not {"light", "touch"} <= set(toks) or _MIXED.search(question):
        return False
    services = services_named(question, kb)
    if not services:
        return False
    service_words = {w for svc in services for t in [svc.label, *svc.terms] for w in words(t)}
    return len([w for w in toks if w not in service_words and w not in _CLASSIFY_WORDS]) <= CLASSIFY_RESIDUE


def asks_about_the_case(question: str, kb: Knowledge) -> bool:
    """"Is it light touch?": light touch and nothing else, no service named (so the last case is meant)."""
    toks = _corrected(question, kb)
    return {"light", "touch"} <= set(toks) and set(toks) <= _CLASSIFY_WORDS and not services_named(question, kb)


def classify_answer(question: str, kb: Knowledge, on: date) -> Optional[str]:
    """'Is X light touch?', answered by the engine's classifier for each service named, or None."""
    services = services_named(question, kb)
    if not services:
        return None
    lines: list[str] = []
    verdicts: set[bool] = set()
    for svc in services[:3]:
        a = assess(Case(service=svc.terms[0]), as_of=on, kb=kb)
        if a.status == "needs_input" and a.candidates:
            for c in a.candidates:
                verdicts.add(c.light_touch)
                lines.append(f"{c.label} (CPV {c.cpv}) is {'' if c.light_touch else 'not '}a light touch service.")
            continue
        name = f"{svc.label} (CPV {svc.cpv})" if svc.cpv else svc.label
        if a.regime == "PSR":
            lines.append(f"{name} is a health care service under the NHS Provider Selection Regime, so the light "
                         "touch rules do not apply (PSR 2023 Sch 1).")
        elif a.regime == "none":
            lines.append(f"{name} is exempt from the procurement rules, so the light touch rules do not apply.")
        elif a.light_touch:
            verdicts.add(True)
            lines.append(f"{name} is a light touch service.")
        else:
            verdicts.add(False)
            lines.append(f"{name} is not a light touch service.")
        caveats = [svc.warning] if svc.warning else [w.text for w in a.warnings[:1]]
        lines += caveats
    if verdicts == {True, False}:
        lines.append("A contract for both is light touch only if it is wholly or mainly for the light touch "
                     "services, and under the Act a separable part that meets its own threshold stops that (s.10).")
    lines.append(f"\nReference: {_instrument(on, kb)}")
    return "\n".join(lines)


# ---- the facts in the question, applied ------------------------------------------------------------
#
# "Our BTTN went out on 15 December 2025: which threshold table?", "£150k a year for 4 + 1: what value?",
# "£30k advocacy, direct award: do we publish anything?": the question is answered for its own facts, read by
# bot.text.reader and worked by the engine, answer first; the topic's general text follows as the rule.

# Topics whose answer, for a described contract, is the engine's list of what to publish.
NOTICE_TOPICS = {"notices", "details_notice", "tender_notice", "award_notice", "transparency_notice", "contract_copy",
                 "notifiable", "notifiable_central", "below_threshold", "duties_above", "termination_notice", "kpis"}
# Topics whose text is about contracts above the threshold; below it, the rule shown is notices.pa_below.
ABOVE_THRESHOLD_NOTICE_TOPICS = {"notices", "details_notice", "tender_notice", "award_notice", "transparency_notice",
                                 "contract_copy", "kpis", "termination_notice", "duties_above"}
# The engine's duties (obligations.yml ids) that answer a question about one notice; other notice topics get them all.
NOTICE_DUTIES = {
    "details_notice": ("CDN",), "contract_copy": ("COPY",), "kpis": ("KPI",), "termination_notice": ("TERM",),
    "tender_notice": ("TENDER-NOTICE", "BT-NOTICE", "ADVERTISE", "CF-ADVERT"), "transparency_notice": ("TRANSPARENCY", "TN-UC"),
    "award_notice": ("ASSESSMENT-SUMMARIES", "CAN-UC", "AWARD-NOTICE", "CF-AWARD"),
}
# Duties that are notices or publications; the rest of the engine's list is left to the full check.
_PUBLISHING = re.compile(r"\b(?:notice|publish\w*)\b", re.I)
_ADVERTISED = re.compile(r"\bif you advertise\b", re.I)
# The facts a full check needs, in the words of the offer.
_NEEDED = (("service", "the service"), ("value", "its value (per year and the term, or the total)"),
           ("commenced", "when the procurement starts"))


@dataclass
class Facts:
    """What a question states about a contract, as Case fields, and how to name it."""

    case: dict[str, Any]
    named: str  # "an independent advocacy contract"
    direct_award: bool = False
    plain: str = ""  # the question without the words the facts were read from: what it asks
    asks: str = ""  # the message without its clauses that only state facts ("£450k p.a. + VAT", "TN Apr 27")

    @property
    def any(self) -> bool:
        return bool(self.case)

    def missing(self) -> list[str]:
        return [words for key, words in _NEEDED if key not in self.case]


def read_facts(question: str, today: date) -> Facts:
    r = read_message(question, today)
    case: dict[str, Any] = {}
    label = ""
    if r.services:
        case["service"] = r.services[0].id
        label = r.services[0].label
    elif r.cpv:
        case["cpv"] = [r.cpv[0].code]
    if r.value.found and r.value.value and not r.value.value.get("unknown"):
        case["value"] = dict(r.value.value)
    if r.vat:
        case["vat"] = r.vat
    if r.date is not None and r.date.date is not None and r.date.event is not None:
        case["commenced"] = r.date.date.isoformat()
    if r.buyer:
        case["buyer"] = r.buyer
    case.update({k: v for k, v in r.flags.items() if k in Case.__dataclass_fields__})
    what = f"{label[0].lower()}{label[1:]} contract" if label else "contract"
    named = f"{'an' if what[0] in 'aeiou' else 'a'} {what}"
    spans = sorted([(m.start, m.end) for m in r.services] + [(c.start, c.end) for c in r.cpv]
                   + [(x.money.start, x.money.end) for x in r.value.amounts] + [(d.start, d.end) for d in r.dates if d.end])
    plain, last = "", 0
    for begin, end in spans:
        if begin >= last:
            plain += question[last:begin] + " "
            last = end
    plain = re.sub(r"\s+", " ", plain + question[last:]).strip()
    events = [(d.start, d.end) for d in r.dates if d.end and d.event]
    return Facts(case, named, "direct_award" in r.aims, plain, _asks(question, spans, events))


# At most this many words besides its date, a clause that dates an event only names it ("tender notice January 2027").
EVENT_CLAUSE_WORDS = 3
# Where an officer's list of facts breaks: commas, semicolons, dashes, full stops.
_FACT_CLAUSE = re.compile(r"[,;]\s*|\s+[-–—]+\s+|(?<=[.!?])\s+")


def _asks(question: str, spans: list[tuple[int, int]], events: list[tuple[int, int]]) -> str:
    """The message without the clauses that are only facts: once the amounts, dates and services read from a clause
    are set aside, at most one word is left ("£450k p.a. + VAT", "3+1+1"); or the clause dates an event of the
    procurement and asks nothing ("TN Apr 27", "tender notice January 2027")."""
    kept, start = [], 0
    for m in [*_FACT_CLAUSE.finditer(question), None]:
        end = m.start() if m else len(question)
        clause = question[start:end]
        claimed = [(max(b, start) - start, min(e, end) - start) for b, e in spans if b < end and e > start]
        rest = "".join(ch for i, ch in enumerate(clause) if not any(b <= i < e for b, e in claimed))
        # A dated event with more to it than its name ("we only published a PIN for the service before February
        # 2025") says what the question is about: kept.
        dated = (any(start <= b < end for b, _ in events) and not _ASKS.search(clause)
                 and len(words(rest)) <= EVENT_CLAUSE_WORDS)
        # A clause that asks is kept whatever it names ("Is this legal advice?" is no service bought).
        asking = bool(_ASKS.search(clause)) and len(words(clause)) >= ASKED_MIN_WORDS
        if asking or (not dated and (not claimed or len(words(rest)) > 1 or not clause.strip())):
            kept.append(clause)
        start = m.end() if m else end
    return " ".join(c.strip() for c in kept if c.strip()) or question


def _try_assess(data: dict[str, Any], on: date, kb: Knowledge) -> Optional[Assessment]:
    try:
        return assess(Case.from_dict(data), as_of=on, kb=kb)
    except CaseError:
        return None


def threshold_on_date(facts: Facts, kb: Knowledge, on: date, when: str) -> str:
    """"Which threshold table applies to a procurement commenced then?": that date's table, and the figure for the
    service when one is named (the engine's threshold), first."""
    regime = "PCR2015" if on < kb.dates["act_start"].date else "PA2023"
    lt = _threshold(kb, f"{regime}/light_touch", on)
    std = _threshold(kb, f"{regime}/standard_sub_central", on)
    row = std if std.from_ >= lt.from_ else lt
    because = f"the procurement commenced {when}"
    if row.to is not None:
        because += f", before {long_date(row.to + timedelta(days=1))}"
    vat = "including VAT" if row.vat_basis == "inclusive" else "excluding VAT"
    if "service" in facts.case or "cpv" in facts.case:
        a = _try_assess({**facts.case, "commenced": on.isoformat()}, on, kb)
        if a is not None and a.threshold_gbp is not None and a.regime in ("PA2023", "PCR2015") and a.case is not None:
            what = facts.named.split(" ", 1)[1].removesuffix(" contract")
            kind = "a light touch service" if a.light_touch else "not a light touch service"
            return (f"The {row.from_.year} table: {gbp(a.threshold_gbp)} {vat} for {what}, which is {kind}, "
                    f"because {because}.")
    return (f"The {row.from_.year} table, because {because}: {gbp(lt.amount_gbp)} {vat} for light touch services and "
            f"{gbp(std.amount_gbp)} for a borough's other services.")


def value_answer(facts: Facts, kb: Knowledge, on: date) -> Optional[str]:
    """"What value do we compare?" with the figures in the question: the engine's whole-life value, first."""
    if "value" not in facts.case:
        return None
    try:
        case = Case.from_dict({k: v for k, v in facts.case.items() if k != "commenced"})
    except CaseError:
        return None
    regime = "PCR2015" if on < kb.dates["act_start"].date else "PA2023"
    est = estimate(case, regime, on, kb)
    if est.value_gbp is None:
        return None
    steps = " ".join(text for _, text, _ in est.steps)
    text = f"{gbp(est.value_gbp)}. {steps}"
    a = _try_assess({**facts.case, "commenced": on.isoformat()}, on, kb) if "service" in facts.case else None
    if a is not None and a.threshold_gbp is not None and a.above_threshold is not None:
        text += f" That is {'at or above' if a.above_threshold else 'below'} the {gbp(a.threshold_gbp)} threshold."
    # Say what was assumed about VAT, so the officer can correct it.
    return " ".join([text, *[x for x in est.assumptions if "VAT" in x][:1]])


def notices_answer(topic: str, facts: Facts, kb: Knowledge, on: date) -> Optional[tuple[str, Assessment]]:
    """"Do we have to publish anything?" for the contract the question describes: the engine's notices (those of
    the notice asked about, when one is), first; with the assessment they came from."""
    if "value" not in facts.case or not ("service" in facts.case or "cpv" in facts.case):
        return None
    a = _try_assess({**facts.case, "commenced": facts.case.get("commenced", on.isoformat())}, on, kb)
    if a is None or a.status != "complete" or a.regime not in ("PA2023", "PCR2015", "PSR"):
        return None
    asked = NOTICE_DUTIES.get(topic)
    duties = [o for o in a.obligations if _PUBLISHING.search(o.text)
              and not (facts.direct_award and _ADVERTISED.search(o.text))
              and (asked is None or any(k in o.id for k in asked))]
    where = (f"at or above the {gbp(a.threshold_gbp)} threshold" if a.above_threshold
             else f"below the {gbp(a.threshold_gbp)} threshold" if a.above_threshold is False and a.threshold_gbp
             else "")
    named = f"{facts.named} worth {gbp(a.estimated_value_gbp)}" if a.estimated_value_gbp is not None else facts.named
    regime = kb.regime_names.get(a.regime, a.regime)
    starts = "" if "commenced" in facts.case else " (taking it as starting now)"
    context = f"For {named} under the {regime}{starts}" + (f", {where}" if where else "")
    if not duties:
        return f"No. {context}, no such notice is required.", a
    # "You do not have to publish KPIs" answers "do we need KPIs?" with a no.
    yes = any("-NO-" not in o.id for o in duties)
    return "\n".join([f"{'Yes' if yes else 'No'}. {context}:", *[f"- {o.text.rstrip('.')} ({o.ref})." for o in duties]]), a


def copy_answer(facts: Facts, kb: Knowledge) -> Optional[str]:
    """"Do we publish the contract?" with its value given: no copy is due at or below the s.53(3) figure."""
    value = facts.case.get("value") or {}
    total = value.get("total_gbp")
    figure = kb.number("kpi_and_copy_figure_gbp")
    if total is not None and total < figure:
        return f"No. At {gbp(total)} the contract is not over {gbp(figure)}, so no copy of it is due (s.53(3))."
    return None


def offer(facts: Facts) -> Optional[str]:
    """After an answer to a question about a contract: the offer to check it, naming what that needs."""
    if not facts.any:
        return None
    needed = facts.missing()
    if not needed:
        return "Want me to check this contract in full? I have what I need for it."
    listed = needed[0] if len(needed) == 1 else ", ".join(needed[:-1]) + " and " + needed[-1]
    return f"Want me to check this contract? I'd need {listed}."


def _case_answer(a: Assessment) -> str:
    return f"For the case you described: {a.answer}"


def _threshold_for_case(a: Assessment) -> str:
    """The engine's threshold for the case, with the rule that picked it."""
    step = next((t for t in a.trace if t.id.startswith("T-THRESHOLD-")), None)
    text = _case_answer(a)
    if step is not None:
        text += f"\n\n{step.text}\n\nReference: {step.ref}. {step.source}".rstrip()
    return text


def _assess_context(context: Optional[dict], on: date, kb: Knowledge) -> Optional[Assessment]:
    if not isinstance(context, dict):
        return None
    try:
        a = assess(Case.from_dict(context), as_of=on, kb=kb)
    except CaseError:
        return None
    return a if a.status == "complete" else None


def _answer(entry: Faq, question: str, kb: Knowledge, as_of: date, context: Optional[dict], pick_variant: bool,
            facts: Optional[Facts] = None) -> tuple[Faq, str]:
    on, when = _date_asked(question, as_of)
    a = _assess_context(context, as_of, kb)
    preface = ""
    if a is not None and topic_of(entry.id) in ENGINE_THRESHOLD_TOPICS and _named_regime(question) is None:
        return entry, _threshold_for_case(a)
    if pick_variant:
        named = _named_regime(question)
        if named:
            entry = _for_regime(kb, entry, named)
        elif a is not None and (chosen := _for_case(kb, entry, a)) is not None:
            entry = chosen
            preface = _case_answer(a) + "\n\n"
            if a.case is not None and a.case.commenced is not None:
                on, when = a.case.commenced, f"on {long_date(a.case.commenced)}"
        else:
            entry = _for_regime(kb, entry, "PCR2015" if on < kb.dates["act_start"].date else "PA2023")
    act_start = kb.dates["act_start"].date
    if regime_of(entry.id) == "PCR2015" and when is None and on >= act_start:
        # A PCR answer with no date asked: PCR governs procurements that began before the Act, so its figures
        # are the last ones before it.
        on = act_start - timedelta(days=1)
        when = f"between {long_date(_threshold(kb, 'PCR2015/light_touch', on).from_)} and {long_date(on)}"
    topic = topic_of(entry.id)
    if topic == "is_light_touch":
        text = classify_answer(question, kb, on)
        if text is not None:
            return entry, text
        entry = kb.faq_entry("what_counts") or entry
        return entry, f"{NO_SERVICE}\n\n{render(entry, kb, on, when)}"
    facts = facts or read_facts(question, as_of)
    lead: Optional[str] = None
    shown = entry  # the rule shown after the answer: below the threshold, the below-threshold one
    if topic == "threshold_commencement" and when is not None:
        lead = threshold_on_date(facts, kb, on, when)
    elif topic == "estimate_value":
        lead = value_answer(facts, kb, on)
    elif topic == "contract_copy" and (lead := copy_answer(facts, kb)):
        pass
    elif topic in NOTICE_TOPICS and (found := notices_answer(topic, facts, kb, on)):
        lead, a_notices = found
        below = kb.faq_entry("notices.pa_below")
        if (a_notices.regime == "PA2023" and a_notices.above_threshold is False and below is not None
                and topic in ABOVE_THRESHOLD_NOTICE_TOPICS):
            shown = below
    if lead:
        preface = lead + "\n\n" + preface
    return entry, preface + render(shown, kb, on, when)


_ASKS_FIGURE = re.compile(r"\bwhat\s+(?:was|were|is|'s)\s+the\b[^?]*\bthreshold", re.I)


def faq_reply(question: str, faq_id: Optional[str] = None, as_of: Optional[date] = None,
              context: Optional[dict] = None) -> FaqReply:
    """The best FAQ answer to `question` for `as_of` (the caller's today) and the officer's last case
    (`context`, a Case dict), or, when no topic is a confident match, the closest topics as buttons."""
    kb = load_knowledge()
    # The caller passes today (bot.ltr never reads the clock); the system date is only a fallback.
    on = as_of or date.today()
    if faq_id:
        entry = kb.faq_entry(faq_id)
        if entry is not None:
            entry, text = _answer(entry, question or "", kb, on, context, pick_variant=False)
            return FaqReply(text, entry.id, [], 1.0, True)
    if context is not None and asks_about_the_case(question or "", kb):
        a = _assess_context(context, on, kb)
        if a is not None:
            return FaqReply(_case_answer(a), "is_light_touch", [], 1.0, True)
    facts = read_facts(question or "", on)
    ranked = rank_topics(facts.asks or question or "", kb)
    if ranked and facts.plain and facts.plain != question:
        # Without its facts the question asks the same thing more plainly ("do we need a TN for a £900k home care
        # contract?" is "do we need a TN for a contract?"): its score is the one to trust.
        bare = rank_topics(facts.plain, kb)
        if bare and topic_of(bare[0][0].id) == topic_of(ranked[0][0].id) and bare[0][1] > ranked[0][1]:
            ranked = bare
    if ranked and topic_of(ranked[0][0].id) == "is_light_touch" and _MIXED.search(question or ""):
        # "Part care and part cleaning, is it light touch?" asks about a mix: the mixed contracts topic, when close, answers it.
        mixed = next(((f, s) for f, s in ranked[:SUGGESTIONS] if topic_of(f.id) == "mixed_contracts"), None)
        if mixed is not None:
            # It takes the classification topic's place (they answer it together), so that one is no rival to it.
            ranked = [(mixed[0], ranked[0][1]), *[(f, s) for f, s in ranked[1:] if f is not mixed[0]]]
    best = ranked[0][1] if ranked else 0.0
    others = ranked[1:]
    if context is not None and ranked and topic_of(ranked[0][0].id) in ENGINE_THRESHOLD_TOPICS:
        # With a case, the threshold topics give one answer, so they do not compete with each other.
        others = [(f, s) for f, s in others if topic_of(f.id) not in ENGINE_THRESHOLD_TOPICS]
    runner_up = others[0][1] if others else 0.0
    confident = bool(ranked) and is_confident(best, runner_up)
    if not (confident and topic_of(ranked[0][0].id) in SERVICE_TOPICS) and asks_classification(question or "", kb):
        text = classify_answer(question, kb, _date_asked(question, on)[0])
        if text is not None:
            return FaqReply(text, "is_light_touch", [], best, True)
    if confident:
        top = ranked[0][0]
        if topic_of(top.id) == "threshold_commencement" and _date_asked(question, on)[1] and _ASKS_FIGURE.search(question):
            # "what was the threshold for a procurement commenced in 2019?": a figure asked for a date named, which
            # the threshold topic gives (saying which date counts); "which threshold applies if…" stays as it is.
            top = next((f for f, _ in ranked if topic_of(f.id) == "threshold"), top)
        entry, text = _answer(top, question, kb, on, context, pick_variant=True, facts=facts)
        return FaqReply(text, entry.id, [], best, True, offer(facts))
    suggestions = [f for f, _ in ranked[:SUGGESTIONS]] or list(kb.faq[:SUGGESTIONS])
    return FaqReply(
        NOT_SURE,
        None,
        [{"title": f.question, "payload": f'/faq{{"faq_id": "{f.id}"}}'} for f in suggestions],
        best,
        False,
    )
