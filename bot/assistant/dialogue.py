"""The conversation about one procurement, as a pure function of a JSON state and the officer's message.

    outcome = turn(state, Incoming(text, intent, entities), today)
    outcome.messages  -> what to say (text, buttons, custom payload)
    outcome.state     -> the state to keep (a Rasa slot holds it)

Why not Rasa slots and a form: officers give several facts at once, correct any of them at any turn,
ask questions mid-flow and use words the catalogue does not know. Reading each message whole
(`bot.text.reader`) and merging it into one case here keeps every rule of the conversation in one
place, testable without Rasa: "ask only what can change the answer", "change exactly the fact that
was corrected", "never pick one amount silently", "never loop on a service we don't recognise".

State (all JSON):
    facts    the Case fields known so far (`bot.ltr.Case.from_dict` shape)
    source   fact -> "you said" | "assumed" | "default"
    words    fact -> the officer's own words for it (shown back in "What I understood")
    pending  the question asked last: {"ask": name, ...}
    last     the last answer: {"case", "key", "value", "headline"}
    disclaimer  whether the "not legal advice" note has been given
    added    parts added at a later turn, beside the contract described first (`questions.case_of` composes them)
    exemption_hint  an exemption the words suggest but do not settle: asked about first
    said     a short hash of every question wording sent: no wording is sent twice in one conversation
    misses   question -> replies that did not answer it; the second takes the safe assumption (`_assume`)
    assumed  questions whose safe assumption has been taken: never asked again
"""
from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable, Optional

from bot.assistant import questions as q
from bot.assistant.about import about
from bot.assistant.asking import GENERAL_WORDS, asks_what_to_do
from bot.assistant.faq import FaqReply, faq_reply, topic_of
from bot.assistant.reply import Message
from bot.assistant.understood import changed_note, date_words, understood_facts
from bot.ltr import Assessment, CaseError, assess
from bot.ltr.match import CPV_PREFIX
from bot.ltr.model import EXEMPTIONS, Case
from bot.render.text import DISCLAIMER  # the wording lives with the renderers' (Slack and Teams cards show it too)
from bot.text.dates import DateMention
from bot.text.purchase import bought_words
from bot.text.facts import ExemptionMention, parse_cross_border, parse_extension, parse_vat_status, parse_yes_no
from bot.text.reader import Reading, read_message
from bot.text.spelling import fix_slips
from bot.text.value_reader import ValueReading

_NOTICE_EVENTS_BEFORE_ACT = {
    "find_a_tender": "pcr_contract_notice", "ojeu": "pcr_contract_notice", "contracts_finder": "contracts_finder_advert",
    "pin": "pcr_pin", "transparency_notice": "transparency_notice",
}
_NOTICE_EVENTS_UNDER_ACT = {
    "find_a_tender": "tender_notice", "contracts_finder": "below_threshold_tender_notice",
    "transparency_notice": "transparency_notice",
}


@dataclass
class Incoming:
    text: str
    intent: Optional[str] = None
    entities: dict[str, Any] = field(default_factory=dict)  # from a button payload: /inform{"vat": "excluded"}
    confidence: float = 1.0
    channel: Optional[str] = None  # "web", "teams", "slack" or None: whose controls a question about them names

    @property
    def is_payload(self) -> bool:
        return self.text.startswith("/")


@dataclass
class Outcome:
    messages: list[Message]
    state: dict[str, Any]
    assessment: Optional[Assessment] = None
    follow_up: Optional[str] = None  # a question about the last answer: what_would_change, show_references, ...


def new_state() -> dict[str, Any]:
    return {"facts": {}, "source": {}, "words": {}, "pending": None, "last": None, "disclaimer": False}


def _state(raw: Any) -> dict[str, Any]:
    st = new_state()
    if isinstance(raw, dict):
        for k, v in raw.items():
            if v is not None:
                st[k] = copy.deepcopy(v)
    return st


# ---- the turn ------------------------------------------------------------------------------------

# FAQ topics that a described contract answers better than the general text: "is it light touch?", "which
# threshold?", "what value do we compare?", "which rules?". With a value given, such a question is assessed.
ASSESSED_TOPICS = frozenset({
    "what_is_ltr", "what_counts", "is_light_touch", "technology", "telecare", "legal_services", "commonly_not_lt",
    "exempt_contracts", "mixed_contracts", "separable_below", "threshold", "threshold_2026", "threshold_standard",
    "threshold_concession", "threshold_utilities", "threshold_buyer", "threshold_commencement", "estimate_value", "vat",
    "value_at_threshold", "value_open_ended", "value_lots", "value_framework", "which_rules", "historic", "psr",
    "psr_councils", "psr_threshold", "psr_social_care", "psr_public_health", "schools", "notifiable", "notifiable_central",
    "duties_above", "below_threshold",  # "above LTR?", "what must we do?" about a described contract: its assessment
})
# Below this FAQ score a question is about nothing in the knowledge base ("what's the weather like?"): the
# scope note, not three unrelated topics. Questions about the rules score 0.3 and more (tests/assistant).
OFF_TOPIC_SCORE = 0.2
CONTROL_REPLIES = ("greet", "thanks", "help", "bot_challenge", "out_of_scope", "affirm", "deny")
OFFER_BUTTON = {"title": "Yes, check it", "payload": "/affirm"}
FOLLOW_UPS = ("what_would_change", "show_references", "what_must_we_do", "more_about_route")


def restarts(msg: Incoming, today: date) -> bool:
    """Does the message ask to start again? Starting again wipes the case, so the intent alone is not enough: a
    message with facts in it is an answer ("we want to start next April"), whatever the NLU made of "start"."""
    if msg.intent != "start_again":
        return False
    return msg.is_payload or not read_message(msg.text, today).has_case_facts


def turn(raw_state: Any, msg: Incoming, today: date) -> Outcome:
    st = _state(raw_state)
    if not msg.is_payload:
        msg = replace(msg, text=fix_slips(msg.text))  # "£345k per yaer": a slip in a unit must not change the value
    itself = None if msg.is_payload else about(msg.text, msg.channel, bool(st["last"]))
    if itself is not None:
        # "can I download this?", "what is LTR?", "how do I start again?": a short answer about the assistant, and the
        # case carries on where it was.
        return Outcome([_about_message(itself, st, today)] + _repeat(st, today), st)
    if restarts(msg, today):
        fresh = new_state()
        fresh["disclaimer"] = st["disclaimer"]
        return Outcome([Message(q.RESTARTED)], fresh)
    if msg.is_payload:
        return _payload(st, msg, today)

    r = read_message(msg.text, today, has_value=_has_value(st))
    pending = st["pending"] or {}

    if msg.intent in FOLLOW_UPS and st["last"] and not r.describes_contract and not (
            r.has_case_facts and not _looks_like_a_question(msg.text)):
        return Outcome([], st, follow_up=msg.intent)
    if msg.intent == "why_asking" and pending and not r.has_case_facts:
        return Outcome([Message(q.why(pending.get("ask")))] + _repeat(st, today), st)
    if msg.intent in ("greet", "thanks", "help", "bot_challenge") and not r.has_case_facts and msg.confidence >= 0.8:
        return Outcome([Message(q.CONTROL[msg.intent])] + _repeat(st, today), st)
    if r.has_case_facts:
        # The officer's own first description of the contract, even when it came with a question: the words
        # to show and to rank categories by if the service turns out to be one the catalogue does not know.
        st.setdefault("first_text", msg.text[:200])
    # A question about the rules: the FAQ answers it, for this contract when one is described or known.
    answered = _question(st, msg, r, pending, today)
    if answered is not None:
        return answered
    if pending.get("ask") == "offer_check" and (msg.intent == "affirm" or re.match(r"\s*(?:yes|yeah|yep|ok|please|go\s+on|check\s+it)", msg.text, re.I)):
        st["pending"] = None
        return _advance(st, today, [])
    if msg.intent in CONTROL_REPLIES and not r.has_case_facts and not (pending and _answers_pending(r, pending)):
        return Outcome([Message(q.CONTROL[msg.intent])] + (_repeat(st, today) if pending else []), st)

    if st["last"] and r.describes_contract and not r.correction and _is_new_contract(st, r):
        kept_buyer = st["facts"].get("buyer")
        disclaimer = st["disclaimer"]
        st = new_state()
        st["disclaimer"] = disclaimer
        if kept_buyer:
            st["facts"]["buyer"] = kept_buyer
            st["source"]["buyer"] = "you said earlier"
        pending = {}

    notes: list[str] = []
    st.setdefault("first_text", msg.text[:200])
    before = copy.deepcopy(st["facts"])
    took = _merge(st, r, pending, msg.text, today, notes)
    if not took and not st["facts"] and (msg.intent == "assess" or _START.search(msg.text)):
        return _advance(st, today, notes)  # "I need to check a contract": the guided questions, from the first
    ask = pending.get("ask")
    if not took:
        if ask:
            return _missed(st, ask, today, [q.missed(ask)])
        return Outcome([Message(q.DEFAULT)], st)
    if ask and _answers_pending(r, pending):
        st.get("misses", {}).pop(ask, None)  # answered: a later question about it starts afresh
    if ask and not _answers_pending(r, pending):
        # The reply changed something else ("sorry it's VAT exempt, charity provider" at the date question): say
        # what it changed, and ask again another way rather than in the same words.
        return _advance(st, today, notes + _noted(before, st), missed=ask)
    return _advance(st, today, notes)


