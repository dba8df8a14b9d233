"""Every amount in a message gets a role, and the roles make the Case `value` (issue: "a value reader for
compositions").

    >>> read_value("£80k a year for 3+2 plus a £90k set-up fee, ex VAT").value
    {'annual_gbp': 80000.0, 'years': 3.0, 'extension_years': 2.0, 'one_off_gbp': 90000.0}

Roles, read from the words around each amount (never from its size):

- recurring   a yearly, monthly or weekly price ("£180k pa", "£12k a month")
- total       a total price, for the whole life or for the initial term ("£1.6m for the first three years")
- one_off     set-up, implementation, mobilisation, equipment: added once
- extension   an extension priced on its own ("an optional fourth year at about £600k")
- per_lot     "3 lots of ~£200k a year": the price is per lot
- part        an amount tied to one named service of a mixed contract ("home care £2m and a sensor platform £250k")
- other       not this contract's value: an old contract, last year's spend, an hourly rate with no volume

The arithmetic is NOT done here: the engine (`bot.ltr`) values the case and shows the working. When the roles
cannot be told with certainty the reading carries `choices` (each a complete Case value) and no `value`: the
assistant asks which, never picks one silently. Absurd, negative or malformed figures give a `problem`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from bot.text.duration import Duration, parse_duration
from bot.text.money import Money, parse_money
from bot.text.numbers import small_number
from bot.text.prices import HEADER_MULTIPLIER, read_prices

# The largest UK public contracts are tens of billions: anything above this is a typing slip.
MAX_PLAUSIBLE_GBP = 100_000_000_000
RECURRING = {"year": "annual_gbp", "month": "monthly_gbp", "week": "weekly_gbp"}

_ONE_OFF = re.compile(
    r"\b(?:set[\s-]?up|setup|implementation|implement|mobili[sz]ation|mobili[sz]e|one[\s-]?off|one[\s-]time|start[\s-]?up|"
    r"installation|install|capital\s+(?:cost|payment|outlay)|devices?\s+(?:purchase|up\s*front)|transition(?:\s+costs?)?|"
    r"up[\s-]?front|initial\s+(?:cost|fee|payment|outlay)|launch\s+costs?|build\s+costs?|fit[\s-]?out|onboarding|"
    r"licen[cs]e\s+fee\s+up\s*front|data\s+migration|migration)\b", re.I)
_EXTENSION = re.compile(
    r"\b(?:extension|extensions|ext|extn|extend\w*|renewal|optional|option|further|additional|extra(?!\s+care)|another)\b"
    r"|\b(?:fourth|4th|fifth|5th|sixth|6th|third|3rd|second|2nd|seventh|7th|final|last)\s+(?:year|yr)\b", re.I)
_LOTS = re.compile(
    r"\b(?P<n>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?:\w+\s+)?(?:lots?|beds?|places?|placements?|units?)\b"
    r"(?=[^.;]{0,40}\b(?:each|per\s+(?:lot|bed|place))\b|\s+(?:of|at)\b)"
    r"|\b(?:per|each|a)\s+lot\b|\blots?\s+(?:each|of)\b", re.I)
_COMBINED = re.compile(r"\b(?:altogether|combined|in\s+total|total|overall|across\s+(?:all|the)\s+lots|for\s+all\s+lots)\b", re.I)
_OTHER = re.compile(
    r"\b(?:current(?:ly)?|existing|old|previous(?:ly)?|last\s+(?:year|time|contract)|incumbent|historic\w*|used\s+to|"
    r"spent|spend\s+last|last\s+year'?s|was\s+worth|budget\s+(?:last|this)\s+year|budget\s+for\s+\d{4}|saving|savings|underspend|overspend|"
    r"insurance|turnover\s+(?:threshold|limit)|hourly\s+rate|per\s+hour|an\s+hour|penalt\w+|liquidated)\b", re.I)
# A figure the officer compares with ("under 30k so no notices?", "below the £663,540 threshold"): not the value.
_COMPARED = re.compile(
    r"(?<!no\s)(?<!not\s)\b(?:under|over|below|above|less\s+than|more\s+than|exceed\w*|threshold\s+(?:of|is)|limit\s+(?:of|is)|"
    r"than|versus|vs\.?|compared\s+(?:with|to)|compare)\s+(?:the\s+)?(?:£|gbp)?\s*$", re.I)
_COMPARED_AFTER = re.compile(r"^\s*(?:threshold|limit|mark|line|rule)\b", re.I)
# A restatement of the sum ("= £650k", "so £650k in total"): a check figure, not another amount.
_RESTATED = re.compile(r"(?:=|\bso\s+(?:that'?s\s+)?|\bmaking\s+|\bthat'?s\s+|\bi\.e\.?\s*|\btotal(?:ling)?\s+(?:of\s+)?)\s*(?:about\s+|around\s+|~\s*)?$", re.I)
_ADDED = re.compile(r"^[^.;?!]{0,60}?(?:\+|\bplus\b|\band\s+(?:also\s+)?(?:we\s+)?(?:pay|a|an)\b|\bon\s+top\b|\bas\s+well\b)", re.I)
_COMPONENT_BEFORE = re.compile(r"\b(?:incl(?:uding|udes|\.)?|of\s+which(?:\s+(?:about|around))?|within\s+(?:that|which))\s*(?:about\s+|around\s+|~\s*)?$", re.I)
_TERM_NOT_MONEY = re.compile(r"^\d{1,2}\s*m$", re.I)
_EXT_WORD_AFTER = re.compile(r"\s*(?:ext\w*|options?|renewals?|contract|term|deal|pilot|period)\b", re.I)
_NO_EXTENSION = re.compile(r"\b(?:no|without(?:\s+any)?)\s+(?:\w+\s+)?(?:extensions?|options?\s+to\s+extend)\b|\bnot\s+extendable\b", re.I)
_ADDITION_CUE = re.compile(r"\b(?:plus|also|too|as\s+well|on\s+top|additional|extra|forgot|there'?s|there\s+is|and\s+a)\b|\+", re.I)
_PER_UNIT = re.compile(r"\s*(?:a|per|/)\s*(?:week\s+|wk\s+)?(?:per\s+|a\s+)?(?:placement|person|head|client|user|child|bed|place|night|"
                       r"hour|hr|meal|visit|session|unit|call)\b", re.I)
_VOLUME = re.compile(r"\b(?:about\s+|around\s+|~\s*)?(?P<n>\d[\d,]*)\s+(?:hours?|hrs?|meals?|visits?|sessions?|nights?|calls?|units?)\s+"
                     r"(?:a|per|each)\s+(?P<per>year|week|month)\b", re.I)
_COUNT_EACH = re.compile(r"\b\d+\s+(?:beds?|places?|placements?|units?|flats?|rooms?)\b", re.I)
_LOT_LABEL = re.compile(r"\blot\s*\d+\s*[:(-]?\s*£?\s*$", re.I)
_NOT_SORTED = re.compile(r"\b(?:not\s+(?:sorted|agreed|decided|set|worked\s+out)|yet\s+to\s+be\s+(?:set|agreed|decided))\b", re.I)
# Words that tie a total to its term ("£1.2m over 3 years", "£500k for the 2 years", "3-year contract for £500k").
_TERM_LINKED = re.compile(r"\b(?:over|across|for|covering|lasting)\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+)?(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)[\s-]*(?:years?|yrs?|months?|mths?)\b"
                          r"|\b(?:\d+|one|two|three|four|five)[\s-]*(?:years?|yrs?|months?)[\s-]+(?:contract|deal|term|framework|agreement|pilot|programme|program|service|arrangement|project)\b[^.;]{0,60}?(?:\b(?:for|at|worth|of|valued|about|around|approx\w*|costing)\b|,|-)"
                          r"|\b(?:whole|total|overall|in\s+total|all\s+in|lifetime)\b", re.I)
_WHOLE = re.compile(r"^\s*(?:for\s+the\s+(?:whole|full|entire)|whole[\s-]life|lifetime|over\s+the\s+(?:whole|full|entire|life))", re.I)
_ONE_OFF_FOR = re.compile(r"\s*(?:for|on)\s+(?:the\s+)?(?:kit|equipment|hardware|devices|fit[\s-]?out)\b", re.I)
_UP_TO = re.compile(r"\b(?:up\s+to|max(?:imum)?\s+(?:of\s+)?|no\s+more\s+than|not\s+more\s+than|ceiling\s+of|cap(?:ped)?\s+(?:at|of))\s*$", re.I)
_OPEN_ENDED = re.compile(
    r"\b(?:rolling|evergreen|no\s+(?:fixed\s+)?end\s+date|open[\s-]?ended|indefinite(?:ly)?|until\s+further\s+notice|no\s+fixed\s+term|"
    r"ongoing\s+basis|no\s+end\s+point|without\s+an?\s+end\s+date|runs?\s+until\s+(?:terminated|cancelled|ended))\b", re.I)
_UNKNOWN_VALUE = re.compile(
    r"\b(?:(?:don'?t|do\s+not)\s+know|no\s+idea|not\s+sure|unsure|unknown|tbc|tbd|to\s+be\s+confirmed|not\s+(?:yet\s+)?known|"
    r"haven'?t\s+(?:got|worked\s+out)|can'?t\s+(?:say|estimate)|no\s+(?:budget|figure|value)\s+yet)\b", re.I)
_VALUE_WORD = re.compile(r"\b(?:value|worth|cost|budget|price|spend|figure|how\s+much|amount)\b", re.I)
_NUMBER_WORDS_N = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                   "twelve": 12}
# Malformed figures the money parser rightly skips, which must still get a clear question.
_MALFORMED = re.compile(
    r"(?:(?:^|[\s(:,=])[-−–]£\s*\d|£\s*[-−–]\s*\d|\bminus\s+£?\d|£\s*\d+(?:\.\d+)?\s*e\s*[+-]?\d+\b|\d\.?\d*e\+?\d{2,}|\d{16,})", re.I)
_ZERO = re.compile(r"(?:£|\bgbp)\s*0+(?:\.0+)?(?![\d.,])(?!\s*(?:k|m)\b)", re.I)


@dataclass(frozen=True)
class Amount:
    money: Money
    role: str  # recurring | total | line | one_off | extension | per_lot | component | contingency | other | compared | restated
    lots: Optional[int] = None
    up_to: bool = False
    line: Optional[dict[str, Any]] = None  # role "line": the rate and its quantities (bot.text.prices)


@dataclass
class ValueReading:
    """What a message says about the contract's value. At most one of `value`, `choices`, `problem` is set."""

    value: Optional[dict[str, Any]] = None  # the Case value
    vat: Optional[str] = None  # included | excluded | exempt, when the message says so
    choices: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (how it was read, Case value)
    problem: Optional[str] = None  # a plain question for an absurd or malformed figure
    amounts: list[Amount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # readings the officer should know about ("took the top of the range")
    term: Optional[Duration] = None  # the term, when the message gives one even without an amount
    open_ended: bool = False
    addition: dict[str, Any] = field(default_factory=dict)  # one-off / priced extension with no main price
    text: str = ""
    has_value: bool = False
    date_range_years: Optional[float] = None
    table: list[dict[str, Any]] = field(default_factory=list)  # lump-sum lines of a year table
    low: Optional[dict[str, Any]] = None  # a range: the value at its bottom end (`value` is at the top)
    contingency: dict[str, float] = field(default_factory=dict)  # {"contingency_pct": …} or {"contingency_gbp": …}
    extension_only: Optional[float] = None  # "forgot - there's a 1-year extension option": extension years alone
    extension_added: bool = False  # said as an addition ("there's also", "forgot") rather than a correction

    @property
    def found(self) -> bool:
        return self.value is not None or bool(self.choices) or self.problem is not None or bool(self.addition)


def _window_before(text: str, m: Money, prev_end: int) -> str:
    return text[max(prev_end, m.start - 60):m.start]


def _clause_after(text: str, m: Money, next_start: int) -> str:
    """The words after an amount up to the next amount or the end of its clause."""
    tail = text[m.end:next_start]
    cut = re.search(r"[.;?!\n•|\t]|\band\b|\bplus\b|,\s|\s[-–—]\s", tail)  # a line, cell or dash ends a clause too
    return tail[:cut.start()] if cut else tail


_PERIOD_AFTER_LOT = [("year", re.compile(r"\s*(?:per|a|each)\s+lot\s+(?:per|a|each)\s+(?:year|annum)\b", re.I)),
                     ("month", re.compile(r"\s*(?:per|a|each)\s+lot\s+(?:per|a|each)\s+month\b", re.I))]
_QUARTER = re.compile(r"\s*(?:a|per|each)\s+quarter\b|\s*quarterly\b", re.I)
_PERIOD_AFTER = [("year", re.compile(r"\s*(?:is|was|are|'s|will\s+be)\s+(?:per\s+(?:year|annum)|a\s+year|p\.?a\.?|annual(?:ly)?|yearly|each\s+year)\b", re.I)),
                 ("month", re.compile(r"\s*(?:is|was|are|'s|will\s+be)\s+(?:per\s+month|a\s+month|monthly|each\s+month)\b", re.I))]


def _role(text: str, m: Money, prev_end: int, next_start: int, first: bool) -> Amount:
    if m.period == "total" and m.years and _ANNUAL_BEFORE.search(text[max(prev_end, m.start - 30):m.start]):
        m = replace(m, period="year")
    if m.period is None and _QUARTER.match(text, m.end):  # "£40k a quarter"
        m = replace(m, amount_gbp=m.amount_gbp * 4, period="year")
    if m.period is None:  # "that £500k is per year"
        for period, rx in _PERIOD_AFTER:
            if rx.match(text, m.end):
                m = replace(m, period=period)
    before = _window_before(text, m, prev_end)
    after = _clause_after(text, m, next_start)
    near_before = before[-35:]
    lots = None
    lm = None
    for lm in _LOTS.finditer(near_before + " " + after):
        pass
    if lm is not None:
        n = lm.group("n")
        if n:
            lots = int(n) if n.isdigit() else _NUMBER_WORDS_N.get(n.lower())
        else:
            lots = 0  # "per lot" without a count: the count is elsewhere in the message
    up_to = bool(_UP_TO.search(before))
    rate = _PER_UNIT.match(text, m.end) or (m.period in ("hour", "day") and re.match(r"", ""))
    if rate:
        volume = _VOLUME.search(text, m.end, min(len(text), m.end + 60))
        if volume:  # "£22/hr, about 9,000 hours a year": the rate times the volume
            n = float(volume.group("n").replace(",", ""))
            return Amount(replace(m, amount_gbp=m.amount_gbp * n, period=volume.group("per").lower()), "recurring")
    if m.period in ("day", "hour"):
        return Amount(m, "other")
    if _TERM_NOT_MONEY.search(m.text) and (re.search(r"x\s*$", text[:m.start]) or _EXT_WORD_AFTER.match(text[m.end:])):
        return Amount(m, "other")  # "2x12m ext": twelve months, not £12m
    if re.search(r"\bnot\s*(?:the\s+)?$", text[max(0, m.start - 8):m.start], re.I):
        return Amount(m, "other")  # "£190k not £120k": the figure being corrected
    if not first and _COMPONENT_BEFORE.search(text[max(0, m.start - 25):m.start]):
        return Amount(m, "component")  # "£1.5m a year including £100k a year of health promotion": part of the first
    if _COMPARED.search(before[-30:]) or (_COMPARED_AFTER.search(text[m.end:m.end + 20])
                                           and not m.text.rstrip().endswith((".", "?", "!", ","))):
        return Amount(m, "compared")
    if not first and _RESTATED.search(before[-20:]):
        return Amount(m, "restated")
    clause = re.split(r"[.;,!?\n•|\t]|\s[-–—]\s", before[-60:])[-1]  # the words of this amount's own clause
    if _OTHER.search(clause) or _OTHER.search(after[:25]):
        return Amount(m, "other")
    if _PER_UNIT.match(text, m.end) and not _COUNT_EACH.search(before[-40:] + " " + after[:30]):
        return Amount(m, "other")  # "£1,200 per week per placement": a unit price, not the contract's value
    if _ONE_OFF.search(near_before[-30:]) or _ONE_OFF.search(after[:30]) or _ONE_OFF_FOR.match(after):
        return Amount(m, "one_off")
    ext_context = _NO_EXTENSION.sub(" ", near_before + " \x00 " + after[:25])
    if not first and _EXTENSION.search(ext_context) and m.period != "week":
        return Amount(m, "extension")
    if lots is not None and not _COMBINED.search(near_before + " " + after):
        if m.period is None:  # "£350k per lot per year"
            m = next((replace(m, period=p) for p, rx in _PERIOD_AFTER_LOT if rx.match(text, m.end)), m)
        return Amount(m, "per_lot", lots=lots, up_to=up_to)
    if m.period in RECURRING:
        return Amount(m, "recurring", up_to=up_to)
    return Amount(m, "total", up_to=up_to)


_MALFORMED_QUESTION = ("One of the figures doesn't look like an amount I can use (a negative number, a malformed one, "
                       "or one too long to be a contract value). What is the estimated value, for example \"£700k\" or "
                       "\"£180k a year for 3 years\"?")


def _problem(text: str, amounts: list[Money]) -> Optional[str]:
    if _MALFORMED.search(text) or re.search(r"£\s*\d+\.\d+\.\d|£\s*\d{1,3},\d{2}(?!\d)|£\s*\d+(?:\.\d+)?\s*(?:trillion|zillion|gazillion)|\d+e\d+\s*m\b", text, re.I):
        return _MALFORMED_QUESTION
    for m in amounts:
        if m.amount_gbp > MAX_PLAUSIBLE_GBP:
            return (f"£{m.amount_gbp:,.0f} is far more than any public contract. What is the estimated value, "
                    "for example \"£700k\" or \"£180k a year for 3 years\"?")
        if m.amount_gbp <= 0:
            return "The value must be more than £0. What is the estimated value of the contract?"
    if not amounts and _ZERO.search(text):
        return "The value must be more than £0. What is the estimated value of the contract?"
    return None


def _lots_count(text: str) -> Optional[int]:
    m = re.search(r"\b(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?:separate\s+)?lots?\b", text, re.I)
    if not m:
        return None
    n = m.group(1)
    return int(n) if n.isdigit() else _NUMBER_WORDS_N.get(n.lower())


def _extension_years_from_words(text: str) -> Optional[float]:
    """"an optional fourth year" -> 1; "two further years" -> 2; "a 12-month extension" -> 1."""
    if re.search(r"\b(?:fourth|4th|third|3rd|fifth|5th)\s*(?:&|and|\+)\s*(?:fifth|5th|fourth|4th|sixth|6th)\s+(?:years?|yrs?)\b", text, re.I):
        return 2.0
    m = re.search(r"\b(?:an?\s+)?(?:optional\s+|possible\s+|further\s+|additional\s+|extra\s+)*"
                  r"(?:fourth|4th|fifth|5th|sixth|6th|third|3rd|second|2nd|seventh|7th|final|last)\s+(?:year|yr)\b", text, re.I)
    if m:
        return 1.0
    m = re.search(r"\b(\d+(?:\.\d+)?|an?|one|two|three|four|five)\s*(?:-|\s)?\s*(?:further|more|additional|extra|optional)?\s*"
                  r"(years?|yrs?|months?|mths?)\b[^.]{0,20}\b(?:extension|ext|option)", text, re.I)
    if m:
        n = small_number(m.group(1)) if not m.group(1)[0].isdigit() else float(m.group(1))
        if m.group(1).lower() in ("a", "an"):
            n = 1.0
        if n:
            return n / 12 if m.group(2).lower().startswith("m") else float(n)
    return None


def _vat_of(amounts: list[Money]) -> Optional[str]:
    said = {m.vat for m in amounts if m.vat}
    return said.pop() if len(said) == 1 else None


_EXTENSION_ONLY = re.compile(
    r"\b(?:(?P<count>\d|an?|one|two|three|four|five)\s*(?:x|×|\*)\s*)?(?P<n>\d+(?:\.\d+)?|an?|one|two|three|four|five)\s*[- ]?\s*"
    r"(?P<u>years?|yrs?|yr|months?|mths?|m)\s*(?:optional\s+|possible\s+|further\s+)?(?:extension|ext|extn|option|renewal)s?\b"
    r"|\b(?:extension|ext|option)s?\s+(?:is|are|of|for|by)\s+(?:another\s+|a\s+further\s+)?(?P<n2>\d+(?:\.\d+)?|an?|one|two|three|four|five)\s*"
    r"(?P<u2>years?|yrs?|months?|mths?)\b"
    r"|\b(?:extend|extension|ext)\w*\s+(?:by|for)\s+(?:another\s+|a\s+further\s+)?(?P<n3>\d+(?:\.\d+)?|an?|one|two|three|four|five)\s*"
    r"(?P<u3>years?|yrs?|months?|mths?)\b", re.I)
_PLUS_UNIT = r"(?:\s*(?:years?|yrs?|months?|mths?|mos?))?"
_PLUS_FORM = re.compile(rf"(?<![\d£.,])\d+(?:\.\d+)?{_PLUS_UNIT}(?:\s*\+\s*\d+(?:\.\d+)?{_PLUS_UNIT})+(?![\d%]|\s*(?:k|m|bn)\b)", re.I)
_NUM_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _num(x: str) -> float:
    return float(_NUM_WORDS.get(x.lower(), 0)) if not x[0].isdigit() else float(x)


def extension_only(text: str) -> Optional[float]:
    """Extension years said on their own, with no initial term: "a 1-year extension", "2x12m extension options"."""
    if re.search(r"\b\d+\s*\+\s*\d+", text):
        return None  # "3+3": a whole term, read by the duration parser
    m = _EXTENSION_ONLY.search(text)
    if not m:
        return None
    if m.group("n"):
        n, unit, count = _num(m.group("n")), m.group("u"), _num(m.group("count")) if m.group("count") else 1.0
    elif m.group("n2"):
        n, unit, count = _num(m.group("n2")), m.group("u2"), 1.0
    else:
        n, unit, count = _num(m.group("n3")), m.group("u3"), 1.0
    years = n / 12 if unit.lower().startswith("m") else n
    return round(count * years, 4) or None


_EXTENSION_CUE_BEFORE = re.compile(r"\b(?:extend\w*|extension|option|renew\w*|further)\b[^.;\d]*$", re.I)
# "annual value £200,000, over 5 years": a yearly price, whatever the "over 5 years" after it suggests
_ANNUAL_BEFORE = re.compile(r"\b(?:annual|yearly|per\s+annum|p\.?a\.?|a\s+year)\s*(?:value|cost|price|budget|spend|"
                            r"contract\s+value|fee)?\s*(?:of|is|:|=|-|–)?\s*(?:about|around|c\.?|~)?\s*$", re.I)
_OPTION_IN_BRACKETS = re.compile(r"(\d)\s*\(\s*\+\s*(\d+(?:\.\d+)?)\s*\)")
_OPTIONS_IN_BRACKETS = re.compile(r"\s*\(\s*((?:\+\s*\d+(?:\.\d+)?\s*){2,})\)")
_DURATION_IN_BRACKETS = re.compile(r"\(\s*(\d+(?:\.\d+)?\s*(?:years?|yrs?|months?|mths?))\s*\)", re.I)


def _term_of(text: str) -> Optional[Duration]:
    """The term: "3+1+1", "4 (+1)" (an option in brackets), or in words ("3 years plus 2")."""
    text = _OPTION_IN_BRACKETS.sub(lambda m: f"{m.group(1)}+{m.group(2)}", text)
    text = _OPTION_IN_BRACKETS.sub(lambda m: f"{m.group(1)}+{m.group(2)}", text)  # "4 (+1) (+1)"
    text = _OPTIONS_IN_BRACKETS.sub(lambda m: " " + re.sub(r"\s+", "", m.group(1)), text)  # "2 years (+1+1)", "4 (+2 +2)"
    text = _DURATION_IN_BRACKETS.sub(lambda m: " " + m.group(1) + " ", text)  # "extension option (1 yr)"
    plus = _PLUS_FORM.search(text)  # "so 3+3": a term written as a sum is the term, whatever else is said
    if plus and not _EXTENSION_CUE_BEFORE.search(text[max(0, plus.start() - 25):plus.start()]):
        return parse_duration(plus.group(0))
    return parse_duration(text)  # "initial 3 years, extendable by 1 + 1": the sum is the extensions


def read_value(text: str, has_value: bool = False) -> ValueReading:
    """The value the message gives, with a role for every amount; see the module docstring. `has_value`: the
    case already has a value, so a lone "plus a £90k set-up fee" or "an optional 4th year at £200k" adds to it."""
    try:
        raw = parse_money(text)
    except ArithmeticError:  # "£1.2.5m": not a number at all
        return ValueReading(problem=_MALFORMED_QUESTION, text=text)
    term = _term_of(text)
    reading = ValueReading(term=term, open_ended=bool(_OPEN_ENDED.search(text)), text=text,
                           has_value=has_value)
    reading.extension_only = extension_only(text)
    reading.extension_added = bool(_ADDITION_CUE.search(text))
    problem = _problem(HEADER_MULTIPLIER.sub(" ", text), raw)  # "(£000s)" says thousands, it is not £0
    if problem:
        reading.problem = problem
        return reading
    if not raw:
        prices = read_prices(text, raw)
        if prices.table:  # "Y1 1,200 / Y2 1,260 / Y3 1,320 (£k)": no pound sign beside the figures
            reading.value = {"lines": prices.table, **prices.contingency}
            reading.table = prices.table
        elif _UNKNOWN_VALUE.search(text) and _VALUE_WORD.search(text):
            reading.value = {"unknown": True}
        return reading
    raw = [m for m in raw if m.amount_gbp >= 100 or m.text.strip().startswith("£")]  # "lot 1 £200k": a count, not money
    if not raw:
        return reading
    prices = read_prices(text, raw)
    if reading.open_ended:
        prices.lines = []  # a rolling contract has no total: its weekly price is read as one (bot.ltr.value)
    if prices.lines or prices.table:
        # "£42 a session, 90 sessions a week, term time (39 weeks), 3 years": the counts belong to the line,
        # so the term is read from what is left ("39 weeks" is not a 9-month contract).
        claimed = [span for line in prices.lines for span in line.spans] + prices.table_spans
        rest = "".join(" " if any(a <= i < b for a, b in claimed) else ch for i, ch in enumerate(text))
        reading.term = _term_of(rest)
    lines = {line.money_start: line.value for line in prices.lines}
    ends = [0] + [m.end for m in raw]
    starts = [m.start for m in raw[1:]] + [len(text)]
    amounts = []
    for i, m in enumerate(raw):
        if m.start in lines:
            amounts.append(Amount(m, "line", line=lines[m.start]))
        elif any(a <= m.start < b for a, b in prices.table_spans):
            amounts.append(Amount(m, "table"))
        elif prices.contingency_money == m.start:
            amounts.append(Amount(m, "contingency"))
        else:
            amounts.append(_role(text, m, ends[i], starts[i], i == 0 and not has_value))
    reading.amounts = amounts
    reading.table = prices.table
    reading.contingency = prices.contingency
    # "£1.5m a year incl £80k of outreach": that "incl" introduces a part, it says nothing about VAT
    reading.vat = _vat_of([a.money for i, a in enumerate(amounts)
                           if not (i + 1 < len(amounts) and amounts[i + 1].role == "component"
                                   and re.search(r"\bincl\w*\.?\s*$", a.money.text, re.I))])
    _compose(text, reading)
    if reading.contingency and reading.value and not reading.value.get("unknown") and not reading.value.get("open_ended"):
        reading.value.update(reading.contingency)
        if reading.low is not None:
            reading.low.update(reading.contingency)
    if reading.value is None:
        reading.low = None
    return reading


_TIMES_YEARS = re.compile(r"^\s*(?:\(?(?:incl\w*|ex\w*|\+)\s*vat\)?\s*)?(?:x|×|\*|times)\s*(\d{1,2}(?:\.\d)?)\b(?!\s*(?:lots?|k\b|m\b|%))", re.I)


def _term(reading: ValueReading, money: Optional[Money], text: str = "") -> tuple[Optional[float], float]:
    years = money.years if money is not None and money.years else None
    if years is None and money is not None and money.period == "year" and text:
        t = _TIMES_YEARS.match(text[money.end:])  # "£200k pa x 3"
        if t:
            years = float(t.group(1))
    ext = 0.0
    if reading.term is not None:
        if years is None:
            years = reading.term.years
        ext = reading.term.extension_years
    return years, ext


def _base(reading: ValueReading, a: Amount) -> dict[str, Any]:
    m = a.money
    v: dict[str, Any] = {}
    if a.role in ("recurring",) or (a.role == "per_lot" and m.period in RECURRING):
        v[RECURRING[m.period]] = m.amount_gbp
    else:
        v["total_gbp"] = m.amount_gbp
        if not m.years and _WHOLE.search(reading.text[m.end:m.end + 30]):
            return v  # "£900k for the whole 3+2": the whole-life value as given
    years, ext = _term(reading, m, reading.text)
    if years is None and reading.date_range_years:
        years = reading.date_range_years  # "from 1 April 2027 to 31 March 2030"
    if years is not None:
        v["years"] = years
        if ext:
            v["extension_years"] = ext
    elif reading.open_ended and "total_gbp" not in v:
        v["open_ended"] = True
    return v


def _describe(v: dict[str, Any]) -> str:
    """A short label for a button: how the figures were read."""
    parts = []
    for key, per in (("annual_gbp", "a year"), ("monthly_gbp", "a month"), ("weekly_gbp", "a week")):
        if key in v:
            parts.append(f"£{v[key]:,.0f} {per}")
    if "total_gbp" in v:
        parts.append(f"£{v['total_gbp']:,.0f} in total" if "years" not in v else f"£{v['total_gbp']:,.0f} for the first {v['years']:g} years")
    if "years" in v and "total_gbp" not in v:
        parts.append(f"for {v['years']:g} years")
    if v.get("extension_years"):
        parts.append(f"+ {v['extension_years']:g} extension years")
    if v.get("extension_gbp"):
        parts.append(f"+ £{v['extension_gbp']:,.0f} for the extension")
    if v.get("one_off_gbp"):
        parts.append(f"+ £{v['one_off_gbp']:,.0f} one-off")
    if v.get("lots"):
        parts.append(f"× {v['lots']} lots")
    return " ".join(parts)


def _extension_price(text: str, a: Amount, ext_years: float) -> float:
    """The extensions' total: a yearly or monthly price, or one "each", runs for every extension year."""
    m = a.money
    if m.period == "year" or re.match(r"\s*(?:each|per\s+year|a\s+year)\b", text[m.end:], re.I):
        return m.amount_gbp * ext_years
    if m.period == "month":
        return m.amount_gbp * 12 * ext_years
    return m.amount_gbp


def _compose(text: str, reading: ValueReading) -> None:
    if reading.amounts and all(a.role == "compared" for a in reading.amounts) and not re.search(r"\bthreshold\b", text, re.I):
        # "under £200k all in", "should be less than 150k a year": the figure is the estimate's upper bound.
        reading.amounts = [Amount(a.money, "recurring" if a.money.period in RECURRING else "total", up_to=True)
                           for a in reading.amounts]
    if reading.amounts and all(a.role in ("restated", "other") for a in reading.amounts):
        # "sorry, that's £350k a year": with nothing to restate, "that's" introduces the figure itself
        reading.amounts = [Amount(a.money, "recurring" if a.money.period in RECURRING else "total")
                           if a.role == "restated" else a for a in reading.amounts]
    if reading.table:
        v = {"lines": reading.table}
        one_offs = [a for a in reading.amounts if a.role == "one_off"]
        if one_offs:
            v["one_off_gbp"] = sum(a.money.amount_gbp for a in one_offs)
        reading.value = {**v, **reading.contingency}
        return
    used = [a for a in reading.amounts if a.role not in ("other", "compared", "restated", "component", "contingency")]
    if not used:
        if _UNKNOWN_VALUE.search(text) or _NOT_SORTED.search(text):
            reading.value = {"unknown": True}
        return  # only amounts that are not this contract's value (an old contract, an hourly rate)
    labelled = [a for a in used if _LOT_LABEL.search(text[max(0, a.money.start - 12):a.money.start])]
    if len(labelled) >= 2 and len(labelled) == len(used) and len({a.money.period or "total" for a in labelled}) == 1:
        # "lot 1 £200k pa, lot 2 £150k pa": one procurement, the lots add up
        first = labelled[0]
        total = replace(first.money, amount_gbp=sum(a.money.amount_gbp for a in labelled))
        reading.amounts = [Amount(total, first.role)] + [a for a in reading.amounts if a not in labelled]
        used = [Amount(total, first.role)]
    mains = [a for a in used if a.role in ("recurring", "total", "per_lot", "line")]
    one_offs = [a for a in used if a.role == "one_off"]
    extensions = [a for a in used if a.role == "extension"]
    additive = bool(_ADDITION_CUE.search(text))
    if not mains and one_offs and not extensions and not (reading.has_value and additive):
        # "it's a one-off £15k": the whole contract is a one-off purchase, not an extra on top of a price.
        mains, one_offs = [Amount(one_offs[0].money, "total")], one_offs[1:]
    if not mains:
        # Only a one-off or a priced extension: an addition to a value given earlier (the dialogue merges it).
        add: dict[str, Any] = {}
        if one_offs:
            add["one_off_gbp"] = sum(a.money.amount_gbp for a in one_offs)
        if extensions:
            add["extension_gbp"] = sum(a.money.amount_gbp for a in extensions)
            add["extension_years"] = _extension_years_from_words(text) or float(len(extensions))
        reading.addition = add
        return
    lines = [a for a in mains if a.role == "line"]
    if lines and len(lines) == len(mains):
        v = {"lines": [a.line for a in lines]}
        years, ext = _term(reading, lines[0].money)  # "600 hours a week at £19.55 an hour, over 3 years"
        if years is not None:
            v["years"] = years
            if ext:
                v["extension_years"] = ext
        if one_offs:
            v["one_off_gbp"] = sum(a.money.amount_gbp for a in one_offs)
        reading.value = {**v, **reading.contingency}
        return
    if len(mains) > 1:
        _several_mains(text, reading, mains, one_offs, extensions)
        return
    main = mains[0]
    v = _base(reading, main)
    if main.role == "total" and main.money.period is None and reading.open_ended and "years" not in v:
        # "£480k, rolling": a year's price or a total? A rolling contract has no total, so ask.
        reading.choices = [(f"£{main.money.amount_gbp:,.0f} a year, rolling", {"annual_gbp": main.money.amount_gbp, "open_ended": True}),
                           (f"£{main.money.amount_gbp:,.0f} in total", {"total_gbp": main.money.amount_gbp})]
        return
    if (main.role == "total" and main.money.period is None and main.money.years is None and reading.term is not None
            and reading.term.years + reading.term.extension_years > 1 and not _TERM_LINKED.search(text)):
        # "Dom care, £400k, 3 yrs": for the whole term, or a year? The readings differ by a factor of the term.
        per_year = {"annual_gbp": main.money.amount_gbp, "years": reading.term.years}
        if reading.term.extension_years:
            per_year["extension_years"] = reading.term.extension_years
        whole = {"total_gbp": main.money.amount_gbp}
        extra = {k: x for k, x in (("one_off_gbp", sum(a.money.amount_gbp for a in one_offs)),) if x}
        reading.choices = [(f"£{main.money.amount_gbp:,.0f} in total", {**whole, **extra}),
                           (_describe({**per_year, **extra}), {**per_year, **extra})]
        return
    if main.up_to:
        reading.notes.append(f"You said up to £{main.money.amount_gbp:,.0f}: I've used the upper figure.")
    if main.money.low_gbp:
        # "£640–690k": the dialogue answers on the upper figure when both ends are on the same side of the
        # threshold, and asks when they are not (the reader cannot know the threshold).
        low = replace(main.money, amount_gbp=main.money.low_gbp, low_gbp=None)
        reading.low = _base(reading, replace(main, money=low))
    if main.role == "per_lot":
        n = main.lots or _lots_count(text)
        if not n:
            reading.choices = [("one lot only", v)]
            return
        v["lots"] = n
    if one_offs:
        v["one_off_gbp"] = sum(a.money.amount_gbp for a in one_offs)
    if extensions:
        ext_years = v.get("extension_years") or _extension_years_from_words(text) or reading.extension_only
        if not ext_years:
            ext_years = 1.0 if len(extensions) == 1 else float(len(extensions))
        v["extension_years"] = ext_years
        v["extension_gbp"] = sum(_extension_price(text, a, ext_years) for a in extensions)
        if "years" not in v and "total_gbp" in v:
            # "£1.6m plus an optional year at £600k" with no initial term: the extension adds to the total.
            v.pop("extension_years", None)
            v["total_gbp"] += v.pop("extension_gbp")
    if reading.low is not None:
        reading.low = {**v, **reading.low}
    restated = [a for a in reading.amounts if a.role == "restated"]
    if restated and not _agrees(v, restated[-1].money.amount_gbp):
        # "£90k x 3 = £300k?": the sum the officer wrote does not match the figures; ask which is right.
        total = {"total_gbp": restated[-1].money.amount_gbp}
        reading.choices = [(_describe(v), v), (_describe(total), total)]
        return
    reading.value = v


def _agrees(v: dict[str, Any], stated: float) -> bool:
    per = {"annual_gbp": 1, "monthly_gbp": 12, "weekly_gbp": 52}
    years = float(v.get("years") or 0) + float(v.get("extension_years") or 0)
    whole = next((float(v[k]) * n * years for k, n in per.items() if k in v), float(v.get("total_gbp") or 0))
    whole = whole * int(v.get("lots") or 1) + float(v.get("one_off_gbp") or 0) + float(v.get("extension_gbp") or 0)
    return abs(whole - stated) <= 0.02 * stated


def _several_mains(text: str, reading: ValueReading, mains: list[Amount], one_offs: list[Amount],
                   extensions: list[Amount]) -> None:
    """Several amounts that could each be the value: consistent restatements are fine, anything else is asked."""
    recurring = [a for a in mains if a.role == "recurring"]
    totals = [a for a in mains if a.role == "total"]
    extra: dict[str, Any] = {}
    if one_offs:
        extra["one_off_gbp"] = sum(a.money.amount_gbp for a in one_offs)
    # "£150k a year, so £600k over 4 years": a recurring price and the total it makes.
    if len(recurring) == 1 and len(totals) == 1:
        v = _base(reading, recurring[0])
        years = v.get("years")
        total = totals[0].money.amount_gbp
        annual = recurring[0].money.amount_gbp * {"year": 1, "month": 12, "week": 52}[recurring[0].money.period]
        whole = years + v.get("extension_years", 0) if years else None
        if years and (abs(annual * years - total) <= 0.02 * total or (whole and abs(annual * whole - total) <= 0.02 * total)):
            reading.value = {**v, **extra}
            return
        tv = {"total_gbp": total, **extra}
        reading.choices = [(_describe({**v, **extra}), {**v, **extra}), (_describe(tv), tv)]
        return
    # "about £5m a year ... plus we pay them a £200k a year subsidy": amounts joined by "plus" add up.
    if len(mains) == 2 and len({a.money.period for a in mains}) == 1 and _ADDED.search(
            text[mains[0].money.end:mains[1].money.start] + " "):
        v = _base(reading, mains[0])
        key = next(k for k in ("total_gbp", "annual_gbp", "monthly_gbp", "weekly_gbp") if k in v)
        v[key] = mains[0].money.amount_gbp + mains[1].money.amount_gbp
        reading.value = {**v, **extra}
        return
    # The same figure twice ("£700k ... the £700k includes VAT") is one figure.
    distinct = {(a.money.amount_gbp, a.money.period, a.role) for a in mains}
    if len(distinct) == 1:
        reading.value = {**_base(reading, mains[0]), **extra}
        return
    options = []
    for a in mains:
        v = {**_base(reading, a), **extra}
        options.append((_describe(v), v))
    if len(mains) == 2 and mains[0].role == mains[1].role:
        both = dict(options[0][1])
        key = next(k for k in ("total_gbp", "annual_gbp", "monthly_gbp", "weekly_gbp") if k in both)
        if key in options[1][1]:
            both[key] = mains[0].money.amount_gbp + mains[1].money.amount_gbp
            options.append((f"both added together: {_describe(both)}", both))
    reading.choices = options


__all__ = ["Amount", "ValueReading", "read_value", "RECURRING"]


_ONLY_UNKNOWN = re.compile(r"^\s*(?:unknown|not\s+known|not\s+sure|unsure|don'?t\s+know|do\s+not\s+know|no\s+idea|tbc|tbd|"
                           r"to\s+be\s+confirmed|n/?a)\s*[.!]?\s*$", re.I)


def parse_value_phrase(text: str) -> dict[str, Any]:
    """One value phrase ("£3m a year for 4 years plus 2") -> the Case `value` dict, plus `vat` when the phrase
    says it; for the `ltr` command's --value. Raises ValueError with a plain message rather than guess."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Give the estimated value, for example '£700k' or '£180k a year for 3 years'.")
    if _ONLY_UNKNOWN.match(text):
        return {"unknown": True}
    reading = read_value(text)
    if reading.problem:
        raise ValueError(reading.problem)
    if reading.choices:
        raise ValueError(f"'{text}' has more than one amount. Give one figure: the whole-life total, or the yearly "
                         "amount and the term.")
    if reading.value is None:
        rate = next((a.money for a in reading.amounts if a.money.period in ("hour", "day")), None)
        if rate is not None:
            what = "an hourly" if rate.period == "hour" else "a daily"
            raise ValueError(f"'{rate.text.strip()}' is {what} rate, not the contract's value. Give the whole-life total, "
                             "or the yearly amount and the term.")
        raise ValueError(f"I could not find an amount of money in '{text}'. Try '£700k' or '£180k a year for 3 years'.")
    out = dict(reading.value)
    if reading.vat:
        out["vat"] = reading.vat
    return out
