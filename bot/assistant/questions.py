"""The dialogue's questions: which one to ask next, and how to ask it.

"Ask only what can change the answer": a fact is asked only when it is missing AND the answer differs
between its possible values. That is never decided here by hand: the engine is run on the case with each
possible value and the question is skipped when every value gives the same headline.
The wording here is conversation only (nothing legal): the law comes from the engine and its knowledge.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Optional

from bot.assistant.reply import Message
from bot.ltr import CaseError, assess, load_knowledge
from bot.ltr.model import Case
from bot.render.text import long_date

RECURRING_KEYS = ("annual_gbp", "monthly_gbp", "weekly_gbp")
VAT_CHOICES = ("included", "excluded", "exempt")
# A date before the Procurement Act, to test whether the date can change the answer at all.
_PCR_ERA_PROBE = "2024-06-01"
COMMON_SERVICES = ("home_care", "supported_living", "residential_care", "day_care", "substance_misuse", "sexual_health")

DONT_KNOW = {"title": "I don't know yet", "payload": "/dont_know"}
RESTARTED = "OK, I've cleared everything. Let's start again: tell me about the contract you're planning."
DEFAULT = ("Sorry, I didn't understand that. Tell me about a contract (the service, roughly what it is worth and "
           "when the procurement starts), ask a question about the rules, or say \"help\".")
OFFER_CHECK = "I can also check the contract you described: which rules apply and whether it is above the threshold."
NO_CASE_YET = ("I haven't looked at a contract with you yet. Tell me about it first, for example: \"we're buying home "
               "care worth £700k, going out to tender next April\".")
DONT_KNOW_GENERAL = "That's fine. Tell me what you do know about the contract and I'll work from there, stating any assumptions."
SERVICE_NOT_RECOGNISED = (
    "I can't tell from \"{words}\" whether the light touch rules can apply: that depends on the CPV code of the service. "
    "If you know the code, type it (for example 85312000). Otherwise your procurement or legal team can tell you "
    "the code. You can still ask me general questions.")
CONTROL = {
    "greet": "Hello. Tell me about the contract you are planning, for example: \"we're buying home care worth £700k, "
             "tender notice next April\". I'll tell you which rules apply and what follows, with references.",
    "thanks": "You're welcome. Ask me about another contract at any time.",
    "help": "Tell me about the contract you are planning: what the service is, roughly what it is worth and when the "
            "procurement starts. I'll say which rules apply, whether it is above the threshold and what you still need "
            "to do, with references. You can also ask general questions, such as \"what is the light touch "
            "threshold?\". Say \"start again\" at any time, or \"quiz me\" for training scenarios.",
    "bot_challenge": "I'm an automated assistant, not a person. I work from the published rules and show a reference "
                     "for every answer. For a decision on a real procurement, speak to your procurement or legal team.",
    "affirm": "OK. Tell me about another contract, or ask a question about the rules.",
    "deny": "OK. Tell me about another contract, or ask a question about the rules.",
    "out_of_scope": "Sorry, I can only help with which procurement rules apply to a planned contract (light touch rules, "
                    "the Provider Selection Regime, thresholds and routes). For anything else, please contact your "
                    "procurement team or legal services.",
}
# Which question a "Change" button on a fact asks, and which question fixes a field the engine refused.
CHANGE_ASKS = {  # the "Change" buttons send /inform{"fact": "<id>"}
"service": "service", "parts": "service", "value": "value", "term": "term", "commenced": "date",
               "date": "date", "vat": "vat", "buyer": "buyer", "cross_border_interest": "cross_border"}
FIELD_ASKS = {"service": "service", "cpv": "service", "parts": "service", "value": "value", "commenced": "date",
              "vat": "vat", "buyer": "buyer", "term_years": "term"}

_WHY = {
    "service": "The kind of service decides which rules can apply at all: only some services can use the light touch "
               "rules, and some health services fall under a different regime.",
    "value": "The value decides whether the contract is above or below the threshold, and that changes what you must "
             "publish and how you can run the procurement. A rough estimate is enough.",
    "value_choice": "Your message has more than one amount and I can't be sure what each one is for. The threshold is "
                    "compared with the whole-life value, so I'd rather ask than guess.",
    "term": "You gave a price per period. The threshold is compared with the value over the whole contract, including "
            "extensions, so I need the length to work that out.",
    "date": "The date the procurement starts decides which law applies (the Procurement Act 2023 from 24 February "
            "2025) and which thresholds were in force.",
    "vat": "Your figure is close enough to the threshold that VAT could move it above or below, so I need to know "
           "whether it includes VAT.",
    "cross_border": "For a procurement under the older rules, cross-border interest could bring extra duties.",
    "separable": "Whether the parts could reasonably be bought separately changes which rules apply to a mixed contract.",
    "buyer": "Who is buying can change the threshold and, for health care, which regime applies.",
    "exemption": "Some contracts are exempt from the procurement rules altogether, whatever their value. Your words "
                 "suggest this one might be, so I'd rather ask than guess.",
}
# What the officer is told when a reply did not answer the question, before it is asked another way.
_MISSED = {
    "service": "I couldn't tell the service from that.",
    "value": "I couldn't find an amount in that.",
    "value_choice": "I still can't tell which amount is the contract's value.",
    "term": "I couldn't find the length of the contract in that.",
    "date": "I couldn't find a start date in that.",
    "vat": "I couldn't tell from that whether the figure includes VAT.",
    "cross_border": "I couldn't tell from that whether there was cross-border interest.",
    "separable": "I couldn't tell from that whether the parts could be bought separately.",
    "exemption": "I couldn't tell from that whether the contract is exempt.",
    "date_confirm": "I couldn't tell which year you mean.",
    "buyer": "I couldn't tell who is buying from that.",
}


def choice_buttons(choices: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One button per reading offered ({"label", ...}); the dialogue takes the answer by its index."""
    return [{"title": c["label"], "payload": f'/inform{{"choice": {i}}}'} for i, c in enumerate(choices)]