def _question(st: dict[str, Any], msg: Incoming, r: Reading, pending: dict[str, Any], today: date) -> Optional[Outcome]:
    """The FAQ's answer when the message asks a question about the rules; None when it is (also) the facts of a
    contract to assess. A question with a value about its own contract ("is our £2m home care contract above the
    threshold?") is assessed; any other question is answered for the case described or known so far, and the
    facts it gives are kept, so the officer can carry on."""
    asked = _looks_like_a_question(msg.text)
    # The intent alone does not make a statement of facts a question ("£400k a year, no VAT, 3 + 2 years, tender
    # notice in March"): the NLU reads long messages full of procurement words as "faq".
    if not (asked or (msg.intent == "faq" and not r.has_case_facts)):
        return None
    if pending and _answers_pending(r, pending) and not asked:
        return None  # "no VAT" at the VAT question is an answer
    if asked and asks_what_to_do(msg.text, r.services) and (
            not st["last"] or _is_new_contract(st, r)):
        # "I've been asked to find a company to provide home care. Do I have to run a tender?": what to do about
        # something being bought depends on facts not given yet; a case, whatever the FAQ's nearest topic.
        return _what_to_do(st, msg, r, pending, today)
    has_case = bool(st["facts"])
    trial = copy.deepcopy(st)
    took = _merge(trial, r, pending, msg.text, today, []) if r.has_case_facts else False
    context = case_dict(trial) if q.has_service(trial["facts"]) else (st["last"] or {}).get("case")
    reply = faq_reply(msg.text, as_of=today, context=context or None)
    topic = topic_of(reply.faq_id) if reply.faq_id else None
    own_contract = r.value.found and (bool(r.services or r.cpv or r.parts) or has_case)
    if reply.confident and own_contract and topic in ASSESSED_TOPICS and q.next_question(copy.deepcopy(trial), today):
        # The officer's own contract, but a fact is still missing: the general answer now, the check next.
        trial["pending"] = {"ask": q.next_question(trial, today)}
        return Outcome([Message(reply.text, reply.buttons)] + _repeat(trial, today), trial)
    if reply.confident and not (own_contract and topic in ASSESSED_TOPICS):
        kept = trial if took else st
        kept["pending"] = st["pending"]
        if took and asked and kept["facts"].get("service") != st["facts"].get("service"):
            kept["source"]["service"] = "asked about"  # a service only asked about: the next description replaces it
        if reply.offer and took and not kept["pending"] and not st["last"]:
            # A question about a contract it describes: answered for its facts, then the offer to check all of it.
            kept["pending"] = {"ask": "offer_check"}
            return Outcome([Message(reply.text, reply.buttons), Message(reply.offer, [OFFER_BUTTON])], kept)
        return Outcome([Message(reply.text, reply.buttons)] + _carry_on(kept, today), kept)
    off_topic = msg.intent == "out_of_scope" or reply.score < OFF_TOPIC_SCORE
    if not reply.confident and off_topic and not r.has_case_facts:
        return Outcome([Message(q.CONTROL["out_of_scope"])] + _repeat(st, today), st)
    # An unsure FAQ match on a message with a figure in it is more likely a contract to check than a question
    # about the rules ("need a facilitator for a workshop, £6k + VAT. is this light touch??"): take its facts.
    if not reply.confident and not (r.describes_contract or r.value.found or (has_case and r.has_case_facts and not asked)):
        return Outcome([Message(reply.text, reply.buttons)] + _repeat(st, today), st)
    return None


def _about_message(itself: Any, st: dict[str, Any], today: date) -> Message:
    if itself.faq_id is None:
        return Message(itself.text)
    reply = faq_reply("", itself.faq_id, as_of=today)
    return Message(itself.lead + reply.text, reply.buttons)


def _what_to_do(st: dict[str, Any], msg: Incoming, r: Reading, pending: dict[str, Any], today: date) -> Optional[Outcome]:
    """A general question about something being bought, as a new case: the service noted, then the first fact still
    missing. None (the turn goes on as for any description) once an answer has been given: a new contract resets it."""
    if st["last"] or pending:
        return None
    notes: list[str] = []
    if not (r.services or r.cpv):
        # Bought in words the catalogue does not know ("find a company to clear graffiti from our estates"): keep
        # them, and offer the nearest categories (never the FAQ's topics).
        words = bought_words(msg.text)
        if not words or st["facts"] or set(words.lower().split()) <= GENERAL_WORDS:  # "buy through a tender"
            return None
        _merge(st, r, pending, msg.text, today, notes)
        st["first_text"] = words
        st["words"]["service"] = words
        st["pending"] = {"ask": "service_unknown"}
        return Outcome([Message(n) for n in notes if n] + [q.unknown_service(words)], st)
    st.setdefault("first_text", msg.text[:200])
    if not _merge(st, r, pending, msg.text, today, notes):
        return None
    out = _advance(st, today, notes)
    service = st["facts"].get("service")
    if out.assessment is None and service and q.service_label(str(service)) != str(service):
        lead = f"To answer that, I need a few facts about the contract. Noted: the service is {q.service_label(str(service)).lower()}."
        out.messages.insert(0, Message(lead))
    return out


def _carry_on(st: dict[str, Any], today: date) -> list[Message]:
    """After a general answer: the question still pending, or an offer to check the contract described."""
    if (st.get("pending") or {}).get("ask"):
        return _repeat(st, today)
    if q.has_service(st["facts"]) and (st["facts"].get("value") or st["facts"].get("parts")) and not st["last"]:
        st["pending"] = {"ask": "offer_check"}
        return [Message(q.OFFER_CHECK, [OFFER_BUTTON])]
    return []


