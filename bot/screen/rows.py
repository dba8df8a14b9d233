"""One row of a pipeline, register or notice list -> the engine's answer for it.

Every cell is read as the chat reads a message (`bot.assistant.dialogue.read_answers`, which uses
`bot.text.reader.read_message`): the value column answers "what is it worth?", the term column "how long?",
and so on, so "c.£120k pa", "2+1+1", "Q2 27/28" and "TBC" mean here what they mean in the chat. Each row is
then answered by `bot.ltr.assess`. A row that cannot be answered says what is missing; it never stops the rest.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Optional

from bot.assistant.dialogue import case_dict, read_answers
from bot.ltr import Assessment, Case, CaseError, assess, load_knowledge
from bot.text.facts import parse_buyer
from bot.text.reader import Reading, read_message
from bot.text.services import find_cpv, match_services

# The notices each obligation of the engine's answer calls for (knowledge/obligations.yml ids), in the order
# a procurement meets them.
NOTICES = {
    "PCR-LT-ADVERTISE": "contract notice or prior information notice",
    "PCR-STD-FULL": "contract notice (full PCR procedure)",
    "PCR-CF-ADVERT": "Contracts Finder advert",
    "PCR-LT-AWARD-NOTICE": "contract award notice",
    "PCR-CF-AWARD": "Contracts Finder award notice",
    "PA-TENDER-NOTICE": "tender notice",
    "PA-TRANSPARENCY-NOTICE": "transparency notice (direct award only)",
    "PA-BT-NOTICE": "below-threshold tender notice",
    "PA-ASSESSMENT-SUMMARIES": "contract award notice",
    "LT-CDN-120": "contract details notice (within 120 days)",
    "PA-STD-CDN": "contract details notice",
    "PA-BT-CDN": "contract details notice",
    "PA-TERMINATION": "contract termination notice",
    "PSR-NOTICES": "PSR notices (intention to award, award)",
}
_ORDER = list(NOTICES)
_BARE_NUMBER = re.compile(r"^\s*£?\s*[\d,]+(?:\.\d+)?\s*(?:k|m|bn)?\s*$", re.I)
_HAS_PERIOD = re.compile(r"\b(?:pa|p\.a\.|per|a\s+year|annual|yearly|monthly|pcm|weekly|total|whole)\b", re.I)
_YEARS_ONLY = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
_NO_EXTENSION = re.compile(r"\s*(?:none|no|n/?a|nil|0|-|no\s+extensions?)\s*", re.I)
_EXT_SUM = re.compile(r"\s*\+?\s*(\d+(?:\.\d+)?(?:\s*\+\s*\d+(?:\.\d+)?)*)\s*(years?|yrs?|months?)?\s*", re.I)


@dataclass
class RowIn:
    """One row as found in the file: its reference, its cells by field, facts known without reading
    (from an OCDS notice), and what the reading of the file assumed for it."""

    ref: str
    line: int
    cells: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # field -> [(heading, text)]
    facts: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    heading_units: dict[str, str] = field(default_factory=dict)  # "term" -> "months" when the heading says so

    def text(self, name: str) -> str:
        return "; ".join(t for _, t in self.cells.get(name, []) if t)


def _answers(row: RowIn) -> list[tuple[Optional[str], str]]:
    """The cells in the order the chat asks: what, how much, how long, VAT, when, how."""
    out: list[tuple[Optional[str], str]] = []
    for name in ("service", "title", "description"):
        for _, t in row.cells.get(name, []):
            if t:
                out.append((None, t))
    for name, period in (("annual_value", " a year"), ("total_value", " in total"), ("value", "")):
        for _, t in row.cells.get(name, []):
            if t:
                out.append(("value", t + period if period and _BARE_NUMBER.match(t) and not _HAS_PERIOD.search(t) else t))
    term = row.text("term")
    if term and _YEARS_ONLY.match(term):
        term = f"{term} {row.heading_units.get('term', 'years')}"
    ext = row.text("extensions")
    if ext and _NO_EXTENSION.fullmatch(ext):
        ext = ""
    if ext:
        sums = _EXT_SUM.fullmatch(ext)
        if sums:  # "+1+1", "1 + 1", "2": the options added up
            unit = sums.group(2) or row.heading_units.get("extensions", "years")
            ext = f"{sum(float(n) for n in re.findall(r'[0-9.]+', sums.group(1))):g} {unit}"
        term = f"{term} plus {ext}" if term else f"plus {ext}"
    if term:
        out.append(("term", term))
    vat = row.text("vat")
    if vat:
        out.append(("vat", vat))
    start = row.text("start") or row.text("contract_start")
    if start:
        out.append(("date", start))
    route = row.text("route")
    if route:
        out.append((None, route))
    return out


@lru_cache(maxsize=8192)
def _read_once(text: str, today: date, has_value: bool) -> Reading:
    return read_message(text, today, has_value=has_value)


def _read(text: str, today: date, has_value: bool = False) -> Reading:
    """`read_message`, remembering the cells it has read: a pipeline says "Inc VAT", "3" or "01/04/2027" in
    many rows. A copy each time, because the dialogue's merge sets some of the reading's own fields (vat,
    cross_border, separable); the containers are copied too, so no row can change what another row reads."""
    r = copy.copy(_read_once(text, today, has_value))
    r.flags, r.aims, r.parts = dict(r.flags), list(r.aims), [dict(p) for p in r.parts]
    return r


def screen_row(row: RowIn, as_of: date, buyer: str = "sub_central") -> dict[str, Any]:
    """The answer for one row: the fields `ltr assess --json` gives, plus the row's reference, its status,
    the notices it needs, the number of routes open, what was read from which column, and notes."""
    answers = _answers(row)
    st, notes = read_answers(answers, as_of, read=_read)
    facts = case_dict(st)
    notes = list(row.notes) + [n for n in notes if n]
    asked: list[str] = []
    for q in st.get("open") or []:
        if q.get("ask") in ("value_choice", "value") and "value" in row.facts:
            continue  # the notice states its value as data; amounts in its words do not make it unclear
        if q.get("ask") == "value_choice":
            asked.append("which value is meant: " + "; ".join(c["label"] for c in q.get("choices") or []))
        elif q.get("ask") == "date_confirm":
            asked.append("which year the date is in: " + " or ".join(q.get("choices") or []))
        elif q.get("problem"):
            asked.append(str(q["problem"]))
    codes = [c.code for c in find_cpv(row.text("cpv"))] if row.text("cpv") else []
    if codes:
        facts["cpv"] = codes
    if st["source"].get("commenced") == "assumed":
        facts.pop("commenced", None)  # "TBC": the engine says it assumed today and asks
    if not row.text("start") and row.text("contract_start") and facts.get("commenced"):
        notes.append("The contract start date was read as the procurement start; the procurement starts earlier.")
    value = facts.get("value")
    if isinstance(value, dict) and value.get("unknown"):
        facts["value"] = {"unknown": True}
    # The buyer: a notice's own reading of its buyer, else the buyer column, else words in the row, else the default.
    b = parse_buyer(row.text("buyer"), answer=True) if row.text("buyer") else None
    facts["buyer"] = (b.value if b else None) or facts.get("buyer") or buyer
    if "value" in row.facts and facts.get("parts"):
        # A notice states its value as data: amounts in its words ("quote CA15483") are not parts of a contract.
        facts.pop("parts")
        found = next((m for name in ("service", "title", "description") for m in match_services(row.text(name))), None)
        if found is not None:
            facts["service"] = found.id
    facts.update(row.facts)
    facts["buyer"] = facts.get("buyer") or buyer
    out: dict[str, Any] = {"row": row.ref, "line": row.line}
    try:
        a = assess(Case.from_dict(facts), as_of)
    except CaseError as e:
        needs = asked + [f"{e.field}: {e.message}"]
        return {**out, **_empty(as_of), "status": "needs_input", "missing": needs, "needs": needs,
                "read": _read_from(row), "notes": notes, "answer": f"Cannot be assessed: {e.message}."}
    result = _result(a, out)
    result["missing"] = asked + result["missing"]
    needs = asked + _needs(a, row)
    result["needs"] = needs
    result["status"] = "needs_input" if needs else "complete"
    result["read"] = _read_from(row)
    result["notes"] = notes
    if codes and st["facts"].get("service"):
        result["cpv_check"] = _cpv_check(st["facts"]["service"], facts, a, as_of)
    return result


def _needs(a: Assessment, row: RowIn) -> list[str]:
    """What must be asked before the row's answer can be relied on: the engine's question, or a missing value
    or start date (the answer then rests on an assumption)."""
    if a.status == "needs_input":
        return list(a.missing)
    if a.out_of_scope is not None or a.regime == "none":
        return []
    out = []
    if a.case is not None and a.case.commenced is None:
        said = row.text("start") or row.text("contract_start")
        out.append("when the procurement starts (first notice, advert or supplier contact)"
                   + (f": '{said}' is not a date" if said else ""))
    if a.estimated_value_gbp is None and a.regime != "PSR":
        said = row.text("annual_value") or row.text("total_value") or row.text("value")
        out.append("the estimated whole-life value" + (f": '{said}' is not a value" if said else ""))
    return out


def _result(a: Assessment, out: dict[str, Any]) -> dict[str, Any]:
    d = a.to_dict()
    d.pop("trace")
    obligations = [o.id for o in a.obligations]
    d = {**out, **d}
    d["notices"] = [NOTICES[i] for i in sorted((i for i in obligations if i in NOTICES), key=_ORDER.index)]
    d["routes_open"] = len(a.routes)
    d["value_working"] = [t.text for t in a.trace if t.id.startswith(("T-VALUE", "T-VAT"))]
    return d


def _empty(as_of: date) -> dict[str, Any]:
    return {"answer": "", "regime": None, "light_touch": None, "above_threshold": None, "threshold_gbp": None,
            "estimated_value_gbp": None, "notifiable": None, "warnings": [], "assumptions": [], "obligations": [],
            "routes": [], "notices": [], "routes_open": 0, "value_working": [], "candidates": [], "as_of": as_of.isoformat()}


def _read_from(row: RowIn) -> dict[str, str]:
    """What was taken from which column: field -> "Heading: text"."""
    return {name: "; ".join(f"{h}: {t}" for h, t in cells if t) for name, cells in row.cells.items()
            if any(t for _, t in cells)}


def _cpv_check(service: str, facts: dict[str, Any], a: Assessment, as_of: date) -> Optional[str]:
    """When the words and the CPV code classify the contract differently, say so: the answer follows the code."""
    try:
        by_words = assess(Case.from_dict({**facts, "cpv": [], "service": service}), as_of)
    except CaseError:
        return None
    if by_words.status == "needs_input" or (by_words.regime, by_words.light_touch) == (a.regime, a.light_touch):
        return None
    def what(x: Assessment) -> str:
        lt = "light touch" if x.light_touch else "not light touch"
        return f"{x.regime_name or x.regime}, {lt}" if x.regime not in (None, "none") else "exempt or out of scope"
    known = load_knowledge().service(service)
    label = known.label if known else service
    return (f"The description reads as {label} ({what(by_words)}); the CPV code gives "
            f"{what(a)}. The answer follows the CPV code: check the code.")


__all__ = ["NOTICES", "RowIn", "screen_row"]