def why(ask: Optional[str]) -> str:
    return _WHY.get(ask or "", "I only ask for facts that can change the answer. Tell me about your contract and "
                               "I'll explain what each fact is for.")


def missed(ask: Optional[str]) -> str:
    return _MISSED.get(ask or "", "I couldn't use that.")


def act_start() -> str:
    return load_knowledge().dates["act_start"].date.isoformat()


def rule_changes() -> list[date]:
    """Every day on which the rules change (dates.yml and the thresholds' start dates), in order."""
    kb = load_knowledge()
    return sorted({d.date for d in kb.dates.values()} | {t.from_ for t in kb.thresholds})


@lru_cache(maxsize=4)
def _service_ids(rules_version: str) -> frozenset[str]:
    return frozenset(s.id for s in load_knowledge().services)


def service_ids() -> frozenset[str]:
    return _service_ids(load_knowledge().rules_version)


def service_label(service_id: str) -> str:
    from bot.text.services import default_matcher

    return default_matcher().label(service_id) or service_id  # a catalogue entry, or "cpv:<code>" described


# ---- which question next -------------------------------------------------------------------------------

def has_service(facts: dict[str, Any]) -> bool:
    return bool(facts.get("service") or facts.get("cpv") or facts.get("parts"))


def _value(facts: dict[str, Any]) -> dict[str, Any]:
    v = facts.get("value")
    return v if isinstance(v, dict) else {}