def _looks_like_a_question(text: str) -> bool:
    if re.search(r"[,;:–—-]\s*(?:so\s+)?(?:does|do|is|are|can|could|should|will|would|must|has|have)\s+(?:it|we|they|this|that|i|you)\b",
                 text, re.I):
        return True  # "we started our tender before the act came in, are we still PCR"
    if re.search(r"\b(?:does|do|is|are|can|could|should|will|would|must|has|have)\s+(?:it|we|they|this|that|i|you|these|those)\b"
                 r"(?!\s*(?:say|said|think)\b)", text, re.I) and not re.match(r"\s*(?:we|they|it|i)\b", text, re.I):
        return True  # "if we add a tech platform, does it stop being light touch"
    return bool(re.match(r"\s*(?:so\s+|and\s+|but\s+|ok,?\s+|okay,?\s+|please\s+)?(?:what|which|how|why|who|where|when|do|does|did|"
                         r"is|are|can|could|should|must|will|would|have|has|isn'?t|aren'?t|what'?s|tell\s+me|explain|show\s+me|"
                         r"more\s+(?:about|on)|remind\s+me|i\s+(?:want|need|would\s+like)\s+to\s+know)\b", text, re.I)) \
        or text.rstrip().endswith("?")


def _answers_pending(r: Reading, pending: dict[str, Any]) -> bool:
    ask = pending.get("ask")
    return {
        "service": bool(r.services or r.cpv),
        "value": r.value.found or r.dont_know,
        "term": r.value.term is not None or r.value.open_ended or r.dont_know or parse_extension(r.text) is not None,
        "date": r.date is not None or r.dont_know,
        "vat": r.vat is not None or r.dont_know,
        "cross_border": r.cross_border is not None or r.dont_know,
        "separable": r.separable is not None,
        "value_choice": r.value.found,
        "exemption": r.exemption is not None or r.dont_know or parse_yes_no(r.text) is not None,
        "date_confirm": r.date is not None,
        "buyer": r.buyer is not None,
    }.get(ask or "", False)


def _is_new_contract(st: dict[str, Any], r: Reading) -> bool:
    facts = st["facts"]
    if not (r.services or r.cpv or r.parts) or r.part_change:
        return False
    ids = {s.id for s in r.services}
    same_service = facts.get("service") in ids or any(p.get("service") in ids for p in (facts.get("parts") or [])
                                                      + (st.get("added") or []))
    return not same_service  # the same service with a new figure is a correction, not a new contract


def read_answers(answers: list[tuple[Optional[str], str]], today: date,
                 read: Callable[..., Reading] = read_message) -> tuple[dict[str, Any], list[str]]:
    """The case facts that several short texts state, read and merged exactly as the conversation does: each
    (ask, text) is taken as the officer's answer to that question (ask None: said unprompted). For screening a
    spreadsheet, where each column answers one question. -> (state, notes); state["open"] lists the questions
    the texts raised and left open (two amounts to choose from, a month without a year, an unreadable value).
    `read` is `read_message` or a stand-in for it (the screening's, which remembers cells it has read)."""
    st, notes, raised = new_state(), [], []
    for ask, text in answers:
        r = read(text, today, has_value=_has_value(st))
        pending = {"ask": ask} if ask else {}
        st["pending"] = pending or None
        _merge(st, r, pending, text, today, notes)
        if st["pending"] and st["pending"] is not pending:
            raised.append(st["pending"])
        st["pending"] = None
    st["open"] = raised
    return st, notes


# ---- payloads (buttons) --------------------------------------------------------------------------------

def _payload(st: dict[str, Any], msg: Incoming, today: date) -> Outcome:
    e, facts, pending = msg.entities, st["facts"], st["pending"] or {}
    notes: list[str] = []
    if msg.intent == "faq":
        context = (st["last"] or {}).get("case") or (case_dict(st) if q.has_service(st["facts"]) else None)
        reply = faq_reply("", str(e.get("faq_id") or "") or None, as_of=today, context=context)
        return Outcome([Message(reply.text, reply.buttons)] + _repeat(st, today), st)
    if msg.intent == "affirm" and pending.get("ask") == "offer_check":
        st["pending"] = None
        return _advance(st, today, notes)
    if msg.intent in FOLLOW_UPS:
        return Outcome([], st, follow_up=msg.intent) if st["last"] else Outcome([Message(q.NO_CASE_YET)], st)
    if msg.intent == "quiz":
        return Outcome([], st)
    if msg.intent in ("greet", "help") and not e:  # a channel's opening "/greet" (the widget, Teams' welcome)
        return Outcome([Message(q.CONTROL[msg.intent])] + _repeat(st, today), st)
    if "fact" in e:  # a "Change" button on a fact of the answer
        fact = str(e.get("fact") or "")
        ask = q.CHANGE_ASKS.get(fact, "service")
        st["pending"] = {"ask": ask}
        # asked for by the officer: never an assumption, but a wording not used yet when there is one
        return Outcome([_say(st, ask, today) or q.question(ask, facts, st, today, 1)], st)
    if "choice" in e and pending.get("ask") == "value_choice":
        i = e.get("choice")
        choices = pending.get("choices") or []
        if isinstance(i, int) and 0 <= i < len(choices):
            _set(st, "value", choices[i]["value"], "you said", choices[i]["label"])
            st["pending"] = None
            return _advance(st, today, notes)
        return Outcome(_repeat(st, today), st)
    if "choice" in e and pending.get("ask") == "service_unknown":
        st["pending"] = None
        st["source"]["service_unrecognised"] = "you said"
        return Outcome([Message(q.SERVICE_NOT_RECOGNISED.format(words=st["words"].get("service", "that service")))], st)
    if msg.intent == "dont_know":
        return _dont_know(st, pending.get("ask"), today)
    if "service" in e and pending.get("ask") == "part_service":
        parts = facts.get("parts") or []
        i = pending.get("index")
        if isinstance(i, int) and 0 <= i < len(parts):
            parts[i]["service"] = str(e["service"])
        st["pending"] = None
        return _advance(st, today, notes)
    if "choice" in e and pending.get("ask") == "part_service":
        st["pending"] = None
        st["source"]["service_unrecognised"] = "you said"
        words = (facts.get("parts") or [{}])[pending.get("index") or 0].get("service", "that service")
        return Outcome([Message(q.SERVICE_NOT_RECOGNISED.format(words=words))], st)
    if msg.intent in ("inform", "affirm", "deny"):
        part = _ambiguous_part(st, str(e.get("service") or ""))
        if part is not None:
            part["service"] = str(e["service"])  # the choice was about a part, not the whole contract
        elif "service" in e:
            _set(st, "service", str(e["service"]), "you said", q.service_label(str(e["service"])))
            st["words"]["service_for"] = ""
            facts.pop("cpv", None)
        for key, fact in (("vat", "vat"), ("buyer", "buyer"), ("cross_border", "cross_border_interest")):
            if key in e:
                _set(st, fact, str(e[key]), "you said")
        if "separable" in e:
            for p in facts.get("parts") or []:
                p["separable"] = bool(e["separable"])
            st["source"]["separable"] = "you said"
        if "commenced" in e:
            _set(st, "commenced", str(e["commenced"]), "you said")
            st.pop("date_period", None)
        if "exemption" in e:
            if e["exemption"] in EXEMPTIONS:
                _set(st, "exemption", str(e["exemption"]), "you said")
            else:  # "No, it isn't exempt"
                facts.pop("exemption", None)
                st["source"]["exemption"] = "you said"
        if isinstance(e.get("years"), (int, float)) and isinstance(facts.get("value"), dict):
            facts["value"]["years"] = float(e["years"])
            facts["value"].pop("open_ended", None)
            st["source"]["term"] = "you said"
        if e.get("open_ended") and isinstance(facts.get("value"), dict):
            facts["value"].pop("years", None)
            facts["value"]["open_ended"] = True
            st["source"]["term"] = "you said"
        st["pending"] = None
        return _advance(st, today, notes)
    return Outcome([Message(q.DEFAULT)], st)


