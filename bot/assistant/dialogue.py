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
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from bot.assistant import questions as q
from bot.assistant.faq import FaqReply, faq_reply, topic_of
from bot.assistant.reply import Message
from bot.assistant.understood import changed_note, understood_facts
from bot.ltr import Assessment, CaseError, assess
from bot.ltr.model import Case
from bot.render.text import DISCLAIMER  # the wording lives with the renderers' (Slack and Teams cards show it too)
from bot.text.dates import DateMention
from bot.text.facts import parse_cross_border, parse_vat_status, parse_yes_no
from bot.text.reader import Reading, read_message

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


def turn(raw_state: Any, msg: Incoming, today: date) -> Outcome:
    st = _state(raw_state)
    if msg.intent == "start_again":
        fresh = new_state()
        fresh["disclaimer"] = st["disclaimer"]
        return Outcome([Message(q.RESTARTED)], fresh)
    if msg.is_payload:
        return _payload(st, msg, today)

    r = read_message(msg.text, today, has_value=bool(st["facts"].get("value") or st["facts"].get("parts")))
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
    took = _merge(st, r, pending, msg.text, today, notes)
    if not took and not st["facts"] and (msg.intent == "assess" or _START.search(msg.text)):
        return _advance(st, today, notes)  # "I need to check a contract": the guided questions, from the first
    if not took:
        if pending:
            return Outcome([Message(q.not_understood(pending.get("ask")))] + _repeat(st, today), st)
        return Outcome([Message(q.DEFAULT)], st)
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
        "term": r.value.term is not None or r.value.open_ended or r.dont_know,
        "date": r.date is not None or r.dont_know,
        "vat": r.vat is not None or r.dont_know,
        "cross_border": r.cross_border is not None or r.dont_know,
        "separable": r.separable is not None,
        "value_choice": r.value.found,
    }.get(ask or "", False)


def _is_new_contract(st: dict[str, Any], r: Reading) -> bool:
    facts = st["facts"]
    if not (r.services or r.cpv or r.parts):
        return False
    ids = {s.id for s in r.services}
    same_service = facts.get("service") in ids or any(p.get("service") in ids for p in facts.get("parts") or [])
    return not same_service  # the same service with a new figure is a correction, not a new contract


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
        st["pending"] = {"ask": q.CHANGE_ASKS.get(fact, "service")}
        return Outcome([q.question(st["pending"]["ask"], facts, st, today)], st)
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
        if "service" in e:
            _set(st, "service", str(e["service"]), "you said", q.service_label(str(e["service"])))
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
        if e.get("open_ended") and isinstance(facts.get("value"), dict):
            facts["value"].pop("years", None)
            facts["value"]["open_ended"] = True
            st["source"]["term"] = "you said"
        st["pending"] = None
        return _advance(st, today, notes)
    return Outcome([Message(q.DEFAULT)], st)


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
        _set(st, "vat", "unknown", "you said", "not known")
    elif ask == "cross_border":
        _set(st, "cross_border_interest", "unknown", "you said")
    elif ask == "separable":
        st["source"]["separable"] = "you said"
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
    if facts.get("parts") and not r.parts and _update_part_values(st, r):
        took = True  # "the devices are £190k not £120k"
    elif r.parts:
        pass  # the parts carry their own values
    elif v.problem:
        st["pending"] = {"ask": "value", "problem": v.problem}
        notes.append(v.problem)
        took = True
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
    elif v.addition and (facts.get("value") or facts.get("parts")):
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
        if v.term.extension_years or r.correction or ask == "term":
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
    if r.separable is not None and facts.get("parts"):
        for p in facts["parts"]:
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
    for p in st["facts"]["parts"]:
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
    st["words"]["commenced"] = d.text
    if d.notice is None and st.get("notice") and d.event in ("advertised", None):
        d = DateMention(d.date, d.past, "advertised", d.precision, st["notice"], d.start, d.end, d.text)
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
    if d.date is None or re.search(r"\d{4}|'\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}", d.text) or d.precision not in ("month", "day"):
        return
    try:
        other = d.date.replace(year=d.date.year - 1) if d.past else d.date.replace(year=d.date.year + 1)
    except ValueError:  # 29 February
        return
    base = case_dict(st)
    if q.outcome({**base, "commenced": d.date.isoformat()}, today) != q.outcome({**base, "commenced": other.isoformat()}, today):
        st["pending"] = {"ask": "date_confirm", "choices": sorted([d.date.isoformat(), other.isoformat()])}


def _event(d: DateMention, act_start: str) -> Optional[str]:
    if d.event == "awarded" and d.past:
        return "contract_awarded"
    if d.notice is None:
        return None
    before_act = bool(d.date and d.date.isoformat() < act_start)
    return (_NOTICE_EVENTS_BEFORE_ACT if before_act else _NOTICE_EVENTS_UNDER_ACT).get(d.notice)


# ---- deciding what comes next: a question, or the answer ---------------------------------------------

def case_dict(st: dict[str, Any]) -> dict[str, Any]:
    facts = {k: v for k, v in st["facts"].items() if v is not None and k in Case.__dataclass_fields__}
    return facts


def _advance(st: dict[str, Any], today: date, notes: list[str]) -> Outcome:
    pending = st.get("pending") or {}
    if pending.get("ask") in ("value_choice", "value", "date_confirm") and (pending.get("choices") or pending.get("problem")):
        msg = q.question(pending["ask"], st["facts"], st, today)
        return Outcome([msg], st)
    ask = q.next_question(st, today)
    if ask == "service" and "service" in (st.get("asked") or []):
        # Asked once already and still no service we know: say so and offer categories, never ask again.
        st["pending"] = {"ask": "service_unknown"}
        st["words"].setdefault("service", st.get("first_text", ""))
        return Outcome([Message(n) for n in notes if n] + [q.unknown_service(st.get("first_text", ""))], st)
    if ask is not None:
        st["pending"] = {"ask": ask}
        msgs = [Message(n) for n in notes if n]
        return Outcome(msgs + [q.question(ask, st["facts"], st, today)], st)
    return _answer(st, today, notes)


def _repeat(st: dict[str, Any], today: date) -> list[Message]:
    pending = st.get("pending") or {}
    if not pending.get("ask"):
        return []
    return [q.question(pending["ask"], st["facts"], st, today)]


def _answer(st: dict[str, Any], today: date, notes: list[str]) -> Outcome:
    case = case_dict(st)
    try:
        a = assess(Case.from_dict(case), as_of=today)
    except CaseError as e:
        st["pending"] = {"ask": q.FIELD_ASKS.get(e.field.split(".")[0], "value")}
        return Outcome([Message(f"Sorry, I can't use that: {e.message}.")] + _repeat(st, today), st)
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
    understood = understood_facts(st, a)
    changed = changed_note(st.get("last"), a)
    st["last"] = {"case": case, "key": [a.regime, a.light_touch, a.above_threshold],
                  "value": a.estimated_value_gbp, "threshold": a.threshold_gbp}
    st["pending"] = None
    return _answer_messages(st, a, understood, changed, [Message(n) for n in notes if n])


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


__all__ = ["Incoming", "Message", "Outcome", "turn", "new_state", "case_dict", "DISCLAIMER"]