def next_question(st: dict[str, Any], today: date) -> Optional[str]:
    facts, source = st["facts"], st["source"]
    if facts.get("exemption"):
        return None  # exempt: no value, date or service can change the answer (reference §1 step 1)
    if st.get("exemption_hint") and "exemption" not in source:
        return "exemption"
    if not has_service(facts):
        return "service"
    value = _value(facts)
    if not value and not facts.get("parts"):
        return "value"
    if (any(k in value for k in RECURRING_KEYS) and "years" not in value and not value.get("open_ended")
            and source.get("term") not in ("you said", "assumed")):
        return "term"
    base = case_of(st)
    current = _outcome(base, today)
    if current is None:
        return None  # the service is not classified yet: the answer step says so
    if "commenced" not in facts:
        if _outcome({**base, "commenced": today.isoformat()}, today) != _outcome({**base, "commenced": _PCR_ERA_PROBE}, today):
            return "date"
    if "vat" not in facts and (value and not value.get("unknown") or facts.get("parts")):
        keys = {_outcome({**base, "vat": v}, today) for v in VAT_CHOICES}
        if len(keys) > 1:
            return "vat"
    if base.get("parts") and any("separable" not in p for p in base["parts"]) and source.get("separable") not in ("you said", "assumed"):
        parts_t = [{**p, "separable": True} for p in base["parts"]]
        parts_f = [{**p, "separable": False} for p in base["parts"]]
        if _outcome({**base, "parts": parts_t}, today) != _outcome({**base, "parts": parts_f}, today):
            return "separable"
    # Cross-border interest is not asked: it changes what must be done, not which rules apply, so the
    # answer states what it would mean instead of holding the officer up.
    return None


def case_of(st: dict[str, Any]) -> dict[str, Any]:
    """The Case (as a dict) the conversation has described: the facts, with any part added at a later turn
    ("we're adding a handyperson element worth £80k") beside the contract described first, whose whole-life value
    becomes the first part's value. Corrections to the first part keep working on `facts` as before."""
    facts = {k: v for k, v in st["facts"].items() if v is not None and k in Case.__dataclass_fields__}
    added = [{k: v for k, v in p.items() if k != "words"} for p in st.get("added") or []]
    if not added:
        return facts
    if facts.get("parts"):
        return {**facts, "parts": list(facts["parts"]) + added}
    whole = _whole_life(facts.get("value"))
    if whole is None:
        return facts  # the first part's value is still to come: the value question is asked first
    main: dict[str, Any] = {"service": facts.pop("service")} if facts.get("service") else {}
    if facts.get("cpv"):
        main["cpv"] = facts.pop("cpv")
    main["value_gbp"] = whole
    seps = {p.get("separable") for p in added}
    if len(seps) == 1 and None not in seps:
        main["separable"] = seps.pop()  # one answer for the contract: could its parts be bought separately?
    facts.pop("value", None)
    facts["parts"] = [main] + added
    return facts


def _whole_life(value: Any) -> Optional[float]:
    from bot.ltr.price import working

    if not isinstance(value, dict) or value.get("unknown"):
        return None
    try:
        v = Case.from_dict({"value": value}).value
    except CaseError:
        return None
    w = working(v) if v is not None else None
    return None if w is None else round(w.total_gbp, 2)


@dataclass(frozen=True)
class _Outcome:
    regime: Optional[str]
    light_touch: Optional[bool]
    above_threshold: Optional[bool]
    threshold_gbp: Optional[float]
    cross_border: str

    def __eq__(self, other: object) -> bool:  # the headline: which rules, light touch or not, above or not
        return isinstance(other, _Outcome) and (self.regime, self.light_touch, self.above_threshold, self.threshold_gbp) == (
            other.regime, other.light_touch, other.above_threshold, other.threshold_gbp)

    def __hash__(self) -> int:
        return hash((self.regime, self.light_touch, self.above_threshold, self.threshold_gbp))


def outcome(case: dict[str, Any], as_of: date) -> Optional[_Outcome]:
    """The headline the engine gives for a case (which rules, light touch, above or not, which threshold)."""
    return _outcome(case, as_of)


def _outcome(case: dict[str, Any], as_of: date) -> Optional[_Outcome]:
    return _cached_outcome(json.dumps(case, sort_keys=True), as_of.isoformat())