def _ambiguous_part(st: dict[str, Any], chosen: str) -> Optional[dict[str, Any]]:
    """The part whose words could mean `chosen` (a "which is closest?" button about a part of a mixed contract)."""
    from bot.ltr import load_knowledge

    kb = load_knowledge()
    for p in (st.get("added") or []) + (st["facts"].get("parts") or []):
        svc = kb.service(str(p.get("service") or ""))
        if chosen and svc is not None and chosen in svc.ambiguous_with:
            return p
    return None


def _dont_know(st: dict[str, Any], ask: Optional[str], today: date) -> Outcome:
    facts, notes = st["facts"], []
    if ask == "value":
        _set(st, "value", {"unknown": True}, "you said", "not known yet")
    elif ask == "term":
        value = facts.get("value") or {}
        value.pop("years", None)
        facts["value"] = value
        st["source"]["term"] = "you said"
        st["words"]["term"] = "not known"
    elif ask == "date":
        _set(st, "commenced", today.isoformat(), "assumed", "not known: I've assumed the procurement starts now")
        facts.pop("commencement_event", None)
    elif ask == "vat":
        # The question is asked only when VAT changes the answer: not knowing, take the safer reading (VAT on top,
        # the higher value) and say so, as when the question goes unanswered (_assume); never the lower one.
        notes.append(_assume(st, "vat", today) or "")
        st["words"]["vat"] = "not known: assumed added on top"
    elif ask == "cross_border":
        _set(st, "cross_border_interest", "unknown", "you said")
    elif ask == "separable":
        st["source"]["separable"] = "you said"
    elif ask in ("exemption", "value_choice", "date_confirm", "buyer"):
        notes.append(_assume(st, ask, today) or "")
    else:
        return Outcome([Message(q.DONT_KNOW_GENERAL)], st)
    st["pending"] = None
    return _advance(st, today, notes)


# ---- merging what a message says into the case ----------------------------------------------------

def _set(st: dict[str, Any], fact: str, value: Any, source: str, words: Optional[str] = None) -> None:
    st["facts"][fact] = value
    st["source"][fact] = source
    if words:
        st["words"][fact] = words
    elif fact in st["words"]:
        del st["words"][fact]


def _merge(st: dict[str, Any], r: Reading, pending: dict[str, Any], text: str, today: date, notes: list[str]) -> bool:
    """Puts every fact the message states into the case. False when it states nothing usable."""
    facts = st["facts"]
    ask = pending.get("ask")
    took = False

    # A pending question's bare answer ("no", "dunno", "a charity", "home care for older people")
    if ask == "vat" and r.vat is None:
        v = parse_vat_status(text, answer=True)
        yn = parse_yes_no(text)
        if v is not None:
            r.vat = v.value
        elif yn is not None:
            r.vat = "included" if yn else "excluded"
        elif r.dont_know:
            r.vat = "unknown"
    if ask == "vat" and r.vat == "unknown":  # "not sure about VAT": the safer reading, said (see _dont_know)
        notes.append(_assume(st, "vat", today) or "")
        st["words"]["vat"] = "not known: assumed added on top"
        r.vat, took = None, True
    if ask == "cross_border" and r.cross_border is None:
        c = parse_cross_border(text, answer=True)
        if c is not None:
            r.cross_border = c.value
    if ask == "separable" and r.separable is None:
        yn = parse_yes_no(text)
        if yn is not None:
            r.separable = yn
    if ask in ("value", "term", "date", "cross_border") and r.dont_know and not r.has_case_facts:
        _dont_know(st, ask, today)
        return True
    if ask == "exemption" and r.exemption is None:
        yn = parse_yes_no(text)
        if r.dont_know:  # "not sure": the safe assumption, said
            notes.append(_assume(st, "exemption", today) or "")
            st.setdefault("assumed", []).append("exemption")
            took = True
        elif yn is True and st.get("exemption_hint"):
            r.exemption = ExemptionMention(str(st["exemption_hint"]), True, 0, len(text), text)
        elif yn is False:
            facts.pop("exemption", None)
            st["source"]["exemption"] = "you said"
            took = True

    # exemption (reference §1 step 1): clear words decide it; words that only suggest it are asked about
    if r.exemption is not None and r.exemption.clear:
        _set(st, "exemption", r.exemption.id, "you said", r.exemption.text)
        took = True
    elif r.exemption is not None and "exemption" not in st["source"] and _worth_asking(r):
        st["exemption_hint"] = r.exemption.id
        st["words"]["exemption"] = r.exemption.text
        took = True

    # a part added to, or taken out of, the contract described so far: the rest stays, and the whole is tested
    # again (PSR reg 3(2)-(5); PCR reg 4 and Act s.9, "wholly or mainly"; Act s.10)
    if r.part_change and q.has_service(facts) and _change_part(st, r):
        took = True
        r.services, r.cpv, r.parts, r.value = [], [], [], ValueReading()

    # service
    services = r.services
    if ask == "part_service" and services and not r.parts:
        parts = facts.get("parts") or []
        i = pending.get("index")
        if isinstance(i, int) and 0 <= i < len(parts):
            parts[i]["service"] = services[0].id
            st["pending"] = None
            return True
    if r.parts and len(r.parts) >= 2:
        parts = [{"service": p["service"], "value_gbp": p["value_gbp"],
                  **({"separable": p["separable"]} if "separable" in p else {})} for p in r.parts]
        old_parts = facts.get("parts") or []
        if len(old_parts) == len(parts):
            # The same parts said again ("of which £80k is outreach"): keep the services already understood.
            for new, old in zip(sorted(parts, key=lambda p: p["value_gbp"]), sorted(old_parts, key=lambda p: p["value_gbp"])):
                if abs(new["value_gbp"] - float(old.get("value_gbp") or 0)) <= 0.02 * new["value_gbp"]:
                    new["service"] = old["service"]
        facts["parts"] = parts
        facts.pop("service", None)
        facts.pop("value", None)
        st["source"]["parts"] = "you said"
        st["words"]["parts"] = "; ".join(f"{p['words']} £{p['value_gbp']:,.0f}" for p in r.parts)
        took = True
    elif (services or r.cpv) and not _keeps_service(st, r, ask):
        if r.cpv and not services:
            _set(st, "cpv", [c.code for c in r.cpv], "you said", ", ".join(c.text for c in r.cpv))
            facts.pop("service", None)
        else:
            main = services[0]
            _set(st, "service", main.id, "you said", main.text)
            st["words"]["service_for"] = r.client.text if r.client else ""  # whom it is for, if the law differs
            if r.cpv:
                facts["cpv"] = [c.code for c in r.cpv]
            else:
                facts.pop("cpv", None)
        st.pop("unrecognised", None)
        took = True
    elif ask == "service" and not r.has_case_facts and not r.dont_know and text.strip():
        # Words the catalogue does not know: keep them, and let the engine (and the officer) decide.
        _set(st, "service", text.strip(), "you said", text.strip())
        took = True

    # value
    v = r.value
    extension = parse_extension(text) if not v.amounts and v.extension_only is None else None
    if extension is not None and isinstance(facts.get("value"), dict):
        # "no extension", "plus a year's option": the extension years alone (not a new term, not a price per year)
        facts["value"]["extension_years"] = extension
        st["source"]["term"] = "you said"
        if extension == 0 and v.term is not None and v.term.years:  # "4 years with no extension": the new term stands too
            facts["value"]["years"] = v.term.years
            facts["value"].pop("open_ended", None)
        r.period_only, v.term = None, None
        took = True
    if (facts.get("parts") or st.get("added")) and not r.parts and _update_part_values(st, r):
        took = True  # "the devices are £190k not £120k"
    elif r.parts:
        pass  # the parts carry their own values
    elif v.problem:
        st["pending"] = {"ask": "value", "problem": v.problem}
        notes.append(v.problem)
        took = True
    elif v.choices and facts.get("exemption"):
        pass  # exempt whatever the value: the amounts are not asked about
    elif v.choices:
        st["pending"] = {"ask": "value_choice", "choices": [{"label": label, "value": val} for label, val in v.choices]}
        if v.term is not None:  # kept for a later "sorry, that £500k is per year"
            st["term"] = {"years": v.term.years, "extension_years": v.term.extension_years}
        took = True
    elif v.value is not None and not r.parts and facts.get("parts") and _restates_parts(facts["parts"], v.value):
        took = True  # "£1.5m a year in total for 5 years": the parts already add up to that
    elif v.value is not None and not r.parts:
        _merge_value(st, v.value, r, notes)
        took = True
    elif v.addition and set(v.addition) == {"one_off_gbp"} and _same_amount(facts.get("value"), v.addition["one_off_gbp"]):
        facts["value"] = {"total_gbp": v.addition["one_off_gbp"]}  # "a one-off £18k": the same figure, now a total
        st["source"]["value"] = "you said"
        took = True
    elif v.addition and (facts.get("value") or facts.get("parts")) and not (facts.get("value") or {}).get("unknown"):
        base = facts.get("value") or {}
        for k, x in v.addition.items():
            base[k] = (base.get(k) or 0) + x
        facts["value"] = base
        st["source"]["value"] = "you said"
        took = True
    elif v.extension_only is not None and facts.get("value") and facts["value"].get("years"):
        value = facts["value"]
        value["extension_years"] = v.extension_only if (r.correction and not v.extension_added) else \
            (value.get("extension_years") or 0) + v.extension_only
        st["source"]["term"] = "you said"
        took = True
    elif r.period_only and facts.get("value"):
        took = _change_period(st, r.period_only) or took
    elif v.term is not None and facts.get("value") and not v.amounts:
        value = facts["value"]
        value["years"] = v.term.years
        # "I meant 5 years not 3", "the initial term is 4 years": the initial term changes and the extension
        # options already given stay, unless the new words say something about extensions ("no extension").
        if v.term.extension_years or ask == "term" or (r.correction and (
                not value.get("extension_years") or parse_extension(r.text) is not None)):
            value["extension_years"] = v.term.extension_years
        value.pop("open_ended", None)
        st["source"]["term"] = "you said"
        took = True
    elif v.open_ended and facts.get("value") and ask in ("term", None, "value"):
        facts["value"].pop("years", None)
        facts["value"]["open_ended"] = True
        took = True
    elif v.term is not None and not facts.get("value"):
        st["term"] = {"years": v.term.years, "extension_years": v.term.extension_years}
        took = True
    if v.vat and not r.vat:
        r.vat = v.vat

    if r.vat:
        _set(st, "vat", r.vat, "you said")
        took = True
    if r.date is not None and r.date.notice:
        st["notice"] = r.date.notice  # "we advertised it on Contracts Finder": the date may come later
    date_said = _procurement_date(r)
    if st.get("notice") and ask == "date":
        # "that was on 20 Feb 2025, awarded April 2025": the first date answers "when was it advertised?"
        date_said = next((d for d in r.dates if d.date is not None and d.event in ("advertised", None)), r.date)
    if date_said is not None and date_said.date is not None and (date_said.event or ask == "date" or _only_a_date(r)):
        took = _merge_date(st, date_said, today) or took
    if r.buyer:
        _set(st, "buyer", r.buyer, "you said")
        took = True
    if r.cross_border:
        _set(st, "cross_border_interest", r.cross_border, "you said")
        took = True
    for k, x in r.flags.items():
        if x is None:
            facts.pop(k, None)
        else:
            facts[k] = x
            st["source"][k] = "you said"
        took = True
    if r.aims:
        facts["aims"] = sorted(set(facts.get("aims") or []) | set(r.aims))
        took = True
    if r.separable is not None and (facts.get("parts") or st.get("added")):
        for p in (facts.get("parts") or []) + (st.get("added") or []):
            p["separable"] = r.separable
        st["source"]["separable"] = "you said"
        took = True
    if took and st.get("pending") is pending and (not pending or _answers_pending(r, pending)):
        st["pending"] = None
    return took


