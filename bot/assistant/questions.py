"""The form's questions: which still need asking, and how to ask them.

"Ask only what is missing": a question is asked only when its answer is missing AND could change
the outcome. Whether it could is never decided here: the engine is run on the case with each
possible answer, and the question is skipped when every answer gives the same outcome
(cross-border interest is asked only when the engine says it is a test for this procurement).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Mapping, Optional

from bot.ltr import CaseError, assess, load_knowledge
from bot.ltr.model import Case

from .case_from_slots import UNKNOWN, case_from_slots, cpv_codes, needs_term

# The order questions are asked in. VAT comes after the start date because whether the figure is
# compared with or without VAT, and so whether VAT can matter, depends on which rules apply.
FORM_SLOTS = ("service", "money", "duration", "commencement", "vat", "buyer", "cross_border")
BUYER_CHOICES = ("sub_central", "nhs_trust", "icb", "school", "central")
VAT_CHOICES = ("included", "excluded", "exempt")


@dataclass(frozen=True)
class Question:
    text: str
    buttons: tuple[tuple[str, str], ...] = ()

    def as_message(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [{"title": t, "payload": p} for t, p in self.buttons]}


DONT_KNOW = ("I don't know yet", "/dont_know")

QUESTIONS: dict[str, Question] = {
    "service": Question(
        "What service are you buying? For example: home care, supported living, a drug and alcohol service or a refuge."
    ),
    "money": Question(
        "Roughly what is the contract worth? A total (\"£700k over the whole contract\") or a yearly figure "
        "(\"£180k a year\") is fine.",
        (DONT_KNOW,),
    ),
    "duration": Question(
        "How long will the contract run, including any possible extensions? For example \"3 years plus 2 one-year extensions\".",
        (DONT_KNOW,),
    ),
    "commencement": Question(
        "When does (or did) the procurement start, for example when the tender notice goes out? \"Next April\", "
        "\"March 2026\" or \"we advertised in January 2025\" are all fine.",
        (DONT_KNOW,),
    ),
    "vat": Question(
        "Does that figure include VAT?",
        (
            ("It includes VAT", '/inform{"vat": "included"}'),
            ("It excludes VAT", '/inform{"vat": "excluded"}'),
            ("The service is VAT-exempt", '/inform{"vat": "exempt"}'),
            ("Not sure", "/dont_know"),
        ),
    ),
    "buyer": Question(
        "Who is buying?",
        (
            ("A London borough or other council", '/inform{"buyer": "sub_central"}'),
            ("An NHS trust", '/inform{"buyer": "nhs_trust"}'),
            ("An integrated care board", '/inform{"buyer": "icb"}'),
            ("A school or academy", '/inform{"buyer": "school"}'),
            ("Central government", '/inform{"buyer": "central"}'),
        ),
    ),
    "cross_border": Question(
        "Was there certain cross-border interest, that is, could suppliers based in other EU countries realistically "
        "have wanted to bid?",
        (
            ("Yes", '/inform{"cross_border": "yes"}'),
            ("No", '/inform{"cross_border": "no"}'),
            ("Don't know", "/dont_know"),
        ),
    ),
}


def question_for(slot: str, slots: Mapping[str, Any]) -> Question:
    """The question for `slot`, worded for what the officer has already said."""
    q = QUESTIONS[slot]
    money = slots.get("money")
    if slot == "duration" and isinstance(money, Mapping) and isinstance(money.get("amount_gbp"), (int, float)):
        per = "a month" if money.get("period") == "month" else "a year"
        return Question(f"You said £{money['amount_gbp']:,.0f} {per}. " + q.text, q.buttons)
    return q


def act_start() -> str:
    return load_knowledge().dates["act_start"].date.isoformat()


def slots_to_ask(slots: Mapping[str, Any], as_of: date) -> list[str]:
    """The form slots that matter for this case, in asking order (filled ones included, so they are
    validated; the form asks the first empty one). Tolerates raw, unvalidated slot values."""
    # A CPV code given instead of a description classifies the service on its own.
    required = [] if slots.get("service") is None and cpv_codes(slots.get("cpv")) else ["service"]
    required.append("money")
    if needs_term(slots.get("money"), slots.get("duration")) or slots.get("duration") is not None:
        required.append("duration")
    required.append("commencement")
    reading = case_from_slots(slots, act_start())
    base = reading.case
    current = _outcome(base, as_of)
    if current is None:  # the service is not classified yet: nothing else can be weighed
        return required
    has_value = "value" in base and not base["value"].get("unknown")
    if slots.get("vat") is not None or (has_value and _differs(base, "vat", VAT_CHOICES, as_of)):
        required.append("vat")
    if slots.get("buyer") is not None or _differs(base, "buyer", BUYER_CHOICES, as_of):
        required.append("buyer")
    if slots.get("cross_border") is not None or current.cross_border == "assess":
        required.append("cross_border")
    return required


@dataclass(frozen=True)
class _Outcome:
    regime: Optional[str]
    light_touch: Optional[bool]
    above_threshold: Optional[bool]
    threshold_gbp: Optional[float]
    cross_border: str

    @property
    def key(self) -> tuple:
        # The answer's headline: which rules, light touch or not, above the threshold or not.
        return (self.regime, self.light_touch, self.above_threshold)


def _differs(base: dict[str, Any], field: str, choices: tuple[str, ...], as_of: date) -> bool:
    keys = set()
    for choice in choices:
        o = _outcome({**base, field: choice}, as_of)
        if o is None:
            return False
        keys.add(o.key)
    return len(keys) > 1


def _outcome(case: dict[str, Any], as_of: date) -> Optional[_Outcome]:
    return _cached_outcome(json.dumps(case, sort_keys=True), as_of.isoformat())


@lru_cache(maxsize=2048)
def _cached_outcome(case_json: str, as_of_iso: str) -> Optional[_Outcome]:
    try:
        a = assess(Case.from_dict(json.loads(case_json)), as_of=date.fromisoformat(as_of_iso))
    except CaseError:
        return None
    if a.status != "complete":
        return None
    return _Outcome(a.regime, a.light_touch, a.above_threshold, a.threshold_gbp, a.cross_border_interest)


__all__ = ["FORM_SLOTS", "QUESTIONS", "Question", "question_for", "slots_to_ask", "act_start", "UNKNOWN"]