@lru_cache(maxsize=4096)
def _cached_outcome(case_json: str, as_of_iso: str) -> Optional[_Outcome]:
    try:
        a = assess(Case.from_dict(json.loads(case_json)), as_of=date.fromisoformat(as_of_iso))
    except CaseError:
        return None
    if a.status != "complete":
        return None
    return _Outcome(a.regime, a.light_touch, a.above_threshold, a.threshold_gbp, a.cross_border_interest)


# ---- how to ask ------------------------------------------------------------------------------------------

def _progress(st: dict[str, Any], ask: str) -> dict[str, int]:
    facts = st["facts"]
    asked = st.setdefault("asked", [])
    if ask not in asked:
        asked.append(ask)
    remaining = 0
    for fact, missing in (("service", not has_service(facts)), ("value", not _value(facts) and not facts.get("parts")),
                          ("date", "commenced" not in facts), ("vat", "vat" not in facts)):
        if missing and fact not in asked:
            remaining += 1
    return {"step": len(asked), "of": len(asked) + remaining}


# How many wordings each question has: the dialogue never sends the same wording twice in one conversation.
WORDINGS = 2


def question(ask: str, facts: dict[str, Any], st: dict[str, Any], today: date, wording: int = 0) -> Message:
    """The question `ask` in its `wording` (0: first time; 1: asked again another way, with the categories that
    decide the answer as buttons)."""
    if wording:
        again = _again(ask, facts, st, today)
        if again is not None:
            again.custom = {"progress": _progress(st, ask)}
            return again
    pending = st.get("pending") or {}
    progress = {"progress": _progress(st, ask)}  # the widget shows "Question 2 of up to 4"
    value = _value(facts)
    if ask == "service":
        buttons = [{"title": service_label(s), "payload": f'/inform{{"service": "{s}"}}'} for s in COMMON_SERVICES]
        return Message("What service are you buying? Describe it in a few words, for example \"home care for older "
                       "people\", \"a drug and alcohol service\" or \"a refuge\".", buttons, progress)
    if ask == "value":
        text = pending.get("problem") or ("Roughly what is the contract worth? A total (\"£700k over the whole contract\") "
                                          "or a yearly figure with the term (\"£180k a year for 3 years plus 2\") is fine.")
        return Message(text, [DONT_KNOW], progress)
    if ask == "value_choice":
        choices = pending.get("choices") or []
        buttons = choice_buttons(choices)
        return Message("Your message has more than one amount. Which reading is right? (If none is, type the value "
                       "again, for example \"£150k a year for 4 years plus 2\".)", buttons, progress)
    if ask == "term":
        per = next((f"£{value[k]:,.0f} {w}" for k, w in (("annual_gbp", "a year"), ("monthly_gbp", "a month"),
                                                          ("weekly_gbp", "a week")) if k in value), "a price per period")
        return Message(f"You said {per}. How long will the contract run, including any extensions? For example "
                       "\"3 years plus 2 one-year extensions\".",
                       [{"title": "No fixed end date", "payload": '/inform{"open_ended": true}'}, DONT_KNOW], progress)
    if ask == "date":
        return Message("When does (or did) the procurement start, for example when the tender notice goes out? "
                       "\"Next April\", \"March 2027\" or \"we advertised in January 2025\" are all fine.", [DONT_KNOW],
                       progress)
    if ask == "vat":
        return Message("Does that figure include VAT? It could change the answer.", [
            {"title": "It includes VAT", "payload": '/inform{"vat": "included"}'},
            {"title": "It excludes VAT (VAT is added on top)", "payload": '/inform{"vat": "excluded"}'},
            {"title": "No VAT is charged (exempt)", "payload": '/inform{"vat": "exempt"}'},
            {"title": "Not sure", "payload": "/dont_know"}], progress)
    if ask == "date_confirm":
        choices = pending.get("choices") or []
        if pending.get("boundary") and len(choices) == 2:  # a period that runs across a change in the rules
            b = long_date(date.fromisoformat(pending["boundary"]))
            buttons = [{"title": f"Before {b}", "payload": f'/inform{{"commenced": "{choices[0]}"}}'},
                       {"title": f"{b} or later", "payload": f'/inform{{"commenced": "{choices[1]}"}}'}]
            return Message(f"That period runs across {b}, when the rules change, and the answer depends on it. "
                           "Does the procurement start before that day or on or after it?", buttons, progress)
        buttons = [{"title": long_date(date.fromisoformat(c)), "payload": f'/inform{{"commenced": "{c}"}}'} for c in choices]
        return Message("Which year do you mean? The answer depends on it (a different law or threshold applies).",
                       buttons, progress)
    if ask == "separable":
        return Message("Could the parts reasonably be bought separately (for example as separate contracts)?", [
            {"title": "Yes, they could", "payload": '/inform{"separable": true}'},
            {"title": "No, they go together", "payload": '/inform{"separable": false}'},
            {"title": "Not sure", "payload": "/dont_know"}], progress)
    if ask == "cross_border":
        return Message("Was there certain cross-border interest, that is, could suppliers based in other EU countries "
                       "realistically have wanted to bid?", [
                           {"title": "Yes", "payload": '/inform{"cross_border": "yes"}'},
                           {"title": "No", "payload": '/inform{"cross_border": "no"}'},
                           {"title": "Don't know", "payload": "/dont_know"}], progress)
    if ask == "buyer":
        return Message("Who is buying?", [
            {"title": "A London borough or other council", "payload": '/inform{"buyer": "sub_central"}'},
            {"title": "An NHS trust", "payload": '/inform{"buyer": "nhs_trust"}'},
            {"title": "An integrated care board", "payload": '/inform{"buyer": "icb"}'},
            {"title": "A school or academy", "payload": '/inform{"buyer": "school"}'},
            {"title": "Central government", "payload": '/inform{"buyer": "central"}'}], progress)
    if ask == "exemption":
        entry = load_knowledge().exemption(str(st.get("exemption_hint") or ""))
        return Message(entry.question if entry else "Is the contract exempt from the procurement rules?",
                       _exemption_buttons(entry), progress)
    return Message(DEFAULT)