_START = re.compile(r"\b(?:check|assess|look\s+at|help\s+(?:me\s+)?with)\b[^.?!]{0,30}\b(?:contract|procurement|tender)\b", re.I)


def _keeps_service(st: dict[str, Any], r: Reading, ask: Optional[str]) -> bool:
    """A later message that mentions another service in passing ("published on the central digital platform")
    does not replace the service: only a correction or an answer to the service question does."""
    facts = st["facts"]
    ids = {s.id for s in r.services}
    if facts.get("parts") and not r.parts and ids & {str(p.get("service")) for p in facts["parts"]}:
        return True  # a part named again ("the devices are ...") is handled as that part
    if not (facts.get("service") or facts.get("cpv")) or r.correction or ask in ("service", "service_choice", "service_unknown"):
        return False
    if st["source"].get("service") == "asked about":
        return False
    return facts.get("service") not in ids


_NOT_THE_START = re.compile(r"market\s+engagement|engagement\s+event|soft\s+market|pre[\s-]?market|questionnaire|"
                            r"\bno\s+notice|without\s+(?:a\s+)?notice|nothing\s+(?:was\s+)?published", re.I)


def _procurement_date(r: Reading) -> Optional[DateMention]:
    """The date the procurement started: market engagement without a notice does not start it (SI 2024/716
    reg 2); when a message gives both, the notice's date counts."""
    if r.date is None or len(r.dates) < 2:
        return r.date
    text = r.text
    def clause(d: DateMention) -> str:
        return text[max(0, d.start - 60):d.end + 40]
    if _NOT_THE_START.search(clause(r.date)):
        better = [d for d in r.dates if d is not r.date and d.date and d.event == "advertised"
                  and not _NOT_THE_START.search(text[max(0, d.start - 40):d.end + 10])]
        if better:
            return better[0]
    return r.date


def _has_value(st: dict[str, Any]) -> bool:
    """A value to add to ("plus a £90k one-off"): not one the officer said they don't know yet."""
    value = st["facts"].get("value")
    return bool((value and not value.get("unknown")) or st["facts"].get("parts"))


def _only_a_date(r: Reading) -> bool:
    """A message that is just a date ("March 2027") answers the date question even when none is pending."""
    return r.date is not None and len(r.text.strip()) <= len(r.date.text) + 12


def _merge_value(st: dict[str, Any], new: dict[str, Any], r: Reading, notes: list[str]) -> None:
    facts = st["facts"]
    old = facts.get("value") or {}
    value = dict(new)
    # "sorry, that £500k is per year": the new figure keeps the term already given.
    if "years" not in value and old.get("years") and not value.get("unknown") and not value.get("open_ended"):
        if any(k in value for k in ("annual_gbp", "monthly_gbp", "weekly_gbp")) or (r.correction and "total_gbp" in value):
            value["years"] = old["years"]
            if old.get("extension_years") and "extension_years" not in value:
                value["extension_years"] = old["extension_years"]
    if "years" not in value and st.get("term") and not value.get("unknown"):
        value["years"] = st["term"]["years"]
        if st["term"].get("extension_years"):
            value["extension_years"] = st["term"]["extension_years"]
    for k in ("one_off_gbp",):
        if k in old and k not in value and r.correction:
            value[k] = old[k]
    facts["value"] = value
    st["source"]["value"] = "you said"
    notes.extend(r.value.notes)
    st.pop("range", None)
    low = r.value.low
    if low is not None:
        # "£640–690k": remember the bottom end; the answer checks whether it falls on the other side.
        field = next((k for k in ("total_gbp", "annual_gbp", "monthly_gbp", "weekly_gbp") if k in low and k in value), None)
        if field and low[field] < value[field]:
            st["range"] = {"field": field, "low": low[field], "high": value[field]}


def _restates_parts(parts: list[dict[str, Any]], value: dict[str, Any]) -> bool:
    total = sum(float(p.get("value_gbp") or 0) for p in parts)
    per_year = {"annual_gbp": 1, "monthly_gbp": 12, "weekly_gbp": 52}
    whole = next((float(value[k]) * n * (float(value.get("years") or 0) + float(value.get("extension_years") or 0))
                  for k, n in per_year.items() if k in value), float(value.get("total_gbp") or 0))
    return total > 0 and abs(whole - total) <= 0.02 * total


def _same_amount(value: Any, amount: float) -> bool:
    if not isinstance(value, dict):
        return False
    return any(abs(float(value.get(k) or 0) - amount) < 0.5 for k in ("total_gbp", "annual_gbp", "monthly_gbp", "weekly_gbp"))


def _change_period(st: dict[str, Any], period: str) -> bool:
    value = st["facts"].get("value") or {}
    amount = next((value.pop(k) for k in ("total_gbp", "annual_gbp", "monthly_gbp", "weekly_gbp") if k in value), None)
    if amount is None:
        return False
    key = {"year": "annual_gbp", "month": "monthly_gbp", "total": "total_gbp"}[period]
    value[key] = amount
    st["facts"]["value"] = value
    st["source"]["value"] = "you said"
    return True


def _update_part_values(st: dict[str, Any], r: Reading) -> bool:
    """"devices are £190k not £120k": a new amount for one named part. False when the message is not that."""
    amounts = [a for a in r.value.amounts if a.role not in ("other", "compared", "restated")]
    ids = {s.id for s in r.services}
    if len(amounts) != 1 or not ids:
        return False
    for p in (st["facts"].get("parts") or []) + (st.get("added") or []):
        if p.get("service") in ids:
            p["value_gbp"] = amounts[0].money.amount_gbp
            st["source"]["parts"] = "you said"
            return True
    return False


def _merge_date(st: dict[str, Any], d: DateMention, today: date) -> bool:
    facts = st["facts"]
    if d.date is None:
        return False
    act_start = q.act_start()
    facts["commenced"] = d.date.isoformat()
    st["source"]["commenced"] = "you said"
    st["words"]["commenced"] = d.said or d.text
    note = d.assumption or (f"its first day, the period runs to {date_words(d.latest.isoformat())}"
                            if d.latest is not None and d.precision in ("quarter", "season", "year") else None)
    if note:
        st["date_note"] = note
    else:
        st.pop("date_note", None)
    if d.latest is not None:
        st["date_period"] = [d.date.isoformat(), d.latest.isoformat()]
    else:
        st.pop("date_period", None)
    if d.notice is None and st.get("notice") and d.event in ("advertised", None):
        d = replace(d, event="advertised", notice=st["notice"])
    event = _event(d, act_start)
    if event:
        facts["commencement_event"] = event
    else:
        facts.pop("commencement_event", None)
    st["date_event"] = d.event
    _confirm_if_ambiguous(st, d, today)
    return True


def _confirm_if_ambiguous(st: dict[str, Any], d: DateMention, today: date) -> None:
    """"we advertised in Feb": a month without a year could be this year's or last year's. When the two
    readings give different answers (another regime or threshold table), the officer is asked which."""
    if d.date is None or _period_question(st, today):
        return
    if d.year_said or d.precision not in ("month", "day", "season", "quarter"):
        return
    try:
        other = d.date.replace(year=d.date.year - 1) if d.past else d.date.replace(year=d.date.year + 1)
    except ValueError:  # 29 February
        return
    base = case_dict(st)
    if q.outcome({**base, "commenced": d.date.isoformat()}, today) != q.outcome({**base, "commenced": other.isoformat()}, today):
        st["pending"] = {"ask": "date_confirm", "choices": sorted([d.date.isoformat(), other.isoformat()])}


def _period_question(st: dict[str, Any], today: date) -> bool:
    """"FY24/25" runs across the Act's start (24 February 2025): when the answer differs on either side of a
    change in the rules inside the period named, ask once (now, or when the case is complete enough)."""
    period = st.get("date_period")
    if not period:
        return False
    first, last = (date.fromisoformat(x) for x in period)
    base = case_dict(st)
    here = q.outcome({**base, "commenced": first.isoformat()}, today)
    if here is None:
        return False  # not enough facts yet to tell: asked later, before the answer
    st.pop("date_period")
    for b in q.rule_changes():
        if first < b <= last and q.outcome({**base, "commenced": b.isoformat()}, today) != here:
            st["pending"] = {"ask": "date_confirm", "choices": [first.isoformat(), b.isoformat()], "boundary": b.isoformat()}
            return True
    return False


def _event(d: DateMention, act_start: str) -> Optional[str]:
    if d.event == "awarded" and d.past:
        return "contract_awarded"
    if d.notice is None:
        return None
    before_act = bool(d.date and d.date.isoformat() < act_start)
    return (_NOTICE_EVENTS_BEFORE_ACT if before_act else _NOTICE_EVENTS_UNDER_ACT).get(d.notice)


# ---- deciding what comes next: a question, or the answer ---------------------------------------------

def case_dict(st: dict[str, Any]) -> dict[str, Any]:
    return q.case_of(st)


def _change_part(st: dict[str, Any], r: Reading) -> bool:
    """"we're adding a handyperson element worth about £80k": a new part beside what is already described;
    "we're dropping the handyperson element": that part taken out. False when the message is not that."""
    facts = st["facts"]
    added = st.setdefault("added", [])
    parts = facts.get("parts") or []
    known = {str(facts.get("service") or "")} | {str(p.get("service")) for p in parts + added}
    known |= {str(c) for c in facts.get("cpv") or []} | {str(c) for p in parts + added for c in p.get("cpv") or []}
    if r.part_change == "remove":
        gone = {s.id for s in r.services} | {str(s.cpv) for s in r.services if s.cpv} | {s.text for s in r.services}
        keep = [p for p in added if not ({str(p.get("service"))} | set(p.get("cpv") or [])) & gone]
        kept_parts = [p for p in parts if not ({str(p.get("service"))} | set(p.get("cpv") or [])) & gone]
        if len(keep) == len(added) and len(kept_parts) == len(parts):
            return False
        st["added"] = keep
        if parts:
            facts["parts"] = kept_parts
        return True
    new = [m for m in r.services if m.id not in known and str(m.cpv) not in known]
    amounts = [a for a in r.value.amounts if a.role not in ("other", "compared", "restated")]
    if not new or len(amounts) != 1:
        return False
    svc, money = new[0], amounts[0].money
    amount = money.amount_gbp
    if money.period in ("year", "month", "week"):
        value = facts.get("value") or {}
        years = money.years or (float(value.get("years") or 0) + float(value.get("extension_years") or 0))
        if not years:
            return False  # a yearly price with no term to multiply it by: left to the value question
        amount *= {"year": 1, "month": 12, "week": 52}[money.period] * years
    part: dict[str, Any] = ({"service": svc.text, "cpv": [svc.cpv]} if svc.id.startswith(CPV_PREFIX) and svc.cpv
                            else {"service": svc.id})
    part["value_gbp"] = round(amount, 2)
    if r.separable is not None:
        part["separable"] = r.separable
        st["source"]["separable"] = "you said"
    if parts:
        parts.append(part)
    else:
        added.append({**part, "words": svc.text})
    st["source"]["parts"] = "you said"
    return True