def _exemption_buttons(entry: Any) -> list[dict[str, str]]:
    yes = [{"title": f"Yes: {entry.label[0].lower() + entry.label[1:]}", "payload": f'/inform{{"exemption": "{entry.id}"}}'}] if entry else []
    return yes + [{"title": "No, it isn't exempt", "payload": '/inform{"exemption": "none"}'},
                  {"title": "Not sure", "payload": "/dont_know"}]


def date_categories(st: dict[str, Any], today: date) -> list[tuple[str, str]]:
    """The periods a start date can fall in that decide the answer, as (button title, a date in that period): the
    Act's start and the 2026 threshold table always (reference §1.2), and any other date in dates.yml at which
    this case's answer changes (the PSR's start for health care). Dates come from the knowledge, never typed."""
    kb = load_knowledge()
    base = {k: v for k, v in st["facts"].items() if v is not None and k in Case.__dataclass_fields__ and k != "commencement_event"}
    cuts = {kb.dates["act_start"].date, kb.dates["act_2026_thresholds"].date}
    for d in kb.dates.values():
        if d.date > kb.dates["pcr_start"].date and d.date not in cuts and d.date <= today:
            before = _outcome({**base, "commenced": date.fromordinal(d.date.toordinal() - 1).isoformat()}, today)
            if before != _outcome({**base, "commenced": d.date.isoformat()}, today):
                cuts.add(d.date)
    cuts_sorted = sorted(cuts)
    short = lambda d: f"{d.day} {d:%b %Y}"  # noqa: E731
    out = [(f"Before {short(cuts_sorted[0])}", date.fromordinal(cuts_sorted[0].toordinal() - 1).isoformat())]
    for a, b in zip(cuts_sorted, cuts_sorted[1:]):
        out.append((f"{short(a)} – {short(date.fromordinal(b.toordinal() - 1))}", a.isoformat()))
    last = cuts_sorted[-1]
    out.append((f"{short(last)} or later / not started", max(last, today).isoformat()))
    return out


def _again(ask: str, facts: dict[str, Any], st: dict[str, Any], today: date) -> Optional[Message]:
    """The second wording: shorter, and with the categories that decide the answer as buttons."""
    pending = st.get("pending") or {}
    if ask == "date":
        buttons = [{"title": title, "payload": f'/inform{{"commenced": "{iso}"}}'} for title, iso in date_categories(st, today)]
        return Message("Roughly when did (or will) the procurement start? Choose the period, or type a month and year.",
                       buttons + [DONT_KNOW])
    if ask == "vat":
        return Message("Is VAT added on top of your figure, already in it, or not charged at all?", [
            {"title": "VAT on top", "payload": '/inform{"vat": "excluded"}'},
            {"title": "VAT included", "payload": '/inform{"vat": "included"}'},
            {"title": "No VAT charged", "payload": '/inform{"vat": "exempt"}'},
            {"title": "Not sure", "payload": "/dont_know"}])
    if ask == "term":
        return Message("How many years in all, counting every optional extension?",
                       [{"title": f"{n} years" if n > 1 else "1 year", "payload": f'/inform{{"years": {n}}}'} for n in (1, 2, 3, 4, 5)]
                       + [{"title": "No fixed end date", "payload": '/inform{"open_ended": true}'}, DONT_KNOW])
    if ask == "value":
        return Message("A rough figure is enough: about how much will the whole contract cost, including any extensions? "
                       "For example \"about £500k\".", [DONT_KNOW])
    if ask == "value_choice":
        choices = pending.get("choices") or []
        return Message("Which of these is the contract's value? Pick one, or type the figure with what it covers.",
                       choice_buttons(choices))
    if ask == "separable":
        return Message("Would it be practical to buy the parts under separate contracts?", [
            {"title": "Yes, separately is practical", "payload": '/inform{"separable": true}'},
            {"title": "No, they must go together", "payload": '/inform{"separable": false}'},
            {"title": "Not sure", "payload": "/dont_know"}])
    if ask == "exemption":
        entry = load_knowledge().exemption(str(st.get("exemption_hint") or ""))
        what = entry.label[0].lower() + entry.label[1:] if entry else "an exempted contract"
        return Message(f"Has your legal team confirmed that this is {what}?", _exemption_buttons(entry))
    if ask == "date_confirm":
        buttons = [{"title": long_date(date.fromisoformat(c)), "payload": f'/inform{{"commenced": "{c}"}}'} for c in pending.get("choices") or []]
        return Message("Which of these two dates is right?", buttons)
    if ask == "cross_border":
        return Message("Could suppliers from other countries realistically have wanted to bid?", [
            {"title": "Yes", "payload": '/inform{"cross_border": "yes"}'}, {"title": "No", "payload": '/inform{"cross_border": "no"}'},
            {"title": "Don't know", "payload": "/dont_know"}])
    if ask == "buyer":
        return Message("Which kind of organisation is buying?", question("buyer", facts, st, today).buttons)
    return None


def unknown_service(words: str) -> Message:
    """Never loop on words the catalogue doesn't know: say so, offer the likely categories, keep the words."""
    from bot.text.services import nearest_categories

    shown = re.split(r"[,;(£]|\s[-–—]\s|\d", words.strip())[0].strip()[:60] or "that"
    options = nearest_categories(words, limit=3) if words else []
    buttons = [{"title": c.title, "payload": f'/inform{{"service": "{c.id}"}}'} for c in options]
    buttons.append({"title": "Something else", "payload": '/inform{"choice": -1}'})
    near = (" These are the nearest categories, with whether the light touch rules can apply. Is it one of these? "
            "If not, choose \"Something else\".") if options else " Give its CPV code if you know it, or choose \"Something else\"."
    return Message(f"I don't recognise \"{shown}\" as a service yet.{near}", buttons)


__all__ = ["next_question", "question", "why", "missed", "unknown_service", "act_start", "service_label",
           "date_categories"]