def _advance(st: dict[str, Any], today: date, notes: list[str], missed: Optional[str] = None) -> Outcome:
    """The next question, or the answer. `missed`: the question the officer's reply did not answer."""
    pending = st.get("pending") or {}
    if pending.get("ask") in ("value_choice", "value", "date_confirm") and (pending.get("choices") or pending.get("problem")):
        ask: Optional[str] = pending["ask"]
    else:
        ask = q.next_question(st, today)
        if ask == "service" and ("service" in (st.get("asked") or []) or _unknown_words(st)):
            # Asked once already, or a contract described in words we don't know: say so and offer the nearest
            # categories, never ask again.
            st["pending"] = {"ask": "service_unknown"}
            st["words"].setdefault("service", st.get("first_text", ""))
            return Outcome([Message(n) for n in notes if n] + [q.unknown_service(st.get("first_text", ""))], st)
        if ask is None and _period_question(st, today):
            ask = "date_confirm"  # "FY24/25" runs across a change in the rules: _period_question set the choices
        if ask is None:
            return _answer(st, today, notes)
        st["pending"] = {**(st.get("pending") or {}), "ask": ask} if ask == "date_confirm" else {"ask": ask}
    assert ask is not None
    if ask in (st.get("assumed") or []):
        return _answer(st, today, notes)  # assumed already: the answer states what is still missing, never a loop
    if missed == ask:
        return _missed(st, ask, today, notes)
    msg = _say(st, ask, today)
    if msg is None:  # every wording of this question has been used: take the safe assumption
        return _missed(st, ask, today, notes, exhausted=True)
    return Outcome([Message(n) for n in notes if n] + [msg], st)


def _say(st: dict[str, Any], ask: str, today: date, first: int = 0) -> Optional[Message]:
    """The question in a wording not yet used in this conversation; None when every wording has been."""
    said = st.setdefault("said", [])
    for wording in range(first, q.WORDINGS):
        msg = q.question(ask, st["facts"], st, today, wording)
        key = hashlib.sha1(msg.text.encode()).hexdigest()[:10]
        if key not in said:
            said.append(key)
            return msg
    return None


def _missed(st: dict[str, Any], ask: str, today: date, notes: list[str], exhausted: bool = False) -> Outcome:
    """A reply that did not answer `ask`: the first time, ask again another way with the deciding categories as
    buttons; the second time (or when every wording is used), take the safe assumption, say so, and go on."""
    msgs = lambda: [Message(n) for n in notes if n]  # noqa: E731
    if ask in ("service_unknown", "part_service", "service"):
        st["pending"] = None
        words = st["words"].get("service") or st.get("first_text") or "that service"
        st["source"]["service_unrecognised"] = "you said"
        return Outcome(msgs() + [Message(q.SERVICE_NOT_RECOGNISED.format(words=words))], st)
    if ask == "offer_check":
        st["pending"] = None
        return Outcome(msgs() + [Message(q.DEFAULT)], st)
    misses = st.setdefault("misses", {})
    misses[ask] = misses.get(ask, 0) + 1
    if misses[ask] < 2 and not exhausted:
        st["pending"] = {**(st.get("pending") or {}), "ask": ask}
        msg = _say(st, ask, today, first=1)
        if msg is not None:
            return Outcome(msgs() + [msg], st)
    note = _assume(st, ask, today)
    st["pending"] = None
    st.setdefault("assumed", []).append(ask)
    if note is None:
        return Outcome(msgs() + [Message(q.DEFAULT)], st)
    return _advance(st, today, notes + [note])


def _assume(st: dict[str, Any], ask: str, today: date) -> Optional[str]:
    """Takes the safe assumption for an unanswered question and says it; None when there is none to take."""
    from bot.assistant.understood import BUYER_WORDS, date_words

    facts, pending = st["facts"], st.get("pending") or {}
    if ask == "date":
        _set(st, "commenced", today.isoformat(), "assumed", "not known: I've assumed the procurement starts now")
        facts.pop("commencement_event", None)
        return f"I've assumed the procurement starts now ({date_words(today.isoformat())}). Tell me the date if you know it."
    if ask == "vat":
        _set(st, "vat", "excluded", "assumed")
        return "I've assumed VAT is added on top of your figure: the safer reading, as it gives the higher value."
    if ask == "term" and isinstance(facts.get("value"), dict):
        facts["value"].pop("years", None)
        st["source"]["term"] = "assumed"
        return "I've taken the length of the contract as not known: the answer says what that means for the value."
    if ask == "value":
        _set(st, "value", {"unknown": True}, "assumed", "not known yet")
        return "I've taken the value as not known: the answer says what that means."
    if ask == "value_choice" and pending.get("choices"):
        biggest = max(pending["choices"], key=lambda c: _whole(c["value"]))
        _set(st, "value", biggest["value"], "assumed", biggest["label"])
        return f"I've taken the larger reading, {biggest['label']}, so as not to understate the value."
    if ask == "separable":
        st["source"]["separable"] = "assumed"
        return "I've left open whether the parts could be bought separately: the answer says what would change."
    if ask == "exemption":
        facts.pop("exemption", None)
        st["source"]["exemption"] = "assumed"
        return ("I've assumed the contract is not exempt, so the procurement rules apply (the safer reading). If your "
                "legal team confirms the exemption, tell me.")
    if ask == "date_confirm" and facts.get("commenced"):
        st["source"]["commenced"] = "assumed"
        return f"I've taken the date as {date_words(str(facts['commenced']))}."
    if ask == "cross_border":
        _set(st, "cross_border_interest", "unknown", "assumed")
        return "I've taken cross-border interest as not known."
    if ask == "buyer":
        _set(st, "buyer", "sub_central", "assumed")
        return f"I've assumed the buyer is {BUYER_WORDS['sub_central']}."
    return None


def _whole(value: dict[str, Any]) -> float:
    per_year = {"annual_gbp": 1, "monthly_gbp": 12, "weekly_gbp": 52}
    years = float(value.get("years") or 1) + float(value.get("extension_years") or 0)
    return next((float(value[k]) * n * years for k, n in per_year.items() if k in value), float(value.get("total_gbp") or 0))


def _noted(before: dict[str, Any], st: dict[str, Any]) -> list[str]:
    """What a reply changed in the case, in a line each ("Noted: no VAT is charged.")."""
    from bot.assistant.understood import BUYER_WORDS, VAT_WORDS, date_words

    facts, out = st["facts"], []
    if facts.get("vat") != before.get("vat") and facts.get("vat"):
        out.append(f"Noted: {VAT_WORDS.get(facts['vat'], facts['vat'])}.")
    if facts.get("buyer") != before.get("buyer") and facts.get("buyer"):
        out.append(f"Noted: the buyer is {BUYER_WORDS.get(facts['buyer'], facts['buyer'])}.")
    if facts.get("service") != before.get("service") and facts.get("service"):
        out.append(f"Noted: the service is {q.service_label(str(facts['service'])).lower()}.")
    if facts.get("parts") != before.get("parts") and facts.get("parts"):
        out.append(f"Noted: the contract now has {len(facts['parts'])} parts.")
    if facts.get("value") != before.get("value") and isinstance(facts.get("value"), dict):
        value = facts["value"]
        if (value.get("years"), value.get("extension_years")) != ((before.get("value") or {}).get("years"),
                                                                 (before.get("value") or {}).get("extension_years")):
            out.append("Noted: the length of the contract.")
        if any(value.get(k) != (before.get("value") or {}).get(k) for k in ("total_gbp", "annual_gbp", "monthly_gbp",
                                                                             "weekly_gbp", "one_off_gbp", "extension_gbp")):
            out.append("Noted: the new amount.")
    if facts.get("commenced") != before.get("commenced") and facts.get("commenced"):
        out.append(f"Noted: the procurement starts on {date_words(str(facts['commenced']))}.")
    return out


def _unknown_words(st: dict[str, Any]) -> bool:
    """Did the officer describe a contract (a value or a date) in service words the catalogue does not know, but
    near some categories ("graffiti removal, £200k, tender notice May 2027")?"""
    from bot.text.services import suggest_services

    facts = st["facts"]
    return bool((facts.get("value") or facts.get("commenced")) and suggest_services(st.get("first_text", ""), limit=1, close=True))


def _repeat(st: dict[str, Any], today: date) -> list[Message]:
    """The pending question again after something else (a question answered, a greeting): in a wording not yet
    used; when none is left, the safe assumption is taken and the conversation moves on."""
    pending = st.get("pending") or {}
    ask = pending.get("ask")
    if not ask:
        return []
    msg = _say(st, ask, today)
    if msg is not None:
        return [msg]
    return _missed(st, ask, today, [], exhausted=True).messages


def _worth_asking(r: Reading) -> bool:
    """Whether words that only suggest an exemption are worth a question: always for who the contract is with
    (a body you control, another authority) or an emergency service (who provides it decides); for what is
    bought (land, employment) only when no service in the catalogue explains the words."""
    from bot.ltr import load_knowledge

    entry = load_knowledge().exemption(r.exemption.id) if r.exemption else None
    if entry is None:
        return False
    return entry.part == 1 or entry.not_for_profit or not (r.services or r.cpv or r.parts)


def _answer(st: dict[str, Any], today: date, notes: list[str]) -> Outcome:
    case = case_dict(st)
    try:
        a = assess(Case.from_dict(case), as_of=today)
    except CaseError as e:
        st["pending"] = {"ask": q.FIELD_ASKS.get(e.field.split(".")[0], "value")}
        # The engine's message names its fields ("extension_gbp"): an officer gets plain words instead.
        why = e.message if not re.search(r"[a-z]_[a-z]", e.message) else "it does not fit with the figures you gave before"
        return Outcome([Message(f"Sorry, I can't use that: {why}.")] + _repeat(st, today), st)
    if a.status == "needs_input":
        unknown = _unknown_part(st)
        if unknown is not None and "part_service" in (st.get("asked") or []):
            # Asked once and not answered: assess on the parts we know rather than ask again, and say so.
            notes.append(_fold_unknown_part(st, unknown))
            return _answer(st, today, notes)
        if unknown is not None:
            st.setdefault("asked", []).append("part_service")
            st["pending"] = {"ask": "part_service", "index": unknown}
            return Outcome([q.unknown_service(str(st["facts"]["parts"][unknown].get("service") or ""))], st)
        if a.candidates:
            st["pending"] = {"ask": "service_choice"}
            buttons = [{"title": c.label, "payload": f'/inform{{"service": "{c.id}"}}'} for c in a.candidates]
            return Outcome([Message(a.answer, buttons)], st)
        words = st["words"].get("service") or st["facts"].get("service") or ""
        st["pending"] = {"ask": "service_unknown"}
        return Outcome([q.unknown_service(words)], st)
    ranged = _range_question(st, case, a, today, notes)
    if ranged is not None:
        return ranged
    understood = understood_facts(st, a)
    changed = changed_note(st.get("last"), a)
    st["last"] = {"case": case, "key": [a.regime, a.light_touch, a.above_threshold],
                  "value": a.estimated_value_gbp, "threshold": a.threshold_gbp}
    st["pending"] = None
    return _answer_messages(st, a, understood, changed, [Message(n) for n in notes if n])


def _range_question(st: dict[str, Any], case: dict[str, Any], a: Assessment, today: date,
                    notes: list[str]) -> Optional[Outcome]:
    """A range ("£640–690k") is answered on its upper end when both ends give the same answer, and asked
    about when the threshold falls between them: picking either end silently could be wrong."""
    rng = st.get("range")
    if not rng or a.above_threshold is None or not case.get("value"):
        return None
    st.pop("range", None)
    low_value = {**case["value"], rng["field"]: rng["low"]}
    try:
        low = assess(Case.from_dict({**case, "value": low_value}), as_of=today)
    except CaseError:
        return None
    lo, hi = f"£{rng['low']:,.0f}", f"£{rng['high']:,.0f}"
    if low.above_threshold == a.above_threshold:
        side = "above" if a.above_threshold else "below"
        notes.append(f"You gave a range, {lo} to {hi}. Both ends are {side} the threshold, so the answer is the same "
                     f"either way; I have used the upper figure.")
        return None
    threshold = f"£{a.threshold_gbp:,.0f}" if a.threshold_gbp else "the threshold"
    st["pending"] = {"ask": "value_choice", "choices": [
        {"label": f"Nearer {lo}", "value": low_value},
        {"label": f"Nearer {hi}", "value": case["value"]},
    ]}
    intro = (f"You gave a range, {lo} to {hi}, and the {threshold} threshold falls between its two ends, so the answer "
             "depends on which end is closer. Which is nearer your estimate?")
    return Outcome([Message(n) for n in notes if n] + [Message(intro, q.choice_buttons(st["pending"]["choices"]))], st)


def _fold_unknown_part(st: dict[str, Any], i: int) -> str:
    parts = st["facts"]["parts"]
    unknown = parts.pop(i)
    main = max(parts, key=lambda p: float(p.get("value_gbp") or 0))
    main["value_gbp"] = float(main.get("value_gbp") or 0) + float(unknown.get("value_gbp") or 0)
    if len(parts) == 1:
        st["facts"]["service"] = main["service"]
        st["facts"]["value"] = {"total_gbp": main["value_gbp"]}
        del st["facts"]["parts"]
    return (f"I couldn't tell what kind of service \"{unknown.get('service')}\" is, so I've counted its "
            f"£{float(unknown.get('value_gbp') or 0):,.0f} with the main part. If it is a different kind of service, "
            "the answer could change: check with your legal team.")


def _unknown_part(st: dict[str, Any]) -> Optional[int]:
    """The first part of a mixed contract named in words the catalogue does not know."""
    ids = q.service_ids()
    for i, p in enumerate(st["facts"].get("parts") or []):
        if p.get("service") not in ids and not p.get("cpv"):
            return i
    return None


def _answer_messages(st: dict[str, Any], a: Assessment, understood: list[dict[str, Any]], changed: Optional[str],
                     notes: list[Message]) -> Outcome:
    from bot.render.text import render_answer

    texts = render_answer(a, understood, changed)
    payload = {"type": "ltr_assessment", "assessment": a.to_dict(), "understood": understood, "changed": changed}
    msgs = list(notes)
    for i, t in enumerate(texts):
        # The widget shows the first as the answer card and folds the others into it ("Show as plain text");
        # plain-text channels show all three.
        msgs.append(Message(t, custom=payload if i == 0 else {"type": "ltr_answer_text"}))
    if not st["disclaimer"]:
        msgs[-1].text += "\n" + DISCLAIMER
        payload["disclaimer"] = True  # channels that show the answer as a card say it there, also once
        st["disclaimer"] = True
    return Outcome(msgs, st, assessment=a)


__all__ = ["Incoming", "Message", "Outcome", "turn", "new_state", "case_dict", "read_answers", "DISCLAIMER"]
